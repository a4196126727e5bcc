"""Which objects an action command (suspend, resume, reconcile; either kind) acts on, and what it says.

NAME... | --all | -l SELECTOR: the names given, else a list (all of them, or those matching -l); a name
not found and a selection that matched nothing are said in the words of the flux command it follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.cmdutil.lookup import Selected, get_named, list_matching
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient


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


def select(kube: KubeClient, namespace: str, selection: Selection) -> Selected:
    """The objects named (each name once), else those of the namespace matching -l (all with --all)."""
    plural = api.POLICY_PLURAL if selection.kind == api.POLICY_KIND else api.PLURAL
    if selection.names:
        found, missing = get_named(kube, namespace, selection.names, plural=plural)
        return Selected(found, missing)
    return list_matching(kube, namespace, selection.selector, plural=plural)
