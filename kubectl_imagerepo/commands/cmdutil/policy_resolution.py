"""The policy runner of `policy reconcile`, `policy resume` and `reconcile`: scan first when needed, resolve.

A policy reads the tags this machine stored for its ImageRepository. When there are none, the
repository is reconciled first (its status written, as `reconcile` writes it) unless `--no-scan`
asks for the controller's DependencyNotReady instead (see docs/behaviour.md, Reconciling an ImagePolicy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient
    from kubectl_imagerepo.commands.cmdutil.repository_scan import Printer
    from kubectl_imagerepo.reconcile.outcome import StatusSink
    from kubectl_imagerepo.reconcile.policy_reconciler import PolicyOptions, PolicyResult
    from kubectl_imagerepo.reconcile.policy_sources import RepositorySource
    from kubectl_imagerepo.reconcile.reconciler import Options


#: How `reconcile_policy_objects` introduces each policy: `flux reconcile image policy`'s lines, `flux
#: resume image policy`'s, or a line saying why a repository's reconcile resolves it.
REQUESTED = "requested"
RESUMED = "resumed"
FOLLOWING = "following"


@dataclass(frozen=True)
class PolicyRequest:
    """How to resolve policies: the tag database, the gates, whether a repository without tags is scanned."""

    database: Path | None
    gates: frozenset[str]
    scan: bool = True
    no_cross_namespace_refs: bool = False


def policy_outcome_lines(result: PolicyResult) -> tuple[str, str]:
    """Flux's closing line: `✔ selected ref <ref>`, or why not."""
    from kubectl_imagerepo.model import api

    if result.ready and result.latest:
        return "success", f"selected ref {result.latest}"
    if result.stalled:
        return "failure", result.message
    return "failure", f"{api.POLICY_KIND} reconciliation failed: '{result.message}'"


def run_policy_reconcile(
    obj: Mapping[str, Any],
    *,
    sink: StatusSink,
    sources: RepositorySource,
    database: Path | None,
    options: PolicyOptions,
    scan_first: Callable[[Mapping[str, Any]], None] | None = None,
) -> PolicyResult:
    """One policy reconcile with its own database connection; `scan_first(repo)` when none are stored."""
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.errors import CallerForbidden
    from kubectl_imagerepo.model.imagepolicy import ImagePolicy
    from kubectl_imagerepo.reconcile.policy_reconciler import reconcile_policy
    from kubectl_imagerepo.reconcile.policy_sources import SourceError
    from kubectl_imagerepo.registry.access import fetch_digest
    from kubectl_imagerepo.store.database import TagStore, default_path, object_key

    with TagStore(database or default_path()) as store:
        if scan_first is not None:
            policy = ImagePolicy.from_dict(obj)
            namespace, name = policy.repository_namespace(), policy.image_repository_ref.name
            try:
                repo = sources.repository(namespace, name)
            except SourceError:
                repo = None  # the policy's own reconcile reports it
            except CallerForbidden as refused:
                raise refused.about(f"{api.POLICY_KIND} {policy.namespace}/{policy.name}") from None
            meta = (repo or {}).get("metadata") or {}
            if (
                repo is not None
                and not (repo.get("spec") or {}).get("suspend")
                and store.read(object_key(options.scope, meta.get("uid"), namespace, name)) is None
            ):
                scan_first(repo)
        return reconcile_policy(
            obj, sink=sink, store=store, sources=sources, fetch_digest=fetch_digest, options=options
        )


def cluster_policy_options(repo_options: Options, request: PolicyRequest) -> PolicyOptions:
    """The policy reconcile options against this cluster, sharing the repositories' id, gates and Secrets."""
    from kubectl_imagerepo.reconcile.policy_reconciler import PolicyOptions

    return PolicyOptions(
        scope=repo_options.scope,
        as_caller=repo_options.as_caller,
        feature_gates=repo_options.feature_gates,
        secrets=repo_options.secrets,
        no_cross_namespace_refs=request.no_cross_namespace_refs,
    )


def reconcile_policy_objects(
    kube: KubeClient,
    objects: list[dict[str, Any]],
    request: PolicyRequest,
    printer: Printer,
    *,
    mode: str,
) -> bool:
    """Resolve each policy, introduced as `mode` says, in Flux's lines; whether all end Ready."""
    from kubectl_imagerepo.commands.cmdutil.command import as_kube
    from kubectl_imagerepo.commands.cmdutil.repository_scan import (
        annotate_requested,
        cluster_options,
        cluster_sink,
        command_lister,
        outcome_lines,
        run_reconcile,
    )
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.errors import CommandError
    from kubectl_imagerepo.reconcile.policy_sources import ClusterRepositories

    repo_options = cluster_options(kube, request.gates)
    options = cluster_policy_options(repo_options, request)
    sink = cluster_sink(kube, printer)
    sources = ClusterRepositories(as_kube(kube), as_caller=True)
    all_ready = True
    lister = command_lister()

    def scan_first(repo: Mapping[str, Any]) -> None:
        meta = repo["metadata"]
        printer.say(
            [],
            "waiting",
            f"scanning {api.KIND} {meta['namespace']}/{meta['name']}: no tags stored on this machine",
        )
        result = run_reconcile(
            repo, sink=sink, database=request.database, options=repo_options, list_tags=lister
        )
        printer.say([], *outcome_lines(result))

    for obj in objects:
        meta = obj["metadata"]
        name, namespace = meta["name"], meta["namespace"]
        try:
            if (obj.get("spec") or {}).get("suspend"):
                printer.say([], "failure", "resource is suspended")
                all_ready = False
                continue
            if mode == REQUESTED:
                printer.say([], "action", f"annotating {api.POLICY_KIND} {name} in {namespace} namespace")
                obj = annotate_requested(kube, obj)
                printer.say([], "success", f"{api.POLICY_KIND} annotated")
            if mode == FOLLOWING:
                printer.say(
                    [],
                    "waiting",
                    f"resolving {api.POLICY_KIND} {namespace}/{name}: its repository's tags changed",
                )
            else:
                printer.say([], "waiting", f"waiting for {api.POLICY_KIND} reconciliation")
            result = run_policy_reconcile(
                obj,
                sink=sink,
                sources=sources,
                database=request.database,
                options=options,
                scan_first=scan_first if request.scan else None,
            )
        except CommandError as failure:
            printer.say([], "failure", str(failure).removeprefix("error: "))
            all_ready = False
            continue
        if mode == RESUMED and result.ready:
            printer.say([], "success", f"{api.POLICY_KIND} {name} reconciliation completed")
        printer.say([], *policy_outcome_lines(result))
        all_ready = all_ready and result.ready
    return all_ready
