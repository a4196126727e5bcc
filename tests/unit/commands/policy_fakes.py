"""A fake cluster that also serves ImagePolicies and Namespace labels, for the `policy` commands' tests."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from kubectl_imagerepo.kube.client import ApiError
from tests.unit.commands.fakes import GROUP, FakeKube

POLICIES = f"/apis/{GROUP}/v1/namespaces/"


def policy(name: str, namespace: str = "ns", repository: str = "app", **spec: Any) -> dict[str, Any]:
    """An ImagePolicy on ImageRepository `repository`, semver `>=1.0.0` unless `policy` is given."""
    labels = spec.pop("labels", None)
    status = spec.pop("status", None)
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": f"uid-{name}",
                            "resourceVersion": "1", "creationTimestamp": "2026-01-01T00:00:00Z"}
    if labels:
        meta["labels"] = labels
    obj: dict[str, Any] = {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ImagePolicy",
        "metadata": meta,
        "spec": {"imageRepositoryRef": {"name": repository},
                 "policy": {"semver": {"range": ">=1.0.0"}}, **spec},
    }
    if status is not None:
        obj["status"] = status
    return obj


def ready(image: str, tag: str, digest: str = "", **more: Any) -> dict[str, Any]:
    """A status as the controller leaves it after choosing `tag`."""
    latest = {"name": image, "tag": tag, **({"digest": digest} if digest else {})}
    message = f"Latest image tag for {image} resolved to {tag}"
    return {
        "observedGeneration": 1,
        "latestRef": latest,
        "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded", "message": message,
                        "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1}],
        **more,
    }


def policy_not_found(name: str) -> ApiError:
    return ApiError(404, "NotFound", f'imagepolicies.{GROUP} "{name}" not found')


class PolicyFakeKube(FakeKube):
    """FakeKube, with ImagePolicies kept apart from ImageRepositories and labelled namespaces."""

    def __init__(self, *objects: dict[str, Any], namespace: str = "ns") -> None:
        super().__init__(*(o for o in objects if o.get("kind") != "ImagePolicy"), namespace=namespace)
        self.policies = {
            (o["metadata"]["namespace"], o["metadata"]["name"]): copy.deepcopy(o)
            for o in objects
            if o.get("kind") == "ImagePolicy"
        }
        self.labels: dict[str, dict[str, str]] = {}

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        parts = path.split("/")
        if path.startswith(POLICIES) and len(parts) == 8 and parts[6] == "imagepolicies":
            self.requests.append(("GET", path, list(query)))
            key = (parts[5], parts[7])
            if key not in self.policies:
                raise policy_not_found(parts[7])
            return copy.deepcopy(self.policies[key])
        if path.startswith("/api/v1/namespaces/") and path.count("/") == 4 and parts[4] in self.labels:
            self.requests.append(("GET", path, list(query)))
            return {"metadata": {"name": parts[4], "labels": dict(self.labels[parts[4]])}}
        return super().get(path, query)

    def list_all(self, path: str, query: Sequence[tuple[str, str]] = (), chunk: int = 500) -> dict[str, Any]:
        if not path.endswith("/imagepolicies"):
            return super().list_all(path, query, chunk)
        self.requests.append(("LIST", path, list(query)))
        namespace = path.split("/namespaces/")[1].split("/")[0] if "/namespaces/" in path else None
        selector = dict(query).get("labelSelector")
        wanted = dict(part.partition("=")[::2] for part in selector.split(",")) if selector else {}
        items = [
            copy.deepcopy(o)
            for (ns, _), o in sorted(self.policies.items())
            if (namespace is None or ns == namespace)
            and all((o["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())
        ]
        return {"metadata": {"resourceVersion": "7"}, "items": items}
