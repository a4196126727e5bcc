"""Which objects a command acts on: the names given, else a list (all of them, or those matching -l)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

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


@dataclass(frozen=True)
class NotFoundLines:
    """What a command says for a name not found and for a selection that matched nothing.

    Formats over `kind`, `resource`, `name` and `namespace`: each command keeps the lines of the flux
    command it follows (`flux suspend`, `flux resume`, `flux reconcile` word them differently).
    """

    missing: str
    nothing: str


SUSPEND_LINES = NotFoundLines("{kind} {name} not found in {namespace} namespace", "no objects found")
RESUME_LINES = NotFoundLines(
    "{kind} object '{name}' not found in {namespace} namespace",
    "no {kind} objects found in {namespace} namespace",
)
RECONCILE_LINES = NotFoundLines(
    '{resource} "{name}" not found',
    'no {kind} objects found in "{namespace}" namespace',
)


def say_not_found(
    selected: Selected, kind: str, namespace: str, lines: NotFoundLines, fail: Callable[[str], None]
) -> bool:
    """Say each name not found, or that nothing matched; True when there is nothing to act on."""
    resource = api.POLICY_RESOURCE if kind == api.POLICY_KIND else api.RESOURCE
    for gone in selected.missing:
        fail(lines.missing.format(kind=kind, resource=resource, name=gone.name, namespace=namespace))
    if selected.objects or selected.missing:
        return False
    fail(lines.nothing.format(kind=kind, resource=resource, namespace=namespace))
    return True


_KINDS_IN_WORDS = {api.KIND: "ImageRepositories", api.POLICY_KIND: "ImagePolicies"}


def selection_arguments(verb: str, kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`NAME... | --all | -l SELECTOR` of an action command, helped as `Resume every ImagePolicy ...`."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "-l", "--selector", help=f"{verb} the {_KINDS_IN_WORDS[kind]} matching this label selector."
        )(command)
        command = click.option(
            "--all", "all_objects", is_flag=True, help=f"{verb} every {kind} of the namespace."
        )(command)
        return click.argument("names", nargs=-1)(command)

    return decorate


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
