"""The redirect layer: follows 3xx answers as Go's `http.Client` does, `Authorization` kept to its origin.

At most `MAX_REDIRECTS` hops; 301, 302 and 303 turn a POST into a GET without a body; a `Location`
that is not http or https ends the request with Go's `unsupported protocol scheme` (docs/behaviour.md,
Registry access).
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

import requests

from kubectl_imagerepo.registry.errors import RegistryError, redact_url
from kubectl_imagerepo.registry.pagination import origin
from kubectl_imagerepo.registry.roundtrip import Request, RoundTripper

__all__ = ["MAX_REDIRECTS", "REDIRECT_STATUSES", "FollowRedirects"]

logger = logging.getLogger(__name__)

#: Go's http.Client limit.
MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FollowRedirects:
    """Sends through `inner` and follows redirects by hand, sending `Authorization` only to the request's
    own origin.

    Raises:
        RegistryError: a `Location` that cannot be followed, or more than `MAX_REDIRECTS` hops.
        NoResponse: as `inner`, naming the hop that failed.
    """

    def __init__(self, inner: RoundTripper, *, secrets: set[str]) -> None:
        self._inner = inner
        self._secrets = secrets

    def __call__(self, request: Request) -> requests.Response:
        url_origin = origin(request.url) if request.authorization is not None else None
        hop = request
        for _ in range(MAX_REDIRECTS + 1):
            if hop is not request and url_origin is not None and origin(hop.url) != url_origin:
                hop = hop.authorized(None)
            response = self._inner(hop)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            try:
                following = urljoin(hop.url, location)
                scheme = urlsplit(following).scheme.lower()
            except ValueError:
                raise RegistryError(
                    f"failed to follow redirect: invalid Location {location!r}",
                    method=hop.method, url=hop.url, secrets=self._secrets,
                ) from None
            if scheme not in ("http", "https"):
                raise RegistryError(
                    f'unsupported protocol scheme "{scheme}"', method=hop.method, url=following,
                    secrets=self._secrets,
                )
            method, data, json = hop.method, hop.data, hop.json
            if response.status_code in (301, 302, 303) and method not in ("GET", "HEAD"):
                method, data, json = "GET", None, None
            logger.debug("following a %d redirect to %s", response.status_code, redact_url(following))
            hop = Request(method, following, request.headers, request.authorization, data, json)
        raise RegistryError(
            f"stopped after {MAX_REDIRECTS} redirects", method=hop.method, url=hop.url, secrets=self._secrets
        )
