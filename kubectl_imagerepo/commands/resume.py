"""`kubectl imagerepo resume`: remove `spec.suspend` and reconcile, as `flux resume` waits for it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kubectl_imagerepo.commands.reconcile import (
    outcome_lines,
    parse_feature_gates,
    run_reconcile,
    scan_options,
)
from kubectl_imagerepo.kube.flags import flags_from


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
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.errors import CommandError
    from kubectl_imagerepo.output.fluxlog import say
    from kubectl_imagerepo.reconcile.actions import ClusterSink, cluster_id, select_objects, set_suspend
    from kubectl_imagerepo.reconcile.reconciler import Options
    from kubectl_imagerepo.registry.access import ClusterSecrets

    gates = parse_feature_gates(feature_gates)
    kube = Kube(flags_from(ctx))
    namespace = kube.namespace
    objects, missing = select_objects(kube, namespace, names, all_objects, selector)
    for name in missing:
        say("failure", f"{api.KIND} object '{name}' not found in {namespace} namespace")
    if not objects and not missing:
        say("failure", f"no {api.KIND} objects found in {namespace} namespace")
        sys.exit(1)
    resumed, failed = set_suspend(kube, namespace, objects, suspend=False)
    failed = failed or bool(missing)
    if wait and resumed:
        options = Options(cluster_id=cluster_id(kube), feature_gates=gates, secrets=ClusterSecrets(kube))
        sink = ClusterSink(kube)
        failures = 0
        for obj in sorted(resumed, key=lambda o: str(o["metadata"]["name"])):
            name = obj["metadata"]["name"]
            say("waiting", f"waiting for {api.KIND} reconciliation")
            try:
                result = run_reconcile(obj, sink=sink, database=database, options=options)
            except CommandError as failure:
                say("failure", f"{api.KIND} {name} reconciliation failed: {failure}")
                failures += 1
                continue
            if result.ready:
                say("success", f"{api.KIND} {name} reconciliation completed")
                say(*outcome_lines(result))
            else:
                say("failure", f"{api.KIND} {name} reconciliation failed: {result.message}")
                failures += 1
        if failures:
            say("failure", f"reconciliation failed for {failures} {api.KIND}(s)")
            failed = True
    sys.exit(1 if failed else 0)
