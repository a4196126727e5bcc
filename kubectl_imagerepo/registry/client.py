"""The registry client: oras's session and naming, and a request path of layers that wrap one another.

What is used from oras: an `oras.provider.Registry` builds the requests session (with its cookie
policy that ignores every cookie, as Harbor's CSRF cookies require), the `prefix` (http or https) and
the `hostname`; its method names are the client's interface (`do_request` here, `get_tags` in
`tags.TagRegistry`). What is the client's own, because the controller does otherwise: oras's request
path has no deadline, its retries sleep without regard to it and retry statuses ggcr does not, and its
token backend sends Basic credentials to whatever host a redirect or a realm names and never refuses a
realm on an internal address. So no oras method is overridden or called for a request; the path is
built here, as go-containerregistry wraps `http.RoundTripper`s (docs/behaviour.md, Registry access):

    do_request → Authenticating (authflow.py: the auth flow; token requests through tokenexchange.py)
        → [per_exchange layers] → Retrying (retries.py) → DeadlineBound (deadline.py)
        → FollowRedirects (redirects.py) → [per_send layers] → SessionSender (sender.py) → oras's session

The per-host limiter (limiter.py), when given, is the innermost of the `per_send` layers, which see
every HTTP request one by one (each attempt and each redirect hop). A shared listing sits above the
client, where `tags.list_tags` is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import requests

from kubectl_imagerepo import __version__
from kubectl_imagerepo.registry.authflow import Authenticating, AuthFlow
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.deadline import DeadlineBound
from kubectl_imagerepo.registry.limiter import HostLimiter, Limited
from kubectl_imagerepo.registry.oras_import import oras_provider
from kubectl_imagerepo.registry.proxy import ProxyRoutes
from kubectl_imagerepo.registry.redirects import MAX_REDIRECTS, FollowRedirects
from kubectl_imagerepo.registry.retries import Retrying
from kubectl_imagerepo.registry.roundtrip import Layer, Request, RoundTripper
from kubectl_imagerepo.registry.sender import SessionSender
from kubectl_imagerepo.registry.tls import tls_context
from kubectl_imagerepo.registry.tokencache import SHARED_TOKEN_CACHE, TokenCache
from kubectl_imagerepo.registry.tokenexchange import TokenExchange
from kubectl_imagerepo.registry.transport import DeadlineAdapter

__all__ = ["MAX_REDIRECTS", "USER_AGENT", "RegistryClient"]

USER_AGENT = f"kubectl-imagerepo/{__version__}"


def _oras_registry(hostname: str, insecure: bool) -> Any:
    """oras's `Registry` for `hostname`: its session, prefix and host name are the client's."""
    registry = oras_provider().Registry(hostname=hostname, insecure=insecure, tls_verify=True)
    if not isinstance(getattr(registry, "session", None), requests.Session):
        raise TypeError("oras.provider.Registry no longer creates a requests session")
    return registry


class RegistryClient:
    """One registry's requests: authenticated as ggcr authenticates, within a deadline.

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
        limiter: The per-host limits every HTTP request waits for; none when None.
        per_send: Layers around each single HTTP request, innermost first (above the limiter).
        per_exchange: Layers around each request with its retries, below the auth flow, innermost first.
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
        limiter: HostLimiter | None = None,
        per_send: Sequence[Layer] = (),
        per_exchange: Sequence[Layer] = (),
    ) -> None:
        oras = _oras_registry(hostname, insecure)
        self.hostname: str = oras.hostname
        self.prefix: str = oras.prefix
        self.session: requests.Session = oras.session
        self.deadline = deadline
        self._secrets: set[str] = credentials.secrets() if credentials else set()
        for proxy in (proxies or {}).values():
            password = urlsplit(proxy).password
            if password:
                self._secrets.add(password)
        self.session.trust_env = False  # no ~/.netrc, no REQUESTS_CA_BUNDLE replacing the CA; proxies below
        self.session.headers["User-Agent"] = USER_AGENT
        # Custom CA or client certificate: loaded now, so that a bad one fails before any request.
        context = tls_context(ca_file, client_cert) if ca_file or client_cert else None
        adapter = DeadlineAdapter(
            (lambda: context) if context is not None else (lambda: tls_context(None, None)),
            self._deadline,
        )
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

        routes = ProxyRoutes(proxies)
        send: RoundTripper = SessionSender(self.session, verify=ca_file or True, routes=routes,
                                           deadline=self._deadline, secrets=self._secrets)
        if limiter is not None:
            send = Limited(send, limiter, deadline=self._deadline, secrets=self._secrets)
        send = _wrap(send, per_send)
        exchange: RoundTripper = Retrying(
            DeadlineBound(FollowRedirects(send, secrets=self._secrets), deadline=self._deadline,
                          secrets=self._secrets),
            deadline=self._deadline, proxy_for=routes.proxy_for, secrets=self._secrets,
        )
        #: The path below the auth flow: a request sent as it is, with retries and the deadline.
        self.exchange = _wrap(exchange, per_exchange)
        cache = SHARED_TOKEN_CACHE if token_cache is None else token_cache
        tokens = TokenExchange(self.exchange, credentials=credentials, cache=cache, deadline=self._deadline,
                               secrets=self._secrets)
        #: How this client authenticates (also answers a challenge got elsewhere, as the digest's ping).
        self.auth = AuthFlow(self.hostname, self.prefix, credentials=credentials, tokens=tokens, cache=cache,
                             secrets=self._secrets)
        self._path = Authenticating(self.exchange, self.auth)

    def _deadline(self) -> float:
        return self.deadline

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

        oras's signature. Cached credentials for the registry are sent up front; a 401 from the
        registry is answered once (a fresh token, or Basic credentials). The body is always read,
        within the deadline; `stream` is accepted for oras's signature only. Any `Authorization` in
        `headers` is ignored.

        Raises:
            RegistryError: when no response arrives (network error, deadline), or the challenge's
                realm is refused.
        """
        del stream
        plain = {key: value for key, value in (headers or {}).items() if key.lower() != "authorization"}
        return self._path(Request(method, url, plain, data=data, json=json))


def _wrap(inner: RoundTripper, layers: Sequence[Callable[[RoundTripper], RoundTripper]]) -> RoundTripper:
    """`inner` wrapped in each of `layers`, the first innermost."""
    for layer in layers:
        inner = layer(inner)
    return inner
