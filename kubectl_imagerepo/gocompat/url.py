"""Go's net/url.Parse (the parts registry keys and proxy addresses use) with its error texts.

A malformed `auths` key or proxy address fails in the controller with url.Parse's message
(`parse "127.0.0.1:3128": first path segment in URL cannot contain colon`), reproduced here. Also
net.SplitHostPort and net.JoinHostPort, which split and join the host and port such a URL holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from kubectl_imagerepo.gocompat.strconv import quote

__all__ = [
    "HOST_CHARS",
    "GoURL",
    "GoURLError",
    "join_host_port",
    "parse_url",
    "resolve_path",
    "split_host_port",
]


class GoURLError(ValueError):
    """Go's `url.Error` from `url.Parse`: `parse "<url>": <reason>`; `reason` is the part after the colon."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"parse {quote(url)}: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class GoURL:
    """What `url.Parse` gives: the scheme (lower case), user info, host (with port) and path."""

    scheme: str
    userinfo: str | None
    host: str
    path: str
    opaque: str
    authority_end: int

    def __repr__(self) -> str:
        user = None if self.userinfo is None else self.userinfo.partition(":")[0]
        return f"GoURL(scheme={self.scheme!r}, user={user!r}, host={self.host!r}, path={self.path!r})"


#: ASCII that url.Parse takes unescaped in a host: RFC 3986's unreserved characters and sub-delims,
#: plus the ':' '[' ']' '<' '>' '"' Go adds. Bytes from 0x80 on are taken as they are.
HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\"")
_USERINFO_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@")
_HEX = frozenset("0123456789abcdefABCDEF")


def parse_url(raw: str) -> GoURL:
    """Parse `raw` as Go's `url.Parse` does, with its error texts.

    Raises:
        GoURLError: e.g. `parse "127.0.0.1:3128": first path segment in URL cannot contain colon`.
    """
    without_fragment, _, fragment = raw.partition("#")
    try:
        parsed = _parse(without_fragment)
    except _URLProblem as problem:
        raise GoURLError(without_fragment, str(problem)) from None
    if fragment:
        try:
            _unescape(fragment, host=False)
        except _URLProblem as problem:
            raise GoURLError(raw, str(problem)) from None
    return parsed


class _URLProblem(Exception):
    pass


def _parse(raw: str) -> GoURL:
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw):
        raise _URLProblem("net/url: invalid control character in URL")
    scheme, rest = _get_scheme(raw)
    consumed = len(raw) - len(rest)
    rest = rest.partition("?")[0]  # the query (Go keeps it apart; nothing here needs it)
    if not rest.startswith("/"):
        if scheme:
            return GoURL(scheme, None, "", "", rest, consumed)
        if ":" in rest.partition("/")[0]:
            raise _URLProblem("first path segment in URL cannot contain colon")
    userinfo, host = None, ""
    if rest.startswith("//") and (scheme or not rest.startswith("///")):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        consumed += 2 + len(authority)
        userinfo, host = _parse_authority(authority)
    path = _unescape(rest, host=False)
    return GoURL(scheme, userinfo, host, path, "", consumed)


def _get_scheme(raw: str) -> tuple[str, str]:
    for index, char in enumerate(raw):
        if char.isascii() and char.isalpha():
            continue
        if char.isascii() and (char.isdigit() or char in "+-."):
            if index == 0:
                return "", raw
            continue
        if char == ":":
            if index == 0:
                raise _URLProblem("missing protocol scheme")
            return raw[:index].lower(), raw[index + 1 :]
        return "", raw
    return "", raw


def _parse_authority(authority: str) -> tuple[str | None, str]:
    at = authority.rfind("@")
    host = _parse_host(authority[at + 1 :] if at >= 0 else authority)
    if at < 0:
        return None, host
    userinfo = authority[:at]
    if any(char not in _USERINFO_SAFE for char in userinfo):
        raise _URLProblem("net/url: invalid userinfo")
    user, colon, password = userinfo.partition(":")
    _unescape(user, host=False)
    if colon:
        _unescape(password, host=False)
    return userinfo, host


def _parse_host(host: str) -> str:
    """parseHost as Go had it before 1.24.8 and 1.25.2: a port must be digits, brackets are not checked.

    The keychain's `auths` keys rely on it: their labels are `filepath.Match` globs, and `[0-9]` in a
    host is a bracket expression, which later releases reject as an IP literal (`invalid IP-literal`).
    Several colons outside brackets: the last one starts the port (before Go 1.26's `urlstrictcolons`).
    """
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise _URLProblem("missing ']' in host")
        port = host[close + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if port and not (port[0] == ":" and all("0" <= char <= "9" for char in port[1:])):
        raise _URLProblem(f"invalid port {quote(port)} after host")
    return _unescape(host, host=True)


def _unescape(text: str, *, host: bool) -> str:
    """Go's `unescape` in host or path mode: validate the escapes (and host characters), then decode."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            escape = text[index : index + 3]
            if index + 2 >= len(text) or not (text[index + 1] in _HEX and text[index + 2] in _HEX):
                raise _URLProblem(f"invalid URL escape {quote(escape)}")
            if host and int(text[index + 1], 16) < 8 and escape != "%25":
                raise _URLProblem(f"invalid URL escape {quote(escape)}")
            index += 3
            continue
        if host and char.isascii() and char not in HOST_CHARS:
            raise _URLProblem(f"invalid character {quote(char)} in host name")
        index += 1
    if "%" not in text:
        return text
    return unquote(text, errors="replace")


def resolve_path(base: str, ref: str) -> str:
    """Go's `resolvePath`: `ref` (an escaped path) against `base`, dot segments removed (RFC 3986 5.2)."""
    if not ref:
        full = base
    elif not ref.startswith("/"):
        full = base[: base.rfind("/") + 1] + ref
    else:
        full = ref
    if not full:
        return ""
    kept: list[str] = []
    segments = full.split("/")
    for segment in segments[1:] if full.startswith("/") else segments:
        if segment == ".":
            continue
        if segment == "..":
            if kept:
                kept.pop()
            continue
        kept.append(segment)
    resolved = "/" + "/".join(kept)
    if segments[-1] in (".", "..") and not resolved.endswith("/"):
        resolved += "/"
    return resolved


def split_host_port(hostport: str) -> tuple[str, str] | None:
    """net.SplitHostPort: (host, port), brackets of an IPv6 host removed; None where Go returns an error."""
    colon = hostport.rfind(":")
    if colon < 0:
        return None
    start, end = 0, 0
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0 or close + 1 != colon:
            return None
        host = hostport[1:close]
        start, end = 1, close + 1
    else:
        host = hostport[:colon]
        if ":" in host:
            return None
    if "[" in hostport[start:] or "]" in hostport[end:]:
        return None
    return host, hostport[colon + 1 :]


def join_host_port(host: str, port: int | str) -> str:
    """net.JoinHostPort: `host:port`, an IPv6 host (one holding a colon) in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
