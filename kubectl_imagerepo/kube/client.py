"""Requests to the Kubernetes API server, with kubectl's configuration rules and error wording.

Bodies are plain dicts. The transport (see `transport.py`) is opened on the first request: the
standard library for ordinary kubeconfigs, the `kubernetes` client for exec plugins and the like.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlparse

from kubectl_imagerepo.kube.flags import KubeFlags
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import CallerForbidden, CommandError

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

    @property
    def forbidden(self) -> bool:
        return self.status == 403

    def refused_to_caller(self, verb: str, resource: str, namespace: str, name: str) -> CallerForbidden:
        """This 403 as the caller's own missing right to `verb` `resource` `namespace/name`."""
        import re

        user = re.search(r'User "([^"]*)"', self.message)
        return CallerForbidden(
            verb=verb, resource=resource, namespace=namespace, name=name, user=user.group(1) if user else ""
        )


class ConnectionFailed(CommandError):
    """The API server could not be reached."""


@dataclass(frozen=True)
class Cluster:
    """Where requests go, as resolved from the kubeconfig and the flags."""

    server: str
    namespace: str


if TYPE_CHECKING:
    from kubectl_imagerepo.kube.transport import Transport


def _timeout_seconds(text: str) -> float | None:
    from kubectl_imagerepo.gocompat.durations import parse_request_timeout

    try:
        return parse_request_timeout(text)
    except ValueError as bad:
        raise CommandError(f"error: invalid --request-timeout {text!r}: {bad}") from None


class Kube:
    """A connection to one API server, opened on first use."""

    def __init__(self, flags: KubeFlags) -> None:
        self.flags = flags
        self._transport: Transport | None = None
        self._timeout = _timeout_seconds(flags.request_timeout)
        self._versions: dict[str, str] = {}

    def _connect(self) -> Transport:
        if self._transport is None:
            from kubectl_imagerepo.kube.transport import open_transport

            self._transport = open_transport(self.flags)
        return self._transport

    @property
    def cluster(self) -> Cluster:
        transport = self._connect()
        return Cluster(transport.server, transport.namespace)

    @property
    def namespace(self) -> str:
        """The namespace of this request: `-n`, else the context's, else `default`."""
        return self._connect().namespace

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
    ) -> Any:
        from kubectl_imagerepo.kube.transport import TransportError

        transport = self._connect()
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        target = path + ("?" + urlencode(list(query)) if query else "")
        # Bytes go as they are: a body whose spelling matters (a JSON patch's `test` values).
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        try:
            answer = transport.request(method, target, headers, data, timeout or self._timeout)
        except TransportError as failure:
            raise _connection_error(transport.server, str(failure)) from None
        if not 200 <= answer.status <= 299:
            raise _api_error(answer.status, answer.body)
        return json.loads(answer.body) if answer.body else None

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        return self._send("GET", path, query=query)

    def post(self, path: str, body: Any, query: Sequence[tuple[str, str]] = ()) -> Any:
        return self._send("POST", path, query=query, body=body, content_type="application/json")

    def patch(
        self, path: str, body: Any, content_type: str = MERGE_PATCH, query: Sequence[tuple[str, str]] = ()
    ) -> Any:
        return self._send("PATCH", path, query=query, body=body, content_type=content_type)

    def put(self, path: str, body: Any, query: Sequence[tuple[str, str]] = ()) -> Any:
        return self._send("PUT", path, query=query, body=body, content_type="application/json")

    def watch(
        self, path: str, query: Sequence[tuple[str, str]] = (), read_timeout: float | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield the events of a watch request until the server ends it.

        `read_timeout` bounds each wait for data, so that a server gone silent is noticed.
        """
        from kubectl_imagerepo.kube.transport import StatusError, TransportError

        transport = self._connect()
        target = path + "?" + urlencode([*query, ("watch", "true")])
        buffer = b""
        try:
            for chunk in transport.stream(target, {"Accept": "application/json"}, read_timeout):
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
        except StatusError as failure:
            raise _api_error(failure.answer.status, failure.answer.body) from None
        except TransportError as failure:
            raise _connection_error(transport.server, str(failure)) from None

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


def _connection_error(server: str, detail: str) -> ConnectionFailed:
    """kubectl's wording for a server that could not be reached."""
    host = urlparse(server).netloc or server
    if detail == "connection refused":  # the server's own refusal; a proxy's names the proxy
        return ConnectionFailed(
            f"The connection to the server {host} was refused - did you specify the right host or port?"
        )
    return ConnectionFailed(f"Unable to connect to the server: {detail}")
