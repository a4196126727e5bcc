"""Pagination of a tag list: the page size asked first, and the next page a `Link` header names.

Pure functions (docs/behaviour.md, Scanning). Links are resolved against the URL of the request that
returned them and must stay on the registry's scheme and `host:port`; a link Go's `url.Parse` rejects
fails the scan with Go's text (`parse "http://[::1:bad": missing ']' in host`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_plus, urljoin, urlsplit, urlunsplit

from kubectl_imagerepo.gocompat.url import GoURLError, parse_url
from kubectl_imagerepo.registry.errors import RegistryError

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZES",
    "PAGE_SIZE_REJECTED",
    "next_page_url",
    "origin",
    "with_page_size",
]

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
            `parse "<link>": <reason>`, `pagination URL scheme "..." does not match registry scheme
            "..."`, or `pagination URL host does not match registry host: potential SSRF attack`.
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
        parse_url(target)
    except GoURLError as bad:
        raise RegistryError(str(bad)) from None
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

