"""Pagination of a tag list: the page size asked first, the next page a `Link` header names, the walk.

The decisions are pure functions (docs/behaviour.md, Scanning). Links are resolved against the URL of
the request that returned them; a link Go's `url.Parse` rejects fails the scan with Go's text
(`parse "http://[::1:bad": missing ']' in host`), one Go's HTTP client would refuse with the client's
(`Get "ftp://…": unsupported protocol scheme "ftp"`), and any other must stay on the registry's
scheme and `host:port`. `walk_pages` is the layer above the request path that follows them, as ggcr's
`remote.List` pages above its transports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote_plus, urljoin, urlsplit, urlunsplit

from kubectl_imagerepo.gocompat.url import GoURL, GoURLError, parse_url, resolve_path
from kubectl_imagerepo.registry.errors import RegistryError, redact_url

if TYPE_CHECKING:
    import requests

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZES",
    "PAGE_SIZE_REJECTED",
    "next_page_url",
    "origin",
    "walk_pages",
    "with_page_size",
]

logger = logging.getLogger(__name__)

#: Page sizes tried for the first page, in order: ECR rejects more than 1000, Quay once rejected more
#: than 100, and a registry may reject `n` altogether.
PAGE_SIZES: tuple[int | None, ...] = (1000, 100, None)
#: Statuses that mean "the page size was rejected" on the first page.
PAGE_SIZE_REJECTED = frozenset({400, 405, 413})
#: Guard against Link cycles the visited-URL check cannot see (a cursor that changes forever).
MAX_PAGES = 100_000
_SSRF = "pagination URL host does not match registry host: potential SSRF attack"


def origin(url: str) -> tuple[str, str, int, str]:
    """(scheme, lower-case host, port with the scheme's default, user-info) for same-origin checks.

    A URL Python cannot split has the origin ("", "", -1, url), equal to no registry's.
    """
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return "", "", -1, url
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme, -1)
    userinfo = parts.netloc.rpartition("@")[0]
    return scheme, (hostname or "").lower(), port, userinfo


def with_page_size(url: str, size: int | None) -> str:
    """`url` with `n=<size>` first in its query (no `n` at all for None)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "n"]
    if size is not None:
        kept.insert(0, ("n", str(size)))
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in kept)
    return urlunsplit(parts._replace(query=query))


def next_page_url(link: str | None, request_url: str, *, scheme: str, host: str) -> str | None:
    """The next page's URL from a `Link` header, or None on the last page.

    The link with `rel="next"` is taken; a header whose first link has no `rel` at all is taken as
    ggcr takes it (the part between the first `<` and `>`). The URL is resolved against the URL of
    the request that returned the header and must keep the registry's scheme and host (port
    included, user-info excluded); anything else raises instead of ever being requested.

    Raises:
        RegistryError: `failed to parse link header: missing '<' in: ...` (or `'>'`), Go's
            `parse "<link>": <reason>`, Go's client's `Get "<url>": unsupported protocol scheme "ftp"`
            or `Get "<url>": http: no Host in request URL`, `pagination URL scheme "..." does not match
            registry scheme "..."`, or `pagination URL host does not match registry host: potential SSRF
            attack`.
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
    try:
        parsed = parse_url(target)
    except GoURLError as bad:
        raise RegistryError(str(bad)) from None
    refusal = _client_refusal(parsed, target, scheme)
    if refusal is not None:
        raise refusal
    try:
        resolved = urljoin(request_url, target)
        resolved_parts = urlsplit(resolved)
        resolved_parts.port  # noqa: B018  # raises ValueError for a port Python cannot read
    except ValueError:
        raise RegistryError(_SSRF) from None  # Go accepts it, Python cannot follow it: never request
    if resolved_parts.scheme.lower() != scheme.lower():
        raise RegistryError(
            f'pagination URL scheme "{resolved_parts.scheme}" does not match registry scheme "{scheme}"')
    if origin(resolved) != origin(f"{scheme}://{host}/"):
        raise RegistryError(_SSRF)
    return urlunsplit(resolved_parts._replace(fragment=""))


def _client_refusal(link: GoURL, raw: str, registry_scheme: str) -> RegistryError | None:
    """Go's `http.Client` refusal of the URL Go resolves `link` to, as `url.Error`; None when it would send.

    Only a link with a scheme, a host or user info replaces the registry's scheme and host in Go's
    `ResolveReference`; then the transport wants http or https (`unsupported protocol scheme "ftp"`)
    and a host (`http: no Host in request URL`). The URL is named as `URL.String()` gives it.
    """
    if not link.scheme and not link.host and link.userinfo is None:
        return None
    scheme = link.scheme or registry_scheme
    if scheme not in ("http", "https"):
        reason = f'unsupported protocol scheme "{scheme}"'
    elif not link.host:
        reason = "http: no Host in request URL"
    else:
        return None
    return RegistryError(reason, method="GET", url=_resolved_text(link, raw, scheme), url_error=True)


def _resolved_text(link: GoURL, raw: str, scheme: str) -> str:
    """`URL.String()` of an absolute or network-path `link` once resolved (dot segments removed)."""
    authority, rest = raw[: link.authority_end], raw[link.authority_end :]
    if not link.scheme:
        authority = f"{scheme}:{authority}"
    if link.opaque:
        return authority + rest
    cut = min((index for index in (rest.find("?"), rest.find("#")) if index >= 0), default=len(rest))
    return authority + resolve_path(rest[:cut], "") + rest[cut:]


def walk_pages(
    send: Callable[[str], requests.Response],
    url: str,
    take: Callable[[requests.Response], bool],
    *,
    scheme: str,
    host: str,
    secrets: Iterable[str] = (),
    page_sizes: Sequence[int | None] = PAGE_SIZES,
) -> None:
    """GET `url` and the pages its `Link` headers name through `send`, handing each 200 answer to `take`.

    The first page is asked with each of `page_sizes` in turn while the registry rejects the size
    (400, 405 or 413). Links are followed only to the registry's own scheme and host, and never twice
    to the same URL. `take` returns whether to go on.

    Raises:
        RegistryError: for a failed page, a bad or foreign link, or too many pages.
    """
    response: requests.Response | None = None
    first_error: RegistryError | None = None
    for size in page_sizes:
        response = send(with_page_size(url, size))
        if response.status_code == 200:
            break
        error = RegistryError.from_response(response, secrets=secrets)
        if response.status_code not in PAGE_SIZE_REJECTED:
            raise error
        first_error = first_error or error
        logger.debug("page size %s rejected by %s: %s", size, redact_url(response.url), error)
    else:
        raise first_error or RegistryError("no page size to try", url=url)
    assert response is not None

    visited = {response.url}
    while take(response):
        following = next_page_url(response.headers.get("Link"), response.url, scheme=scheme, host=host)
        if following is None:
            return
        if following in visited:
            logger.info("stopping at a pagination link already followed: %s", redact_url(following))
            return
        if len(visited) >= MAX_PAGES:
            raise RegistryError(f"pagination did not end after {MAX_PAGES} pages", url=following)
        visited.add(following)
        response = send(following)
        if response.status_code != 200:
            raise RegistryError.from_response(response, secrets=secrets)


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

