"""A small registry client on top of oras's `Registry`: one authenticated request within a deadline.

What is used from oras: `oras.provider.Registry` builds the requests session (with its cookie policy
that ignores every cookie, as Harbor's CSRF cookies require), the `prefix` (http or https) and the
`hostname`, and its method names are the client's interface (`do_request` here, `get_tags` in
`tags.TagRegistry`). What is replaced, because the controller does otherwise: oras's request path has
no deadline (a registry slower than `spec.timeout` would hang the scan), its retry decorator sleeps
without regard to the deadline and retries statuses ggcr does not, its token backend sends Basic
credentials to whatever host a redirect or a realm names, and it never refuses a realm on an internal
address. So `do_request` is this module's own, and oras's auth backend and retry decorator are never
called (docs/behaviour.md, Registry access).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import requests.utils

from kubectl_imagerepo import __version__
from kubectl_imagerepo.registry.challenge import (
    POST_UNSUPPORTED,
    Challenge,
    choose_challenge,
    parse_challenges,
    pull_scope,
    read_token,
    realm_problem,
    token_requests,
)
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.errors import DEADLINE_EXCEEDED, RegistryError, redact_url, scrub
from kubectl_imagerepo.registry.neterrors import describe_network_error, is_connect_timeout, is_timeout
from kubectl_imagerepo.registry.oras_import import oras_provider
from kubectl_imagerepo.registry.pagination import origin
from kubectl_imagerepo.registry.proxy import is_loopback, remote_dns
from kubectl_imagerepo.registry.retries import RETRY_JITTER, retry_delay, should_retry_status
from kubectl_imagerepo.registry.tls import tls_context
from kubectl_imagerepo.registry.tokencache import SHARED_TOKEN_CACHE, TokenCache, TokenKey
from kubectl_imagerepo.registry.transport import (
    CONNECT_TIMEOUT,
    MAX_BODY_BYTES,
    BodyTooLarge,
    DeadlineAdapter,
    read_body,
)

__all__ = ["MAX_REDIRECTS", "ORAS_OVERRIDES", "USER_AGENT", "RegistryClient", "require_oras_methods"]

logger = logging.getLogger(__name__)

#: oras's Registry, imported with jsonschema deferred (see registry/oras_import.py).
OrasRegistry: Any = oras_provider().Registry

USER_AGENT = f"kubectl-imagerepo/{__version__}"
#: Go's http.Client limit.
MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# The oras-py methods the tag client replaces; checked at import so that an oras upgrade renaming them
# fails loudly instead of silently running oras's own (unbounded, retry-sleeping) code.
ORAS_OVERRIDES = ("do_request", "get_tags", "_do_paginated_request")


def require_oras_methods() -> None:
    """Raise ImportError when the installed oras lacks a method the tag client overrides."""
    missing = [name for name in ORAS_OVERRIDES if not callable(getattr(OrasRegistry, name, None))]
    if missing:
        raise ImportError(
            "kubectl_imagerepo.registry overrides oras.provider.Registry."
            + ", ".join(missing)
            + ", which the installed oras no longer has; pin oras to a compatible version"
        )


require_oras_methods()


class _HopFailed(Exception):
    """A request of one redirect hop failed before any response."""

    def __init__(self, method: str, url: str, error: requests.RequestException) -> None:
        super().__init__(method, url)
        self.method = method
        self.url = url
        self.error = error


class RegistryClient(OrasRegistry):  # type: ignore[misc]  # oras has no type information
    """An oras `Registry` whose `do_request` authenticates as ggcr does, within a deadline.

    Every request is bounded by `deadline`, verifies TLS, answers Bearer and Basic challenges (after
    checking the realm as ggcr does), makes at most 3 attempts on 408/429/5xx within the deadline, and
    never sends `Authorization` to a host other than the one it was meant for.

    Args:
        hostname: The registry's `host[:port]`.
        insecure: Talk plain HTTP instead of HTTPS.
        deadline: The `time.monotonic()` value by which every request must be done.
        credentials: What to answer challenges with; anonymous when None.
        ca_file: A PEM bundle trusted in addition to the system's roots.
        client_cert: A (certificate file, key file) pair for mutual TLS.
        proxies: requests-style proxies replacing the environment's (`HTTPS_PROXY`, `NO_PROXY`).
        token_cache: Where tokens are kept; the process-wide cache by default.
    """

    def __init__(
        self,
        hostname: str,
        *,
        insecure: bool = False,
        deadline: float,
        credentials: Credentials | None = None,
        ca_file: str | None = None,
        client_cert: tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        super().__init__(hostname=hostname, insecure=insecure, tls_verify=True)
        if not isinstance(getattr(self, "session", None), requests.Session):
            raise TypeError("oras.provider.Registry no longer creates a requests session")
        self.deadline = deadline
        self._credentials = credentials
        self._verify: bool | str = ca_file or True
        self._proxies = remote_dns(proxies) if proxies is not None else None
        self._tokens = SHARED_TOKEN_CACHE if token_cache is None else token_cache
        self._registry_origin = origin(f"{self.prefix}://{hostname}/")
        self._secrets: set[str] = credentials.secrets() if credentials else set()
        if proxies:
            for proxy in proxies.values():
                password = urlsplit(proxy).password
                if password:
                    self._secrets.add(password)
        self._environment_proxies: dict[str, dict[str, str]] = {}
        session: requests.Session = self.session
        session.trust_env = False  # no ~/.netrc, no REQUESTS_CA_BUNDLE replacing the CA; proxies below
        session.headers["User-Agent"] = USER_AGENT
        # Custom CA or client certificate: loaded now, so that a bad one fails before any request.
        context = tls_context(ca_file, client_cert) if ca_file or client_cert else None
        adapter = DeadlineAdapter(
            (lambda: context) if context is not None else (lambda: tls_context(None, None)),
            lambda: self.deadline,
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def do_request(
        self,
        url: str,
        method: str = "GET",
        data: Mapping[str, str] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        stream: bool = False,
    ) -> requests.Response:
        """Send one request with authentication, retries and redirects, and return the final response.

        Cached credentials for the registry are sent up front; a 401 from the registry is answered
        once (a fresh token, or Basic credentials). The body is always read, within the deadline;
        `stream` is accepted for oras's signature only. Any `Authorization` in `headers` is ignored.

        Raises:
            RegistryError: when no response arrives (network error, deadline), or the challenge's
                realm is refused.
        """
        del stream
        plain = {key: value for key, value in (headers or {}).items() if key.lower() != "authorization"}
        scope = pull_scope(url)
        for_registry = origin(url) == self._registry_origin
        authorization = self._upfront_authorization(scope) if for_registry else None
        response = self._exchange(method, url, plain, authorization, data, json)
        if response.status_code != 401 or not for_registry or origin(response.url) != self._registry_origin:
            return response
        answer = self._answer_challenge(response, scope, authorization)
        if answer is None:
            return response
        return self._exchange(method, url, plain, answer, data, json)

    # -- authentication ------------------------------------------------------------------------------

    def _token_key(self, challenge: Challenge, scope: str) -> TokenKey:
        fingerprint = self._credentials.fingerprint if self._credentials else ""
        return (challenge.realm, challenge.service, scope or " ".join(challenge.scopes), fingerprint)

    def _bearer(self, token: str) -> str:
        self._secrets.add(token)
        return f"Bearer {token}"

    def _upfront_authorization(self, scope: str) -> str | None:
        """What to send before any challenge: a fixed token, or what this registry asked for last time."""
        credentials = self._credentials
        if credentials is not None and credentials.token:
            return self._bearer(credentials.token)
        challenge = self._tokens.challenge_for(self._registry_origin)
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            return credentials.basic if credentials is not None else None
        token = self._tokens.get(self._token_key(challenge, scope))
        return self._bearer(token) if token is not None else None

    def _answer_challenge(self, response: requests.Response, scope: str, sent: str | None) -> str | None:
        """The `Authorization` to retry a 401 with, or None when there is nothing new to offer.

        Raises:
            RegistryError: ggcr's refusal of the realm, e.g. `invalid realm in www-authenticate: realm
                host "127.0.0.2" is a private or link-local address`.
        """
        challenge = choose_challenge(parse_challenges(response.headers.get("WWW-Authenticate", "")))
        if challenge is None:
            return None
        credentials = self._credentials
        if challenge.scheme == "basic":
            self._tokens.remember_challenge(self._registry_origin, challenge)
            basic = credentials.basic if credentials is not None else None
            return basic if basic is not None and basic != sent else None
        problem = realm_problem(challenge.realm, self.hostname, insecure=self.prefix == "http")
        if problem is not None:
            raise RegistryError(problem, secrets=self._secrets)
        if credentials is not None and credentials.token:
            return None  # a fixed token was refused; there is no other to try
        self._tokens.remember_challenge(self._registry_origin, challenge)
        stale = sent.removeprefix("Bearer ") if sent and sent.startswith("Bearer ") else None
        scopes = challenge.scopes or ((scope,) if scope else ())
        token = self._tokens.fetch(
            self._token_key(challenge, scope),
            lambda: self._request_token(challenge, scopes),
            stale=stale,
            timeout=max(0.0, self.deadline - time.monotonic()),
        )
        if token is None:
            raise self._deadline_error("GET", challenge.realm)
        return self._bearer(token)

    def _request_token(self, challenge: Challenge, scopes: tuple[str, ...]) -> tuple[str, float]:
        """Fetch a token from the challenge's realm: each of `token_requests` in turn."""
        response: requests.Response | None = None
        for request in token_requests(challenge, self._credentials, scopes):
            form = dict(request.form) if request.form is not None else None
            response = self._exchange(request.method, request.url, {}, request.authorization, form, None)
            if not (request.fallback and response.status_code in POST_UNSUPPORTED):
                break
        assert response is not None
        if response.status_code != 200:
            raise RegistryError.from_response(response, secrets=self._secrets)
        found = read_token(response.content)
        if found is None:
            method = response.request.method if response.request is not None else "GET"
            raise RegistryError(
                "no token in bearer response", method=method, url=response.url, secrets=self._secrets
            )
        self._secrets.add(found[0])
        return found

    # -- transport -----------------------------------------------------------------------------------

    def _deadline_error(self, method: str, url: str) -> RegistryError:
        """Go's `url.Error` for a request the deadline ended: `Get "<url>": context deadline exceeded`."""
        return RegistryError(DEADLINE_EXCEEDED, method=method, url=url, secrets=self._secrets, url_error=True)

    def _exchange(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        authorization: str | None,
        data: Mapping[str, str] | bytes | None,
        json: Any,
    ) -> requests.Response:
        """Send with retries on 408/429/5xx and transient network errors; return the last response."""
        attempts = 0
        while True:
            attempts += 1
            if time.monotonic() >= self.deadline:
                raise self._deadline_error(method, url)
            try:
                response = self._follow(method, url, headers, authorization, data, json)
            except _HopFailed as failure:
                now = time.monotonic()
                timed_out = is_timeout(failure.error) or now >= self.deadline  # cut at the deadline
                if timed_out and (now >= self.deadline - 0.05 or not is_connect_timeout(failure.error)):
                    raise self._deadline_error(failure.method, failure.url) from None
                detail, retryable = describe_network_error(
                    failure.error, failure.url, self._proxy_for(failure.url)
                )
                delay = (
                    retry_delay(
                        attempts, now=now, deadline=self.deadline, jitter=random.random() * RETRY_JITTER
                    )
                    if retryable
                    else None
                )
                if delay is None:
                    raise RegistryError(
                        detail, method=failure.method, url=failure.url, secrets=self._secrets
                    ) from None
                logger.info(
                    "retrying %s %s in %.1fs: %s",
                    failure.method,
                    redact_url(failure.url),
                    delay,
                    scrub(detail, self._secrets),
                )
                time.sleep(delay)
                continue
            if should_retry_status(response.status_code):
                delay = retry_delay(
                    attempts,
                    now=time.monotonic(),
                    deadline=self.deadline,
                    retry_after=response.headers.get("Retry-After"),
                    jitter=random.random() * RETRY_JITTER,
                )
                if delay is not None:
                    logger.info(
                        "retrying %s %s in %.1fs: status %d",
                        method,
                        redact_url(response.url),
                        delay,
                        response.status_code,
                    )
                    time.sleep(delay)
                    continue
            return response

    def _follow(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        authorization: str | None,
        data: Mapping[str, str] | bytes | None,
        json: Any,
    ) -> requests.Response:
        """Send and follow redirects by hand, sending `authorization` only to `url`'s own origin."""
        url_origin = origin(url)
        hop_method, hop_url = method, url
        for _ in range(MAX_REDIRECTS + 1):
            hop_headers = dict(headers)
            if authorization is not None and origin(hop_url) == url_origin:
                hop_headers["Authorization"] = authorization
            try:
                response = self._send_once(hop_method, hop_url, hop_headers, data, json)
            except requests.RequestException as error:
                raise _HopFailed(hop_method, hop_url, error) from None
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            try:
                following = urljoin(hop_url, location)
                scheme = urlsplit(following).scheme.lower()
            except ValueError:
                raise RegistryError(
                    f"failed to follow redirect: invalid Location {location!r}",
                    method=hop_method,
                    url=hop_url,
                    secrets=self._secrets,
                ) from None
            if scheme not in ("http", "https"):
                raise RegistryError(
                    f'unsupported protocol scheme "{scheme}"',
                    method=hop_method,
                    url=following,
                    secrets=self._secrets,
                )
            if response.status_code in (301, 302, 303) and hop_method not in ("GET", "HEAD"):
                hop_method, data, json = "GET", None, None
            logger.debug("following a %d redirect to %s", response.status_code, redact_url(following))
            hop_url = following
        raise RegistryError(
            f"stopped after {MAX_REDIRECTS} redirects", method=hop_method, url=hop_url, secrets=self._secrets
        )

    def _proxy_for(self, url: str) -> str | None:
        return requests.utils.select_proxy(url, self._proxies_for(url))

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The explicit proxies, else the environment's (never for loopback hosts, as Go)."""
        if self._proxies is not None:
            return self._proxies
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._environment_proxies:
            if is_loopback(parts.hostname or ""):
                self._environment_proxies[key] = {}
            else:
                self._environment_proxies[key] = remote_dns(requests.utils.get_environ_proxies(url))
        return self._environment_proxies[key]

    def _send_once(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        data: Mapping[str, str] | bytes | None,
        json: Any,
    ) -> requests.Response:
        """One HTTP exchange whose body is read in full before the deadline."""
        session: requests.Session = self.session
        response = session.request(
            method,
            url,
            headers=dict(headers),
            data=data,
            json=json,
            allow_redirects=False,
            stream=True,
            verify=self._verify,
            proxies=self._proxies_for(url),
            timeout=CONNECT_TIMEOUT,
        )
        try:
            response._content = read_body(response, self.deadline)
        except BodyTooLarge:
            raise RegistryError(
                f"response body exceeds {MAX_BODY_BYTES} bytes",
                method="GET",
                url=response.url,
                secrets=self._secrets,
            ) from None
        finally:
            response.close()
        logger.debug("%s %s: %d", method, redact_url(url), response.status_code)
        return response
