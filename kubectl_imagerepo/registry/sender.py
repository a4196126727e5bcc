"""The innermost layer of the request path: one HTTP exchange over oras's requests session.

What Go's `http.Transport` is to ggcr's transports: it sends exactly one request (no redirect followed,
no retry), through the proxy `ProxyRoutes` picks, with TLS verified by the session's `DeadlineAdapter`,
and reads the whole body before the deadline (docs/behaviour.md, Scanning).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import requests

from kubectl_imagerepo.registry.errors import RegistryError, redact_url
from kubectl_imagerepo.registry.proxy import ProxyRoutes
from kubectl_imagerepo.registry.roundtrip import NoResponse, Request
from kubectl_imagerepo.registry.transport import CONNECT_TIMEOUT, MAX_BODY_BYTES, BodyTooLarge, read_body

__all__ = ["SessionSender"]

logger = logging.getLogger(__name__)


class SessionSender:
    """Sends one request over `session` and returns its response with the body read.

    Args:
        session: oras's session, with a `DeadlineAdapter` mounted for http and https.
        verify: True, or a CA bundle's path (requests' `verify`).
        routes: The proxies of each URL.
        deadline: The `time.monotonic()` value the body must be read by.
        secrets: Texts scrubbed from errors.
    """

    def __init__(
        self,
        session: requests.Session,
        *,
        verify: bool | str,
        routes: ProxyRoutes,
        deadline: Callable[[], float],
        secrets: set[str],
    ) -> None:
        self._session = session
        self._verify = verify
        self._routes = routes
        self._deadline = deadline
        self._secrets = secrets

    def __call__(self, request: Request) -> requests.Response:
        """Raises: NoResponse for what requests raised; RegistryError for a body over `MAX_BODY_BYTES`."""
        headers = dict(request.headers)
        if request.authorization is not None:
            headers["Authorization"] = request.authorization
        try:
            response = self._session.request(
                request.method,
                request.url,
                headers=headers,
                data=request.data,
                json=request.json,
                allow_redirects=False,
                stream=True,
                verify=self._verify,
                proxies=self._routes.proxies_for(request.url),
                timeout=CONNECT_TIMEOUT,
            )
            try:
                response._content = read_body(response, self._deadline())
            finally:
                response.close()
        except requests.RequestException as error:
            raise NoResponse(request.method, request.url, error) from None
        except BodyTooLarge:
            raise RegistryError(
                f"response body exceeds {MAX_BODY_BYTES} bytes", method="GET", url=request.url,
                secrets=self._secrets,
            ) from None
        logger.debug("%s %s: %d", request.method, redact_url(request.url), response.status_code)
        return response
