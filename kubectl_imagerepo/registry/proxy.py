"""Proxies for registry requests: `spec.proxySecretRef` read as fluxcd/pkg reads it, and Go's rules for
the environment's proxies (docs/behaviour.md, Registry access).

`ProxyRoutes` picks the proxy of each request URL; it asks requests for the environment's proxies only
when a request needs them, so importing this module imports no HTTP library.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from kubectl_imagerepo.gocompat.strconv import quote as go_quote
from kubectl_imagerepo.gocompat.url import GoURLError, parse_url
from kubectl_imagerepo.registry.dockerconfig import secret_label, secret_value
from kubectl_imagerepo.registry.errors import AuthError

__all__ = ["MAX_PROXY_URL_LENGTH", "PROXY_SCHEMES", "ProxyRoutes", "is_loopback", "proxy_url", "remote_dns"]

PROXY_SCHEMES = ("http", "https", "socks5")
MAX_PROXY_URL_LENGTH = 2048


def is_loopback(host: str) -> bool:
    """Go never sends requests to localhost or a loopback address through an environment proxy."""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def remote_dns(proxies: Mapping[str, str]) -> dict[str, str]:
    """`proxies` with `socks5://` read as `socks5h://`: Go hands host names to a SOCKS5 proxy to resolve.

    PySocks (behind requests) resolves locally for `socks5://`, which fails for names only the proxy's
    side knows and would leak the lookup around the proxy.
    """
    return {key: "socks5h://" + proxy[len("socks5://"):] if proxy[:len("socks5://")].lower() == "socks5://"
            else proxy for key, proxy in proxies.items()}


class ProxyRoutes:
    """The proxies of each request: the explicit ones, else the environment's (never for loopback, as Go).

    Args:
        proxies: requests-style proxies replacing the environment's; None to read the environment.
    """

    def __init__(self, proxies: Mapping[str, str] | None) -> None:
        self._explicit = remote_dns(proxies) if proxies is not None else None
        self._environment: dict[str, dict[str, str]] = {}

    def proxies_for(self, url: str) -> dict[str, str]:
        """The requests-style proxies to send a request to `url` through (empty: connect directly)."""
        if self._explicit is not None:
            return self._explicit
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._environment:
            if is_loopback(parts.hostname or ""):
                self._environment[key] = {}
            else:
                import requests.utils

                self._environment[key] = remote_dns(requests.utils.get_environ_proxies(url))
        return self._environment[key]

    def proxy_for(self, url: str) -> str | None:
        """The one proxy a request to `url` goes through, for error texts; None when direct."""
        import requests.utils

        proxy: str | None = requests.utils.select_proxy(url, self.proxies_for(url))
        return proxy


def proxy_url(secret: Mapping[str, Any]) -> str:
    """fluxcd/pkg's `ProxyURLFromSecret`: the proxy URL with the Secret's user info, for requests."""
    label = secret_label(secret)
    raw = secret_value(secret, "address")
    if raw is None:
        raise AuthError(f"secret '{label}': key 'address' not found")
    address = raw.decode("utf-8", "replace")
    if not address:
        raise AuthError(f"secret '{label}': proxy address is empty")
    if len(raw) > MAX_PROXY_URL_LENGTH:
        raise AuthError(
            f"secret '{label}': proxy URL exceeds maximum length of {MAX_PROXY_URL_LENGTH} characters"
        )
    try:
        parsed = parse_url(address)
    except GoURLError as bad:
        shown = _redact_address(address)
        reason = _scrub_reason(bad.reason, address)
        raise AuthError(
            f"secret '{label}': failed to parse proxy address '{shown}': "
            f"parse {go_quote(shown.partition('#')[0])}: {reason}"
        ) from None
    if parsed.scheme not in PROXY_SCHEMES:
        raise AuthError(
            f"secret '{label}': proxy URL must use one of the supported schemes "
            f"({', '.join(PROXY_SCHEMES)}), got '{parsed.scheme}'"
        )
    username = secret_value(secret, "username")
    password = secret_value(secret, "password")
    prefix_length = address.index(":") + 3
    if username is None or parsed.opaque or address[prefix_length - 2 : prefix_length] != "//":
        return address
    userinfo = quote(username.decode("utf-8", "replace"), safe="")
    if password is not None:
        userinfo += ":" + quote(password.decode("utf-8", "replace"), safe="")
    authority = address[prefix_length : parsed.authority_end]
    host = authority[authority.rfind("@") + 1 :]
    return f"{address[:prefix_length]}{userinfo}@{host}{address[parsed.authority_end:]}"


def _userinfo_password(address: str) -> str:
    start = address.find("//")
    if start < 0:
        return ""
    authority = address[start + 2 :].partition("/")[0].partition("?")[0].partition("#")[0]
    at = authority.rfind("@")
    return authority[:at].partition(":")[2] if at >= 0 else ""


def _redact_address(address: str) -> str:
    """The address with the password of its user info replaced by `xxxxx`, as Go's `URL.Redacted`."""
    start = address.find("//")
    if start < 0:
        return address
    end = start + 2
    while end < len(address) and address[end] not in "/?#":
        end += 1
    authority = address[start + 2 : end]
    at = authority.rfind("@")
    if at < 0 or ":" not in authority[:at]:
        return address
    user = authority[:at].partition(":")[0]
    return f"{address[: start + 2]}{user}:xxxxx{authority[at:]}{address[end:]}"


def _scrub_reason(reason: str, address: str) -> str:
    """A url.Parse reason without any part of the address's password (an escape quoted from it)."""
    password = _userinfo_password(address)
    if not password:
        return reason
    head, quote_mark, tail = reason.partition('"')
    quoted, closing, rest = tail.partition('"')
    if quote_mark and closing and quoted and quoted in password:
        return f'{head}"xxxxx"{rest}'
    return reason

