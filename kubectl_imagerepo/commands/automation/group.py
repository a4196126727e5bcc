"""`kubectl imagerepo automation`: the ImageUpdateAutomation commands, each loaded on first use."""

from __future__ import annotations

import click

from kubectl_imagerepo.commands.cmdutil.lazy_group import LazyGroup
from kubectl_imagerepo.commands.table import COMMANDS


class AutomationGroup(LazyGroup):
    """The `automation` group: the subcommands of its entry in commands/table.py."""

    table = COMMANDS["automation"].subcommands


@click.group("automation", cls=AutomationGroup)
def command() -> None:
    """Work with Flux ImageUpdateAutomations: what their update step would write, on a local checkout."""
