"""`kubectl imagerepo resume`: remove `spec.suspend` and reconcile, as `flux resume` waits for it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import scan_options
from kubectl_imagerepo.commands.cmdutil.selection import selection_arguments
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.commands.cmdutil.selection import Selection


@click.command("resume")
@selection_arguments("Resume", api.KIND)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Reconcile each resumed object now.")
@scan_options
def command(ctx: click.Context, /, **flags: Any) -> None:
    """Resume suspended ImageRepositories, then reconcile each of them on this machine."""
    run_resume(ctx, flags, api.KIND)


def run_resume(ctx: click.Context, flags: dict[str, Any], kind: str) -> None:
    """`resume` or `policy resume` (`kind`), from the flags click parsed."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    execute(ResumeOptions.complete(factory, **flags, kind=kind), factory)


@dataclass(frozen=True)
class ResumeOptions:
    """`resume NAME... | --all | -l SEL`, then (unless `--no-wait`) a reconcile of each; `policy resume`
    for ImagePolicies, which resolves them (scanning a repository without stored tags unless `--no-scan`)."""

    namespace: str
    selection: Selection
    gates: frozenset[str]
    wait: bool = True
    database: Path | None = None
    scan: bool = True

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        names: tuple[str, ...] = (),
        all_objects: bool = False,
        selector: str | None = None,
        wait: bool = True,
        no_scan: bool = False,
        database: Path | None = None,
        feature_gates: str = "",
        kind: str = api.KIND,
    ) -> ResumeOptions:
        from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates
        from kubectl_imagerepo.commands.cmdutil.selection import Selection

        gates = parse_feature_gates(feature_gates)
        selection = Selection(tuple(names), all_objects, selector, kind)
        return cls(factory.client().namespace, selection, gates, wait, database, not no_scan)

    def validate(self) -> None:
        self.selection.validate()

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Resume, then reconcile the resumed objects by name; 1 when anything failed."""
        from kubectl_imagerepo.commands.cmdutil.selection import RESUME_LINES, say_not_found, select
        from kubectl_imagerepo.commands.cmdutil.suspension import set_suspend

        kind = self.selection.kind
        selected = select(kube, self.namespace, self.selection)
        if say_not_found(selected, kind, self.namespace, RESUME_LINES, streams.failure):
            return 1
        resumed, failed = set_suspend(kube, self.namespace, selected.objects, False, streams)
        failed = failed or bool(selected.missing)
        if not (self.wait and resumed):
            return 1 if failed else 0
        ordered = sorted(resumed, key=lambda o: str(o["metadata"]["name"]))
        if kind == api.POLICY_KIND:
            ready = self._resolve_policies(kube, ordered, streams)
        else:
            ready = self._reconcile_repositories(kube, ordered, streams)
        return 1 if failed or not ready else 0

    def _resolve_policies(self, kube: KubeClient, objects: list[dict[str, Any]], streams: Streams) -> bool:
        from kubectl_imagerepo.commands.cmdutil.policy_resolution import (
            RESUMED,
            PolicyRequest,
            reconcile_policy_objects,
        )
        from kubectl_imagerepo.commands.cmdutil.repository_scan import Printer

        request = PolicyRequest(self.database, self.gates, self.scan)
        return reconcile_policy_objects(kube, objects, request, Printer(streams.err, live=True), mode=RESUMED)

    def _reconcile_repositories(
        self, kube: KubeClient, objects: list[dict[str, Any]], streams: Streams
    ) -> bool:
        from kubectl_imagerepo.commands.cmdutil.repository_scan import (
            Printer,
            cluster_options,
            cluster_sink,
            command_lister,
            outcome_lines,
            run_reconcile,
        )
        from kubectl_imagerepo.model.errors import CommandError

        options = cluster_options(kube, self.gates)
        sink = cluster_sink(kube, Printer(streams.err, live=True))
        failures = 0
        lister = command_lister()
        for obj in objects:
            name = obj["metadata"]["name"]
            streams.say("waiting", f"waiting for {api.KIND} reconciliation")
            try:
                result = run_reconcile(
                    obj, sink=sink, database=self.database, options=options, list_tags=lister
                )
            except CommandError as failure:
                streams.failure(f"{api.KIND} {name} reconciliation failed: {failure}")
                failures += 1
                continue
            if result.ready:
                streams.say("success", f"{api.KIND} {name} reconciliation completed")
                streams.say(*outcome_lines(result))
            else:
                streams.failure(f"{api.KIND} {name} reconciliation failed: {result.message}")
                failures += 1
        if failures:
            streams.failure(f"reconciliation failed for {failures} {api.KIND}(s)")
        return not failures
