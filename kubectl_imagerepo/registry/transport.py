"""The HTTP transport of the registry client: every request bounded by the scan's deadline.

`request_timeouts` turns the time left into the connect and read timeouts of one request (values, no
I/O). `DeadlineAdapter` applies them to each request requests sends, verifies TLS with one context,
and cuts connections at the deadline, so a server answering a byte at a time cannot outlive it
(docs/behaviour.md, Scanning). `read_body` reads a whole body within the deadline.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters
import urllib3.exceptions
import urllib3.response

__all__ = [
    "CONNECT_TIMEOUT",
    "MAX_BODY_BYTES",
    "BodyTooLarge",
    "DeadlineAdapter",
    "DeadlinePassed",
    "Timeouts",
    "read_body",
    "request_timeouts",
]

#: Go's dialer timeout in ggcr's and Go's default transports.
CONNECT_TIMEOUT = 30.0
MAX_BODY_BYTES = 256 * 1024 * 1024
_READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    """The timeouts of one request: connecting, and each read; the whole request ends at `remaining`."""

    connect: float
    read: float

    @property
    def pair(self) -> tuple[float, float]:
        """As requests takes them: (connect, read)."""
        return self.connect, self.read


def request_timeouts(deadline: float, now: float) -> Timeouts | None:
    """Go's 30s dial timeout or the time left, whichever is shorter, and the time left to read; None when
    the deadline has passed."""
    remaining = deadline - now
    if remaining <= 0:
        return None
    return Timeouts(min(CONNECT_TIMEOUT, remaining), remaining)


class DeadlinePassed(requests.exceptions.Timeout):
    """The listing's deadline passed before or during a request."""


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter whose every request has a timeout bounded by the deadline.

    The connect timeout is Go's 30s dial timeout or the time left, whichever is shorter; the read
    timeout is the time left. TLS uses one context: the system roots, certifi's, and the given CA,
    made by `context` the first time a request needs TLS (loading the roots costs tens of milliseconds,
    which a plain-HTTP registry never has to pay).
    """

    def __init__(self, context: Callable[[], ssl.SSLContext], deadline: Callable[[], float]) -> None:
        self._make_context = context
        self._context: ssl.SSLContext | None = None
        self._deadline = deadline
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._connections_lock = threading.Lock()
        super().__init__(pool_connections=4, pool_maxsize=4)

    def get_connection_with_tls_context(
        self, request: requests.PreparedRequest, verify: bool | str | None,
        proxies: Mapping[str, str] | None = None, cert: Any = None,
    ) -> Any:
        """The pool for `request`, which reports every connection it hands out (for `cut_connections`)."""
        if str(request.url).lower().startswith("https:"):
            self.poolmanager.connection_pool_kw["ssl_context"] = self.tls()
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

    def cut_connections(self) -> None:
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

    def tls(self) -> ssl.SSLContext:
        """The TLS context, made on first use."""
        if self._context is None:
            self._context = self._make_context()
        return self._context

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs.setdefault("ssl_context", self.tls())
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
        timeouts = request_timeouts(self._deadline(), time.monotonic())
        if timeouts is None:
            raise DeadlinePassed(request=request)
        # The read timeout bounds each recv, not a status line and headers sent a byte at a time.
        watchdog = threading.Timer(timeouts.read, self.cut_connections)
        watchdog.daemon = True
        watchdog.start()
        try:
            return super().send(request, stream=stream, timeout=timeouts.pair, verify=verify, cert=cert,
                                proxies=proxies)
        finally:
            watchdog.cancel()


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



class BodyTooLarge(Exception):
    """A response body went over `MAX_BODY_BYTES`."""


def read_body(response: requests.Response, deadline: float) -> bytes:
    """Read the whole body, shortening the socket timeout to the time left before each read.

    Each read returns what one `recv` brings (`read1`), so a server trickling a byte at a time
    cannot keep a read going past the deadline, as it could with a read that waits for a full chunk.

    Raises:
        DeadlinePassed: the deadline came first.
        BodyTooLarge: the body is larger than `MAX_BODY_BYTES`.
        requests.RequestException: the connection failed.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlinePassed(request=response.request)
        sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        if isinstance(sock, socket.socket):
            sock.settimeout(remaining)
        chunk = _read_some(response.raw, _READ_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(f"response body exceeds {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
