"""The tag lister: every tag of an image repository, read from its OCI registry as Flux's controller does."""

from __future__ import annotations

import base64
import collections
import contextlib
import email.utils
import errno
import hashlib
import http.client
import ipaddress
import json as _json
import logging
import random
import re
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote_plus, urljoin, urlsplit, urlunsplit

import certifi
import oras.provider
import requests
import requests.adapters
import requests.utils
import urllib3.exceptions
import urllib3.response

from kubectl_imagerepo import __version__

if TYPE_CHECKING:
    from kubectl_imagerepo.model.reference import ImageReference

__all__ = [
    "Challenge",
    "Credentials",
    "RegistryError",
    "TagRegistry",
    "TokenCache",
    "choose_challenge",
    "describe_network_error",
    "describe_status",
    "go_format",
    "list_tags",
    "next_page_url",
    "parse_challenges",
    "parse_retry_after",
    "redact_url",
    "retry_delay",
    "should_retry_status",
    "status_text",
]

logger = logging.getLogger(__name__)

USER_AGENT = f"kubectl-imagerepo/{__version__}"
#: Page sizes tried for the first page, in order: ECR rejects more than 1000, Quay once rejected more
#: than 100, and a registry may reject `n` altogether.
PAGE_SIZES: tuple[int | None, ...] = (1000, 100, None)
#: Statuses that mean "the page size was rejected" on the first page.
PAGE_SIZE_REJECTED = frozenset({400, 405, 413})
#: ggcr's retried statuses (transport/retry.go and remote/options.go).
RETRY_STATUSES = frozenset({408, 429, 499, 500, 502, 503, 504, 522})
#: Attempts per request in all (so at most 2 retries), and the waits before the 2nd and 3rd attempts.
MAX_ATTEMPTS = 3
RETRY_BACKOFF = (1.0, 3.0)
RETRY_JITTER = 0.1
#: Go's dialer timeout in ggcr's and Go's default transports.
CONNECT_TIMEOUT = 30.0
#: Go's http.Client limit.
MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: A registry token without `expires_in` lives this long (distribution's token spec).
DEFAULT_TOKEN_LIFETIME = 60.0
#: Guard against Link cycles the visited-URL check cannot see (a cursor that changes forever).
MAX_PAGES = 100_000
MAX_BODY_BYTES = 256 * 1024 * 1024
#: Non-JSON bodies are quoted in error messages up to this many characters.
MAX_BODY_IN_ERROR = 1024
#: ggcr's internal/redact allowlist: every other query parameter value becomes REDACTED.
ALLOWED_QUERY_PARAMETERS = frozenset({"n", "last", "scope", "service", "mount", "from", "digest"})
_CLIENT_ID = "kubectl-imagerepo"
_READ_CHUNK = 64 * 1024
_DEADLINE_EXCEEDED = "context deadline exceeded"

# Go's net/http StatusText, so messages do not depend on the Python version's phrases.
_STATUS_TEXT = {
    100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
    200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
    205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 208: "Already Reported",
    226: "IM Used",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
    411: "Length Required", 412: "Precondition Failed", 413: "Request Entity Too Large",
    414: "Request URI Too Long", 415: "Unsupported Media Type", 416: "Requested Range Not Satisfiable",
    417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request",
    422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency", 425: "Too Early",
    426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
    510: "Not Extended", 511: "Network Authentication Required",
}

# The oras-py methods this module replaces; checked at import so that an oras upgrade renaming them
# fails loudly instead of silently running oras's own (unbounded, retry-sleeping) code.
_ORAS_OVERRIDES = ("do_request", "get_tags", "_do_paginated_request")


def _require_oras_methods() -> None:
    """Raise ImportError when the installed oras lacks a method `TagRegistry` overrides."""
    missing = [name for name in _ORAS_OVERRIDES if not callable(getattr(oras.provider.Registry, name, None))]
    if missing:
        raise ImportError(
            "kubectl_imagerepo.registry.tags overrides oras.provider.Registry."
            + ", ".join(missing)
            + ", which the installed oras no longer has; pin oras to a compatible version"
        )


_require_oras_methods()


# --------------------------------------------------------------------------------------------------
# Credentials and errors


@dataclass(frozen=True, repr=False)
class Credentials:
    """What to authenticate with; the secrets never show in repr(), str() or any message.

    Give `username` and `password` (sent to a token server, or to the registry on a `Basic`
    challenge), `token` (a registry bearer token sent as is, like `registrytoken` in a Docker
    config), or `identity_token` (an OAuth2 refresh token exchanged at the token server, like
    `identitytoken`; `username` may accompany it).

    Example:
        ```python
        Credentials("robot", "s3cret")
        Credentials(token="eyJhbGciOi...")
        ```
    """

    username: str = ""
    password: str = ""
    token: str = ""
    identity_token: str = ""

    def __repr__(self) -> str:
        shown = [f"username={self.username!r}"] if self.username else []
        shown += [f"{name}='<redacted>'" for name in ("password", "token", "identity_token")
                  if getattr(self, name)]
        return f"Credentials({', '.join(shown)})"

    __str__ = __repr__

    @property
    def fingerprint(self) -> str:
        """A digest that tells credentials apart in cache keys without holding them."""
        material = "\0".join((self.username, self.password, self.token, self.identity_token))
        return hashlib.sha256(material.encode()).hexdigest()

    @property
    def basic(self) -> str | None:
        """The `Authorization` value for Basic authentication, or None without a username or password."""
        if not (self.username or self.password):
            return None
        encoded = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {encoded}"

    def secrets(self) -> set[str]:
        """Every string that must never reach a message: the secrets and their Basic encoding."""
        found = {value for value in (self.password, self.token, self.identity_token) if value}
        basic = self.basic
        if basic is not None and self.password:
            found.add(basic.removeprefix("Basic "))
        return found


class RegistryError(Exception):
    """A failed tag listing; str() is the controller's message.

    The format is ggcr's: `<METHOD> <redacted-url>: <detail>`, where the detail is
    `unexpected status code <code> <text>[: <body>]`, `<CODE>: <message>[; <detail>]`,
    `multiple errors returned: <a>; <b>`, `context deadline exceeded`, or a Go-style network error
    such as `dial tcp 127.0.0.1:1: connect: connection refused`. Errors that belong to no request
    (a bad pagination link) are the detail alone.

    Attributes:
        detail: The text after the method and URL.
        method: The HTTP method of the failed request, or None.
        url: The redacted URL of the failed request, or None.
        status_code: The HTTP status, when the registry answered.
        codes: The registry's JSON error codes, e.g. `("NAME_UNKNOWN",)`.
    """

    def __init__(
        self,
        detail: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status_code: int | None = None,
        codes: Sequence[str] = (),
        secrets: Iterable[str] = (),
    ) -> None:
        self.method = method
        self.url = redact_url(url) if url is not None else None
        self.status_code = status_code
        self.codes = tuple(codes)
        self.detail = _scrub(detail, secrets)
        if self.url is not None:
            self.url = _scrub(self.url, secrets)
        message = f"{method or 'GET'} {self.url}: {self.detail}" if self.url is not None else self.detail
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])

    @classmethod
    def from_response(cls, response: requests.Response, *, secrets: Iterable[str] = ()) -> RegistryError:
        """The error for a response with an unexpected status, as ggcr's `transport.CheckError`."""
        method = response.request.method if response.request is not None else "GET"
        diagnostics = _diagnostics(response.content)
        return cls(
            describe_status(response.status_code, response.content),
            method=method,
            url=response.url,
            status_code=response.status_code,
            codes=[code for code, _ in diagnostics],
            secrets=secrets,
        )


#: Shorter secrets are not scrubbed from texts: replacing "pull" everywhere would garble messages, and
#: no message is built from a secret in the first place; scrubbing is the second line of defence.
_MIN_SCRUBBED_LENGTH = 6


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret of 6 or more characters in `text` by REDACTED, longest first."""
    for secret in sorted({s for s in secrets if len(s) >= _MIN_SCRUBBED_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, "REDACTED")
    return text


def status_text(code: int) -> str:
    """Go's `http.StatusText`: the reason phrase, or an empty string for an unknown code."""
    return _STATUS_TEXT.get(code, "")


def redact_url(url: str) -> str:
    """The URL with query values outside ggcr's allowlist replaced by REDACTED.

    As ggcr's `redact.URL`: the query is re-encoded with its keys sorted. The user-info part and the
    fragment are dropped as well, so they can never reach a message.

    Example:
        ```python
        >>> redact_url("https://r.io/v2/a/tags/list?n=100&X-Amz-Signature=abc")
        'https://r.io/v2/a/tags/list?X-Amz-Signature=REDACTED&n=100'
        ```
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        grouped.setdefault(key, []).append(value if key in ALLOWED_QUERY_PARAMETERS else "REDACTED")
    query = "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key in sorted(grouped)
                     for value in grouped[key])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def go_format(value: object) -> str:
    """Format a decoded JSON value as Go's `%v` prints the same value decoded into `any`.

    Objects print as `map[k:v ...]` with sorted keys, arrays as `[a b]`, numbers as float64 (`1e+06`),
    null as `<nil>`.
    """
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_float(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(go_format(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{go_format(value[key])}" for key in sorted(value)) + "]"
    return str(value)


def _go_float(number: float) -> str:
    """`strconv.FormatFloat(number, 'g', -1, 64)`: shortest digits, exponent form below 1e-4 or from 1e+06."""
    if number != number or number in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(number)]
    sign, digit_tuple, exponent = Decimal(repr(number)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    prefix = "-" if sign else ""
    if not digits:
        return prefix + "0"
    exponent += len("".join(map(str, digit_tuple))) - len(digits)
    decimal_exponent = len(digits) + exponent - 1
    if decimal_exponent < -4 or decimal_exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if decimal_exponent < 0 else '+'}{abs(decimal_exponent):02d}"
    if exponent >= 0:
        return prefix + digits + "0" * exponent
    point = len(digits) + exponent
    if point > 0:
        return f"{prefix}{digits[:point]}.{digits[point:]}"
    return f"{prefix}0.{'0' * -point}{digits}"


def _diagnostics(body: bytes) -> list[tuple[str, str]]:
    """The registry's `errors[]` as (code, `CODE: message[; detail]`) pairs; empty when there are none.

    Lenient as Go's `json.Unmarshal` into ggcr's struct: field names match in any case, and a field
    of the wrong type is left empty.
    """
    try:
        payload = _json.loads(body)
    except ValueError:
        return []
    if not isinstance(payload, dict):
        return []
    errors = {str(key).lower(): value for key, value in payload.items()}.get("errors")
    if not isinstance(errors, list):
        return []
    found = []
    for item in errors:
        if not isinstance(item, dict):
            continue
        fields = {str(key).lower(): value for key, value in item.items()}
        code = fields.get("code") if isinstance(fields.get("code"), str) else ""
        message = fields.get("message") if isinstance(fields.get("message"), str) else ""
        text = f"{code}: {message}"
        if fields.get("detail") is not None:
            text += f"; {go_format(fields['detail'])}"
        found.append((str(code), text))
    return found


def describe_status(status: int, body: bytes) -> str:
    """The detail of a response with an unexpected status, as ggcr words it.

    One deliberate difference: ggcr drops the status when the body holds registry JSON errors;
    here it is kept in front of them, so that a missing repository always reads `404 Not Found`
    (issue 3 asks for it) whatever the registry puts in the body.

    Example:
        ```python
        >>> describe_status(404, b"")
        'unexpected status code 404 Not Found'
        >>> describe_status(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}')
        'unexpected status code 404 Not Found: NAME_UNKNOWN: unknown'
        ```
    """
    head = f"unexpected status code {status} {status_text(status)}"
    diagnostics = [text for _, text in _diagnostics(body)]
    if len(diagnostics) == 1:
        return f"{head}: {diagnostics[0]}"
    if diagnostics:
        return f"{head}: multiple errors returned: " + "; ".join(diagnostics)
    text = body.decode("utf-8", "replace").rstrip()
    if not text:
        return head
    if len(text) > MAX_BODY_IN_ERROR:
        text = text[:MAX_BODY_IN_ERROR] + "…"
    return f"{head}: {text}"


# --------------------------------------------------------------------------------------------------
# Challenges


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


# --------------------------------------------------------------------------------------------------
# Pagination links


def _origin(url: str) -> tuple[str, str, int, str]:
    """(scheme, lower-case host, port with the scheme's default, user-info) for same-origin checks."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme, -1)
    userinfo = parts.netloc.rpartition("@")[0]
    return scheme, (parts.hostname or "").lower(), port, userinfo


def next_page_url(link: str | None, request_url: str, *, scheme: str, host: str) -> str | None:
    """The next page's URL from a `Link` header, or None on the last page.

    The link with `rel="next"` is taken; a header whose first link has no `rel` at all is taken as
    ggcr takes it (the part between the first `<` and `>`). The URL is resolved against the URL of
    the request that returned the header and must keep the registry's scheme and host (port
    included, user-info excluded); anything else raises instead of ever being requested.

    Raises:
        RegistryError: `failed to parse link header: missing '<' in: ...` (or `'>'`),
            `pagination URL scheme "..." does not match registry scheme "..."`, or
            `pagination URL host does not match registry host: potential SSRF attack`.
    """
    if not link or not link.strip():
        return None
    link = link.strip()
    if not link.startswith("<"):
        raise RegistryError(f"failed to parse link header: missing '<' in: {link}")
    if ">" not in link:
        raise RegistryError(f"failed to parse link header: missing '>' in: {link}")
    target = _pick_link(link)
    if not target:
        return None
    resolved = urljoin(request_url, target)
    resolved_parts = urlsplit(resolved)
    if resolved_parts.scheme.lower() != scheme.lower():
        raise RegistryError(
            f'pagination URL scheme "{resolved_parts.scheme}" does not match registry scheme "{scheme}"')
    if _origin(resolved) != _origin(f"{scheme}://{host}/"):
        raise RegistryError("pagination URL host does not match registry host: potential SSRF attack")
    return urlunsplit(resolved_parts._replace(fragment=""))


def _pick_link(header: str) -> str | None:
    """The URI of the `rel="next"` link, or of a first link without any `rel`, else None."""
    links: list[tuple[str, set[str] | None]] = []
    position = 0
    while True:
        start = header.find("<", position)
        if start < 0:
            break
        close = header.find(">", start)
        if close < 0:
            break
        uri = header[start + 1:close]
        following = header.find("<", close)
        params = header[close + 1:following if following >= 0 else len(header)]
        rel: set[str] | None = None
        for param in params.split(";"):
            name, equals, value = param.partition("=")
            if equals and name.strip().lower() == "rel":
                rel = set(value.strip().strip(",").strip().strip('"').lower().split())
        links.append((uri.strip(), rel))
        position = close + 1
    for uri, rel in links:
        if rel is not None and "next" in rel:
            return uri
    if links and links[0][1] is None:
        return links[0][0]
    return None


# --------------------------------------------------------------------------------------------------
# Retries


def should_retry_status(status: int) -> bool:
    """Whether ggcr retries a response with this status: 408, 429, 499, 500, 502, 503, 504, 522."""
    return status in RETRY_STATUSES


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta seconds or an HTTP date); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_delay(
    attempts: int,
    *,
    now: float,
    deadline: float,
    retry_after: str | None = None,
    jitter: float = 0.0,
    wall_clock: datetime | None = None,
) -> float | None:
    """How long to wait before trying again, or None to give up now.

    After the 1st attempt the wait is 1s, after the 2nd 3s (each stretched by `jitter`, a fraction),
    and there is no 4th attempt. A valid `Retry-After` replaces the backoff. A wait that would reach
    the deadline gives up instead, so the caller reports the registry's answer rather than a timeout.

    Args:
        attempts: How many attempts were made so far (1 after the first).
        now: The current `time.monotonic()`.
        deadline: The `time.monotonic()` value the whole listing must end by.
        retry_after: The response's `Retry-After` header, if any.
        jitter: Extra fraction of the backoff, drawn by the caller in [0, RETRY_JITTER).
        wall_clock: The current time, for an HTTP-date `Retry-After`.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF)) - 1] * (1.0 + jitter)
    hinted = parse_retry_after(retry_after, wall_clock)
    if hinted is not None:
        delay = hinted
    if now + delay >= deadline:
        return None
    return delay


# --------------------------------------------------------------------------------------------------
# Network errors, described as Go describes them


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: urllib3 `reason`s, exception args, causes and contexts."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)


def _address(url: str) -> str:
    """`host:port` of a URL as Go prints a dial address (IPv6 in brackets, the default port added)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme.lower() == "https" else 80
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_timeout(error: BaseException) -> bool:
    """Whether a timeout ended the request (urllib3's NewConnectionError is a timeout subclass: skip it)."""
    return any(isinstance(e, requests.exceptions.Timeout | urllib3.exceptions.TimeoutError | TimeoutError)
               and not isinstance(e, urllib3.exceptions.NewConnectionError) for e in _chain(error))


def _is_connect_timeout(error: BaseException) -> bool:
    return any(isinstance(e, requests.exceptions.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError)
               and not isinstance(e, urllib3.exceptions.NewConnectionError) for e in _chain(error))


def describe_network_error(error: BaseException, url: str, proxy: str | None = None) -> tuple[str, bool]:
    """Go's text for a failed request (after `GET <url>: `) and whether ggcr would retry it.

    Connection refused, DNS and TLS failures are final; resets, early EOFs and dial timeouts are
    retried. `proxy` is the proxy URL the request went through, if any: failures to reach it read
    `proxyconnect tcp: dial tcp <proxy>: ...` as in Go.
    """
    chain = list(_chain(error))
    if proxy is not None and proxy[:5].lower() == "socks":
        described = _socks_failure(chain, url, proxy)
        if described is not None:
            return described
    for item in chain:
        tunnel = str(item) if type(item) is OSError else ""
        if tunnel.startswith("Tunnel connection failed: "):
            # The proxy refused CONNECT; Go's text is the status without its code.
            return tunnel.removeprefix("Tunnel connection failed: ").partition(" ")[2], False
    through_proxy = proxy is not None and any(
        isinstance(e, requests.exceptions.ProxyError | urllib3.exceptions.ProxyError) for e in chain)
    dial_target = _address(proxy) if through_proxy and proxy else _address(url)
    dial = f"proxyconnect tcp: dial tcp {dial_target}" if through_proxy else f"dial tcp {dial_target}"

    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            return _tls_verify_text(item, url), False
    for item in chain:
        if isinstance(item, ssl.SSLError):
            if "WRONG_VERSION_NUMBER" in str(item):
                return "http: server gave HTTP response to HTTPS client", False
            return f"tls: {(item.reason or str(item)).lower().replace('_', ' ')}", False
    for item in chain:
        if isinstance(item, socket.gaierror):
            host = urlsplit(proxy if through_proxy and proxy else url).hostname or ""
            if item.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                return f"{dial.rsplit(' ', 1)[0]}: lookup {host}: no such host", False
            return f"{dial.rsplit(' ', 1)[0]}: lookup {host}: {item.strerror}", False
    if _is_connect_timeout(error):
        return f"{dial}: i/o timeout", True
    for item in chain:
        if isinstance(item, ConnectionRefusedError) or getattr(item, "errno", None) == errno.ECONNREFUSED:
            return f"{dial}: connect: connection refused", False
        if isinstance(item, OSError) and item.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            reason = "network is unreachable" if item.errno == errno.ENETUNREACH else "no route to host"
            return f"{dial}: connect: {reason}", False
        if isinstance(item, OSError) and item.errno == errno.ETIMEDOUT:
            return f"{dial}: connect: connection timed out", True
    for item in chain:
        if isinstance(item, http.client.RemoteDisconnected):
            return "EOF", True
        if isinstance(item, http.client.IncompleteRead | urllib3.exceptions.IncompleteRead):
            return "unexpected EOF", True
        if isinstance(item, ConnectionResetError) or getattr(item, "errno", None) == errno.ECONNRESET:
            return "read: connection reset by peer", True
        if isinstance(item, BrokenPipeError) or getattr(item, "errno", None) == errno.EPIPE:
            return "write: broken pipe", True
    for item in chain:
        if isinstance(item, urllib3.exceptions.ProtocolError | requests.exceptions.ChunkedEncodingError):
            return "unexpected EOF", True
    innermost = chain[-1] if chain else error
    text = str(innermost) or type(innermost).__name__
    return re.sub(r"<[^<>]* object at 0x[0-9a-f]+>: ", "", text), False


#: Go's x/net/internal/socks reply texts, by SOCKS5 reply code.
_SOCKS_REPLIES = {
    0x01: "general SOCKS server failure", 0x02: "connection not allowed by ruleset",
    0x03: "network unreachable", 0x04: "host unreachable", 0x05: "connection refused",
    0x06: "TTL expired", 0x07: "command not supported", 0x08: "address type not supported",
}


def _socks_failure(chain: Sequence[BaseException], url: str, proxy: str) -> tuple[str, bool] | None:
    """Go's text for a failure at a SOCKS5 proxy (PySocks errors), or None when there was none.

    Not reaching the proxy reads as for an HTTP proxy (`proxyconnect tcp: dial tcp ...`); a refusal by
    the proxy reads `socks connect tcp <proxy>-><target>: <reason>`.
    """
    errors = [e for e in chain if type(e).__module__ == "socks"]
    if not errors:
        return None
    # PySocks wraps a specific error in a GeneralProxyError("Socket error", ...): the specific one wins.
    found = next((e for e in errors if type(e).__name__ != "GeneralProxyError"), errors[0])
    parts = urlsplit(proxy)
    try:
        port = parts.port or 1080
    except ValueError:
        port = 1080
    proxy_address = _address(f"http://{_host_for_url(parts.hostname or '')}:{port}")
    socket_error = getattr(found, "socket_err", None)
    name = type(found).__name__
    if name == "ProxyConnectionError" and isinstance(socket_error, BaseException):
        detail, retryable = describe_network_error(socket_error, f"http://{proxy_address}")
        return f"proxyconnect tcp: {detail}", retryable
    message = str(getattr(found, "msg", "") or found)
    if name == "SOCKS5AuthError":
        reason = ("username/password authentication failed" if message == "SOCKS5 authentication failed"
                  else "no acceptable authentication methods")
    elif name == "SOCKS5Error":
        code = int(message[:4], 16) if re.match(r"0x[0-9a-f]{2}:", message) else -1
        reason = "unknown error " + _SOCKS_REPLIES.get(code, f"unknown code: {code}")
    else:
        reason = message[:1].lower() + message[1:]
    return f"socks connect tcp {proxy_address}->{_address(url)}: {reason}", False


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _tls_verify_text(error: ssl.SSLCertVerificationError, url: str) -> str:
    """Go's crypto/x509 wording for a certificate verification failure."""
    code = error.verify_code
    if code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH
        host = urlsplit(url).hostname or ""
        return f"tls: failed to verify certificate: x509: certificate is not valid for {host}"
    if code in (9, 10):  # not yet valid, expired
        return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
    return "tls: failed to verify certificate: x509: certificate signed by unknown authority"


# --------------------------------------------------------------------------------------------------
# Tokens

TokenKey = tuple[str, str, str, str]


class TokenCache:
    """Registry bearer tokens and per-registry challenges, shared by every `TagRegistry` and thread-safe.

    A token is kept per (realm, service, scope, credential fingerprint) until shortly before its
    `expires_in` ends. Concurrent listings that need the same token fetch it once.

    Args:
        clock: The monotonic clock, replaceable in tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[TokenKey, tuple[str, float]] = {}
        self._fetch_locks: dict[TokenKey, threading.Lock] = {}
        self._challenges: dict[tuple[str, str, int, str], Challenge] = {}

    def get(self, key: TokenKey) -> str | None:
        """The cached, unexpired token for `key`, or None."""
        with self._lock:
            entry = self._tokens.get(key)
            if entry is None:
                return None
            if self._clock() >= entry[1]:
                del self._tokens[key]
                return None
            return entry[0]

    def put(self, key: TokenKey, token: str, lifetime: float) -> None:
        """Keep `token` for `lifetime` seconds less a safety margin (a tenth, at most 10s)."""
        now = self._clock()
        expires = now + lifetime - min(10.0, lifetime / 10)
        with self._lock:
            self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
            self._tokens[key] = (token, expires)

    def discard(self, key: TokenKey, token: str) -> None:
        """Forget `token` if it is still the one cached for `key` (a refused token)."""
        with self._lock:
            if self._tokens.get(key, ("",))[0] == token:
                del self._tokens[key]

    def fetch(
        self,
        key: TokenKey,
        fetch: Callable[[], tuple[str, float]],
        *,
        stale: str | None = None,
        timeout: float = -1,
    ) -> str | None:
        """The cached token for `key` unless it is `stale`, else a new one from `fetch()`.

        `fetch` returns (token, lifetime in seconds); only one thread calls it per key at a time.
        Returns None when the key's lock could not be taken within `timeout` seconds.
        """
        if stale is not None:
            self.discard(key, stale)
        with self._lock:
            lock = self._fetch_locks.setdefault(key, threading.Lock())
        if not lock.acquire(timeout=timeout if timeout >= 0 else -1):
            return None
        try:
            cached = self.get(key)
            if cached is not None:
                return cached
            token, lifetime = fetch()
            self.put(key, token, lifetime)
            return token
        finally:
            lock.release()

    def remember_challenge(self, origin: tuple[str, str, int, str], challenge: Challenge) -> None:
        """Remember how a registry challenged, so later requests can send credentials up front."""
        with self._lock:
            self._challenges[origin] = challenge

    def challenge_for(self, origin: tuple[str, str, int, str]) -> Challenge | None:
        with self._lock:
            return self._challenges.get(origin)

    def clear(self) -> None:
        """Forget every token and challenge."""
        with self._lock:
            self._tokens.clear()
            self._challenges.clear()


#: The process-wide cache every `TagRegistry` uses unless given another.
SHARED_TOKEN_CACHE = TokenCache()


# --------------------------------------------------------------------------------------------------
# HTTP


class _DeadlinePassed(requests.exceptions.Timeout):
    """The listing's deadline passed before or during a request."""


class _DeadlineAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter whose every request has a timeout bounded by the deadline.

    The connect timeout is Go's 30s dial timeout or the time left, whichever is shorter; the read
    timeout is the time left. TLS uses one context: the system roots, certifi's, and the given CA.
    """

    def __init__(self, context: ssl.SSLContext, deadline: Callable[[], float]) -> None:
        self._context = context
        self._deadline = deadline
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._connections_lock = threading.Lock()
        super().__init__(pool_connections=4, pool_maxsize=4)

    def get_connection_with_tls_context(
        self, request: requests.PreparedRequest, verify: bool | str | None,
        proxies: Mapping[str, str] | None = None, cert: Any = None,
    ) -> Any:
        """The pool for `request`, which reports every connection it hands out (for `_cut_at_deadline`)."""
        pool: Any = super().get_connection_with_tls_context(request, verify, proxies=proxies, cert=cert)
        if not getattr(pool, "_reports_connections", False):
            take = pool._get_conn

            def get_conn(timeout: float | None = None) -> Any:
                connection = take(timeout=timeout)
                with self._connections_lock:
                    self._connections.add(connection)
                return connection

            pool._get_conn = get_conn
            pool._reports_connections = True
        return pool

    def _cut_at_deadline(self) -> None:
        """Shut down every connection's socket, so that a read blocked on a trickling server returns."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            sock = getattr(connection, "sock", None)
            if isinstance(sock, socket.socket):
                # socket.socket's own shutdown: SSLSocket.shutdown would drop the TLS state under the
                # reading thread.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        pool_kwargs["ssl_context"] = self._context
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs.setdefault("ssl_context", self._context)
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def cert_verify(self, conn: Any, url: str, verify: bool | str, cert: Any) -> None:
        """Always verify, with the roots already in the context (requests reloads a bundle per connection)."""
        if not verify:
            raise ValueError("TLS verification cannot be turned off")
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | Any | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        remaining = self._deadline() - time.monotonic()
        if remaining <= 0:
            raise _DeadlinePassed(request=request)
        bounded = (min(CONNECT_TIMEOUT, remaining), remaining)
        # The read timeout bounds each recv, not a status line and headers sent a byte at a time.
        watchdog = threading.Timer(remaining, self._cut_at_deadline)
        watchdog.daemon = True
        watchdog.start()
        try:
            return super().send(request, stream=stream, timeout=bounded, verify=verify, cert=cert,
                                proxies=proxies)
        finally:
            watchdog.cancel()


#: TLS contexts by the digest of their CA and client certificate files, least recently used first.
_CONTEXTS: collections.OrderedDict[tuple[object, ...], ssl.SSLContext] = collections.OrderedDict()
_CONTEXTS_LOCK = threading.Lock()
#: Enough for every distinct certSecretRef a long-running `run` sees at once.
MAX_CONTEXTS = 64


def _file_identity(path: str) -> str:
    """The SHA-256 of the file's bytes: the same Secret written to a new temporary file hits the cache."""
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return f"unreadable:{path}"  # fails with the reader's error below


def tls_context(ca_file: str | None, client_cert: tuple[str, str] | None) -> ssl.SSLContext:
    """System roots plus certifi's plus `ca_file` (appended, as the controller appends to the system pool).

    Loading roots costs ~100 ms, so contexts are cached by the content of the CA and client certificate
    files (each scan writes them to new temporary files), at most `MAX_CONTEXTS` of them. The adapter
    never reloads roots per connection.
    """
    key = (
        _file_identity(ca_file) if ca_file else None,
        tuple(_file_identity(path) for path in client_cert) if client_cert else None,
    )
    with _CONTEXTS_LOCK:
        cached = _CONTEXTS.get(key)
        if cached is not None:
            _CONTEXTS.move_to_end(key)
            return cached
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=certifi.where())
        if ca_file:
            try:
                context.load_verify_locations(cafile=ca_file)
            except (OSError, ValueError) as error:
                raise RegistryError(f"failed to parse CA certificate: {_os_reason(error)}") from None
        if client_cert:
            try:
                context.load_cert_chain(certfile=client_cert[0], keyfile=client_cert[1])
            except (OSError, ValueError) as error:
                raise RegistryError(f"failed to parse TLS certificate and key: {_os_reason(error)}") from None
        _CONTEXTS[key] = context
        while len(_CONTEXTS) > MAX_CONTEXTS:
            _CONTEXTS.popitem(last=False)
        return context


def _os_reason(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason).lower().replace("_", " ")
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error)


def _is_loopback(host: str) -> bool:
    """Go never sends requests to localhost or a loopback address through an environment proxy."""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _remote_dns(proxies: Mapping[str, str]) -> dict[str, str]:
    """`proxies` with `socks5://` read as `socks5h://`: Go hands host names to a SOCKS5 proxy to resolve.

    PySocks (behind requests) resolves locally for `socks5://`, which fails for names only the proxy's
    side knows and would leak the lookup around the proxy.
    """
    return {key: "socks5h://" + proxy[len("socks5://"):] if proxy[:len("socks5://")].lower() == "socks5://"
            else proxy for key, proxy in proxies.items()}


_REPOSITORY_PATH = re.compile(r"/v2/(?P<name>.+?)/(?:tags/list|manifests/|blobs/|referrers/)")


def _pull_scope(url: str) -> str:
    """`repository:<name>:pull` for a registry API URL, else an empty string."""
    match = _REPOSITORY_PATH.match(urlsplit(url).path)
    return f"repository:{match['name']}:pull" if match else ""


def _with_query(url: str, params: Sequence[tuple[str, str]]) -> str:
    """`url` with `params` added to (or replacing the same keys of) its query."""
    parts = urlsplit(url)
    names = {name for name, _ in params}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in [*kept, *params])
    return urlunsplit(parts._replace(query=query))


def _with_page_size(url: str, size: int | None) -> str:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "n"]
    if size is not None:
        kept.insert(0, ("n", str(size)))
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in kept)
    return urlunsplit(parts._replace(query=query))


class _HopFailed(Exception):
    """A request of one redirect hop failed before any response."""

    def __init__(self, method: str, url: str, error: requests.RequestException) -> None:
        super().__init__(method, url)
        self.method = method
        self.url = url
        self.error = error


def _decode_tags(response: requests.Response, secrets: Iterable[str]) -> list[str]:
    """The `tags` of a tag-list page; `null` or a missing list is empty.

    The page's body is released from `response` before parsing, so that a huge page is held once as
    text and once as tags, not also as bytes.
    """
    method = response.request.method if response.request is not None else "GET"
    body = response.content
    response._content = b""
    try:
        text = body.decode(_json.detect_encoding(body), "surrogatepass")  # as json.loads(bytes) does
        del body
        payload = _json.loads(text)
    except ValueError as error:
        raise RegistryError(f"failed to decode tag list: {error}", method=method, url=response.url,
                            status_code=response.status_code, secrets=secrets) from None
    tags = payload.get("tags") if isinstance(payload, dict) else ()
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise RegistryError("failed to decode tag list: tags is not a list of strings", method=method,
                            url=response.url, status_code=response.status_code, secrets=secrets)
    return tags


class TagRegistry(oras.provider.Registry):  # type: ignore[misc]  # oras has no type information
    """An oras `Registry` that lists tags as Flux's controller does, within a deadline.

    oras keeps the session and its cookie blocking; this class replaces the request path
    (`do_request`), pagination (`_do_paginated_request`) and `get_tags`, and never uses oras's auth
    backend or its retry decorator. Every request is bounded by `deadline`, verifies TLS, answers
    Bearer and Basic challenges, makes at most 3 attempts on 408/429/5xx within the deadline, and never
    sends `Authorization` to a host other than the one it was meant for.

    Args:
        hostname: The registry's `host[:port]`.
        insecure: Talk plain HTTP instead of HTTPS.
        deadline: The `time.monotonic()` value by which every request must be done.
        credentials: What to answer challenges with; anonymous when None.
        ca_file: A PEM bundle trusted in addition to the system's roots.
        client_cert: A (certificate file, key file) pair for mutual TLS.
        proxies: requests-style proxies replacing the environment's (`HTTPS_PROXY`, `NO_PROXY`).
        token_cache: Where tokens are kept; the process-wide cache by default.

    Example:
        ```python
        with TagRegistry("ghcr.io", deadline=time.monotonic() + 30) as registry:
            tags = registry.get_tags("fluxcd/source-controller")
        ```
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
        self._proxies = _remote_dns(proxies) if proxies is not None else None
        self._tokens = SHARED_TOKEN_CACHE if token_cache is None else token_cache
        self._registry_origin = _origin(f"{self.prefix}://{hostname}/")
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
        adapter = _DeadlineAdapter(tls_context(ca_file, client_cert), lambda: self.deadline)
        session.mount("https://", adapter)
        session.mount("http://", adapter)

    def __enter__(self) -> TagRegistry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    # -- oras overrides ------------------------------------------------------------------------------

    def get_tags(
        self,
        container: ImageReference | str,
        N: int | None = None,  # oras's name
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Every tag of a repository in server order, duplicates removed (the first kept).

        Args:
            container: The repository name (`library/alpine`) or a parsed reference.
            N: Stop once this many tags are known (oras's meaning); None for all.
            progress: Called as `progress(pages, tags_so_far)` after each page.

        Raises:
            RegistryError: with the controller's message.
        """
        repository = container if isinstance(container, str) else container.repository
        url = f"{self.prefix}://{self.hostname}/v2/{repository}/tags/list"
        tags: dict[str, None] = {}
        pages = 0

        def take(response: requests.Response) -> bool:
            nonlocal pages
            pages += 1
            for tag in _decode_tags(response, self._secrets):
                tags.setdefault(tag, None)
            if progress is not None:
                progress(pages, len(tags))
            return N is None or len(tags) < N

        self._do_paginated_request(url, callable=take)
        found = list(tags)
        return found if N is None else found[:N]

    def _do_paginated_request(
        self,
        url: str,
        callable: Callable[[requests.Response], bool],  # oras's name
        *,
        page_sizes: Sequence[int | None] = PAGE_SIZES,
    ) -> None:
        """Fetch `url` and the pages its `Link` headers name, handing each 200 response to `callable`.

        The first page is asked with each of `page_sizes` in turn while the registry rejects the
        size (400, 405 or 413). Links are followed only to the registry's own scheme and host, and
        never twice to the same URL. `callable` returns whether to go on.

        Raises:
            RegistryError: for a failed page, a bad or foreign link, or too many pages.
        """
        response: requests.Response | None = None
        first_error: RegistryError | None = None
        for size in page_sizes:
            response = self.do_request(_with_page_size(url, size), "GET")
            if response.status_code == 200:
                break
            error = RegistryError.from_response(response, secrets=self._secrets)
            if response.status_code not in PAGE_SIZE_REJECTED:
                raise error
            first_error = first_error or error
            logger.debug("page size %s rejected by %s: %s", size, redact_url(response.url), error)
        else:
            raise first_error or RegistryError("no page size to try", url=url)
        assert response is not None

        visited = {response.url}
        while callable(response):
            following = next_page_url(response.headers.get("Link"), response.url,
                                      scheme=self.prefix, host=self.hostname)
            if following is None:
                return
            if following in visited:
                logger.info("stopping at a pagination link already followed: %s", redact_url(following))
                return
            if len(visited) >= MAX_PAGES:
                raise RegistryError(f"pagination did not end after {MAX_PAGES} pages", url=following)
            visited.add(following)
            response = self.do_request(following, "GET")
            if response.status_code != 200:
                raise RegistryError.from_response(response, secrets=self._secrets)

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
            RegistryError: when no response arrives (network error, deadline).
        """
        del stream
        plain = {key: value for key, value in (headers or {}).items() if key.lower() != "authorization"}
        scope = _pull_scope(url)
        for_registry = _origin(url) == self._registry_origin
        authorization = self._upfront_authorization(scope) if for_registry else None
        response = self._exchange(method, url, plain, authorization, data, json)
        if response.status_code != 401 or not for_registry or _origin(response.url) != self._registry_origin:
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
        """The `Authorization` to retry a 401 with, or None when there is nothing new to offer."""
        challenge = choose_challenge(parse_challenges(response.headers.get("WWW-Authenticate", "")))
        if challenge is None:
            return None
        credentials = self._credentials
        if challenge.scheme == "basic":
            self._tokens.remember_challenge(self._registry_origin, challenge)
            basic = credentials.basic if credentials is not None else None
            return basic if basic is not None and basic != sent else None
        if urlsplit(challenge.realm).scheme.lower() not in ("http", "https"):
            return None
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
            raise RegistryError(_DEADLINE_EXCEEDED, method="GET", url=challenge.realm, secrets=self._secrets)
        return self._bearer(token)

    def _request_token(self, challenge: Challenge, scopes: Sequence[str]) -> tuple[str, float]:
        """Fetch a token from the challenge's realm (OAuth2 POST with an identity token, else GET)."""
        credentials = self._credentials
        service = [("service", challenge.service)] if challenge.service else []
        scope = [("scope", " ".join(scopes))] if scopes else []
        if credentials is not None and credentials.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": credentials.identity_token,
                    "client_id": _CLIENT_ID, **dict(service), **dict(scope)}
            response = self._exchange("POST", challenge.realm, {}, None, form, None)
            if response.status_code not in (404, 405):
                return self._token_from(response)
        url = _with_query(challenge.realm, [*scope, *service])
        basic = credentials.basic if credentials is not None else None
        return self._token_from(self._exchange("GET", url, {}, basic, None, None))

    def _token_from(self, response: requests.Response) -> tuple[str, float]:
        if response.status_code != 200:
            raise RegistryError.from_response(response, secrets=self._secrets)
        method = response.request.method if response.request is not None else "GET"
        try:
            payload = _json.loads(response.content)
        except ValueError:
            payload = None
        token = None
        if isinstance(payload, dict):
            token = payload.get("token") or payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise RegistryError("no token in bearer response", method=method, url=response.url,
                                secrets=self._secrets)
        self._secrets.add(token)
        expires_in = payload.get("expires_in") if isinstance(payload, dict) else None
        lifetime = DEFAULT_TOKEN_LIFETIME
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0:
            lifetime = float(expires_in)
        return token, lifetime

    # -- transport -----------------------------------------------------------------------------------

    def _deadline_error(self, method: str, url: str) -> RegistryError:
        return RegistryError(_DEADLINE_EXCEEDED, method=method, url=url, secrets=self._secrets)

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
                timed_out = _is_timeout(failure.error) or now >= self.deadline  # cut at the deadline
                if timed_out and (now >= self.deadline - 0.05 or not _is_connect_timeout(failure.error)):
                    raise self._deadline_error(failure.method, failure.url) from None
                detail, retryable = describe_network_error(
                    failure.error, failure.url, self._proxy_for(failure.url))
                delay = (retry_delay(attempts, now=now, deadline=self.deadline,
                                     jitter=random.random() * RETRY_JITTER) if retryable else None)
                if delay is None:
                    raise RegistryError(detail, method=failure.method, url=failure.url,
                                        secrets=self._secrets) from None
                logger.info("retrying %s %s in %.1fs: %s", failure.method, redact_url(failure.url), delay,
                            _scrub(detail, self._secrets))
                time.sleep(delay)
                continue
            if should_retry_status(response.status_code):
                delay = retry_delay(attempts, now=time.monotonic(), deadline=self.deadline,
                                    retry_after=response.headers.get("Retry-After"),
                                    jitter=random.random() * RETRY_JITTER)
                if delay is not None:
                    logger.info("retrying %s %s in %.1fs: status %d", method, redact_url(response.url),
                                delay, response.status_code)
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
        origin = _origin(url)
        hop_method, hop_url = method, url
        for _ in range(MAX_REDIRECTS + 1):
            hop_headers = dict(headers)
            if authorization is not None and _origin(hop_url) == origin:
                hop_headers["Authorization"] = authorization
            try:
                response = self._send_once(hop_method, hop_url, hop_headers, data, json)
            except requests.RequestException as error:
                raise _HopFailed(hop_method, hop_url, error) from None
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            following = urljoin(hop_url, location)
            scheme = urlsplit(following).scheme.lower()
            if scheme not in ("http", "https"):
                raise RegistryError(f'unsupported protocol scheme "{scheme}"', method=hop_method,
                                    url=following, secrets=self._secrets)
            if response.status_code in (301, 302, 303) and hop_method not in ("GET", "HEAD"):
                hop_method, data, json = "GET", None, None
            logger.debug("following a %d redirect to %s", response.status_code, redact_url(following))
            hop_url = following
        raise RegistryError(f"stopped after {MAX_REDIRECTS} redirects", method=hop_method, url=hop_url,
                            secrets=self._secrets)

    def _proxy_for(self, url: str) -> str | None:
        return requests.utils.select_proxy(url, self._proxies_for(url))

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The explicit proxies, else the environment's (never for loopback hosts, as Go)."""
        if self._proxies is not None:
            return self._proxies
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._environment_proxies:
            if _is_loopback(parts.hostname or ""):
                self._environment_proxies[key] = {}
            else:
                self._environment_proxies[key] = _remote_dns(requests.utils.get_environ_proxies(url))
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
            method, url, headers=dict(headers), data=data, json=json, allow_redirects=False, stream=True,
            verify=self._verify, proxies=self._proxies_for(url), timeout=CONNECT_TIMEOUT,
        )
        try:
            response._content = self._read_body(response)
        finally:
            response.close()
        logger.debug("%s %s: %d", method, redact_url(url), response.status_code)
        return response

    def _read_body(self, response: requests.Response) -> bytes:
        """Read the whole body, shortening the socket timeout to the time left before each read.

        Each read returns what one `recv` brings (`read1`), so a server trickling a byte at a time
        cannot keep a read going past the deadline, as it could with a read that waits for a full chunk.
        """
        chunks: list[bytes] = []
        size = 0
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise _DeadlinePassed(request=response.request)
            sock = getattr(getattr(response.raw, "connection", None), "sock", None)
            if isinstance(sock, socket.socket):
                sock.settimeout(remaining)
            chunk = _read_some(response.raw, _READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise RegistryError(f"response body exceeds {MAX_BODY_BYTES} bytes", method="GET",
                                    url=response.url, secrets=self._secrets)
            chunks.append(chunk)
        return b"".join(chunks)


def _read_some(raw: urllib3.response.BaseHTTPResponse, size: int) -> bytes:
    """At most `size` decoded bytes from one network read (empty at the end), as requests' exceptions."""
    try:
        return raw.read1(size, decode_content=True)
    except urllib3.exceptions.ReadTimeoutError as error:
        raise requests.exceptions.ReadTimeout(error) from error
    except urllib3.exceptions.SSLError as error:
        raise requests.exceptions.SSLError(error) from error
    except urllib3.exceptions.DecodeError as error:
        raise requests.exceptions.ContentDecodingError(error) from error
    except urllib3.exceptions.ProtocolError as error:
        raise requests.exceptions.ChunkedEncodingError(error) from error


def list_tags(
    reference: ImageReference,
    *,
    deadline: float,
    credentials: Credentials | None = None,
    ca_file: str | None = None,
    client_cert: tuple[str, str] | None = None,
    proxies: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Every tag of `reference`'s repository, in the registry's order, each once.

    Args:
        reference: The parsed `spec.image`.
        deadline: A `time.monotonic()` value: the listing ends with `context deadline exceeded` then.
        credentials: What to authenticate with; anonymous when None.
        ca_file: A PEM bundle trusted in addition to the system's roots.
        client_cert: A (certificate file, key file) pair for mutual TLS.
        proxies: requests-style proxies (`{"https": "http://proxy:3128"}`) replacing the environment's.
        progress: Called as `progress(pages, tags_so_far)` after each page.

    Raises:
        RegistryError: with the controller's message, e.g.
            `GET http://127.0.0.1:5000/v2/app/tags/list?n=1000: unexpected status code 404 Not Found`.

    Example:
        ```python
        tags = list_tags(parse_image_reference("ghcr.io/fluxcd/flux-cli"), deadline=time.monotonic() + 60)
        ```
    """
    with TagRegistry(
        reference.registry_host,
        insecure=reference.scheme == "http",
        deadline=deadline,
        credentials=credentials,
        ca_file=ca_file,
        client_cert=client_cert,
        proxies=proxies,
    ) as registry:
        return registry.get_tags(reference.repository, progress=progress)
