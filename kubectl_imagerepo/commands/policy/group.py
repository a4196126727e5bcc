"""`kubectl imagerepo policy`: the ImagePolicy commands, each loaded on first use."""

from __future__ import annotations

import click

from kubectl_imagerepo.commands.cmdutil.lazy_group import LazyGroup

#: name -> (module, short help), as the root's table in cli.py.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "get": ("kubectl_imagerepo.commands.policy.get", "Display one or many ImagePolicies."),
    "describe": (
        "kubectl_imagerepo.commands.policy.describe",
        "Show details of ImagePolicies and their evaluation.",
    ),
    "reconcile": (
        "kubectl_imagerepo.commands.policy.reconcile",
        "Resolve ImagePolicies now, write their status.",
    ),
    "suspend": ("kubectl_imagerepo.commands.policy.suspend", "Suspend the reconciliation of ImagePolicies."),
    "resume": ("kubectl_imagerepo.commands.policy.resume", "Resume ImagePolicies and reconcile them."),
}


class PolicyGroup(LazyGroup):
    """The `policy` group."""

    table = SUBCOMMANDS


@click.group("policy", cls=PolicyGroup)
def command() -> None:
    """Work with Flux ImagePolicies: resolve them from this machine's tag database, as the controller does."""
