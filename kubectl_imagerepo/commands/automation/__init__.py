"""`kubectl imagerepo automation`: the ImageUpdateAutomation commands, each loaded on first use."""

from __future__ import annotations

import click

from kubectl_imagerepo.commands.lazy_group import LazyGroup

#: name -> (module, short help), as the root's table in cli.py.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "diff": (
        "kubectl_imagerepo.commands.automation.diff",
        "Show the change image automation would commit to a local checkout.",
    ),
    "apply": (
        "kubectl_imagerepo.commands.automation.apply",
        "Write that change to the local checkout (no commit, no push).",
    ),
    "get": ("kubectl_imagerepo.commands.automation.get", "Display one or many ImageUpdateAutomations."),
    "describe": (
        "kubectl_imagerepo.commands.automation.describe",
        "Show details of an ImageUpdateAutomation, its policies and markers.",
    ),
}


class AutomationGroup(LazyGroup):
    """The `automation` group."""

    table = SUBCOMMANDS


@click.group("automation", cls=AutomationGroup)
def command() -> None:
    """Work with Flux ImageUpdateAutomations: what their update step would write, on a local checkout."""
