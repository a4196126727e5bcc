"""Real forward proxies on loopback, run as the current user: Debian's tinyproxy (HTTP), microsocks (SOCKS5).

Each proxy logs the requests it carries, so a test can prove that a scan went through it.
"""

from __future__ import annotations

import re
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from tests.harness.processes import Server, free_port, start, wait_until

# tinyproxy at LogLevel Connect writes one line per request it forwards.
_TINYPROXY_REQUEST = re.compile(r"Request \(file descriptor \d+\): (?P<line>.+)$")
# microsocks writes one line per tunnel it opens: `client[5] 127.0.0.1: connected to 127.0.0.1:5000`.
_MICROSOCKS_TUNNEL = re.compile(r"client\[\d+\] \S+: connected to (?P<target>\S+)$")


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise RuntimeError(f"{name} is not installed: run `make apt` (it is in APT_PACKAGES)")
    return found


def _accepts(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


@dataclass
class HttpProxy:
    """A running tinyproxy; `url` is `http://127.0.0.1:<port>` without credentials."""

    server: Server
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def requests(self) -> list[str]:
        """The request lines the proxy received so far, e.g. `GET http://host/v2/ HTTP/1.1`."""
        try:
            text = self.log.read_text(errors="replace")
        except FileNotFoundError:
            return []
        return [m["line"].strip() for m in map(_TINYPROXY_REQUEST.search, text.splitlines()) if m]

    def stop(self) -> None:
        self.server.stop()


def start_http_proxy(workdir: Path, name: str = "tinyproxy",
                     credentials: tuple[str, str] | None = None) -> HttpProxy:
    """Start tinyproxy on a free loopback port, requiring Basic `credentials` when given."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / f"{name}-requests.log"
    lines = [
        f"Port {port}",
        "Listen 127.0.0.1",
        "Timeout 30",
        f'LogFile "{log}"',
        "LogLevel Connect",
        "MaxClients 50",
        "Allow 127.0.0.1",
        "DisableViaHeader Yes",
    ]
    if credentials is not None:
        lines.append(f"BasicAuth {credentials[0]} {credentials[1]}")
    config = workdir / f"{name}.conf"
    config.write_text("\n".join(lines) + "\n")
    config.chmod(0o600)
    server = start(name, [_binary("tinyproxy"), "-d", "-c", str(config)], workdir)
    wait_until(server, lambda: _accepts(port), timeout=30)
    return HttpProxy(server, port, log)


@dataclass
class SocksProxy:
    """A running microsocks; `address` is `127.0.0.1:<port>`."""

    server: Server
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def tunnels(self) -> list[str]:
        """The `host:port` targets of the tunnels the proxy opened so far."""
        try:
            text = self.server.log.read_text(errors="replace")
        except FileNotFoundError:
            return []
        return [m["target"] for m in map(_MICROSOCKS_TUNNEL.search, text.splitlines()) if m]

    def stop(self) -> None:
        self.server.stop()


def start_socks_proxy(workdir: Path, name: str = "microsocks",
                      credentials: tuple[str, str] | None = None) -> SocksProxy:
    """Start microsocks on a free loopback port, requiring username/password `credentials` when given."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [_binary("microsocks"), "-i", "127.0.0.1", "-p", str(port)]
    if credentials is not None:
        argv += ["-u", credentials[0], "-P", credentials[1]]  # microsocks blanks them in its argv
    server = start(name, argv, workdir)
    wait_until(server, lambda: _accepts(port), timeout=30)
    return SocksProxy(server, port)
