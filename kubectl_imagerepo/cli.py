"""The `kubectl imagerepo` command line: a root group that loads each subcommand on first use."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo import __version__
from kubectl_imagerepo.kube.flags import kube_options
from kubectl_imagerepo.model.errors import CommandError

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

# name -> (module, short help). The short help lives here so that `--help` imports no subcommand.
COMMANDS: dict[str, tuple[str, str]] = {
    "get": ("kubectl_imagerepo.commands.get", "Display one or many ImageRepositories."),
    "describe": ("kubectl_imagerepo.commands.describe", "Show details of ImageRepositories."),
    "events": ("kubectl_imagerepo.commands.events", "List the events of ImageRepositories."),
    "install": ("kubectl_imagerepo.commands.install", "Install the ImageRepository CRD in the cluster."),
    "reconcile": ("kubectl_imagerepo.commands.reconcile", "Scan ImageRepositories now, write their status."),
    "suspend": ("kubectl_imagerepo.commands.suspend", "Suspend the reconciliation of ImageRepositories."),
    "resume": ("kubectl_imagerepo.commands.resume", "Resume ImageRepositories and reconcile them."),
    "completion": (
        "kubectl_imagerepo.commands.completion",
        "Print a shell completion script (bash, zsh, fish).",
    ),
    "tags": ("kubectl_imagerepo.commands.tags", "List every tag a scan stored for an ImageRepository."),
    "run": ("kubectl_imagerepo.commands.run", "Keep ImageRepositories reconciled until stopped."),
}


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
        """Subcommand names from the table above (importing none of them), then the group's options."""
        from click.shell_completion import CompletionItem

        names = [
            CompletionItem(n, help=COMMANDS[n][1])
            for n in self.list_commands(ctx)
            if n.startswith(incomplete)
        ]
        return names + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands from the table above, importing none of them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.version_option(
    __version__, "--version", prog_name="kubectl-imagerepo", message="%(prog)s version v%(version)s"
)
@kube_options
@click.option(
    "-v",
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    show_default=True,
    expose_value=False,
    callback=lambda _ctx, _param, level: _log_to_stderr(level),
    help="Show the plugin's log messages (registry retries, warnings) on stderr from this level up.",
)
def root() -> None:
    """Reconcile Flux ImageRepository objects from your own machine.

    Lists a repository's tags as Flux's image-reflector-controller does and writes the status back
    to the cluster, so `kubectl wait`, `flux get images` and ImagePolicies work as usual.
    """


def _log_to_stderr(level: str) -> None:
    """Send standard logging records to stderr from `level` up (see controller/logbridge.py)."""
    from kubectl_imagerepo.controller.logbridge import bridge_to_stderr

    bridge_to_stderr(level)


def main(argv: list[str] | None = None) -> None:
    """Run the command line and exit: 0 success, 1 runtime failure, 2 usage error."""
    args = sys.argv[1:] if argv is None else argv
    try:
        root.main(
            args,
            prog_name="kubectl imagerepo",
            complete_var="_KUBECTL_IMAGEREPO_COMPLETE",
            standalone_mode=False,
        )
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as usage:
        usage.show()
        sys.exit(2 if isinstance(usage, click.UsageError) else usage.exit_code)
    except CommandError as failure:
        _print_error(str(failure))
        sys.exit(failure.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        _print_error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    sys.exit(0)


def _print_error(message: str) -> None:
    stream: Any = sys.stderr
    print(message, file=stream)
