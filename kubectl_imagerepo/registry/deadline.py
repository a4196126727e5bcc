"""The deadline layer: no request starts after the scan's deadline, and one it cut reads as Go's.

A request the deadline ended is Go's `url.Error`, `Get "<url>": context deadline exceeded`
(docs/behaviour.md, Scanning). The timeouts of each request and each body read are the session's
`DeadlineAdapter`'s and `read_body`'s (`transport.py`); this layer decides what their failures mean.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from kubectl_imagerepo.registry.errors import DEADLINE_EXCEEDED, RegistryError
from kubectl_imagerepo.registry.neterrors import is_connect_timeout, is_timeout
from kubectl_imagerepo.registry.roundtrip import NoResponse, Request, RoundTripper

__all__ = ["CONNECT_TIMEOUT_MARGIN", "DeadlineBound", "deadline_error"]

#: A connect timeout this close to the deadline is the deadline's, not the dialer's.
CONNECT_TIMEOUT_MARGIN = 0.05


def deadline_error(method: str, url: str, secrets: set[str]) -> RegistryError:
    """Go's `url.Error` for a request the deadline ended: `Get "<url>": context deadline exceeded`."""
    return RegistryError(DEADLINE_EXCEEDED, method=method, url=url, secrets=secrets, url_error=True)


class DeadlineBound:
    """Refuses to start a request once `deadline()` has passed; turns a timeout it caused into Go's text.

    A connect timeout well before the deadline (Go's 30s dial timeout) stays a `NoResponse`, for the
    retry layer to judge as a network error.

    Raises:
        RegistryError: `context deadline exceeded`.
        NoResponse: any other failure without a response.
    """

    def __init__(self, inner: RoundTripper, *, deadline: Callable[[], float], secrets: set[str]) -> None:
        self._inner = inner
        self._deadline = deadline
        self._secrets = secrets

    def __call__(self, request: Request) -> requests.Response:
        if time.monotonic() >= self._deadline():
            raise deadline_error(request.method, request.url, self._secrets)
        try:
            return self._inner(request)
        except NoResponse as failure:
            now, deadline = time.monotonic(), self._deadline()
            timed_out = is_timeout(failure.error) or now >= deadline  # cut at the deadline
            near = now >= deadline - CONNECT_TIMEOUT_MARGIN
            if timed_out and (near or not is_connect_timeout(failure.error)):
                raise deadline_error(failure.method, failure.url, self._secrets) from None
            raise
