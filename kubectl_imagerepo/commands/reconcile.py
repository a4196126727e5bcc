"""`kubectl imagerepo reconcile`: run the controller's reconcile on this machine, now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from kubectl_imagerepo.commands.cmdutil.scan_flags import quiet_option, scan_options
from kubectl_imagerepo.commands.cmdutil.selection import selection_arguments
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import Factory, KubeClient, Streams
    from kubectl_imagerepo.commands.cmdutil.repository_scan import Printer
    from kubectl_imagerepo.commands.cmdutil.selection import Selection
    from kubectl_imagerepo.model.manifests import Manifests
    from kubectl_imagerepo.reconcile.events import EventRecord


@click.command("reconcile")
@selection_arguments("Reconcile", api.KIND)
@click.option(
    "-f",
    "--filename",
    type=click.File("r"),
    help="Reconcile the manifests of this file ('-': stdin) without a cluster; print them with their status.",
)
@click.option("-o", "--output", type=click.Choice(["yaml", "json"]), default="yaml", help="Output of -f.")
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="Objects at once."
)
@click.option(
    "--no-policies",
    is_flag=True,
    help="Do not resolve the ImagePolicies of repositories whose tags changed (with -f: of the file).",
)
@quiet_option
@scan_options
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_objects: bool,
    selector: str | None,
    filename: TextIO | None,
    output: str,
    concurrency: int,
    no_policies: bool,
    quiet: bool,
    database: Path | None,
    feature_gates: str,
) -> None:
    """Scan ImageRepositories now, on this machine, and write their status to the cluster.

    A requested reconcile: `reconcile.fluxcd.io/requestedAt` and `status.lastHandledReconcileAt` get the
    same value, and the registry is scanned. The ImagePolicies of a repository whose tags changed are
    resolved after it, as the controller's repository watch does; with -f, the file's ImagePolicies.
    Exits 1 when any object fails.
    """
    from kubectl_imagerepo.commands.cmdutil.command import Factory, execute

    factory = Factory.from_context(ctx)
    options = ReconcileOptions.complete(
        factory,
        names=names,
        all_objects=all_objects,
        selector=selector,
        filename=filename,
        output=output,
        concurrency=concurrency,
        quiet=quiet,
        database=database,
        feature_gates=feature_gates,
        policies=not no_policies,
    )
    execute(options, factory)


@dataclass(frozen=True)
class ReconcileOptions:
    """`reconcile NAME... | --all | -l SEL`, or `reconcile -f FILE` without a cluster."""

    selection: Selection
    namespace: str | None
    gates: frozenset[str]
    database: Path | None = None
    concurrency: int = 4
    quiet: bool = False
    filename: TextIO | None = None
    output: str = "yaml"
    policies: bool = True

    @classmethod
    def complete(
        cls,
        factory: Factory,
        *,
        names: tuple[str, ...] = (),
        all_objects: bool = False,
        selector: str | None = None,
        filename: TextIO | None = None,
        output: str = "yaml",
        concurrency: int = 4,
        quiet: bool = False,
        database: Path | None = None,
        feature_gates: str = "",
        policies: bool = True,
    ) -> ReconcileOptions:
        """The gates parsed; the namespace from -n (with -f) or the kubeconfig (against a cluster)."""
        from kubectl_imagerepo.commands.cmdutil.scan_flags import parse_feature_gates
        from kubectl_imagerepo.commands.cmdutil.selection import Selection

        gates = parse_feature_gates(feature_gates)
        selection = Selection(tuple(names), all_objects, selector)
        namespace = factory.flags.namespace if filename is not None else factory.client().namespace
        return cls(selection, namespace, gates, database, concurrency, quiet, filename, output, policies)

    def validate(self) -> None:
        if self.filename is not None:
            chosen = self.selection
            if chosen.names or chosen.all_objects or chosen.selector:
                raise InputError("error: -f cannot be combined with names, --all or -l")
            return
        self.selection.validate()

    def run(self, kube: KubeClient, streams: Streams) -> int:
        """Reconcile the files, or the selected objects of the cluster; 1 when any failed."""
        if self.filename is not None:
            return _reconcile_files(self, streams)
        from kubectl_imagerepo.commands.cmdutil.repository_scan import ScanRequest, reconcile_selected
        from kubectl_imagerepo.commands.cmdutil.selection import select

        selected = select(kube, self.namespace or kube.namespace, self.selection)
        request = ScanRequest(self.database, self.gates, self.concurrency, self.quiet)
        changed: list[dict[str, Any]] = []
        code = reconcile_selected(kube, selected, request, streams.err, changed if self.policies else None)
        if not changed:
            return code
        policies_ready = _reconcile_policies_of(kube, changed, self, streams)
        return code if policies_ready else 1


def _reconcile_policies_of(
    kube: KubeClient, repositories: list[dict[str, Any]], options: ReconcileOptions, streams: Streams
) -> bool:
    """Resolve the ImagePolicies, of any namespace, that reference the repositories; whether all end Ready.

    Policies are listed across namespaces, as the controller's watch sees them; when that is forbidden,
    in the repositories' own namespaces. No ImagePolicy API in the cluster means no policies; an identity
    that may not list them gets a warning line, and the repositories' outcome stands.
    """
    from kubectl_imagerepo.commands.cmdutil.lookup import list_matching
    from kubectl_imagerepo.commands.cmdutil.policy_resolution import (
        FOLLOWING,
        PolicyRequest,
        reconcile_policy_objects,
    )
    from kubectl_imagerepo.commands.cmdutil.repository_scan import Printer
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.acl import policies_referencing
    from kubectl_imagerepo.model.imagerepository import ImageRepository

    def listed(namespace: str | None) -> list[dict[str, Any]]:
        return list_matching(kube, namespace, None, plural=api.POLICY_PLURAL).objects

    try:
        try:
            policies = listed(None)
        except ApiError as failure:
            if failure.status != 403:
                raise
            namespaces = sorted({str(repo["metadata"]["namespace"]) for repo in repositories})
            policies = [policy for namespace in namespaces for policy in listed(namespace)]
    except ApiError as failure:
        if failure.not_found:
            return True
        if failure.status == 403:  # may scan, may not read policies: the scans stand
            streams.say("warning", f"ImagePolicies not resolved: {failure.message}")
            return True
        raise
    chosen: dict[str, dict[str, Any]] = {}
    for repo in repositories:
        for policy in policies_referencing(ImageRepository.from_dict(repo), policies):
            chosen[str(policy["metadata"].get("uid") or id(policy))] = dict(policy)
    if not chosen:
        return True
    request = PolicyRequest(options.database, options.gates, scan=False)
    ordered = sorted(chosen.values(), key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    return reconcile_policy_objects(kube, ordered, request, Printer(streams.err, live=True), mode=FOLLOWING)


@dataclass
class LocalSink:
    """`reconcile -f`: statuses stay in memory; events are kept to be reported."""

    events: list[EventRecord] = field(default_factory=list)

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        import copy

        updated = copy.deepcopy(dict(obj))
        updated["status"] = copy.deepcopy(dict(status))
        return updated

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        self.events.append(event)


def _reconcile_files(options: ReconcileOptions, streams: Streams) -> int:
    """Reconcile a file's objects without a cluster, repositories then policies; print them with status.

    A document left out (no apiVersion or kind, a kind the plugin does not serve) gets kubectl's error
    line after the others are reconciled, and makes the exit code 1, as with `kubectl apply -f`.
    """
    from kubectl_imagerepo.model.manifests import load_manifests, read_text
    from kubectl_imagerepo.output.printers import parse_output, render_objects

    stream = options.filename
    assert stream is not None
    source = "stdin" if stream.name in ("<stdin>", "-") else stream.name
    manifests = load_manifests(read_text(stream, source), source, options.namespace or "default")
    objects, ready = reconcile_file_objects(manifests, source, options, streams)
    if manifests.skipped:
        streams.echo("".join(f"{line}\n" for line in manifests.skipped), err=True)
    if objects:
        streams.echo(render_objects(objects, parse_output(options.output), single=len(objects) == 1))
    return 0 if ready and not manifests.skipped else 1


def reconcile_file_objects(
    manifests: Manifests, source: str, options: ReconcileOptions, streams: Streams
) -> tuple[list[dict[str, Any]], bool]:
    """Reconcile the files' repositories, then resolve their policies (unless `--no-policies`).

    The objects with their status, repositories first, and whether all are Ready; progress on stderr.
    """
    from kubectl_imagerepo.commands.cmdutil.repository_scan import (
        Printer,
        command_lister,
        outcome_lines,
        run_reconcile,
        scan_progress,
    )
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.reconcile.reconciler import Options
    from kubectl_imagerepo.registry.access import FileSecrets
    from kubectl_imagerepo.store.database import LOCAL_SCOPE

    tally = scan_progress(streams.err, options.quiet)
    printer = Printer(streams.err, live=True, status=None if tally is None else tally.status)
    reconcile_options = Options(
        scope=LOCAL_SCOPE,
        feature_gates=options.gates,
        secrets=FileSecrets(manifests.secrets, manifests.service_accounts),
    )
    results = []
    lister = command_lister()
    for obj in manifests.repositories:
        meta = obj["metadata"]
        printer.say([], "waiting", f"reconciling {api.KIND} {meta['namespace']}/{meta['name']} from {source}")
        result = run_reconcile(
            obj, sink=LocalSink(), database=options.database, options=reconcile_options, tally=tally,
            list_tags=lister,
        )
        printer.say([], *outcome_lines(result))
        results.append(result)
    objects = [r.obj for r in results]
    ready = all(r.ready for r in results)
    if options.policies and manifests.policies:
        policy_objects, policies_ready = _resolve_file_policies(options, manifests, objects, printer, source)
        objects += policy_objects
        ready = ready and policies_ready
    return objects, ready


def _resolve_file_policies(
    options: ReconcileOptions,
    manifests: Manifests,
    repositories: list[dict[str, Any]],
    printer: Printer,
    source: str,
) -> tuple[list[dict[str, Any]], bool]:
    """Resolve the file's ImagePolicies over the repositories just reconciled; (the policies, all Ready)."""
    from kubectl_imagerepo.commands.cmdutil.policy_resolution import (
        policy_outcome_lines,
        run_policy_reconcile,
    )
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.reconcile.policy_reconciler import PolicyOptions
    from kubectl_imagerepo.reconcile.policy_sources import FileRepositories
    from kubectl_imagerepo.registry.access import FileSecrets
    from kubectl_imagerepo.store.database import LOCAL_SCOPE

    sources = FileRepositories(repositories, manifests.namespaces)
    policy_options = PolicyOptions(
        scope=LOCAL_SCOPE,
        feature_gates=options.gates,
        secrets=FileSecrets(manifests.secrets, manifests.service_accounts),
    )
    resolved: list[dict[str, Any]] = []
    ready = True
    for obj in manifests.policies:
        meta = obj["metadata"]
        printer.say(
            [], "waiting", f"resolving {api.POLICY_KIND} {meta['namespace']}/{meta['name']} from {source}"
        )
        result = run_policy_reconcile(
            obj, sink=LocalSink(), sources=sources, database=options.database, options=policy_options
        )
        printer.say([], *policy_outcome_lines(result))
        resolved.append(result.obj)
        ready = ready and result.ready
    return resolved, ready
