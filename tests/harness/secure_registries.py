"""Registries with TLS and authentication: distribution v3 behind a private CA, htpasswd users or a token
server, serving a storage directory filled beforehand through an open registry."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import bcrypt
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.harness.pki import CertificateAuthority
from tests.harness.processes import Server, free_port, start, wait_until
from tests.harness.registry import Registry, start_registry

PAGE = 100  # tags.maxtags of the registries started here
USER, PASSWORD = "alice", "wonderland-7f3a"


def start_configured(
    binary: Path,
    workdir: Path,
    name: str,
    root: Path,
    extra: dict[str, Any],
    *,
    tls: bool,
    ca: CertificateAuthority,
    listen: str = "127.0.0.1",
    client_ca: Path | None = None,
) -> tuple[Server, str]:
    """Start distribution v3 on `root` with `extra` merged into its configuration; returns (server, host).

    `listen` is the loopback address (`127.0.0.1` or `::1`); the host returned is `<address>:<port>`
    (IPv6 in brackets). With `client_ca`, the registry requires client certificates signed by it.
    """
    port = free_port()
    address = f"[{listen}]" if ":" in listen else listen
    host = f"{address}:{port}"
    http: dict[str, Any] = {"addr": host, "secret": "kubectl-imagerepo-tests"}
    probe_cert: tuple[str, str] | None = None
    if tls:
        pair = ca.issue(f"{name}-serving", "127.0.0.1")
        http["tls"] = {"certificate": str(pair.cert), "key": str(pair.key)}
        if client_ca is not None:
            http["tls"]["clientcas"] = [str(client_ca)]
            probe = ca.issue(f"{name}-probe", f"{name}-probe", server=False)
            probe_cert = (str(probe.cert), str(probe.key))
    config = {
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(root)}, "delete": {"enabled": True}},
        "http": http,
        "tags": {"maxtags": PAGE},
        **extra,
    }
    config_file = workdir / f"{name}.yml"
    config_file.write_text(yaml.safe_dump(config))
    server = start(name, [str(binary), "serve", str(config_file)], workdir,
                   env={"OTEL_TRACES_EXPORTER": "none", "OTEL_SDK_DISABLED": "true"})
    scheme = "https" if tls else "http"
    wait_until(server, lambda: requests.get(f"{scheme}://{host}/v2/", timeout=1, verify=str(ca.pair.cert),
                                            cert=probe_cert).status_code in (200, 401), timeout=30)
    return server, host


def htpasswd_auth(workdir: Path, users: Mapping[str, str], realm: str = "basic-realm") -> dict[str, Any]:
    """The `auth` configuration of an htpasswd (bcrypt) registry with these users."""
    htpasswd = workdir / "htpasswd"
    htpasswd.write_text("".join(
        f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
        for user, password in users.items()
    ))
    return {"auth": {"htpasswd": {"realm": realm, "path": str(htpasswd)}}}


@dataclass
class Seeded:
    """A stopped open registry's storage, with repositories already filled."""

    root: Path
    repositories: dict[str, list[str]]


def seed_storage(binary: Path, workdir: Path, repositories: dict[str, list[str]]) -> Seeded:
    """Fill a storage directory through an open registry, to be served again behind TLS or auth."""
    open_registry: Registry = start_registry("seeding", binary, workdir, legacy=False, max_tags=PAGE)
    try:
        for repository, names in repositories.items():
            open_registry.seed(repository, names)
    finally:
        open_registry.stop()
    return Seeded(open_registry.root, repositories)


class TokenServer:
    """A Docker token server issuing ES256 JWTs (with an x5c chain) that distribution verifies.

    Anonymous callers get a token with an empty grant, as real token servers do; `USER` with
    `PASSWORD` (or any user of `accounts`) gets pull access to the scopes asked for. Every request is
    recorded.

    It listens on 127.0.0.1; the realm names it `realm_host`: `localhost` by default, a host name, since
    ggcr (and the plugin) refuse a realm on a loopback IP address other than the registry's own
    `host:port`; `127.0.0.1` to be refused.
    """

    service = "kubectl-imagerepo-test-registry"
    issuer = "kubectl-imagerepo-test-issuer"

    def __init__(
        self,
        ca: CertificateAuthority,
        lifetime: int,
        realm_host: str = "localhost",
        accounts: Mapping[str, str] | None = None,
    ) -> None:
        self.realm_host = realm_host
        self.accounts = {USER: PASSWORD, **(accounts or {})}
        pair = ca.issue("token-signer", "token-signer", server=False)
        key = serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        self._key = key
        certificate = x509.load_pem_x509_certificate(pair.cert.read_bytes())
        self._x5c = [base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()]
        self.lifetime = lifetime
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    @property
    def realm(self) -> str:
        return f"http://{self.realm_host}:{self._http.server_address[1]}/token"

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        authorization = handler.headers.get("Authorization", "")
        user = None
        if authorization.startswith("Basic "):
            name, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            if self.accounts.get(name) != secret:
                self._send(handler, 401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
                self.requests.append({"query": query, "user": name, "status": 401})
                return
            user = name
        scopes = " ".join(query.get("scope", [])).split()
        self.requests.append({"query": query, "user": user, "status": 200})
        access = []
        if user is not None:
            for scope in scopes:
                kind, _, rest = scope.partition(":")
                name, _, _actions = rest.rpartition(":")
                access.append({"type": kind, "name": name, "actions": ["pull"]})
        self._send(handler, 200, {"token": self._jwt(user or "", access), "expires_in": self.lifetime})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        encoded = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(encoded)))
        handler.end_headers()
        handler.wfile.write(encoded)

    def _jwt(self, subject: str, access: list[dict[str, Any]]) -> str:
        def encode(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": self._x5c}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service, "exp": now + self.lifetime,
                  "nbf": now - 5, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        signing_input = f"{encode(json.dumps(header).encode())}.{encode(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
