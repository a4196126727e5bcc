"""kubectl's connection flags, shared by every subcommand that talks to a cluster."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

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


# (param declarations, KubeFlags field, help) in kubectl's order and wording.
_OPTIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("--kubeconfig",), "kubeconfig", "Path to the kubeconfig file to use for CLI requests."),
    (("--context",), "context", "The name of the kubeconfig context to use"),
    (("-n", "--namespace"), "namespace", "If present, the namespace scope for this CLI request"),
    (("-s", "--server"), "server", "The address and port of the Kubernetes API server"),
    (("--token",), "token", "Bearer token for authentication to the API server"),
    (
        ("--certificate-authority",),
        "certificate_authority",
        "Path to a cert file for the certificate authority",
    ),
    (("--as",), "impersonate", "Username to impersonate for the operation."),
)


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
    for decls, field, help_text in _OPTIONS:
        decorators.append(
            click.option(
                *decls, field, default=None, expose_value=False, help=help_text, callback=_store(field)
            )
        )
    decorators += [
        click.option(
            "--insecure-skip-tls-verify",
            "insecure_skip_tls_verify",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store("insecure_skip_tls_verify"),
            help="If true, the server's certificate will not be checked for validity.",
        ),
        click.option(
            "--request-timeout",
            "request_timeout",
            default=None,
            expose_value=False,
            callback=_store("request_timeout"),
            help="The length of time to wait before giving up on a single server request "
            "(e.g. 1s, 2m, 3h); 0 means no timeout.",
        ),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def flags_from(ctx: click.Context) -> KubeFlags:
    """The connection flags given anywhere on the command line."""
    overrides: dict[str, Any] = ctx.meta.get("kubectl_imagerepo.kube.flags", {})
    return dataclasses.replace(KubeFlags(), **overrides)
