"""The command tree of `kubectl imagerepo` as plain data: adding a command is one entry here.

cli.py answers the root's `--help` from it without importing click, rootgroup.py and the `policy`
group build their click groups from it, and the completer (commands/kubectl_complete.py) reads from it
which subcommands there are and which resource their arguments name.
"""

from __future__ import annotations


class Entry:
    """One command: the module defining it as `command`, its short help, what its arguments name.

    `logs` is False for a command that reaches neither the registry nor the reconciler, so none of the
    plugin's records can come: it starts without their stderr bridge (and `logging`) unless `-v` asks.

    A plain class rather than a frozen dataclass: the root's `--help` reads this table before anything
    else is imported, and importing dataclasses would cost that answer about a third of its time.
    """

    __slots__ = ("help", "logs", "module", "names", "subcommands")

    def __init__(
        self,
        module: str,
        help: str,
        names: str | None = None,
        subcommands: dict[str, Entry] | None = None,
        *,
        logs: bool = True,
    ) -> None:
        self.module = module
        self.help = help
        #: The resource (plural) the positional arguments name, for completion; None when they name none.
        self.names = names
        #: A group's subcommands, by name; empty for a command that is no group.
        self.subcommands: dict[str, Entry] = subcommands or {}
        self.logs = logs


REPOSITORIES = "imagerepositories"
POLICIES = "imagepolicies"
AUTOMATIONS = "imageupdateautomations"

_COMMANDS = "kubectl_imagerepo.commands"
_POLICY = f"{_COMMANDS}.policy"
_AUTOMATION = f"{_COMMANDS}.automation"

#: The root's subcommands, by name.
COMMANDS: dict[str, Entry] = {
    "get": Entry(f"{_COMMANDS}.get", "Display one or many ImageRepositories.", REPOSITORIES, logs=False),
    "describe": Entry(
        f"{_COMMANDS}.describe", "Show details of ImageRepositories.", REPOSITORIES, logs=False
    ),
    "events": Entry(
        f"{_COMMANDS}.events", "List the events of ImageRepositories.", REPOSITORIES, logs=False
    ),
    "install": Entry(f"{_COMMANDS}.install", "Install the ImageRepository and ImagePolicy CRDs.", logs=False),
    "reconcile": Entry(
        f"{_COMMANDS}.reconcile", "Scan ImageRepositories now, write their status.", REPOSITORIES
    ),
    "suspend": Entry(
        f"{_COMMANDS}.suspend", "Suspend the reconciliation of ImageRepositories.", REPOSITORIES, logs=False
    ),
    "resume": Entry(f"{_COMMANDS}.resume", "Resume ImageRepositories and reconcile them.", REPOSITORIES),
    "completion": Entry(
        f"{_COMMANDS}.completion", "Print a shell completion script (bash, zsh, fish).", logs=False
    ),
    "tags": Entry(
        f"{_COMMANDS}.tags", "List every tag a scan stored for an ImageRepository.", REPOSITORIES
    ),
    "run": Entry(f"{_COMMANDS}.run", "Keep ImageRepositories and ImagePolicies reconciled until stopped."),
    "policy": Entry(
        f"{_POLICY}.group",
        "Get, describe and reconcile ImagePolicies.",
        subcommands={
            "get": Entry(f"{_POLICY}.get", "Display one or many ImagePolicies.", POLICIES, logs=False),
            "describe": Entry(
                f"{_POLICY}.describe", "Show details of ImagePolicies and their evaluation.", POLICIES
            ),
            "reconcile": Entry(
                f"{_POLICY}.reconcile", "Resolve ImagePolicies now, write their status.", POLICIES
            ),
            "suspend": Entry(
                f"{_POLICY}.suspend", "Suspend the reconciliation of ImagePolicies.", POLICIES, logs=False
            ),
            "resume": Entry(f"{_POLICY}.resume", "Resume ImagePolicies and reconcile them.", POLICIES),
        },
    ),
    "automation": Entry(
        f"{_AUTOMATION}.group",
        "Diff and apply image automation on a checkout.",
        subcommands={
            "diff": Entry(
                f"{_AUTOMATION}.diff", "Show the change image automation would commit to a checkout.",
                AUTOMATIONS,
            ),
            "apply": Entry(
                f"{_AUTOMATION}.apply", "Write that change to the checkout (no commit, no push).", AUTOMATIONS
            ),
            "get": Entry(
                f"{_AUTOMATION}.get", "Display one or many ImageUpdateAutomations.", AUTOMATIONS, logs=False
            ),
            "describe": Entry(
                f"{_AUTOMATION}.describe", "Show an ImageUpdateAutomation, its policies and markers.",
                AUTOMATIONS, logs=False,
            ),
        },
    ),
}


def find(path: str) -> Entry | None:
    """The entry of a command named by its words under the root (`get`, `policy get`), or None."""
    entry: Entry | None = None
    table = COMMANDS
    for word in path.split():
        entry = table.get(word)
        if entry is None:
            return None
        table = entry.subcommands
    return entry


# -- the root command ------------------------------------------------------------------------------

PROG = "kubectl imagerepo"
#: The environment variable that asks click for shell completion (its scripts set it).
COMPLETE_VAR = "_KUBECTL_IMAGEREPO_COMPLETE"
ROOT_ARGUMENTS = "[OPTIONS] COMMAND [ARGS]..."
ROOT_HELP = """Reconcile Flux ImageRepository and ImagePolicy objects from your own machine.

Lists a repository's tags as Flux's image-reflector-controller does, resolves the ImagePolicies
that choose from them, and writes the status back to the cluster, so `kubectl wait`, `flux get
images` and image automation work as usual."""
#: The root's widest help page (click's `max_content_width`).
MAX_CONTENT_WIDTH = 110

LOG_LEVELS = ("debug", "info", "warning", "error")
#: Where the root's `--log-level` is kept (`click.Context.meta`) until a command that logs runs.
LOG_LEVEL_META = "kubectl_imagerepo.log_level"
DEFAULT_LOG_LEVEL = "warning"
LOG_LEVEL_HELP = "Show the plugin's log messages (registry retries, warnings) on stderr from this level up."

#: The help click gives its own `--version` and `--help` options.
VERSION_HELP = "Show the version and exit."
HELP_HELP = "Show this message and exit."
