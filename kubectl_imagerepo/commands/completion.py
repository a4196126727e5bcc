"""`kubectl imagerepo completion bash|zsh|fish|kubectl-shim`: print a shell completion script.

Both the scripts and kubectl's plugin completion (`completion __complete`, commands/kubectl_complete.py)
read the command tree from the root command, found through click's context.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo.commands.table import COMPLETE_VAR
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Streams

# The executable the shell scripts complete: the standalone command, not `kubectl imagerepo`
# (a script for "kubectl imagerepo" would register itself for `kubectl`, replacing kubectl's own).
EXECUTABLE = "kubectl-imagerepo"
SHELLS = ("bash", "zsh", "fish")
# Hidden: the shim runs `completion __complete WORD... PARTIAL`, kubectl's plugin completion protocol.
PROTOCOL = "__complete"

KUBECTL_SHIM = f"""#!/bin/sh
exec {EXECUTABLE} completion {PROTOCOL} "$@"
"""


@click.command(
    "completion",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("target", metavar="bash|zsh|fish|kubectl-shim")
@click.argument("words", nargs=-1, type=click.UNPROCESSED, metavar="")
def command(target: str, words: tuple[str, ...]) -> None:
    """Print a shell completion script (bash, zsh, fish).

    \b
      source <(kubectl-imagerepo completion bash)      # bash, in ~/.bashrc
      source <(kubectl-imagerepo completion zsh)       # zsh, in ~/.zshrc
      kubectl-imagerepo completion fish | source       # fish
    For `kubectl imagerepo <TAB>` with a krew install, put the kubectl shim on your PATH:
      kubectl imagerepo completion kubectl-shim > ~/.krew/bin/kubectl_complete-imagerepo
      chmod +x ~/.krew/bin/kubectl_complete-imagerepo
    """
    root = click.get_current_context().find_root()
    if target == PROTOCOL:
        from kubectl_imagerepo.commands.kubectl_complete import main

        main(words, root)
    from kubectl_imagerepo.commands.cmdutil.command import Streams

    options = CompletionOptions(target, root.command, tuple(words))
    options.validate()
    sys.exit(options.run(Streams.system()))


@dataclass(frozen=True)
class CompletionOptions:
    """`completion SHELL`: which script to print. It needs no cluster."""

    target: str
    root: click.Command
    words: tuple[str, ...] = ()

    def validate(self) -> None:
        """No extra words; a shell click can complete, or the kubectl shim."""
        if self.words:
            raise click.UsageError(f"unexpected extra arguments: {' '.join(self.words)}")
        if self.target != "kubectl-shim" and self.target not in SHELLS:
            raise InputError(f'error: unsupported shell "{self.target}": use bash, zsh, fish or kubectl-shim')

    def run(self, streams: Streams) -> int:
        streams.echo(KUBECTL_SHIM if self.target == "kubectl-shim" else shell_script(self.root, self.target))
        return 0


def shell_script(root: click.Command, shell: str) -> str:
    """click's completion script of the `root` command tree, for the standalone executable."""
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    if completion_class is None:  # pragma: no cover - click ships all three
        raise InputError(f'error: unsupported shell "{shell}"')
    source = completion_class(root, {}, EXECUTABLE, COMPLETE_VAR).source()
    return source if source.endswith("\n") else source + "\n"
