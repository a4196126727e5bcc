"""Clouds on loopback for the `aws`, `azure` and `gcp` providers: moto for AWS, fake Azure and Google
identity endpoints, a fake ACR `/oauth2/exchange` in front of a real registry, and the cloud host names
resolved to loopback in the plugin's process only.

The names resolve through a `sitecustomize` module put on the plugin's `PYTHONPATH`: it wraps
`socket.getaddrinfo` so that each mapped host name (any port) gives `127.0.0.1:<mapped port>`. Nothing
of it ships in the product; TLS still checks the host name, against certificates issued by `CloudCA`.
"""

from __future__ import annotations

import base64
import json
import secrets
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography import x509

from tests.harness.pki import CertificateAuthority, Pair

HOSTS_VARIABLE = "KUBECTL_IMAGEREPO_E2E_HOSTS"
ACR_USERNAME = "00000000-0000-0000-0000-000000000000"
#: The registry's answer headers the fake ACR front passes on.
PASSED_HEADERS = ("content-type", "www-authenticate", "link", "docker-distribution-api-version")

SITECUSTOMIZE = f'''"""Test hook of tests/harness/cloud.py: cloud host names resolve to loopback ports."""
import json as _json
import os as _os
import socket as _socket

_HOSTS = _json.loads(_os.environ.get("{HOSTS_VARIABLE}") or "{{}}")
if _HOSTS:
    _real_getaddrinfo = _socket.getaddrinfo

    def _getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name in _HOSTS:
            return _real_getaddrinfo("127.0.0.1", _HOSTS[name], *args, **kwargs)
        return _real_getaddrinfo(host, port, *args, **kwargs)

    _socket.getaddrinfo = _getaddrinfo
'''


def host_map_directory(directory: Path) -> Path:
    """A directory holding the `sitecustomize` hook, to put on the plugin's `PYTHONPATH`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return directory


class CloudCA(CertificateAuthority):
    """A CA whose serving certificates also name the cloud registries' hosts."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        super().__init__(directory, name="kubectl-imagerepo-cloud-test-ca")
        self.names = names

    def issue(
        self, stem: str, common_name: str, *, server: bool = True, organization: str | None = None
    ) -> Pair:
        pair = super().issue(stem, common_name, server=server, organization=organization)
        if not server:
            return pair
        from cryptography.hazmat.primitives import hashes, serialization

        cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
        key = serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        builder = (
            x509.CertificateBuilder()
            .subject_name(cert.subject)
            .issuer_name(cert.issuer)
            .public_key(key.public_key())  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(cert.not_valid_before_utc)
            .not_valid_after(cert.not_valid_after_utc)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.SubjectAlternativeName([*sans, *(x509.DNSName(n) for n in self.names)]), critical=False
            )
            .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        )
        signed = builder.sign(self._key, hashes.SHA256())
        pair.cert.write_bytes(signed.public_bytes(serialization.Encoding.PEM))
        return pair


def short_jwt(exp: int, signature: str) -> str:
    """A JWT short enough for bcrypt (72 bytes) with an `exp`: what ACR's refresh tokens look like."""

    def part(data: Mapping[str, Any]) -> str:
        encoded = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(encoded).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'exp': exp})}.{signature}"


@dataclass(frozen=True)
class CloudSecrets:
    """Every secret the fake clouds hand out or take; none may ever show outside them."""

    aws_secret_key: str
    azure_identity_header: str
    azure_access_token: str
    acr_refresh_token: str
    gcp_access_token: str

    @classmethod
    def generate(cls) -> CloudSecrets:
        def canary(prefix: str) -> str:
            return f"{prefix}-{secrets.token_hex(8)}"

        return cls(
            aws_secret_key=canary("aws-secret-canary"),
            azure_identity_header=canary("azure-header-canary"),
            azure_access_token=canary("aad-token-canary"),
            acr_refresh_token=short_jwt(int(time.time()) + 3 * 3600, secrets.token_hex(8)),
            gcp_access_token=canary("ya29.gcp-access-canary"),
        )

    def all(self) -> list[str]:
        values = list(vars(self).values())
        return values + [base64.b64encode(v.encode()).decode() for v in values]


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 answering with `handle(handler, method)`; records requests."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.handle(self, "GET")

            def do_POST(self) -> None:
                server.handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if context is not None:
            self._http.socket = context.wrap_socket(self._http.socket, server_side=True)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError

    @staticmethod
    def body(handler: BaseHTTPRequestHandler) -> bytes:
        return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
             headers: Mapping[str, str] | None = None) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


class AzureManagedIdentity(_Server):
    """The App Service managed identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`)."""

    def __init__(self, cloud: CloudSecrets) -> None:
        super().__init__()
        self.cloud = cloud

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/msi/token"

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        resource = (query.get("resource") or [""])[0]
        self.requests.append({"resource": resource})
        if handler.headers.get("X-IDENTITY-HEADER") != self.cloud.azure_identity_header:
            self.send(handler, 401, b'{"error": "unauthorized"}')
            return
        answer = {"access_token": self.cloud.azure_access_token, "expires_on": str(int(time.time()) + 3600),
                  "resource": resource, "token_type": "Bearer"}
        self.send(handler, 200, json.dumps(answer).encode())


class AcrFront(_Server):
    """ACR's `/oauth2/exchange` over TLS, every other request passed on to a real registry."""

    def __init__(self, cloud: CloudSecrets, registry_host: str, serving: Pair, ca_file: Path,
                 service: str) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(serving.cert), str(serving.key))
        super().__init__(context)
        self.cloud, self.registry_host, self.ca_file, self.service = cloud, registry_host, ca_file, service

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        if method == "POST" and urlsplit(handler.path).path == "/oauth2/exchange":
            form = parse_qs(self.body(handler).decode())
            fields = {key: values[0] for key, values in form.items()}
            self.requests.append({"grant_type": fields.get("grant_type"), "service": fields.get("service")})
            if fields != {"grant_type": "access_token", "service": self.service,
                          "access_token": self.cloud.azure_access_token}:
                self.send(handler, 401, b'{"errors": [{"code": "UNAUTHORIZED"}]}')
                return
            self.send(handler, 200, json.dumps({"refresh_token": self.cloud.acr_refresh_token}).encode())
            return
        headers = {name: value for name, value in handler.headers.items() if name.lower() == "authorization"}
        answer = requests.request(method, f"https://{self.registry_host}{handler.path}", headers=headers,
                                  verify=str(self.ca_file), timeout=30, allow_redirects=False)
        passed = {name: value for name, value in answer.headers.items() if name.lower() in PASSED_HEADERS}
        self.send(handler, answer.status_code, answer.content, passed)


class GceMetadataServer(_Server):
    """The GCE metadata server (`GCE_METADATA_HOST`, `GCE_METADATA_IP`): google-auth's default credentials
    on a Compute Engine VM or a GKE node."""

    email = "scanner@kubectl-imagerepo-tests.iam.gserviceaccount.com"

    def __init__(self, cloud: CloudSecrets) -> None:
        super().__init__()
        self.cloud = cloud

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        flavor = {"Metadata-Flavor": "Google"}
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        self.requests.append({"path": parts.path, "scopes": (query.get("scopes") or [""])[0]})
        if handler.headers.get("Metadata-Flavor") != "Google":
            self.send(handler, 403, b"{}", flavor)
            return
        accounts = "/computeMetadata/v1/instance/service-accounts/"
        if parts.path == "/":
            self.send(handler, 200, b"", flavor)
        elif parts.path == "/computeMetadata/v1/project/project-id":
            self.send(handler, 200, b"kubectl-imagerepo-tests", {**flavor, "Content-Type": "text/plain"})
        elif parts.path.startswith(accounts) and parts.path.endswith("/token"):
            answer = {"access_token": self.cloud.gcp_access_token, "expires_in": 3599, "token_type": "Bearer"}
            self.send(handler, 200, json.dumps(answer).encode(), flavor)
        elif parts.path.startswith(accounts):
            info = {"aliases": ["default"], "email": self.email,
                    "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}
            self.send(handler, 200, json.dumps(info).encode(), flavor)
        else:
            self.send(handler, 404, b"{}", flavor)
