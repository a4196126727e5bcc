"""The `kubectl imagerepo` command line: `main`, which runs it, and the kubectl completer's entry.

The command tree is plain data in commands/table.py: rootgroup.py builds the click group from it, and
the root `--help`, `-h` and a bare `kubectl imagerepo` are answered from it here, with
kube/flag_table.py and output/helppage.py, without importing click (importing it costs more than the
answer). tests/unit/cli/test_helppage.py holds the two pages equal, byte for byte, at every
width. Everything else runs the click group.
"""

from __future__ import annotations

import os
import sys

from kubectl_imagerepo.commands.table import (
    COMMANDS,
    COMPLETE_VAR,
    DEFAULT_LOG_LEVEL,
    HELP_HELP,
    LOG_LEVEL_HELP,
    LOG_LEVELS,
    MAX_CONTENT_WIDTH,
    PROG,
    ROOT_ARGUMENTS,
    ROOT_HELP,
    VERSION_HELP,
)

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


def complete() -> None:
    """`kubectl_complete-imagerepo WORD... PARTIAL`: kubectl's plugin completion (`completion __complete`)."""
    main(["completion", "__complete", *sys.argv[1:]])


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
    commands = [(name, COMMANDS[name].help) for name in sorted(COMMANDS)]
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
