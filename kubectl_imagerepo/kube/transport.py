"""How requests reach the API server: the standard library, or the `kubernetes` client when needed.

`HttpTransport` speaks HTTPS with `http.client` and `ssl` (one keep-alive connection per thread),
with the kubeconfig's credentials — an `exec` plugin's too — through a proxy when Go's rules choose
one (HTTP CONNECT, or SOCKS5 through PySocks). `ClientTransport` hands requests to the `kubernetes`
client's `ApiClient` for a legacy `auth-provider`, from the context resolved as kubectl resolves it.
Both answer `(status, body)` and raise `TransportError` when the server cannot be reached.
"""

from __future__ import annotations

import base64
import os
import ssl
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from kubectl_imagerepo import __version__
from kubectl_imagerepo.kube.flags import KubeFlags
from kubectl_imagerepo.kube.kubeconfig import ClientConfig
from kubectl_imagerepo.kube.route import describe_failure
from kubectl_imagerepo.model.errors import CommandError

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.execcredential import Credential

USER_AGENT = f"kubectl-imagerepo/v{__version__}"


class TransportError(Exception):
    """The request did not get an answer: refused, unreachable, TLS failure or timeout."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


class Transport(Protocol):
    server: str
    namespace: str

    def request(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None, timeout: float | None
    ) -> Answer: ...

    def stream(
        self, target: str, headers: Mapping[str, str], timeout: float | None = None
    ) -> Iterator[bytes]: ...


def _ssl_context(
    config: ClientConfig, cert_pem: bytes | None = None, key_pem: bytes | None = None
) -> ssl.SSLContext:
    """TLS as kubectl sets it up: the cluster's CA when given (only it), else the system's roots."""
    if config.insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif config.ca_data:
        context = ssl.create_default_context(cadata=config.ca_data.decode("ascii", "replace"))
    else:
        context = ssl.create_default_context()
    cert, key = (cert_pem, key_pem) if cert_pem and key_pem else (config.cert_data, config.key_data)
    if cert and key:
        # ssl only loads a client certificate from files: a private directory, gone straight after.
        import tempfile

        with tempfile.TemporaryDirectory(prefix="kubectl-imagerepo-") as private:
            cert_file, key_file = os.path.join(private, "tls.crt"), os.path.join(private, "tls.key")
            for path, data in ((cert_file, cert), (key_file, key)):
                with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                    f.write(data)
            context.load_cert_chain(cert_file, key_file)
    return context


class HttpTransport:
    """HTTPS to the API server with the standard library."""

    def __init__(self, config: ClientConfig) -> None:
        from kubectl_imagerepo.kube.route import Route

        self.config = config
        self.server = config.server
        self.namespace = config.namespace
        parts = urlsplit(config.server)
        self._https = parts.scheme != "http"
        self._prefix = parts.path.rstrip("/")
        self._route = Route.to(config.server, config.proxy, config.tls_server_name)
        self._contexts: dict[object, ssl.SSLContext] = {}
        self._local = threading.local()
        self._exec = None
        if config.exec_config is not None:
            from kubectl_imagerepo.kube.execcredential import ExecAuthenticator

            self._exec = ExecAuthenticator(config.exec_config, config.exec_cluster)

    def _credential(self) -> Credential | None:
        """The exec plugin's credential, if the user has one (kubectl's `getting credentials: …`)."""
        if self._exec is None:
            return None
        from kubectl_imagerepo.kube.execcredential import ExecCredentialError

        try:
            return self._exec.credential()
        except ExecCredentialError as failure:
            raise TransportError(f"getting credentials: {failure}") from None

    def _context(self, credential: Credential | None) -> ssl.SSLContext | None:
        """The TLS context for this credential (a plugin's client certificate is part of it)."""
        if not self._https:
            return None
        key = None if credential is None or not credential.cert_pem else credential
        if key not in self._contexts:
            self._contexts[key] = _ssl_context(
                self.config, None if key is None else key.cert_pem, None if key is None else key.key_pem
            )
        return self._contexts[key]

    def _headers(self, headers: Mapping[str, str], credential: Credential | None) -> dict[str, str]:
        out = {"User-Agent": USER_AGENT, **self._route.headers(), **headers}
        token = self.config.token or (credential.token if credential is not None else None)
        if not token and self.config.token_file:
            try:
                with open(self.config.token_file, encoding="utf-8") as f:
                    token = f.read().strip()
            except OSError as failure:
                raise CommandError(f"error: unable to read token file: {failure.strerror}") from None
        if token:
            out["Authorization"] = f"Bearer {token}"
        elif self.config.username is not None:
            pair = f"{self.config.username}:{self.config.password or ''}".encode()
            out["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        if self.config.impersonate:
            out["Impersonate-User"] = self.config.impersonate
        return out

    def _connection(self, timeout: float | None, credential: Credential | None, fresh: bool = False) -> Any:
        context = self._context(credential)
        connection = None if fresh else getattr(self._local, "connection", None)
        if connection is not None and getattr(self._local, "context", None) is not context:
            connection.close()  # the plugin rotated its client certificate: a new TLS session
            connection = None
        if connection is None:
            connection = self._route.connection(context, timeout)
            if not fresh:
                self._local.connection, self._local.context = connection, context
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _answered(self, status: int, credential: Credential | None) -> None:
        if status == 401 and credential is not None and self._exec is not None:
            self._exec.unauthorized(credential)

    def request(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None, timeout: float | None
    ) -> Answer:
        import http.client
        import ssl

        credential = self._credential()
        for attempt in (1, 2):
            connection = self._connection(timeout, credential)
            try:
                connection.request(
                    method, self._route.target(self._prefix + target), body=body,
                    headers=self._headers(headers, credential),
                )
                response = connection.getresponse()
                answer = Answer(response.status, response.read())
                self._answered(answer.status, credential)
                return answer
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                ssl.SSLEOFError,  # the TLS form of a closed kept-alive connection (API server stopped)
            ) as failure:
                connection.close()
                self._local.connection = None
                if attempt == 2:  # a kept-alive connection the server had closed is retried once
                    raise TransportError(self._route.describe(failure)) from None
            except (OSError, http.client.HTTPException) as failure:
                connection.close()
                self._local.connection = None
                raise TransportError(self._route.describe(failure)) from None
        raise AssertionError("unreachable")

    def stream(
        self, target: str, headers: Mapping[str, str], timeout: float | None = None
    ) -> Iterator[bytes]:
        """The body of a long GET as it arrives; `timeout` bounds the connect and each read."""
        import http.client

        credential = self._credential()
        connection = self._connection(timeout, credential, fresh=True)
        try:
            connection.request(
                "GET", self._route.target(self._prefix + target), headers=self._headers(headers, credential)
            )
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as failure:
            connection.close()
            raise TransportError(self._route.describe(failure)) from None
        self._answered(response.status, credential)
        return _chunks(connection, response)


class StatusError(Exception):
    """A streamed request answered with an error status."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _chunks(connection: Any, response: Any) -> Iterator[bytes]:
    import http.client

    try:
        if not 200 <= response.status <= 299:
            raise StatusError(Answer(response.status, response.read()))
        while chunk := response.read1(65536):
            yield chunk
    except (OSError, http.client.HTTPException) as failure:  # reset, timed out, cut mid-chunk
        raise TransportError(describe_failure(failure)) from None
    finally:
        connection.close()


class ClientTransport:
    """Requests through the `kubernetes` client, for a legacy `auth-provider` user.

    The client is given the one context resolved as kubectl resolves it (never its own merge of the
    files), with no retries of its own, and its loggers are kept off the terminal.
    """

    def __init__(self, config: ClientConfig) -> None:
        import logging

        from kubernetes.client import ApiClient, Configuration
        from kubernetes.config import ConfigException, kube_config

        for name in ("urllib3", "kubernetes"):  # never Python's last-resort printer for their warnings
            logging.getLogger(name).addHandler(logging.NullHandler())
        configuration = Configuration()
        try:
            loader = kube_config.KubeConfigLoader(config_dict=dict(config.resolved or {}))
            loader.load_and_set(configuration)
        except ConfigException as bad:
            raise CommandError(f"error: {bad}") from None
        configuration.host = config.server
        configuration.retries = False
        if config.token:
            configuration.api_key = {"authorization": "Bearer " + config.token}
        if config.insecure:
            configuration.verify_ssl = False
        if config.proxy:
            configuration.proxy = config.proxy
        self._client = ApiClient(configuration)
        self._client.user_agent = USER_AGENT
        if config.impersonate:
            self._client.set_default_header("Impersonate-User", config.impersonate)
        self.server = config.server
        self.namespace = config.namespace

    def _call(
        self, method: str, target: str, headers: Mapping[str, str], body: Any, timeout: float | None
    ) -> Any:
        request = self._client.param_serialize(
            method, target, header_params=dict(headers), body=body, auth_settings=["BearerToken"]
        )
        try:
            return self._client.call_api(*request, _request_timeout=timeout)
        except Exception as failure:  # urllib3's errors: refused, DNS, TLS, timeouts
            text = str(failure)
            raise TransportError("connection refused" if "Connection refused" in text else text) from None

    def request(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None, timeout: float | None
    ) -> Answer:
        import json

        response = self._call(method, target, headers, json.loads(body) if body else None, timeout)
        return Answer(response.status, response.read())

    def stream(
        self, target: str, headers: Mapping[str, str], timeout: float | None = None
    ) -> Iterator[bytes]:
        response = self._call("GET", target, headers, None, timeout)
        if not 200 <= response.status <= 299:
            raise StatusError(Answer(response.status, response.read()))
        return _client_chunks(response.response)


def _client_chunks(raw: Any) -> Iterator[bytes]:
    try:
        yield from raw.stream(65536, decode_content=True)
    except Exception as failure:  # urllib3's errors: reset, read timeout, protocol error
        raise TransportError(describe_failure(failure)) from None
    finally:
        raw.release_conn()


def open_transport(flags: KubeFlags) -> Transport:
    """The standard-library transport when the kubeconfig allows it, else the client library's."""
    from kubectl_imagerepo.kube.kubeconfig import load_client_config

    config = load_client_config(flags)
    if config.needs_client_library:
        return ClientTransport(config)
    return HttpTransport(config)
