"""The token flow of a registry challenge: `WWW-Authenticate` parsed, the realm checked, the token asked.

Pure decisions, no I/O: the client sends what `token_requests` lists and reads the answer with
`read_token` (docs/behaviour.md, Registry access). The realm is checked as ggcr checks it before any
token request: https (http only for a plain-HTTP registry), and no private, loopback or link-local IP
address unless it is the registry's own `host:port`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from kubectl_imagerepo.gocompat.strconv import quote
from kubectl_imagerepo.gocompat.url import GoURLError, parse_url
from kubectl_imagerepo.registry.credentials import Credentials

__all__ = [
    "CLIENT_ID",
    "DEFAULT_TOKEN_LIFETIME",
    "Challenge",
    "TokenRequest",
    "choose_challenge",
    "parse_challenges",
    "pull_scope",
    "read_token",
    "realm_problem",
    "token_requests",
    "with_query",
]

#: A registry token without `expires_in` lives this long (distribution's token spec).
DEFAULT_TOKEN_LIFETIME = 60.0
CLIENT_ID = "kubectl-imagerepo"
#: Token-server statuses after which the OAuth2 POST falls back to the Basic GET.
POST_UNSUPPORTED = frozenset({404, 405})


@dataclass(frozen=True)
class Challenge:
    """One `WWW-Authenticate` challenge: a lower-case scheme and its parameters (lower-case names)."""

    scheme: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def realm(self) -> str:
        return self.params.get("realm", "")

    @property
    def service(self) -> str:
        return self.params.get("service", "")

    @property
    def scopes(self) -> tuple[str, ...]:
        """The challenged scopes: the `scope` value split on whitespace, passed through verbatim."""
        return tuple(self.params.get("scope", "").split())

    @property
    def error(self) -> str:
        return self.params.get("error", "")


_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


_SPACE = " \t"


def parse_challenges(header: str) -> list[Challenge]:
    """Parse a `WWW-Authenticate` value leniently.

    The scheme matches in any case; values may be quoted strings (with backslash escapes) or bare
    tokens (zot's `basic realm=zot`); commas between parameters may be missing; several challenges
    may share the value (requests joins repeated headers with ", "). Garbage is skipped.

    Example:
        ```python
        >>> parse_challenges('Bearer realm="https://a/token",service="r",scope="repository:x:pull"')[0].realm
        'https://a/token'
        ```
    """
    challenges: list[tuple[str, dict[str, str]]] = []
    position, end = 0, len(header)
    while position < end:
        if header[position] in _SPACE + ",":
            position += 1
            continue
        match = _TOKEN_RE.match(header, position)
        if match is None:
            position += 1
            continue
        name, position = match.group(), match.end()
        after = position
        while after < end and header[after] in _SPACE:
            after += 1
        if after < end and header[after] == "=" and challenges:
            value, position = _read_value(header, after + 1)
            challenges[-1][1][name.lower()] = value
        elif after < end and header[after] == "=":
            # A parameter before any scheme (or a token68 tail): skip its value.
            _, position = _read_value(header, after + 1)
        else:
            challenges.append((name.lower(), {}))
    return [Challenge(scheme, MappingProxyType(params)) for scheme, params in challenges]


def _read_value(header: str, position: int) -> tuple[str, int]:
    """Read a quoted string or a bare value starting at `position` (after '=')."""
    end = len(header)
    while position < end and header[position] in _SPACE:
        position += 1
    if position < end and header[position] == '"':
        position += 1
        value: list[str] = []
        while position < end and header[position] != '"':
            if header[position] == "\\" and position + 1 < end:
                position += 1
            value.append(header[position])
            position += 1
        return "".join(value), position + 1
    start = position
    while position < end and header[position] not in _SPACE + ",":
        position += 1
    return header[start:position], position


def choose_challenge(challenges: Sequence[Challenge]) -> Challenge | None:
    """The challenge to answer: the first Bearer one, else the first Basic one, else None."""
    for scheme in ("bearer", "basic"):
        for challenge in challenges:
            if challenge.scheme == scheme:
                return challenge
    return None



_REPOSITORY_PATH = re.compile(r"/v2/(?P<name>.+?)/(?:tags/list|manifests/|blobs/|referrers/)")


def pull_scope(url: str) -> str:
    """`repository:<name>:pull` for a registry API URL, else an empty string."""
    match = _REPOSITORY_PATH.match(urlsplit(url).path)
    return f"repository:{match['name']}:pull" if match else ""


def with_query(url: str, params: Sequence[tuple[str, str]]) -> str:
    """`url` with `params` added to (or replacing the same keys of) its query."""
    parts = urlsplit(url)
    names = {name for name, _ in params}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in [*kept, *params])
    return urlunsplit(parts._replace(query=query))


def realm_problem(realm: str, registry_host: str, *, insecure: bool) -> str | None:
    """ggcr's refusal of a challenge's realm (`invalid realm in www-authenticate: ...`), or None.

    `registry_host` is the registry's `host[:port]` as the image names it; a realm on exactly that
    `host:port` is always accepted. Host names are not resolved, as in ggcr.
    """
    try:
        parsed = parse_url(realm)
    except GoURLError as bad:
        return f"invalid realm in www-authenticate: parsing realm {quote(realm)}: {bad}"
    scheme = parsed.scheme
    if scheme == "http" and not insecure:
        reason = 'realm scheme "http" not allowed for a secure registry; use https'
        return f"invalid realm in www-authenticate: {reason}"
    if scheme not in ("http", "https"):
        reason = f"realm scheme {quote(scheme)} not allowed; must be https (or http for insecure registries)"
        return f"invalid realm in www-authenticate: {reason}"
    if registry_host and parsed.host == registry_host:
        return None
    host = _hostname(parsed.host)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if (address.is_loopback or address.is_link_local or address.is_unspecified or _is_private(address)
            or (address.is_multicast and _is_link_local_multicast(address))):
        reason = f"realm host {quote(host)} is a private or link-local address"
        return f"invalid realm in www-authenticate: {reason}"
    return None


def _hostname(host: str) -> str:
    """Go's `URL.Hostname()`: the host without its port and brackets."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


_PRIVATE_V4 = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("172.16.0.0/12"),
               ipaddress.ip_network("192.168.0.0/16"))
_PRIVATE_V6 = ipaddress.ip_network("fc00::/7")


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Go's `IP.IsPrivate`: RFC 1918 and RFC 4193 only (Python's `is_private` covers much more)."""
    if isinstance(address, ipaddress.IPv4Address):
        return any(address in network for network in _PRIVATE_V4)
    return address in _PRIVATE_V6


def _is_link_local_multicast(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        return address in ipaddress.ip_network("224.0.0.0/24")
    return address in ipaddress.ip_network("ff02::/16")


@dataclass(frozen=True, repr=False)
class TokenRequest:
    """One request to a token server: a GET with Basic credentials, or an OAuth2 POST with a form.

    `fallback` says whether a 404 or 405 answer means "try the next request instead".
    """

    method: str
    url: str
    authorization: str | None = None
    form: Mapping[str, str] | None = None
    fallback: bool = False

    def __repr__(self) -> str:
        return f"TokenRequest(method={self.method!r}, url={self.url!r})"


def token_requests(
    challenge: Challenge, credentials: Credentials | None, scopes: Sequence[str]
) -> list[TokenRequest]:
    """The requests to try in turn for a token: the OAuth2 POST with an identity token, then the GET."""
    service = [("service", challenge.service)] if challenge.service else []
    scope = [("scope", " ".join(scopes))] if scopes else []
    requests = []
    if credentials is not None and credentials.identity_token:
        form = {"grant_type": "refresh_token", "refresh_token": credentials.identity_token,
                "client_id": CLIENT_ID, **dict(service), **dict(scope)}
        requests.append(TokenRequest("POST", challenge.realm, form=form, fallback=True))
    basic = credentials.basic if credentials is not None else None
    requests.append(TokenRequest("GET", with_query(challenge.realm, [*scope, *service]), authorization=basic))
    return requests


def read_token(body: bytes) -> tuple[str, float] | None:
    """(token, lifetime in seconds) from a token server's 200 answer, or None when it holds no token."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    token = payload.get("token") or payload.get("access_token")
    if not isinstance(token, str) or not token:
        return None
    expires_in = payload.get("expires_in")
    lifetime = DEFAULT_TOKEN_LIFETIME
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0:
        lifetime = float(expires_in)
    return token, lifetime
