"""How requests reach the API server: the standard library, or the `kubernetes` client when needed.

`HttpTransport` speaks HTTPS with `http.client` and `ssl` (one keep-alive connection per thread);
`ClientTransport` hands requests to the `kubernetes` client's `ApiClient`, whose kubeconfig loader
runs exec credential plugins and auth providers. Both answer `(status, body)` and raise
`TransportError` when the server cannot be reached.
"""

from __future__ import annotations

import base64
import os
import ssl
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from kubectl_imagerepo import __version__
from kubectl_imagerepo.kube.flags import KubeFlags
from kubectl_imagerepo.kube.kubeconfig import ClientConfig
from kubectl_imagerepo.model.errors import CommandError

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


def _ssl_context(config: ClientConfig) -> ssl.SSLContext:
    """TLS as kubectl sets it up: the cluster's CA when given (only it), else the system's roots."""
    if config.insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif config.ca_data:
        context = ssl.create_default_context(cadata=config.ca_data.decode("ascii", "replace"))
    else:
        context = ssl.create_default_context()
    if config.cert_data and config.key_data:
        # ssl only loads a client certificate from files: a private directory, gone straight after.
        import tempfile

        with tempfile.TemporaryDirectory(prefix="kubectl-imagerepo-") as private:
            cert, key = os.path.join(private, "tls.crt"), os.path.join(private, "tls.key")
            for path, data in ((cert, config.cert_data), (key, config.key_data)):
                with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                    f.write(data)
            context.load_cert_chain(cert, key)
    return context


class HttpTransport:
    """HTTPS to the API server with the standard library."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.server = config.server
        self.namespace = config.namespace
        parts = urlsplit(config.server)
        self._https = parts.scheme != "http"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._context = _ssl_context(config) if self._https else None
        self._local = threading.local()

    def _headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        out = {"User-Agent": USER_AGENT, **headers}
        token = self.config.token
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

    def _connection(self, timeout: float | None, fresh: bool = False) -> Any:
        import http.client

        connection = None if fresh else getattr(self._local, "connection", None)
        if connection is None:
            if self._https:
                connection = http.client.HTTPSConnection(
                    self._host, self._port, context=self._context, timeout=timeout
                )
            else:
                connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
            if not fresh:
                self._local.connection = connection
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def request(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None, timeout: float | None
    ) -> Answer:
        import http.client
        import ssl

        for attempt in (1, 2):
            connection = self._connection(timeout)
            try:
                connection.request(method, self._prefix + target, body=body, headers=self._headers(headers))
                response = connection.getresponse()
                return Answer(response.status, response.read())
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                ssl.SSLEOFError,  # the TLS form of a closed kept-alive connection (API server stopped)
            ) as failure:
                connection.close()
                self._local.connection = None
                if attempt == 2:  # a kept-alive connection the server had closed is retried once
                    raise TransportError(str(failure)) from None
            except (OSError, http.client.HTTPException) as failure:
                connection.close()
                self._local.connection = None
                raise TransportError(_describe(failure)) from None
        raise AssertionError("unreachable")

    def stream(
        self, target: str, headers: Mapping[str, str], timeout: float | None = None
    ) -> Iterator[bytes]:
        """The body of a long GET as it arrives; `timeout` bounds the connect and each read."""
        import http.client

        connection = self._connection(timeout, fresh=True)
        try:
            connection.request("GET", self._prefix + target, headers=self._headers(headers))
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as failure:
            connection.close()
            raise TransportError(_describe(failure)) from None
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
        raise TransportError(_describe(failure)) from None
    finally:
        connection.close()


def _describe(failure: BaseException) -> str:
    if isinstance(failure, ConnectionRefusedError):
        return "connection refused"
    if isinstance(failure, TimeoutError):
        return "net/http: request canceled (Client.Timeout exceeded while awaiting headers)"
    if isinstance(failure, ssl.SSLCertVerificationError):
        return f"tls: failed to verify certificate: {failure.verify_message}"
    return str(failure) or type(failure).__name__


class ClientTransport:
    """Requests through the `kubernetes` client, for kubeconfigs the standard library path can't serve."""

    def __init__(self, flags: KubeFlags) -> None:
        from kubernetes.client import ApiClient, Configuration
        from kubernetes.config import ConfigException, kube_config

        configuration = Configuration()
        paths = flags.kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
        namespace = "default"
        try:
            merger = kube_config.KubeConfigMerger(paths)
            if merger.config is not None:
                loader = kube_config.KubeConfigLoader(
                    config_dict=merger.config, active_context=flags.context, config_base_path=None
                )
                loader.load_and_set(configuration)
                namespace = (loader.current_context.get("context") or {}).get("namespace") or namespace
        except ConfigException as bad:
            raise CommandError(f"error: {bad}") from None
        if flags.server:
            configuration.host = flags.server.rstrip("/")
        if flags.token:
            configuration.api_key = {"authorization": "Bearer " + flags.token}
        if flags.certificate_authority:
            configuration.ssl_ca_cert = flags.certificate_authority
        if flags.insecure_skip_tls_verify:
            configuration.verify_ssl = False
        self._client = ApiClient(configuration)
        self._client.user_agent = USER_AGENT
        if flags.impersonate:
            self._client.set_default_header("Impersonate-User", flags.impersonate)
        self.server = str(configuration.host)
        self.namespace = flags.namespace or namespace

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
        raise TransportError(_describe(failure)) from None
    finally:
        raw.release_conn()


def open_transport(flags: KubeFlags) -> Transport:
    """The standard-library transport when the kubeconfig allows it, else the client library's."""
    from kubectl_imagerepo.kube.kubeconfig import load_client_config

    config = load_client_config(flags)
    if config.needs_client_library:
        return ClientTransport(flags)
    return HttpTransport(config)
