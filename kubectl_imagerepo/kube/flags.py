"""kubectl's connection flags, shared by every subcommand that talks to a cluster."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from kubectl_imagerepo.kube.flag_table import KUBE_OPTIONS

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class KubeFlags:
    """What the user said about which cluster, as kubectl's ConfigFlags."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    server: str | None = None
    token: str | None = None
    certificate_authority: str | None = None
    insecure_skip_tls_verify: bool = False
    impersonate: str | None = None
    request_timeout: str = "0"


def _store(field: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value not in (None, (), False):
            overrides = ctx.meta.setdefault("kubectl_imagerepo.kube.flags", {})
            overrides[field] = value
        return value

    return callback


def kube_options(command: F) -> F:
    """Add kubectl's connection flags to a click command (or the root group).

    The values are collected in the click context, so they can be given before or after the
    subcommand, as kubectl accepts them anywhere; read them back with ``flags_from(ctx)``.
    """
    decorators: list[Callable[[F], F]] = []
    for decls, field, help_text, is_flag in KUBE_OPTIONS:
        if is_flag:
            option = click.option(
                *decls,
                field,
                is_flag=True,
                default=False,
                expose_value=False,
                callback=_store(field),
                help=help_text,
            )
        else:
            option = click.option(
                *decls, field, default=None, expose_value=False, help=help_text, callback=_store(field)
            )
        decorators.append(option)
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def flags_from(ctx: click.Context) -> KubeFlags:
    """The connection flags given anywhere on the command line."""
    overrides: dict[str, Any] = ctx.meta.get("kubectl_imagerepo.kube.flags", {})
    return dataclasses.replace(KubeFlags(), **overrides)
