"""Go's `http.ProxyFromEnvironment` (golang.org/x/net/http/httpproxy): which proxy a request URL takes.

`HTTPS_PROXY` for https URLs and `HTTP_PROXY` for http ones (upper case first, then lower case),
`NO_PROXY` entries as Go reads them — `*`, an IP, a CIDR, a domain (which also matches its
subdomains), `.domain` and `*.domain` (subdomains only), each with an optional `:port` — and never a
proxy for `localhost` or a loopback address. kubectl reaches the API server by these rules.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["ProxyConfig", "proxy_for"]

_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class ProxyConfig:
    """The environment's proxy settings, read once (Go reads them once per process)."""

    http_proxy: str = ""
    https_proxy: str = ""
    no_proxy: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ProxyConfig:
        def first(*names: str) -> str:
            return next((environ[name] for name in names if environ.get(name)), "")

        return cls(
            http_proxy=first("HTTP_PROXY", "http_proxy"),
            https_proxy=first("HTTPS_PROXY", "https_proxy"),
            no_proxy=first("NO_PROXY", "no_proxy"),
        )


def proxy_for(url: str, config: ProxyConfig) -> str | None:
    """The proxy URL `url` goes through, or None for a direct connection.

    A proxy given without a scheme is read as `http://` (as Go does).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    proxy = config.https_proxy if scheme == "https" else config.http_proxy if scheme == "http" else ""
    if not proxy:
        return None
    host = (parts.hostname or "").lower()
    try:
        port = str(parts.port or _DEFAULT_PORTS.get(scheme, ""))
    except ValueError:
        port = ""
    if not _use_proxy(host, port, config.no_proxy):
        return None
    return proxy if "://" in proxy else "http://" + proxy


def _use_proxy(host: str, port: str, no_proxy: str) -> bool:
    if not host:
        return True
    if host == "localhost":
        return False
    ip = _ip(host)
    if ip is not None and ip.is_loopback:
        return False
    for entry in no_proxy.split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return False
        if _matches(entry, host, port, ip):
            return False
    return True


def _matches(
    entry: str, host: str, port: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
) -> bool:
    """Whether one `NO_PROXY` entry covers `host:port`."""
    if "/" in entry:
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False  # Go reads it as a (never matching) domain
        return ip is not None and ip in network
    entry_host, entry_port = _split_host_port(entry)
    if not entry_host:
        return False
    entry_ip = _ip(entry_host)
    if entry_ip is not None:
        return ip is not None and ip == entry_ip and entry_port in ("", port)
    if entry_host.startswith("*."):
        entry_host = entry_host[1:]
    match_host = not entry_host.startswith(".")
    suffix = entry_host if not match_host else "." + entry_host
    covered = host.endswith(suffix) or (match_host and host == suffix[1:])
    return covered and entry_port in ("", port)


def _split_host_port(entry: str) -> tuple[str, str]:
    """Go's `net.SplitHostPort`, falling back to the whole entry as the host."""
    if entry.startswith("["):
        end = entry.find("]")
        if end > 0 and entry[end + 1 : end + 2] == ":":
            return entry[1:end], entry[end + 2 :]
        return entry, ""
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, port
    return entry, ""


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
