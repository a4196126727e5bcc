"""The root click group of `kubectl imagerepo`: it loads each subcommand on first use.

Built from the tables of cli.py, which also answers the root `--help` from them without click.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo import __version__
from kubectl_imagerepo.cli import (
    COMMANDS,
    DEFAULT_LOG_LEVEL,
    LOG_LEVEL_HELP,
    LOG_LEVELS,
    MAX_CONTENT_WIDTH,
    ROOT_HELP,
)
from kubectl_imagerepo.kube.flags import kube_options

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when they run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command: click.Command = importlib.import_module(entry[0]).command
        return command

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Subcommand names from the table (importing none of them), then the group's options."""
        from click.shell_completion import CompletionItem

        names = [
            CompletionItem(n, help=COMMANDS[n][1])
            for n in self.list_commands(ctx)
            if n.startswith(incomplete)
        ]
        return names + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands from the table, importing none of them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(
    cls=LazyGroup,
    help=ROOT_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": MAX_CONTENT_WIDTH},
)
@click.version_option(
    __version__, "--version", prog_name="kubectl-imagerepo", message="%(prog)s version v%(version)s"
)
@kube_options
@click.option(
    "-v",
    "--log-level",
    type=click.Choice(LOG_LEVELS),
    default=DEFAULT_LOG_LEVEL,
    show_default=True,
    expose_value=False,
    callback=lambda _ctx, _param, level: _log_to_stderr(level),
    help=LOG_LEVEL_HELP,
)
def root() -> None:
    """The root group; its help is `ROOT_HELP`."""


def _log_to_stderr(level: str) -> None:
    """Send standard logging records to stderr from `level` up (see controller/logbridge.py)."""
    from kubectl_imagerepo.controller.logbridge import bridge_to_stderr

    bridge_to_stderr(level)
