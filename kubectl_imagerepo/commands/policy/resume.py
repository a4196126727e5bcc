"""`kubectl imagerepo policy resume`: resume ImagePolicies and resolve them now (flux resume)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import scan_options

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.commands.cmdutil.policy_resolution import PolicyRequest
    from kubectl_imagerepo.commands.cmdutil.selection import Selection


@click.command("resume")
@click.argument("names", nargs=-1)
@click.option("--all", "all_objects", is_flag=True, help="Resume every ImagePolicy of the namespace.")
@click.option("-l", "--selector", help="Resume the ImagePolicies matching this label selector.")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Resolve the resumed policies now.")
@click.option("--no-scan", is_flag=True, help="Never scan a repository first (see `policy reconcile`).")
@scan_options
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_objects: bool,
    selector: str | None,
    wait: bool,
    no_scan: bool,
    database: Path | None,
    feature_gates: str,
) -> None:
    """Resume ImagePolicies, then resolve them here; exits 1 when any does not end Ready."""
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = PolicyResumeOptions.complete(
        factory,
        names=names,
        all_objects=all_objects,
        selector=selector,
        wait=wait,
        no_scan=no_scan,
        database=database,
        feature_gates=feature_gates,
    )
    execute(options, factory)


@dataclass(frozen=True)
class PolicyResumeOptions:
    """`policy resume NAME... | --all | -l SEL [--no-wait]` in one namespace."""

    namespace: str
    selection: Selection
    request: PolicyRequest
    wait: bool = True

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
    ) -> PolicyResumeOptions:
        from kubectl_imagerepo.commands.cmdutil.policy_resolution import PolicyRequest
        from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates
        from kubectl_imagerepo.commands.cmdutil.selection import Selection
        from kubectl_imagerepo.model import api

        request = PolicyRequest(database, parse_feature_gates(feature_gates), not no_scan)
        selection = Selection(tuple(names), all_objects, selector, api.POLICY_KIND)
        return cls(factory.client().namespace, selection, request, wait)

    def validate(self) -> None:
        self.selection.validate()

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Resume, then resolve the resumed policies; 1 when anything failed."""
        from kubectl_imagerepo.commands.cmdutil.policy_resolution import RESUMED, reconcile_policy_objects
        from kubectl_imagerepo.commands.cmdutil.repository_scan import Printer
        from kubectl_imagerepo.commands.cmdutil.selection import select
        from kubectl_imagerepo.commands.cmdutil.suspension import set_suspend
        from kubectl_imagerepo.model import api

        namespace = self.namespace
        selected = select(kube, namespace, self.selection)
        for gone in selected.missing:
            streams.say(
                "failure", f"{api.POLICY_KIND} object '{gone.name}' not found in {namespace} namespace"
            )
        if not selected.objects and not selected.missing:
            streams.say("failure", f"no {api.POLICY_KIND} objects found in {namespace} namespace")
            return 1
        resumed, failed = set_suspend(kube, namespace, selected.objects, False, streams)
        failed = failed or bool(selected.missing)
        if not (self.wait and resumed):
            return 1 if failed else 0
        ordered = sorted(resumed, key=lambda o: str(o["metadata"]["name"]))
        ready = reconcile_policy_objects(
            kube, ordered, self.request, Printer(streams.err, live=True), mode=RESUMED
        )
        return 1 if failed or not ready else 0
