"""The way to the API server: straight, through an HTTP proxy (CONNECT), or through a SOCKS5 proxy.

A failure on the way to a proxy names the proxy, in Go's words (`proxyconnect tcp: dial tcp
127.0.0.1:3128: connect: connection refused`), so that it is never taken for the server refusing.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from kubectl_imagerepo.model.errors import CommandError

PROXY_SCHEMES = ("http", "socks5", "socks5h")
_DEFAULT_PROXY_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}


class ProxyDialError(OSError):
    """The proxy could not be reached, or refused the tunnel: Go's text, naming the proxy."""


@dataclass(frozen=True)
class Proxy:
    """A proxy URL, taken apart."""

    scheme: str
    host: str
    port: int
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    @classmethod
    def parse(cls, url: str) -> Proxy:
        """Read a proxy URL (the kubeconfig's `proxy-url`, or the environment's).

        Raises:
            CommandError: not a URL, or a scheme this plugin cannot speak.
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as bad:
            raise CommandError(f'error: invalid proxy address "{url}": {bad}') from None
        scheme = parts.scheme.lower()
        if scheme not in PROXY_SCHEMES or not parts.hostname:
            shown = f"{scheme}://{parts.hostname or ''}" if scheme else url
            raise CommandError(
                f'error: proxy "{shown}": unsupported proxy scheme "{scheme}" (http, socks5 are supported)'
            )
        return cls(
            scheme=scheme,
            host=parts.hostname,
            port=port or _DEFAULT_PROXY_PORTS[scheme],
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def authorization(self) -> str | None:
        """`Proxy-Authorization` for an HTTP proxy whose URL holds user info (as Go sends it)."""
        if not self.username:
            return None
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode()


@dataclass(frozen=True)
class Route:
    """How requests reach `host:port`: which connection to open, what to send as the request target."""

    host: str
    port: int
    https: bool
    proxy: Proxy | None = None
    server_name: str = ""

    @classmethod
    def to(cls, server: str, proxy: str = "", server_name: str = "") -> Route:
        parts = urlsplit(server)
        https = parts.scheme != "http"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (443 if https else 80),
            https=https,
            proxy=Proxy.parse(proxy) if proxy else None,
            server_name=server_name,
        )

    def connection(self, context: ssl.SSLContext | None, timeout: float | None) -> http.client.HTTPConnection:
        """A new (unopened) connection along this route."""
        proxy = self.proxy
        if proxy is None:
            host, port = self.host, self.port
        elif proxy.scheme == "http":
            host, port = proxy.host, proxy.port
        else:
            host, port = self.host, self.port  # SOCKS: the socket itself goes through the proxy
        connection: http.client.HTTPConnection
        if self.https:
            connection = _TLSConnection(host, port, context=context, timeout=timeout)
            connection.server_name = self.server_name
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        if proxy is not None:
            connection._create_connection = _dialer(proxy, self)  # type: ignore[attr-defined]
            if proxy.scheme == "http" and self.https:
                auth = proxy.authorization()
                tunnel_headers = {"Proxy-Authorization": auth} if auth else None
                connection.set_tunnel(self.host, self.port, headers=tunnel_headers)
        return connection

    def target(self, path: str) -> str:
        """The request target: the path, or the absolute URL for plain HTTP through an HTTP proxy."""
        if self.proxy is not None and self.proxy.scheme == "http" and not self.https:
            host = f"[{self.host}]" if ":" in self.host else self.host
            return f"http://{host}:{self.port}{path}"
        return path

    def headers(self) -> dict[str, str]:
        """Headers every request carries along this route (plain HTTP through a proxy with user info)."""
        if self.proxy is not None and self.proxy.scheme == "http" and not self.https:
            auth = self.proxy.authorization()
            if auth:
                return {"Proxy-Authorization": auth}
        return {}

    def describe(self, failure: BaseException) -> str:
        """A connection failure in Go's words; one on the way to the proxy names the proxy."""
        if isinstance(failure, ProxyDialError):
            return str(failure)
        text = str(failure)
        if self.proxy is not None and text.startswith("Tunnel connection failed: "):
            # Go reports a CONNECT answered other than 200 by the status text alone.
            status = text.removeprefix("Tunnel connection failed: ").strip()
            return status.partition(" ")[2] or status
        return describe_failure(failure)


class _TLSConnection(http.client.HTTPSConnection):
    """HTTPS whose certificate is checked against `server_name` when the kubeconfig sets one."""

    server_name = ""

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)  # TCP, then the proxy's CONNECT when tunnelling
        name = self.server_name or self._tunnel_host or self.host  # type: ignore[attr-defined]
        self.sock = self._context.wrap_socket(self.sock, server_hostname=name)  # type: ignore[attr-defined]


def _dialer(proxy: Proxy, route: Route) -> Any:
    """`socket.create_connection` along the proxy, failing with Go's text naming the proxy."""

    def dial(address: tuple[str, int], timeout: Any = None, source: Any = None) -> socket.socket:
        if proxy.scheme == "http":
            try:
                return socket.create_connection((proxy.host, proxy.port), timeout)
            except OSError as failure:
                raise ProxyDialError(
                    f"proxyconnect tcp: dial tcp {proxy.address}: {_dial_reason(failure)}"
                ) from None
        import socks  # PySocks, which requests' SOCKS support brings

        try:
            connected: socket.socket = socks.create_connection(
                address,
                timeout,
                proxy_type=socks.SOCKS5,
                proxy_addr=proxy.host,
                proxy_port=proxy.port,
                proxy_rdns=True,  # Go hands the host name to the proxy to resolve
                proxy_username=proxy.username or None,
                proxy_password=proxy.password or None,
            )
            return connected
        except socks.ProxyConnectionError as failure:
            cause = failure.socket_err if isinstance(failure.socket_err, OSError) else failure
            raise ProxyDialError(
                f"socks connect tcp {proxy.address}->{route.host}:{route.port}: "
                f"dial tcp {proxy.address}: {_dial_reason(cause)}"
            ) from None
        except (socks.GeneralProxyError, socks.SOCKS5Error, socks.SOCKS5AuthError) as failure:
            raise ProxyDialError(
                f"socks connect tcp {proxy.address}->{route.host}:{route.port}: {failure.msg}"
            ) from None

    return dial


def _dial_reason(failure: BaseException) -> str:
    if isinstance(failure, ConnectionRefusedError):
        return "connect: connection refused"
    if isinstance(failure, TimeoutError | socket.timeout):
        return "i/o timeout"
    if isinstance(failure, socket.gaierror):
        return "lookup: no such host"
    return getattr(failure, "strerror", None) or str(failure) or type(failure).__name__


def describe_failure(failure: BaseException) -> str:
    """A failure to reach the server itself, as the client's error handling words it."""
    if isinstance(failure, ConnectionRefusedError):
        return "connection refused"
    if isinstance(failure, TimeoutError):
        return "net/http: request canceled (Client.Timeout exceeded while awaiting headers)"
    if isinstance(failure, ssl.SSLCertVerificationError):
        return f"tls: failed to verify certificate: {failure.verify_message}"
    return str(failure) or type(failure).__name__
