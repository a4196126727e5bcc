"""A fake cluster client and captured streams for the commands' unit tests."""

from __future__ import annotations

import copy
import io
import time
from collections.abc import Iterator, Sequence
from typing import Any

from kubectl_imagerepo.commands.cmdutil.command import Factory, Streams
from kubectl_imagerepo.kube.client import ApiError, Cluster
from kubectl_imagerepo.kube.flags import KubeFlags

GROUP = "image.toolkit.fluxcd.io"
REPOS = f"/apis/{GROUP}/v1"


class Text(io.StringIO):
    """A captured stream that says it is UTF-8, as a terminal's would, so Flux's symbols are used."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


def captured() -> tuple[Streams, Text, Text]:
    out, err = Text(), Text()
    return Streams(out, err), out, err


def repository(name: str, namespace: str = "ns", **spec: Any) -> dict[str, Any]:
    labels = spec.pop("labels", None)
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": f"uid-{name}",
                            "resourceVersion": "1", "creationTimestamp": "2026-01-01T00:00:00Z"}
    if labels:
        meta["labels"] = labels
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ImageRepository",
        "metadata": meta,
        "spec": {"image": f"registry.invalid/{name}", "interval": "5m", **spec},
    }


class Done(Exception):
    """Raised by a watch with no script left: ends the endless watch of `-w` in a test."""


def not_found(name: str) -> ApiError:
    return ApiError(404, "NotFound", f'imagerepositories.{GROUP} "{name}" not found')


class FakeKube:
    """ImageRepositories, events and CRDs in memory; every request is recorded in `requests`."""

    def __init__(self, *objects: dict[str, Any], namespace: str = "ns") -> None:
        self._namespace = namespace
        self.objects = {
            (o["metadata"]["namespace"], o["metadata"]["name"]): copy.deepcopy(o) for o in objects
        }
        self.events: list[dict[str, Any]] = []
        self.watches: list[list[dict[str, Any]]] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.crd_established = True
        self.patch_failure: ApiError | None = None
        self.endless_watch = False  # with no script left, watches end empty instead of raising Done

    @property
    def namespace(self) -> str:
        return self._namespace

    @property
    def cluster(self) -> Cluster:
        return Cluster("https://fake.invalid", self._namespace)

    def preferred_version(self, group: str = GROUP, resource: str = "imagerepositories") -> str:
        return "v1"

    def resource_path(
        self,
        namespace: str | None,
        name: str | None = None,
        *,
        subresource: str | None = None,
        group: str = GROUP,
        plural: str = "imagerepositories",
    ) -> str:
        path = f"/apis/{group}/v1" + (f"/namespaces/{namespace}" if namespace is not None else "")
        path += f"/{plural}" + (f"/{name}" if name else "") + (f"/{subresource}" if subresource else "")
        return path

    def _named(self, path: str) -> tuple[str, str] | None:
        parts = path.split("/")
        if path.startswith(REPOS + "/namespaces/") and len(parts) == 8:
            return parts[5], parts[7]
        return None

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        self.requests.append(("GET", path, list(query)))
        if path.startswith("/api/v1/namespaces/") and path.count("/") == 4:
            return {"metadata": {"labels": {}}}
        if "customresourcedefinitions" in path:
            status = "True" if self.crd_established else "False"
            return {"status": {"conditions": [{"type": "Established", "status": status}]}}
        if path.endswith("/events"):
            return {"items": list(self.events)}
        named = self._named(path)
        if named is not None:
            if named not in self.objects:
                raise not_found(named[1])
            return copy.deepcopy(self.objects[named])
        return self.list_all(path, query)

    def list_all(self, path: str, query: Sequence[tuple[str, str]] = (), chunk: int = 500) -> dict[str, Any]:
        self.requests.append(("LIST", path, list(query)))
        if path.endswith("/events"):
            return {"metadata": {"resourceVersion": "5"}, "items": list(self.events)}
        if "imagepolicies" in path:
            return {"items": []}
        selector = dict(query).get("labelSelector")
        namespace = path.split("/namespaces/")[1].split("/")[0] if "/namespaces/" in path else None
        items = [
            copy.deepcopy(o)
            for (ns, _), o in sorted(self.objects.items())
            if (namespace is None or ns == namespace) and _matches(o, selector)
        ]
        return {"metadata": {"resourceVersion": "7"}, "items": items}

    def patch(
        self, path: str, body: Any, content_type: str = "", query: Sequence[tuple[str, str]] = ()
    ) -> Any:
        self.requests.append(("PATCH", path, body))
        if self.patch_failure is not None:
            raise self.patch_failure
        named = self._named(path)
        if named is None:
            return body
        if named not in self.objects:
            raise not_found(named[1])
        merged = _merge(self.objects[named], body)
        self.objects[named] = merged
        return copy.deepcopy(merged)

    def post(self, path: str, body: Any, query: Sequence[tuple[str, str]] = ()) -> Any:
        self.requests.append(("POST", path, body))
        return body

    def put(self, path: str, body: Any, query: Sequence[tuple[str, str]] = ()) -> Any:
        self.requests.append(("PUT", path, body))
        return body

    def watch(
        self, path: str, query: Sequence[tuple[str, str]] = (), read_timeout: float | None = None
    ) -> Iterator[dict[str, Any]]:
        self.requests.append(("WATCH", path, list(query)))
        if not self.watches and self.endless_watch:
            time.sleep(0.05)
            return
        if not self.watches:
            raise Done()
        yield from self.watches.pop(0)


def _matches(obj: dict[str, Any], selector: str | None) -> bool:
    if not selector:
        return True
    labels = obj["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, _, v in (part.partition("=") for part in selector.split(",")))


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def factory(kube: FakeKube, **flags: Any) -> Factory:
    """A factory whose client is `kube`."""
    return Factory(KubeFlags(**flags), opener=lambda _flags: kube)
