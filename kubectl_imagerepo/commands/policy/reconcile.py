"""`kubectl imagerepo policy reconcile`: resolve ImagePolicies now, as `flux reconcile image policy`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import scan_options
from kubectl_imagerepo.commands.cmdutil.selection import selection_arguments
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.commands.cmdutil.policy_resolution import PolicyRequest
    from kubectl_imagerepo.commands.cmdutil.selection import Selection


@click.command("reconcile")
@selection_arguments("Reconcile", api.POLICY_KIND)
@click.option(
    "--no-scan",
    is_flag=True,
    help="Never scan a repository first: without stored tags the policy is DependencyNotReady.",
)
@click.option(
    "--no-cross-namespace-refs",
    is_flag=True,
    help="Refuse ImageRepositories of other namespaces, as the controller's flag does.",
)
@scan_options
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_objects: bool,
    selector: str | None,
    no_scan: bool,
    no_cross_namespace_refs: bool,
    database: Path | None,
    feature_gates: str,
) -> None:
    """Resolve ImagePolicies now from this machine's tag database and write their status to the cluster.

    A requested reconcile, as `flux reconcile image policy`: the annotation is set, the policy resolved,
    its digest fetched as `digestReflectionPolicy` asks. A repository with no tags stored here is
    scanned first unless --no-scan. Exits 1 when any policy does not end Ready.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = PolicyReconcileOptions.complete(
        factory,
        names=names,
        all_objects=all_objects,
        selector=selector,
        no_scan=no_scan,
        no_cross_namespace_refs=no_cross_namespace_refs,
        database=database,
        feature_gates=feature_gates,
    )
    execute(options, factory)


@dataclass(frozen=True)
class PolicyReconcileOptions:
    """`policy reconcile NAME... | --all | -l SEL` in one namespace."""

    namespace: str
    selection: Selection
    request: PolicyRequest

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        names: tuple[str, ...] = (),
        all_objects: bool = False,
        selector: str | None = None,
        no_scan: bool = False,
        no_cross_namespace_refs: bool = False,
        database: Path | None = None,
        feature_gates: str = "",
    ) -> PolicyReconcileOptions:
        from kubectl_imagerepo.commands.cmdutil.policy_resolution import PolicyRequest
        from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates
        from kubectl_imagerepo.commands.cmdutil.selection import Selection
        from kubectl_imagerepo.model import api

        request = PolicyRequest(
            database, parse_feature_gates(feature_gates), not no_scan, no_cross_namespace_refs
        )
        selection = Selection(tuple(names), all_objects, selector, api.POLICY_KIND)
        return cls(factory.client().namespace, selection, request)

    def validate(self) -> None:
        self.selection.validate()

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Annotate and resolve each selected policy; 1 when any is missing or not Ready."""
        from kubectl_imagerepo.commands.cmdutil.policy_resolution import REQUESTED, reconcile_policy_objects
        from kubectl_imagerepo.commands.cmdutil.repository_scan import Printer
        from kubectl_imagerepo.commands.cmdutil.selection import RECONCILE_LINES, say_not_found, select
        from kubectl_imagerepo.model import api

        selected = select(kube, self.namespace, self.selection)
        printer = Printer(streams.err, live=True)
        if say_not_found(selected, api.POLICY_KIND, self.namespace, RECONCILE_LINES, printer.failure):
            return 1
        ready = reconcile_policy_objects(kube, selected.objects, self.request, printer, mode=REQUESTED)
        return 0 if ready and not selected.missing else 1
