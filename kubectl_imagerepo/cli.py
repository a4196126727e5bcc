"""The `kubectl imagerepo` command line: the root command's tables, and `main`, which runs it.

The tables (subcommands, help text, the root's own options) are plain data: rootgroup.py builds the
click group from them, and the root `--help`, `-h` and a bare `kubectl imagerepo` are answered from
them here, with kube/flag_table.py and output/helppage.py, without importing click (importing it costs
more than the answer). tests/unit/test_helppage.py holds the two pages equal, byte for byte, at every
width. Everything else runs the click group.
"""

from __future__ import annotations

import os
import sys

#: name -> (module, short help). The short help lives here so that `--help` imports no subcommand.
COMMANDS: dict[str, tuple[str, str]] = {
    "get": ("kubectl_imagerepo.commands.get", "Display one or many ImageRepositories."),
    "describe": ("kubectl_imagerepo.commands.describe", "Show details of ImageRepositories."),
    "events": ("kubectl_imagerepo.commands.events", "List the events of ImageRepositories."),
    "install": ("kubectl_imagerepo.commands.install", "Install the ImageRepository and ImagePolicy CRDs."),
    "reconcile": ("kubectl_imagerepo.commands.reconcile", "Scan ImageRepositories now, write their status."),
    "suspend": ("kubectl_imagerepo.commands.suspend", "Suspend the reconciliation of ImageRepositories."),
    "resume": ("kubectl_imagerepo.commands.resume", "Resume ImageRepositories and reconcile them."),
    "completion": (
        "kubectl_imagerepo.commands.completion",
        "Print a shell completion script (bash, zsh, fish).",
    ),
    "tags": ("kubectl_imagerepo.commands.tags", "List every tag a scan stored for an ImageRepository."),
    "run": (
        "kubectl_imagerepo.commands.run", "Keep ImageRepositories and ImagePolicies reconciled until stopped."
    ),
    "policy": ("kubectl_imagerepo.commands.policy", "Get, describe and reconcile ImagePolicies."),
    "automation": ("kubectl_imagerepo.commands.automation", "Diff and apply image automation on a checkout."),
}

PROG = "kubectl imagerepo"
ROOT_ARGUMENTS = "[OPTIONS] COMMAND [ARGS]..."
ROOT_HELP = """Reconcile Flux ImageRepository and ImagePolicy objects from your own machine.

Lists a repository's tags as Flux's image-reflector-controller does, resolves the ImagePolicies
that choose from them, and writes the status back to the cluster, so `kubectl wait`, `flux get
images` and image automation work as usual."""
#: The root's widest help page (click's `max_content_width`).
MAX_CONTENT_WIDTH = 110

LOG_LEVELS = ("debug", "info", "warning", "error")
DEFAULT_LOG_LEVEL = "warning"
LOG_LEVEL_HELP = "Show the plugin's log messages (registry retries, warnings) on stderr from this level up."

#: The help click gives its own `--version` and `--help` options.
VERSION_HELP = "Show the version and exit."
HELP_HELP = "Show this message and exit."

COMPLETE_VAR = "_KUBECTL_IMAGEREPO_COMPLETE"
HELP_ARGUMENTS = (["--help"], ["-h"])


def main(argv: list[str] | None = None) -> None:
    """Run the command line and exit: 0 success, 1 runtime failure, 2 usage error."""
    args = sys.argv[1:] if argv is None else argv
    if COMPLETE_VAR not in os.environ and (not args or args in HELP_ARGUMENTS):
        _print_root_help(usage_error=not args)
    import click

    from kubectl_imagerepo.model.errors import CommandError
    from kubectl_imagerepo.rootgroup import root

    try:
        root.main(args, prog_name=PROG, complete_var=COMPLETE_VAR, standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as usage:
        usage.show()
        sys.exit(2 if isinstance(usage, click.UsageError) else usage.exit_code)
    except CommandError as failure:
        _print_error(failure.display())
        sys.exit(failure.exit_code)
    except (KeyboardInterrupt, click.exceptions.Abort):
        _print_error("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    sys.exit(0)


def root_help_page() -> str:
    """The root's `--help` page at the terminal's width, as click would print it."""
    from kubectl_imagerepo.kube.flag_table import KUBE_OPTIONS
    from kubectl_imagerepo.output.helppage import help_page, page_width

    options = [("--version", VERSION_HELP)]
    for decls, _field, help_text, is_flag in KUBE_OPTIONS:
        names = ", ".join(sorted(decls, key=lambda decl: len(decl) - len(decl.lstrip("-"))))
        options.append((names if is_flag else names + " TEXT", help_text))
    options.append(
        (f"-v, --log-level [{'|'.join(LOG_LEVELS)}]", f"{LOG_LEVEL_HELP}  [default: {DEFAULT_LOG_LEVEL}]")
    )
    options.append(("-h, --help", HELP_HELP))
    commands = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
    sections = [("Options", options), ("Commands", commands)]
    return help_page(PROG, ROOT_ARGUMENTS, ROOT_HELP, sections, page_width(MAX_CONTENT_WIDTH))


def _print_root_help(*, usage_error: bool) -> None:
    """Print the root's help and exit: on stdout with 0 when asked for, on stderr with 2 without arguments."""
    stream = sys.stderr if usage_error else sys.stdout
    try:
        stream.write(root_help_page())
        stream.flush()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    sys.exit(2 if usage_error else 0)


def _print_error(message: str) -> None:
    print(message, file=sys.stderr)
