"""The auth layer: a request and its registry's challenge as a flow, as httpx's `Auth.auth_flow` is one.

`AuthFlow.flow` is a generator that yields the requests to send and receives their responses: the
request with what the registry asked for last time (a cached token, or Basic credentials), then, after
a 401 with a challenge it can answer, the same request once more with a fresh token or Basic
credentials. `Authenticating` is the layer that drives it over the path below. Nothing but the
registry's own origin ever gets an `Authorization` (docs/behaviour.md, Registry access).
"""

from __future__ import annotations

from collections.abc import Generator

import requests

from kubectl_imagerepo.registry.challenge import choose_challenge, parse_challenges, pull_scope, realm_problem
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.pagination import origin
from kubectl_imagerepo.registry.roundtrip import Request, RoundTripper
from kubectl_imagerepo.registry.tokencache import Origin, TokenCache
from kubectl_imagerepo.registry.tokenexchange import TokenExchange

__all__ = ["AuthFlow", "Authenticating", "Flow"]

#: Yields requests to send, is sent their responses, returns the response to hand back.
Flow = Generator[Request, requests.Response, requests.Response]


class AuthFlow:
    """How one client authenticates to its registry: ggcr's Basic and Bearer transports as one flow.

    Args:
        registry: The registry's `host[:port]` as the image names it (realms on it are always accepted).
        scheme: `http` or `https`.
        credentials: What to answer challenges with; anonymous when None.
        tokens: Where tokens come from.
        cache: Where the registry's last challenge is remembered.
        secrets: Texts scrubbed from errors; every token sent is added.
    """

    def __init__(
        self,
        registry: str,
        scheme: str,
        *,
        credentials: Credentials | None,
        tokens: TokenExchange,
        cache: TokenCache,
        secrets: set[str],
    ) -> None:
        self._registry = registry
        self._insecure = scheme == "http"
        self._origin: Origin = origin(f"{scheme}://{registry}/")
        self._credentials = credentials
        self._tokens = tokens
        self._cache = cache
        self._secrets = secrets

    def flow(self, request: Request) -> Flow:
        """The requests that get `request` through the registry's authentication; any `Authorization` it
        carries is replaced."""
        scope = pull_scope(request.url)
        for_registry = origin(request.url) == self._origin
        sent = self._upfront(scope) if for_registry else None
        response = yield request.authorized(sent)
        if response.status_code != 401 or not for_registry or origin(response.url) != self._origin:
            return response
        answer = self.answer(response, scope, sent)
        if answer is None:
            return response
        return (yield request.authorized(answer))

    def answer(self, response: requests.Response, scope: str, sent: str | None) -> str | None:
        """The `Authorization` to retry a 401 with, or None when there is nothing new to offer.

        Raises:
            RegistryError: ggcr's refusal of the realm, e.g. `invalid realm in www-authenticate: realm
                host "127.0.0.2" is a private or link-local address`, or a failed token request.
        """
        challenge = choose_challenge(parse_challenges(response.headers.get("WWW-Authenticate", "")))
        if challenge is None:
            return None
        credentials = self._credentials
        if challenge.scheme == "basic":
            self._cache.remember_challenge(self._origin, challenge)
            basic = credentials.basic if credentials is not None else None
            return basic if basic is not None and basic != sent else None
        problem = realm_problem(challenge.realm, self._registry, insecure=self._insecure)
        if problem is not None:
            raise RegistryError(problem, secrets=self._secrets)
        if credentials is not None and credentials.token:
            return None  # a fixed token was refused; there is no other to try
        self._cache.remember_challenge(self._origin, challenge)
        stale = sent.removeprefix("Bearer ") if sent and sent.startswith("Bearer ") else None
        return self._bearer(self._tokens.token(challenge, scope, stale=stale))

    def _bearer(self, token: str) -> str:
        self._secrets.add(token)
        return f"Bearer {token}"

    def _upfront(self, scope: str) -> str | None:
        """What to send before any challenge: a fixed token, or what this registry asked for last time."""
        credentials = self._credentials
        if credentials is not None and credentials.token:
            return self._bearer(credentials.token)
        challenge = self._cache.challenge_for(self._origin)
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            return credentials.basic if credentials is not None else None
        token = self._tokens.cached(challenge, scope)
        return self._bearer(token) if token is not None else None


class Authenticating:
    """The layer that runs `auth.flow` for each request, sending what it yields through `inner`."""

    def __init__(self, inner: RoundTripper, auth: AuthFlow) -> None:
        self._inner = inner
        self._auth = auth

    def __call__(self, request: Request) -> requests.Response:
        flow = self._auth.flow(request)
        outgoing = next(flow)
        while True:
            response = self._inner(outgoing)
            try:
                outgoing = flow.send(response)
            except StopIteration as done:
                result: requests.Response = done.value
                return result
