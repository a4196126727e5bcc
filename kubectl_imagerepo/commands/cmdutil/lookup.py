"""Reading objects from the cluster by name (each NotFound kept apart) or by list (all, or matching -l)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient
    from kubectl_imagerepo.kube.client import ApiError


@dataclass(frozen=True)
class Missing:
    """A name the server does not know, with its NotFound answer."""

    name: str
    error: ApiError


@dataclass(frozen=True)
class Selected:
    """The objects found, the names not found, and the list's resourceVersion ("" for names)."""

    objects: list[dict[str, Any]]
    missing: list[Missing] = field(default_factory=list)
    resource_version: str = ""


def get_named(
    kube: KubeClient, namespace: str, names: Sequence[str], *, unique: bool = True, plural: str = api.PLURAL
) -> tuple[list[dict[str, Any]], list[Missing]]:
    """GET each name in order (once each when `unique`); NotFound names are returned, other errors raised."""
    from kubectl_imagerepo.kube.client import ApiError

    found: list[dict[str, Any]] = []
    missing: list[Missing] = []
    for name in dict.fromkeys(names) if unique else names:
        try:
            found.append(kube.get(kube.resource_path(namespace, name, plural=plural)))
        except ApiError as failure:
            if not failure.not_found:
                raise
            missing.append(Missing(name, failure))
    return found, missing


def list_matching(
    kube: KubeClient,
    namespace: str | None,
    selector: str | None,
    *,
    chunk: int = 500,
    plural: str = api.PLURAL,
) -> Selected:
    """Every object of `namespace` (None: all namespaces) matching the label `selector`."""
    query = [("labelSelector", selector)] if selector else []
    listed = kube.list_all(kube.resource_path(namespace, plural=plural), query, chunk=chunk)
    version = str((listed.get("metadata") or {}).get("resourceVersion") or "")
    return Selected(list(listed.get("items") or []), [], version)
