"""`kubectl imagerepo resume`: remove `spec.suspend` and reconcile, as `flux resume` waits for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import scan_options

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.commands.cmdutil.selection import Selection


@click.command("resume")
@click.argument("names", nargs=-1)
@click.option("--all", "all_objects", is_flag=True, help="Resume every ImageRepository of the namespace.")
@click.option("-l", "--selector", help="Resume the ImageRepositories matching this label selector.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Reconcile each resumed object now.")
@scan_options
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_objects: bool,
    selector: str | None,
    wait: bool,
    database: Path | None,
    feature_gates: str,
) -> None:
    """Resume suspended ImageRepositories, then reconcile each of them on this machine."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = ResumeOptions.complete(
        factory,
        names=names,
        all_objects=all_objects,
        selector=selector,
        wait=wait,
        database=database,
        feature_gates=feature_gates,
    )
    execute(options, factory)


@dataclass(frozen=True)
class ResumeOptions:
    """`resume NAME... | --all | -l SEL`, then (unless `--no-wait`) a reconcile of each."""

    namespace: str
    selection: Selection
    gates: frozenset[str]
    wait: bool = True
    database: Path | None = None

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        names: tuple[str, ...] = (),
        all_objects: bool = False,
        selector: str | None = None,
        wait: bool = True,
        database: Path | None = None,
        feature_gates: str = "",
    ) -> ResumeOptions:
        from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates
        from kubectl_imagerepo.commands.cmdutil.selection import Selection

        gates = parse_feature_gates(feature_gates)
        namespace = factory.client().namespace
        return cls(namespace, Selection(tuple(names), all_objects, selector), gates, wait, database)

    def validate(self) -> None:
        self.selection.validate()

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Resume, then reconcile the resumed objects by name; 1 when anything failed."""
        from kubectl_imagerepo.commands.cmdutil.repository_scan import (
            Printer,
            cluster_options,
            cluster_sink,
            outcome_lines,
            run_reconcile,
        )
        from kubectl_imagerepo.commands.cmdutil.selection import select
        from kubectl_imagerepo.commands.cmdutil.suspension import set_suspend
        from kubectl_imagerepo.model import api
        from kubectl_imagerepo.model.errors import CommandError

        namespace = self.namespace
        selected = select(kube, namespace, self.selection)
        for gone in selected.missing:
            streams.say("failure", f"{api.KIND} object '{gone.name}' not found in {namespace} namespace")
        if not selected.objects and not selected.missing:
            streams.say("failure", f"no {api.KIND} objects found in {namespace} namespace")
            return 1
        resumed, failed = set_suspend(kube, namespace, selected.objects, False, streams)
        failed = failed or bool(selected.missing)
        if not (self.wait and resumed):
            return 1 if failed else 0
        options = cluster_options(kube, self.gates)
        sink = cluster_sink(kube, Printer(streams.err, live=True))
        failures = 0
        for obj in sorted(resumed, key=lambda o: str(o["metadata"]["name"])):
            name = obj["metadata"]["name"]
            streams.say("waiting", f"waiting for {api.KIND} reconciliation")
            try:
                result = run_reconcile(obj, sink=sink, database=self.database, options=options)
            except CommandError as failure:
                streams.say("failure", f"{api.KIND} {name} reconciliation failed: {failure}")
                failures += 1
                continue
            if result.ready:
                streams.say("success", f"{api.KIND} {name} reconciliation completed")
                streams.say(*outcome_lines(result))
            else:
                streams.say("failure", f"{api.KIND} {name} reconciliation failed: {result.message}")
                failures += 1
        if failures:
            streams.say("failure", f"reconciliation failed for {failures} {api.KIND}(s)")
            failed = True
        return 1 if failed else 0
