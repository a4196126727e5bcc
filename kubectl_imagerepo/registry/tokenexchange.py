"""A Bearer challenge exchanged for a token at its realm, once per key across threads.

What ggcr's `bearerTransport.refresh` does: the requests `challenge.token_requests` lists are sent in
turn through the path below the auth flow (so with retries and the deadline, never with the registry's
`Authorization`), the answer is read with `read_token`, and the token is kept in the `TokenCache`
(docs/behaviour.md, Registry access).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kubectl_imagerepo.registry.challenge import POST_UNSUPPORTED, Challenge, read_token, token_requests
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.deadline import deadline_error
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.roundtrip import Request, RoundTripper
from kubectl_imagerepo.registry.tokencache import TokenCache, TokenKey

__all__ = ["TokenExchange"]


class TokenExchange:
    """Tokens for one client's credentials, fetched through `inner` and kept in `cache`.

    Args:
        inner: The path below the auth flow.
        credentials: What the token request authenticates with; anonymous when None.
        cache: The token cache (shared by every client of the process by default).
        deadline: The `time.monotonic()` value a wait for another thread's fetch may not pass.
        secrets: Texts scrubbed from errors; every token fetched is added.
    """

    def __init__(
        self,
        inner: RoundTripper,
        *,
        credentials: Credentials | None,
        cache: TokenCache,
        deadline: Callable[[], float],
        secrets: set[str],
    ) -> None:
        self._inner = inner
        self._credentials = credentials
        self._cache = cache
        self._deadline = deadline
        self._secrets = secrets

    def key(self, challenge: Challenge, scope: str) -> TokenKey:
        """(realm, service, scope, credential fingerprint): what a token is kept under."""
        fingerprint = self._credentials.fingerprint if self._credentials else ""
        return challenge.realm, challenge.service, scope or " ".join(challenge.scopes), fingerprint

    def cached(self, challenge: Challenge, scope: str) -> str | None:
        """The unexpired token kept for this challenge and scope, or None."""
        return self._cache.get(self.key(challenge, scope))

    def token(self, challenge: Challenge, scope: str, *, stale: str | None) -> str:
        """A token for `scope`: the one kept unless it is `stale`, else a fresh one (one fetch per key).

        Raises:
            RegistryError: the token server's answer, `no token in bearer response`, or the deadline
                passed while another thread fetched it.
        """
        scopes = challenge.scopes or ((scope,) if scope else ())
        token = self._cache.fetch(
            self.key(challenge, scope),
            lambda: self._fetch(challenge, scopes),
            stale=stale,
            timeout=max(0.0, self._deadline() - time.monotonic()),
        )
        if token is None:
            raise deadline_error("GET", challenge.realm, self._secrets)
        return token

    def _fetch(self, challenge: Challenge, scopes: tuple[str, ...]) -> tuple[str, float]:
        """(token, lifetime) from the realm: each of `token_requests` in turn."""
        response = None
        for request in token_requests(challenge, self._credentials, scopes):
            form = dict(request.form) if request.form is not None else None
            response = self._inner(Request(request.method, request.url, authorization=request.authorization,
                                           data=form))
            if not (request.fallback and response.status_code in POST_UNSUPPORTED):
                break
        assert response is not None
        if response.status_code != 200:
            raise RegistryError.from_response(response, secrets=self._secrets)
        found = read_token(response.content)
        if found is None:
            method = response.request.method if response.request is not None else "GET"
            raise RegistryError(
                "no token in bearer response", method=method, url=response.url, secrets=self._secrets)
        self._secrets.add(found[0])
        return found
