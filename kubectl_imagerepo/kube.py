"""Requests to the Kubernetes API server, with kubectl's configuration rules and error wording.

The `kubernetes` client is imported only when a `Kube` first connects: it loads the kubeconfig
(exec plugins, OIDC, client certificates) and carries the requests. Bodies stay plain dicts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlparse

from kubectl_imagerepo import __version__, api
from kubectl_imagerepo.errors import CommandError
from kubectl_imagerepo.flags import KubeFlags

MERGE_PATCH = "application/merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"


class ApiError(CommandError):
    """The API server answered with an error Status."""

    def __init__(self, status: int, reason: str, message: str, details: Mapping[str, Any] | None = None):
        self.status = status
        self.reason = reason
        self.message = message
        self.details: Mapping[str, Any] = details or {}
        super().__init__(self.kubectl_text())

    def kubectl_text(self) -> str:
        """kubectl's wording: `Error from server (NotFound): …`."""
        if self.status == 401:
            return f"error: You must be logged in to the server ({self.message or 'Unauthorized'})"
        return f"Error from server ({self.reason or 'Unknown'}): {self.message}"

    @property
    def not_found(self) -> bool:
        return self.status == 404

    @property
    def conflict(self) -> bool:
        return self.status == 409


class ConnectionFailed(CommandError):
    """The API server could not be reached."""


@dataclass(frozen=True)
class Cluster:
    """Where requests go, as resolved from the kubeconfig and the flags."""

    server: str
    namespace: str
    namespace_from_flag: bool


def _timeout_seconds(text: str) -> float | None:
    from kubectl_imagerepo.durations import parse_request_timeout

    try:
        return parse_request_timeout(text)
    except ValueError as bad:
        raise CommandError(f"error: invalid --request-timeout {text!r}: {bad}") from None


class Kube:
    """A connection to one API server, opened on first use."""

    def __init__(self, flags: KubeFlags) -> None:
        self.flags = flags
        self._client: Any = None
        self._cluster: Cluster | None = None
        self._timeout = _timeout_seconds(flags.request_timeout)
        self._versions: dict[str, str] = {}

    # -- configuration -------------------------------------------------------------------------
    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        from kubernetes.client import ApiClient, Configuration
        from kubernetes.config import ConfigException, kube_config

        flags = self.flags
        configuration = Configuration()
        namespace = "default"
        paths = flags.kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
        try:
            if flags.kubeconfig and not os.path.exists(flags.kubeconfig):
                raise CommandError(f"error: stat {flags.kubeconfig}: no such file or directory")
            if not flags.kubeconfig and _in_cluster() and not _any_exists(paths):
                from kubernetes.config import incluster_config

                incluster_config.load_incluster_config(client_configuration=configuration)
                namespace = _pod_namespace() or namespace
            else:
                merger = kube_config.KubeConfigMerger(paths)
                if merger.config is None:
                    if not flags.server:
                        raise CommandError(
                            "error: no configuration has been provided, try setting KUBERNETES_MASTER "
                            "environment variable"
                        )
                else:
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
        client = ApiClient(configuration)
        client.user_agent = f"kubectl-imagerepo/v{__version__}"
        if flags.impersonate:
            client.set_default_header("Impersonate-User", flags.impersonate)
        self._cluster = Cluster(
            server=configuration.host,
            namespace=flags.namespace or namespace,
            namespace_from_flag=bool(flags.namespace),
        )
        self._client = client
        return client

    @property
    def cluster(self) -> Cluster:
        self._connect()
        assert self._cluster is not None
        return self._cluster

    @property
    def namespace(self) -> str:
        """The namespace of this request: `-n`, else the context's, else `default`."""
        return self.cluster.namespace

    # -- requests ------------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str | None = None,
        timeout: float | None = None,
        stream: bool = False,
    ) -> Any:
        client = self._connect()
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        url_path = path + ("?" + urlencode(list(query)) if query else "")
        request = client.param_serialize(
            method, url_path, header_params=headers, body=body, auth_settings=["BearerToken"]
        )
        try:
            response = client.call_api(*request, _request_timeout=timeout or self._timeout)
        except Exception as failure:  # urllib3 errors: connection refused, DNS, TLS, timeouts
            _raise_connection_error(self.cluster.server, failure)
        if not 200 <= response.status <= 299:
            raise _api_error(response.status, response.read())
        if stream:
            return response.response
        data = response.read()
        return json.loads(data) if data else None

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        return self._send("GET", path, query=query)

    def post(self, path: str, body: Any, query: Sequence[tuple[str, str]] = ()) -> Any:
        return self._send("POST", path, query=query, body=body, content_type="application/json")

    def patch(
        self, path: str, body: Any, content_type: str = MERGE_PATCH, query: Sequence[tuple[str, str]] = ()
    ) -> Any:
        return self._send("PATCH", path, query=query, body=body, content_type=content_type)

    def watch(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Iterator[dict[str, Any]]:
        """Yield the events of a watch request until the server ends it."""
        response = self._send("GET", path, query=[*query, ("watch", "true")], stream=True, timeout=None)
        buffer = b""
        try:
            for chunk in response.stream(4096, decode_content=True):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        event = json.loads(line)
                        if event.get("type") == "ERROR":
                            status = event.get("object") or {}
                            raise ApiError(
                                int(status.get("code") or 500),
                                str(status.get("reason") or ""),
                                str(status.get("message") or ""),
                            )
                        yield event
        finally:
            response.release_conn()

    # -- ImageRepository paths -----------------------------------------------------------------
    def preferred_version(self, group: str = api.GROUP, resource: str = api.PLURAL) -> str:
        """The version of `group` the server prefers, as kubectl's discovery picks it."""
        if group in self._versions:
            return self._versions[group]
        try:
            found = self.get(f"/apis/{group}")
        except ApiError as missing:
            if missing.not_found:
                raise CommandError(f'error: the server doesn\'t have a resource type "{resource}"') from None
            raise
        version = str((found.get("preferredVersion") or {}).get("version") or "")
        served = [str(v.get("version")) for v in found.get("versions") or []]
        if not version and served:
            version = served[0]
        self._versions[group] = version
        return version

    def resource_path(
        self,
        namespace: str | None,
        name: str | None = None,
        *,
        subresource: str | None = None,
        group: str = api.GROUP,
        plural: str = api.PLURAL,
    ) -> str:
        """`/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]`."""
        path = f"/apis/{group}/{self.preferred_version(group, plural)}"
        if namespace is not None:
            path += f"/namespaces/{quote(namespace, safe='')}"
        path += f"/{plural}"
        if name is not None:
            path += f"/{quote(name, safe='')}"
            if subresource:
                path += f"/{subresource}"
        return path

    def list_all(self, path: str, query: Sequence[tuple[str, str]] = (), chunk: int = 500) -> dict[str, Any]:
        """List with `limit`/`continue` chunks, as kubectl does, and return one merged list."""
        items: list[Any] = []
        token = ""
        while True:
            page_query = [*query, ("limit", str(chunk))] + ([("continue", token)] if token else [])
            page = self.get(path, page_query)
            items.extend(page.get("items") or [])
            token = str((page.get("metadata") or {}).get("continue") or "")
            if not token:
                page["items"] = items
                return dict(page)


def _in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.exists(
        "/var/run/secrets/kubernetes.io/serviceaccount/token"
    )


def _any_exists(paths: str) -> bool:
    return any(os.path.exists(os.path.expanduser(p)) for p in paths.split(os.pathsep) if p)


def _pod_namespace() -> str | None:
    if os.environ.get("POD_NAMESPACE"):
        return os.environ["POD_NAMESPACE"]
    try:
        with open("/var/run/secrets/kubernetes.io/serviceaccount/namespace", encoding="utf-8") as f:
            return f.read().strip() or None
    except OSError:
        return None


def _api_error(status: int, body: bytes) -> ApiError:
    """Turn a non-2xx answer into an ApiError, reading the Status object when there is one."""
    reason, message = "", ""
    details: dict[str, Any] = {}
    try:
        decoded = json.loads(body)
        if isinstance(decoded, dict) and decoded.get("kind") == "Status":
            reason = str(decoded.get("reason") or "")
            message = str(decoded.get("message") or "")
            details = decoded.get("details") or {}
    except ValueError:
        message = body.decode("utf-8", "replace").strip()
    if not reason:
        reason = _REASONS.get(status, "Unknown")
    if not message:
        message = f"the server responded with the status code {status} but did not return more information"
    return ApiError(status, reason, message, details)


_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


def _raise_connection_error(server: str, failure: Exception) -> Any:
    """Raise kubectl's wording for a server that could not be reached."""
    host = urlparse(server).netloc or server
    text = str(failure)
    if "Connection refused" in text or "ConnectionRefused" in type(failure).__name__:
        raise ConnectionFailed(
            f"The connection to the server {host} was refused - did you specify the right host or port?"
        ) from None
    raise ConnectionFailed(f"Unable to connect to the server: {text}") from None
