"""A fault-injecting reverse proxy on loopback, put between the plugin and a real registry.

Each `FaultProxy` forwards to one upstream registry and applies one `Fault` to what it answers: latency,
a reset in the middle of a body, a truncated JSON body, error statuses (with or without `Retry-After`),
pagination links that loop or point elsewhere, redirects, a body or headers that trickle forever, a
huge tag list. It records every request it receives (path, headers, time), so tests can check retries
and headers. A proxy with `upstream=None` answers 404 to everything: used as "another host" that
counts visitors.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Seen:
    """One request the proxy received."""

    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic()


@dataclass(frozen=True)
class Upstream:
    """What the registry answered (the proxy always reads the whole answer first)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


# A fault gets the handler, the request's 0-based index and a way to fetch the upstream answer; it writes
# the whole answer itself.
Fault = Callable[["_Handler", int, Callable[[], Upstream]], None]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "upgrade"}


class FaultProxy:
    """A threaded HTTP server on `listen` forwarding to `upstream` (`host:port`, plain HTTP) through `fault`.

    Use as a context manager; `host` is `<listen>:<port>`.
    """

    def __init__(self, upstream: str | None, fault: Fault | None = None, listen: str = "127.0.0.1") -> None:
        self.upstream = upstream
        self.fault: Fault = fault or passthrough()
        self.seen: list[Seen] = []
        self.connections = 0
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        proxy = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 64

            def get_request(self) -> tuple[socket.socket, Any]:
                accepted = super().get_request()
                with proxy._lock:
                    proxy.connections += 1
                return accepted

        class Handler(_Handler):
            owner = proxy

        self._server = Server((listen, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                         daemon=True)

    @property
    def host(self) -> str:
        address, port = self._server.server_address[:2]
        return f"{address!s}:{port}"

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def record(self, handler: BaseHTTPRequestHandler) -> int:
        with self._lock:
            self.seen.append(Seen(handler.command, handler.path, dict(handler.headers.items()),
                                  time.monotonic()))
            return next(self._counter)

    def fetch(self, handler: BaseHTTPRequestHandler) -> Upstream:
        """Send the request on to the registry and read its whole answer."""
        if self.upstream is None:
            return Upstream(404, [("Content-Type", "text/plain")], b"not the registry\n")
        connection = http.client.HTTPConnection(self.upstream, timeout=30)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP | {"host"}}
            connection.request(handler.command, handler.path, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            return Upstream(answer.status, kept, body)
        finally:
            connection.close()


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        index = self.owner.record(self)
        try:
            self.owner.fault(self, index, lambda: self.owner.fetch(self))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    do_HEAD = do_GET
    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- helpers for faults -------------------------------------------------------------------------------

    def answer(self, upstream: Upstream, *, extra: Sequence[tuple[str, str]] = (),
               body: bytes | None = None, declared_length: int | None = None) -> None:
        """Write `upstream` (or `body` instead of its body) with `extra` headers replacing same-named ones."""
        payload = upstream.body if body is None else body
        replaced = {name.lower() for name, _ in extra}
        self.send_response(upstream.status)
        for name, value in [*[(k, v) for k, v in upstream.headers if k.lower() not in replaced], *extra]:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload) if declared_length is None else declared_length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
            self.wfile.flush()

    def reset(self) -> None:
        """Close the connection with a TCP RST (SO_LINGER 0) instead of a FIN."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


# -- faults ------------------------------------------------------------------------------------------


def passthrough() -> Fault:
    """Forward unchanged."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        handler.answer(fetch())
    return fault


def latency(seconds: float) -> Fault:
    """Wait `seconds` before answering each request."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        _sleep(handler, seconds)
        handler.answer(fetch())
    return fault


def reset_mid_body(times: int | None = None) -> Fault:
    """Send the headers and half the body, then reset the connection (the first `times` requests)."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        upstream = fetch()
        if times is not None and index >= times:
            handler.answer(upstream)
            return
        handler.send_response(upstream.status)
        for name, value in upstream.headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(upstream.body)))
        handler.end_headers()
        handler.wfile.write(upstream.body[: len(upstream.body) // 2])
        handler.reset()
    return fault


def truncated_json() -> Fault:
    """A well-formed HTTP answer whose JSON body is cut in half (Content-Length matches the cut body)."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        upstream = fetch()
        handler.answer(upstream, body=upstream.body[: len(upstream.body) // 2])
    return fault


def status(code: int, *, times: int | None = None, retry_after: str | None = None,
           json_body: bool = True) -> Fault:
    """Answer `code` to the first `times` requests (all when None).

    The body is a registry JSON error (`UNAVAILABLE: injected <code>`), or with `json_body=False` the
    plain text `injected <code>` and a newline, as a load balancer would answer.
    """
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        if times is not None and index >= times:
            handler.answer(fetch())
            return
        extra = [("Retry-After", retry_after)] if retry_after is not None else []
        if json_body:
            body = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": f"injected {code}"}]}).encode()
            handler.answer(Upstream(code, [("Content-Type", "application/json"), *extra], body))
        else:
            text = f"injected {code}\n".encode()
            handler.answer(Upstream(code, [("Content-Type", "text/plain"), *extra], text))
    return fault


def body(payload: bytes) -> Fault:
    """Answer 200 with `payload` as the body of every request (a tag list that is not one)."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        handler.answer(Upstream(200, [("Content-Type", "application/json")], payload))
    return fault


def link_header(value: str) -> Fault:
    """Forward, adding `Link: <value>` verbatim to every 200 answer."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        upstream = fetch()
        handler.answer(upstream, extra=[("Link", value)] if upstream.status == 200 else [])
    return fault


def link(make: Callable[[str, int], str]) -> Fault:
    """Forward, adding `Link: <make(path, index)>; rel="next"` to every 200 answer."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        upstream = fetch()
        extra = [("Link", f'<{make(handler.path, index)}>; rel="next"')] if upstream.status == 200 else []
        handler.answer(upstream, extra=extra)
    return fault


def redirect(make: Callable[[str], str], code: int = 307, *, with_authorization_only: bool = False) -> Fault:
    """Answer with a redirect to `make(path)`: every request, or only those carrying `Authorization`."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        if with_authorization_only and "Authorization" not in handler.headers:
            handler.answer(fetch())
            return
        handler.answer(Upstream(code, [("Location", make(handler.path))], b""))
    return fault


def trickle(interval: float, first: bytes = b'{"name":"app","tags":["') -> Fault:
    """A 200 page without a length that sends one byte every `interval` seconds and never ends."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(first)
        handler.wfile.flush()
        handler.close_connection = True
        while _sleep(handler, interval):
            handler.wfile.write(b"a")
            handler.wfile.flush()
    return fault


def trickled_headers(interval: float) -> Fault:
    """A status line and then header bytes, one every `interval` seconds, never reaching the body."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        handler.wfile.flush()
        handler.close_connection = True
        while _sleep(handler, interval):
            handler.wfile.write(b"a")
            handler.wfile.flush()
    return fault


def huge_tag_list(size: int, tag_length: int = 100) -> Fault:
    """A 200 tag list of about `size` bytes of distinct `tag_length`-character tags, streamed in chunks."""
    def fault(handler: _Handler, index: int, fetch: Callable[[], Upstream]) -> None:
        head, tail = b'{"name":"app","tags":[', b"]}"
        per_tag = tag_length + 3  # quotes and comma
        count = max(1, (size - len(head) - len(tail)) // per_tag)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(head) + len(tail) + count * per_tag - 1))
        handler.end_headers()
        handler.wfile.write(head)
        for chunk in _tag_chunks(count, tag_length):
            handler.wfile.write(chunk)
        handler.wfile.write(tail)
        handler.wfile.flush()
    return fault


def _tag_chunks(count: int, tag_length: int, per_chunk: int = 10_000) -> Iterator[bytes]:
    for start in range(0, count, per_chunk):
        names = [f'"{number:0{tag_length}d}"' for number in range(start, min(count, start + per_chunk))]
        yield (("," if start else "") + ",".join(names)).encode()


def _sleep(handler: _Handler, seconds: float) -> bool:
    """Sleep unless the proxy stops first; False when it stopped."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if handler.owner.stopping:
            return False
        time.sleep(max(0.0, min(0.05, end - time.monotonic())))
    return not handler.owner.stopping
