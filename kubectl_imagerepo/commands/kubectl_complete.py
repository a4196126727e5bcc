"""Completion for kubectl's plugin protocol (`kubectl_complete-imagerepo`, kubectl >= 1.26).

kubectl runs the completer with the plugin's words so far plus the partial word as the last
argument (`""` when a new word starts) and reads cobra's format from stdout: one `candidate` or
`candidate<TAB>description` per line, then `:<directive>`.

It runs as `completion __complete WORD... PARTIAL` (cli.complete, the `kubectl_complete-imagerepo`
executable, and the kubectl shim all come here), and finds the command tree through click's context:
the root command for options, commands/table.py for subcommands and what their arguments name.

The first half of this module is pure: `parse()` turns the words into a `Request` (what is being
completed) and `cobra_lines()` formats candidates. `main()` answers a request, importing a
subcommand module only once that subcommand is on the line, and the API client only for names.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.commands.table import COMMANDS, POLICIES, REPOSITORIES, find
from kubectl_imagerepo.output.formats import PLAIN_FORMATS

if TYPE_CHECKING:
    import click

# cobra's ShellCompDirective values used here.
DIRECTIVE_DEFAULT = 0
DIRECTIVE_NO_FILE = 4

COMPLETION_TARGETS: tuple[tuple[str, str], ...] = (
    ("bash", "Completion script for bash"),
    ("zsh", "Completion script for zsh"),
    ("fish", "Completion script for fish"),
    ("kubectl-shim", "The kubectl_complete-imagerepo script for kubectl's plugin completion"),
)
# Options whose value is a path: the shell's own file completion is the best answer.
PATH_OPTIONS = frozenset({"--kubeconfig", "--certificate-authority"})
HELP_OPTION = ("-h", "--help")


@dataclass(frozen=True)
class OptionSpec:
    """One option of a command: its names, whether it takes a value, its help."""

    names: tuple[str, ...]
    takes_value: bool
    help: str = ""

    @property
    def key(self) -> str:
        """The name used to refer to the option: its first long name, else its first name."""
        return next((name for name in self.names if name.startswith("--")), self.names[0])


@dataclass(frozen=True)
class CommandSpec:
    """The options a command accepts, in the order they are shown."""

    options: tuple[OptionSpec, ...] = ()

    def find(self, name: str) -> OptionSpec | None:
        return next((option for option in self.options if name in option.names), None)


class Target(Enum):
    """What kind of word is being completed."""

    SUBCOMMAND = "subcommand"
    OPTION = "option"
    OPTION_VALUE = "option-value"
    ARGUMENT = "argument"


@dataclass(frozen=True)
class Request:
    """The partial command line, read: what to complete, and what the line already says."""

    target: Target
    partial: str
    command: str | None = None
    option: str | None = None  # the option whose value is completed (its key)
    arguments: tuple[str, ...] = ()  # positional arguments after the subcommand
    values: dict[str, str] = field(default_factory=dict)  # option key -> last value given

    @property
    def namespace(self) -> str | None:
        return self.values.get("--namespace")


SpecLookup = Callable[[str | None], CommandSpec]


def parse(words: Sequence[str], spec_of: SpecLookup) -> Request:
    """Read `words` (the plugin's arguments, the partial word last) as click would parse them.

    `spec_of(None)` gives the root's options, `spec_of(name)` a subcommand's. Options are read
    before and after the subcommand; `--` ends them. After a group (an entry of commands/table.py
    with subcommands) the next word names its subcommand, and `command` becomes `<group> <subcommand>`.
    """
    *done, partial = list(words) or [""]
    command: str | None = None
    spec = spec_of(None)
    arguments: list[str] = []
    values: dict[str, str] = {}
    pending: OptionSpec | None = None
    options_ended = False
    for word in done:
        if pending is not None:
            values[pending.key] = word
            pending = None
        elif not options_ended and word == "--":
            options_ended = True
        elif not options_ended and word.startswith("-") and len(word) > 1:
            option, inline = _split_option(word, spec)
            if option is not None and option.takes_value:
                if inline is None:
                    pending = option
                else:
                    values[option.key] = inline
        elif command is None or is_group(command):
            command = word if command is None else f"{command} {word}"
            spec = spec_of(command)
        else:
            arguments.append(word)
    if pending is not None:
        return Request(Target.OPTION_VALUE, partial, command, pending.key, tuple(arguments), values)
    if not options_ended and partial.startswith("-"):
        option, inline = _split_option(partial, spec)
        if option is not None and inline is not None and option.takes_value:
            # `--namespace=fo`: cobra's shell scripts put the `--namespace=` back themselves.
            return Request(Target.OPTION_VALUE, inline, command, option.key, tuple(arguments), values)
        return Request(Target.OPTION, partial, command, None, tuple(arguments), values)
    target = Target.SUBCOMMAND if command is None or is_group(command) else Target.ARGUMENT
    return Request(target, partial, command, None, tuple(arguments), values)


def is_group(command: str) -> bool:
    """Whether the command's words name a group of subcommands (`policy`)."""
    entry = find(command)
    return entry is not None and bool(entry.subcommands)


def _split_option(word: str, spec: CommandSpec) -> tuple[OptionSpec | None, str | None]:
    """The option a word names and its inline value: `--ns=x`, `--ns`, `-nx`, `-n`."""
    if word.startswith("--"):
        name, equals, value = word.partition("=")
        return spec.find(name), (value if equals else None)
    option = spec.find(word[:2])
    if option is not None and len(word) > 2:
        return option, (word[2:] if option.takes_value else None)
    return option, None


def option_candidates(spec: CommandSpec, partial: str) -> list[tuple[str, str]]:
    """Every option name starting with `partial`, with its help."""
    found: list[tuple[str, str]] = []
    for option in spec.options:
        found += [(name, option.help) for name in option.names if name.startswith(partial)]
    return found


def filtered(candidates: Iterable[tuple[str, str]], partial: str) -> list[tuple[str, str]]:
    return [(value, text) for value, text in candidates if value.startswith(partial)]


def cobra_lines(candidates: Iterable[tuple[str, str]], directive: int = DIRECTIVE_NO_FILE) -> list[str]:
    """cobra's `__complete` output: `value` or `value<TAB>description` lines, then `:<directive>`."""
    lines = []
    for value, description in candidates:
        value = " ".join(value.split())
        if not value:
            continue
        text = " ".join(description.split())
        lines.append(f"{value}\t{text}" if text else value)
    return [*lines, f":{directive}"]


# -- answering a request (imports happen here, and only as far as needed) --------------------


def spec_from_click(command: click.Command) -> CommandSpec:
    """The visible options of a click command, with `-h/--help`."""
    import click

    options = []
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names = tuple(param.opts) + tuple(param.secondary_opts)
            takes_value = not (param.is_flag or param.count)
            options.append(OptionSpec(names, takes_value, param.help or ""))
    options.append(OptionSpec(HELP_OPTION, False, "Show this message and exit."))
    return CommandSpec(tuple(options))


def click_specs(root: click.Context) -> SpecLookup:
    """Read each command's options from the click tree under `root`, importing a subcommand on use."""

    def spec_of(name: str | None) -> CommandSpec:
        command: click.Command | None = root.command
        for word in (name or "").split():
            get_command = getattr(command, "get_command", None)
            command = None if get_command is None else get_command(root, word)
            if command is None:
                return CommandSpec()
        assert command is not None
        return spec_from_click(command)

    return spec_of


def _kube(request: Request) -> Any:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.kube.flags import KubeFlags

    return Kube(
        KubeFlags(
            kubeconfig=request.values.get("--kubeconfig"),
            context=request.values.get("--context"),
            namespace=request.namespace,
            request_timeout=request.values.get("--request-timeout", "5s"),
        )
    )


def namespace_names(request: Request) -> list[str]:
    listed = _kube(request).get("/api/v1/namespaces")
    return sorted(str(item["metadata"]["name"]) for item in listed.get("items") or [])


def object_names(request: Request, plural: str = REPOSITORIES) -> list[str]:
    kube = _kube(request)
    listed = kube.list_all(kube.resource_path(kube.namespace, plural=plural))
    return sorted(str(item["metadata"]["name"]) for item in listed.get("items") or [])


def answer(request: Request, spec_of: SpecLookup) -> list[str]:
    """The cobra lines for one request."""
    partial = request.partial
    if request.target is Target.SUBCOMMAND:
        group = None if request.command is None else find(request.command)
        table = COMMANDS if group is None else group.subcommands
        return cobra_lines(filtered(((name, table[name].help) for name in sorted(table)), partial))
    if request.target is Target.OPTION:
        return cobra_lines(option_candidates(spec_of(request.command), partial))
    if request.target is Target.OPTION_VALUE:
        if request.option == "--output":
            return cobra_lines(filtered(((value, "") for value in PLAIN_FORMATS), partial))
        if request.option == "--namespace":
            return cobra_lines(filtered(((name, "") for name in namespace_names(request)), partial))
        if request.option == "--policy":  # `tags --policy`: an ImagePolicy of the namespace
            return cobra_lines(filtered(((name, "") for name in object_names(request, POLICIES)), partial))
        if request.option in PATH_OPTIONS:
            return cobra_lines([], DIRECTIVE_DEFAULT)
        return cobra_lines([])
    if request.command == "completion" and not request.arguments:
        return cobra_lines(filtered(COMPLETION_TARGETS, partial))
    entry = None if request.command is None else find(request.command)
    if entry is not None and entry.names is not None:
        given = set(request.arguments)
        names = [name for name in object_names(request, entry.names) if name not in given]
        return cobra_lines(filtered(((name, "") for name in names), partial))
    return cobra_lines([])


def complete(words: Sequence[str], spec_of: SpecLookup) -> list[str]:
    """The completer's whole answer; any failure (no cluster, no kubeconfig) gives none and `:4`."""
    try:
        return answer(parse(words, spec_of), spec_of)
    except Exception:
        return cobra_lines([])


def main(words: Sequence[str], root: click.Context) -> None:
    """`completion __complete WORD... PARTIAL`: print the candidates for the tree under `root`, exit 0."""
    try:
        sys.stdout.write("".join(line + "\n" for line in complete(words, click_specs(root))))
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.close()
    sys.exit(0)

