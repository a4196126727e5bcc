"""Which objects a command acts on: the names given, else a list (all of them, or those matching -l)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError

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


@dataclass(frozen=True)
class Selection:
    """NAME... | --all | -l SELECTOR, as the action commands take it."""

    names: tuple[str, ...] = ()
    all_objects: bool = False
    selector: str | None = None
    kind: str = api.KIND

    def validate(self) -> None:
        """One of names, --all or -l; names with neither of the others."""
        if not self.names and not self.all_objects and not self.selector:
            raise InputError(f"{self.kind} name is required (or --all, or -l)")
        if self.names and (self.all_objects or self.selector):
            raise InputError("names cannot be combined with --all or -l")


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


def select(kube: KubeClient, namespace: str, selection: Selection) -> Selected:
    """The objects named (each name once), else those of the namespace matching -l (all with --all)."""
    plural = api.POLICY_PLURAL if selection.kind == api.POLICY_KIND else api.PLURAL
    if selection.names:
        found, missing = get_named(kube, namespace, selection.names, plural=plural)
        return Selected(found, missing)
    return list_matching(kube, namespace, selection.selector, plural=plural)
