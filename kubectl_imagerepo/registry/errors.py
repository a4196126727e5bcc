"""RegistryError and the texts ggcr and Go give a failed registry request (docs/behaviour.md, Scanning).

Two shapes, as in the controller:

* a registry answer with an unexpected status is ggcr's `transport.Error`: `GET <redacted-url>: <detail>`
  where the detail is the registry's JSON errors (`NAME_UNKNOWN: repository name not known to
  registry; map[name:team/nope]`), or `unexpected status code 404 Not Found[: <body>]` when the body
  holds none;
* a request that got no answer is Go's `url.Error`: `Get "<url>": <reason>` (`context deadline
  exceeded`, a refused token realm, a cloud login that failed inside the request).

No HTTP library is imported here: the reconciler catches `RegistryError` without loading the client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from kubectl_imagerepo.gocompat.fmt import sprint_any
from kubectl_imagerepo.gocompat.strconv import quote

__all__ = [
    "ALLOWED_QUERY_PARAMETERS",
    "DEADLINE_EXCEEDED",
    "AuthError",
    "RegistryError",
    "Response",
    "describe_status",
    "diagnostics",
    "redact_query",
    "redact_url",
    "scrub",
    "status_text",
    "url_error_op",
]

#: Non-JSON bodies are quoted in error messages up to this many characters.
MAX_BODY_IN_ERROR = 1024
#: ggcr's internal/redact allowlist: every other query parameter value becomes REDACTED.
ALLOWED_QUERY_PARAMETERS = frozenset({"n", "last", "scope", "service", "mount", "from", "digest"})
DEADLINE_EXCEEDED = "context deadline exceeded"
#: Shorter secrets are not scrubbed from texts: replacing "pull" everywhere would garble messages, and
#: no message is built from a secret in the first place; scrubbing is the second line of defence.
MIN_SCRUBBED_LENGTH = 6

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


class AuthError(Exception):
    """The registry options cannot be built; str() is the controller's message (never a credential)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class Response(Protocol):
    """What `RegistryError.from_response` reads of a `requests.Response`."""

    @property
    def request(self) -> Any: ...

    @property
    def content(self) -> bytes: ...

    @property
    def url(self) -> str: ...

    @property
    def status_code(self) -> int: ...


class RegistryError(Exception):
    """A failed tag listing; str() is the controller's message.

    By default the message is ggcr's `<METHOD> <redacted-url>: <detail>`; with `url_error=True` it is
    Go's `url.Error`, `<Method> "<url>": <detail>`, for a request that got no answer. Errors that
    belong to no request (a bad pagination link, a body that is not a tag list) are the detail alone.

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
        url_error: bool = False,
    ) -> None:
        self.method = method
        self.status_code = status_code
        self.codes = tuple(codes)
        self.detail = scrub(detail, secrets)
        self.url = None
        if url is not None:
            self.url = scrub(redact_query(url) if url_error else redact_url(url), secrets)
        if self.url is None:
            message = self.detail
        elif url_error:
            message = f"{url_error_op(method or 'GET')} {quote(self.url)}: {self.detail}"
        else:
            message = f"{method or 'GET'} {self.url}: {self.detail}"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])

    @classmethod
    def from_response(cls, response: Response, *, secrets: Iterable[str] = ()) -> RegistryError:
        """The error for a response with an unexpected status, as ggcr's `transport.CheckError`."""
        method = response.request.method if response.request is not None else "GET"
        found = diagnostics(response.content)
        return cls(
            describe_status(response.status_code, response.content, method=method),
            method=method,
            url=response.url,
            status_code=response.status_code,
            codes=[code for code, _ in found],
            secrets=secrets,
        )


def url_error_op(method: str) -> str:
    """The `Op` of Go's `url.Error` for an HTTP method: `Get`, `Post`, `Head`."""
    return method[:1] + method[1:].lower()


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret of 6 or more characters in `text` by REDACTED, longest first."""
    for secret in sorted({s for s in secrets if len(s) >= MIN_SCRUBBED_LENGTH}, key=len, reverse=True):
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


def redact_query(url: str) -> str:
    """The URL as Go's `url.Error` prints it, without user info or fragment, query order kept.

    One deliberate difference from Go: query values outside ggcr's allowlist still read REDACTED, so
    a signed URL never reaches a message (docs/behaviour.md, Scanning). The tag-list URLs the
    controller prints (`?n=1000`, `?n=1000&last=x`) are unchanged.
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    if not parts.query:
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    pieces = []
    for piece in parts.query.split("&"):
        key, equals, _value = piece.partition("=")
        name = parse_qsl(piece, keep_blank_values=True)
        if equals and not (name and name[0][0] in ALLOWED_QUERY_PARAMETERS):
            piece = f"{key}=REDACTED"
        pieces.append(piece)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pieces), ""))


def _fold(payload: Mapping[Any, Any]) -> dict[str, Any]:
    """Keys lower-cased, as Go matches JSON field names to struct fields in any case (the last wins)."""
    return {str(key).lower(): value for key, value in payload.items()}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")  # NaN and Infinity are not JSON to Go


def diagnostics(body: bytes) -> list[tuple[str, str]]:
    """The registry's `errors[]` as (code, `CODE: message[; detail]`) pairs; empty when there are none.

    Lenient as Go's `json.Unmarshal` into ggcr's struct: field names match in any case, and a field
    of the wrong type is left empty.
    """
    try:
        payload = json.loads(body.decode("utf-8", "replace"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return []
    if not isinstance(payload, dict):
        return []
    errors = _fold(payload).get("errors")
    if not isinstance(errors, list):
        return []
    found = []
    for item in errors:
        if not isinstance(item, dict):
            continue
        fields = _fold(item)
        code = fields.get("code") if isinstance(fields.get("code"), str) else ""
        message = fields.get("message") if isinstance(fields.get("message"), str) else ""
        text = f"{code}: {message}"
        if fields.get("detail") is not None:
            try:
                text += f"; {sprint_any(fields['detail'])}"
            except (OverflowError, RecursionError):
                text += f"; {fields['detail']}"
        found.append((str(code), text))
    return found


def describe_status(status: int, body: bytes, *, method: str = "GET") -> str:
    """The detail of a response with an unexpected status, as ggcr's `transport.Error` words it.

    The registry's JSON errors when the body holds any, with no status line; otherwise the Go status
    line, then the body (trailing white space dropped, clipped at 1024 characters) when there is one.

    Example:
        ```python
        >>> describe_status(404, b"")
        'unexpected status code 404 Not Found'
        >>> describe_status(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}')
        'NAME_UNKNOWN: unknown'
        ```
    """
    found = [text for _, text in diagnostics(body)]
    if len(found) == 1:
        return found[0]
    if found:
        return "multiple errors returned: " + "; ".join(found)
    head = f"unexpected status code {status} {status_text(status)}"
    text = body.decode("utf-8", "replace").rstrip()
    if not text:
        if method.upper() == "HEAD":
            return f"{head} (HEAD responses have no body, use GET for details)"
        return head
    if len(text) > MAX_BODY_IN_ERROR:
        text = text[:MAX_BODY_IN_ERROR] + "…"
    return f"{head}: {text}"
