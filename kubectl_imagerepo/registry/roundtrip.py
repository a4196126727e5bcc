"""The request path's one interface: a request goes in, a response comes out (Go's `http.RoundTripper`).

Every layer of the path (`client.py` assembles them) is a `RoundTripper` wrapping another, as
go-containerregistry's transports wrap one another: the auth flow (`authflow.py`) wraps the retries
(`retries.py`), which wrap the deadline (`deadline.py`), which wraps redirects (`redirects.py`), which
wrap one HTTP exchange (`sender.py`). A layer sees `Request`s, hands them on, and may send several
(a retry, a redirect hop, a token request) for one it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

import requests

__all__ = ["Layer", "NoResponse", "Request", "RoundTripper"]


@dataclass(frozen=True, repr=False)
class Request:
    """One request to send: never holds a credential except in `authorization`, which `repr` leaves out.

    Attributes:
        method: `GET`, `HEAD` or `POST`.
        url: The absolute URL.
        headers: Headers other than `Authorization`.
        authorization: The `Authorization` value, sent to `url`'s own origin only.
        data: A form (a token request) or a body.
        json: A JSON body (oras's `do_request` takes one).
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    authorization: str | None = None
    data: Mapping[str, str] | bytes | None = None
    json: Any = None

    def __repr__(self) -> str:
        return f"Request(method={self.method!r}, url={self.url!r})"

    def authorized(self, authorization: str | None) -> Request:
        """The same request with another `Authorization` (None for none)."""
        if authorization == self.authorization:
            return self
        return Request(self.method, self.url, self.headers, authorization, self.data, self.json)


class RoundTripper(Protocol):
    """Sends a request and returns the response it got (any status), or raises."""

    def __call__(self, request: Request) -> requests.Response: ...


#: Wraps a round tripper in another (a limiter per host, a recorder in tests).
Layer = Callable[[RoundTripper], RoundTripper]


class NoResponse(Exception):
    """A request got no response: `error` is what requests raised; `method` and `url` name the hop."""

    def __init__(self, method: str, url: str, error: requests.RequestException) -> None:
        super().__init__(method, url)
        self.method = method
        self.url = url
        self.error = error
