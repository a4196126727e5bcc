"""A click group whose subcommands are imported only when they run, listed from a table."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, ClassVar

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from kubectl_imagerepo.commands.table import Entry


class LazyGroup(click.Group):
    """Subcommands from `table` (commands/table.py); a module's `command` is imported on use.

    Listing, help and completion read the table alone, so they import no subcommand. The plugin's log
    records reach stderr only through the bridge of a command that may log (`Entry.logs`).
    """

    table: ClassVar[dict[str, Entry]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.table)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.table.get(cmd_name)
        if entry is None:
            return None
        command: click.Command = importlib.import_module(entry.module).command
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's; then the stderr bridge at the root's `--log-level`, for a command that may log.

        A command that cannot (`Entry.logs`) gets it only when a level is asked for: at `-v debug` its
        libraries' records show.
        """
        from kubectl_imagerepo.commands.table import DEFAULT_LOG_LEVEL, LOG_LEVEL_META

        name, command, rest = super().resolve_command(ctx, args)
        entry = self.table.get(name or "")
        level = ctx.meta.get(LOG_LEVEL_META, DEFAULT_LOG_LEVEL)
        if entry is not None and not entry.subcommands and (entry.logs or level != DEFAULT_LOG_LEVEL):
            from kubectl_imagerepo.controller.logbridge import bridge_to_stderr

            bridge_to_stderr(level)
        return name, command, rest

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Subcommand names from the table, then the group's options."""
        from click.shell_completion import CompletionItem

        names = [
            CompletionItem(name, help=self.table[name].help)
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
        ]
        return names + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands from the table."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, self.table[name].help) for name in self.list_commands(ctx)])
