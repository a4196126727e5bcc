"""`kubectl imagerepo policy`: the ImagePolicy commands, each loaded on first use."""

from __future__ import annotations

import click

from kubectl_imagerepo.commands.cmdutil.lazy_group import LazyGroup
from kubectl_imagerepo.commands.table import COMMANDS


class PolicyGroup(LazyGroup):
    """The `policy` group: the subcommands of its entry in commands/table.py."""

    table = COMMANDS["policy"].subcommands


@click.group("policy", cls=PolicyGroup)
def command() -> None:
    """Work with Flux ImagePolicies: resolve them from this machine's tag database, as the controller does."""
