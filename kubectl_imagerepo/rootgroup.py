"""The root click group of `kubectl imagerepo`: it loads each subcommand on first use.

Built from commands/table.py, from which cli.py also answers the root `--help` without click.
"""

from __future__ import annotations

import click

from kubectl_imagerepo import __version__
from kubectl_imagerepo.commands.cmdutil.lazy_group import LazyGroup
from kubectl_imagerepo.commands.table import (
    COMMANDS,
    DEFAULT_LOG_LEVEL,
    LOG_LEVEL_HELP,
    LOG_LEVEL_META,
    LOG_LEVELS,
    MAX_CONTENT_WIDTH,
    ROOT_HELP,
)
from kubectl_imagerepo.kube.flags import kube_options


class RootGroup(LazyGroup):
    """The root group: the subcommands of commands/table.py."""

    table = COMMANDS


@click.group(
    cls=RootGroup,
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
    callback=lambda ctx, _param, level: _keep_log_level(ctx, level),
    help=LOG_LEVEL_HELP,
)
def root() -> None:
    """The root group; its help is `ROOT_HELP`."""


def _keep_log_level(ctx: click.Context, level: str) -> None:
    """Keep `--log-level` for the command that runs: one that may log bridges it (LazyGroup)."""
    ctx.meta[LOG_LEVEL_META] = level
