"""Go's texts for a request that failed without an answer, from what requests and urllib3 raise.

Connection refused, DNS and TLS failures, resets, early EOFs, proxy and SOCKS5 refusals read as Go's
net/http describes them (`dial tcp 127.0.0.1:1: connect: connection refused`), with whether ggcr would
retry them (docs/behaviour.md, Scanning).
"""

from __future__ import annotations

import errno
import http.client
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from kubectl_imagerepo.gocompat.url import join_host_port

__all__ = ["describe_network_error", "dial_address", "is_connect_timeout", "is_timeout"]


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


def dial_address(url: str) -> str:
    """`host:port` of a URL as Go prints a dial address (IPv6 in brackets, the default port added)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme.lower() == "https" else 80
    return join_host_port(host, port)


def is_timeout(error: BaseException) -> bool:
    """Whether a timeout ended the request (urllib3's NewConnectionError is a timeout subclass: skip it)."""
    return any(isinstance(e, requests.exceptions.Timeout | urllib3.exceptions.TimeoutError | TimeoutError)
               and not isinstance(e, urllib3.exceptions.NewConnectionError) for e in _chain(error))


def is_connect_timeout(error: BaseException) -> bool:
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
    dial_target = dial_address(proxy) if through_proxy and proxy else dial_address(url)
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
    if is_connect_timeout(error):
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
    proxy_address = join_host_port(parts.hostname or "", port)
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
    return f"socks connect tcp {proxy_address}->{dial_address(url)}: {reason}", False


def _tls_verify_text(error: ssl.SSLCertVerificationError, url: str) -> str:
    """Go's crypto/x509 wording for a certificate verification failure."""
    code = error.verify_code
    if code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH
        host = urlsplit(url).hostname or ""
        return f"tls: failed to verify certificate: x509: certificate is not valid for {host}"
    if code in (9, 10):  # not yet valid, expired
        return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
    return "tls: failed to verify certificate: x509: certificate signed by unknown authority"

