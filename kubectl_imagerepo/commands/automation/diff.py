"""`kubectl imagerepo automation diff`: the change image-automation-controller would commit, as a diff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import quiet_option, scan_options
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.automation.plan import Plan, Scope
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams

NOT_COMMITTED = "not committed, not pushed: `git diff` shows the change"


def update_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """The arguments and flags `diff` and `apply` share."""
    decorators: list[Callable[[Callable[..., Any]], Any]] = [
        click.argument("name", required=False),
        click.option(
            "--path",
            "checkout",
            type=click.Path(path_type=Path),
            default=Path("."),
            show_default=True,
            help="The local checkout (its root: spec.update.path is joined under it).",
        ),
        click.option(
            "--policy-selector",
            help="Without NAME: the ImagePolicies of -n that count, as a label selector (all when empty).",
        ),
        click.option(
            "-f",
            "--filename",
            "files",
            multiple=True,
            type=click.File("r"),
            help="Read ImageRepositories, ImagePolicies and ImageUpdateAutomations from files, no cluster.",
        ),
        click.option(
            "-o", "--output", type=click.Choice(["json", "yaml"]), help="Print the change list as data."
        ),
        quiet_option,
        scan_options,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@click.command("diff")
@update_flags
@click.option("--exit-code", is_flag=True, help="Exit 1 when there is a change (for CI), 0 when none.")
def command(ctx: click.Context, **flags: Any) -> None:
    """Show what image-automation-controller v1.2.0 would write to the checkout, as a unified diff.

    With NAME, the ImageUpdateAutomation's spec.update.path and policySelector and the ImagePolicies of
    its namespace come from the cluster; without, -n and --policy-selector say which policies count;
    with -f, everything comes from files (repositories scanned and policies resolved first). After the
    diff, the change list: file, object, old and new value, setter. Warnings on stderr say why a marker
    did not change.
    """
    run_update(ctx, write=False, **flags)


def run_update(ctx: click.Context, *, write: bool, **flags: Any) -> None:
    """Complete, validate and run `diff` or `apply`."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute
    from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates

    factory = Factory.from_context(ctx)
    options = UpdateOptions.complete(
        factory,
        name=flags["name"],
        checkout=flags["checkout"],
        policy_selector=flags["policy_selector"],
        files=tuple(flags["files"]),
        output=flags["output"],
        exit_code=flags.get("exit_code", False),
        write=write,
        quiet=flags["quiet"],
        database=flags["database"],
        gates=parse_feature_gates(flags["feature_gates"]),
    )
    execute(options, factory)


@dataclass(frozen=True)
class UpdateOptions:
    """`automation diff|apply [NAME] [--path DIR] [-f FILE…]`."""

    name: str | None
    namespace: str
    checkout: Path
    policy_selector: str | None
    files: tuple[IO[str], ...]
    output: str | None
    exit_code: bool
    write: bool
    quiet: bool
    database: Path | None
    gates: frozenset[str]

    @classmethod
    def complete(cls, factory: Factory, **values: Any) -> UpdateOptions:
        """The namespace: -n, else (against a cluster) the kubeconfig's, else `default`."""
        files = values["files"]
        namespace = (factory.flags.namespace or "default") if files else factory.client().namespace
        return cls(namespace=namespace, **values)

    def validate(self) -> None:
        if self.name is not None and self.policy_selector:
            raise InputError("error: --policy-selector applies without NAME (the automation has its own)")

    def run(self, kube: KubeClient, streams: Streams) -> int:
        from kubectl_imagerepo.commands.automation.plan import print_explanations, run_plan
        from kubectl_imagerepo.output.automation import change_data, change_table, render_data, unified_diff

        plan = run_plan(self.scope(kube, streams), self.checkout)
        print_explanations(plan, streams.err)
        changes = plan.changes
        if self.output:
            streams.echo(render_data(change_data(changes), self.output))
        elif not self.write:
            for path, old, new in plan.changed_files:
                streams.echo(unified_diff(path, old, new))
        if self.write:
            written = _write(plan)
            if not self.output:
                streams.echo(change_table(changes))
            for path in written:
                streams.echo(f"wrote {path}\n", err=True)
            if written:
                streams.echo(f"{len(written)} file(s) written; {NOT_COMMITTED}\n", err=True)
            else:
                streams.echo("no change to write\n", err=True)
            return 0
        if not self.output:
            if changes:
                streams.echo("\n" + change_table(changes))
            else:
                streams.echo("no change: the controller would commit nothing\n", err=True)
        return 1 if self.exit_code and changes else 0

    def scope(self, kube: KubeClient, streams: Streams) -> Scope:
        from kubectl_imagerepo.commands.automation.plan import scope_from_cluster

        if self.files:
            from kubectl_imagerepo.commands.automation.files import LocalRun, scope_from_files

            run = LocalRun(self.database, self.gates, self.quiet)
            return scope_from_files(self.files, self.namespace, self.name, self.policy_selector, run, streams)
        return scope_from_cluster(kube, self.namespace, self.name, self.policy_selector)


def _write(plan: Plan) -> list[str]:
    from kubectl_imagerepo.checkout.update import write_changes

    return sorted(plan.shown(path) for path in write_changes(plan.result))
