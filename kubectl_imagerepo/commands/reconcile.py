"""`kubectl imagerepo reconcile`: run the controller's reconcile on this machine, now."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kubectl_imagerepo.kube.flags import flags_from, kube_options
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.output.progress import ScanTally, StatusLine
    from kubectl_imagerepo.reconcile.events import EventRecord
    from kubectl_imagerepo.reconcile.reconciler import Options, Progress, Result, StatusSink


def database_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--database PATH` (default: $KUBECTL_IMAGEREPO_DATABASE, else the user data directory)."""
    return click.option(
        "--database",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The local tag database (default: $KUBECTL_IMAGEREPO_DATABASE, else the user data directory).",
    )(command)


def feature_gates_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--feature-gates",
        default="",
        help="Comma-separated Name=true|false, as the controller: ObjectLevelWorkloadIdentity.",
    )(command)


def quiet_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--quiet/-q`: no progress line while scanning (there is none when stderr is not a terminal)."""
    return click.option(
        "-q", "--quiet", is_flag=True, help="Show no progress line on the terminal while scanning."
    )(command)


def scan_progress(quiet: bool) -> ScanTally | None:
    """The tally of scans shown on stderr's status line, or None when stderr has none (`--quiet`, no TTY)."""
    import os

    from kubectl_imagerepo.output.fluxlog import line
    from kubectl_imagerepo.output.progress import ScanTally, status_line

    status = status_line(sys.stderr, quiet=quiet, environ=os.environ)
    return None if status is None else ScanTally(status, prefix=line("waiting", ""))


def scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of every command that may scan: --database, --feature-gates, kubectl's flags."""
    return database_option(feature_gates_option(kube_options(click.pass_context(command))))


def parse_feature_gates(text: str) -> frozenset[str]:
    """The enabled gates of `A=true,B=false`."""
    known = {"ObjectLevelWorkloadIdentity"}
    enabled = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        if name not in known or value.lower() not in ("true", "false"):
            raise InputError(f"error: --feature-gates: unknown feature gate or value {item!r}")
        if value.lower() == "true":
            enabled.add(name)
    return frozenset(enabled)


@dataclass
class Printer:
    """Flux's progress lines, kept together per object when several run at once."""

    live: bool
    status: StatusLine | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def block(self) -> list[str]:
        return []

    def say(self, lines: list[str], kind: str, message: str) -> None:
        from kubectl_imagerepo.output.fluxlog import line

        if self.live:
            with self.lock:
                self._print(line(kind, message))
        else:
            lines.append(line(kind, message))

    def flush(self, lines: list[str]) -> None:
        if lines:
            with self.lock:
                self._print("\n".join(lines))

    def _print(self, text: str) -> None:
        if self.status is None:
            print(text, file=sys.stderr, flush=True)
        else:
            self.status.print(text)


def run_reconcile(
    obj: Mapping[str, Any],
    *,
    sink: StatusSink,
    database: Path | None,
    options: Options,
    tally: ScanTally | None = None,
) -> Result:
    """One reconcile with its own connection to the tag database (SQLite connections stay per thread).

    With a `tally`, the registry listing's pages and tags show on its status line until it ends.
    """
    from kubectl_imagerepo.reconcile.reconciler import reconcile
    from kubectl_imagerepo.registry.access import scan_tags
    from kubectl_imagerepo.store.database import TagStore, default_path

    tracked = None if tally is None else tally.start(str((obj.get("spec") or {}).get("image", "")))
    progress: Progress | None = tracked
    try:
        with TagStore(database or default_path()) as store:
            return reconcile(
                obj, sink=sink, store=store, list_tags=scan_tags, options=options, progress=progress
            )
    finally:
        if tracked is not None:
            tracked.finish()


def outcome_lines(result: Result) -> tuple[str, str]:
    """The closing line of an object: `✔ scan fetched N tags` or `✗ <Ready message>`."""
    if result.ready:
        return "success", f"scan fetched {result.tag_count or 0} tags"
    return "failure", result.message or "reconciliation failed"


@click.command("reconcile")
@click.argument("names", nargs=-1)
@click.option("--all", "all_objects", is_flag=True, help="Reconcile every ImageRepository of the namespace.")
@click.option("-l", "--selector", help="Reconcile the ImageRepositories matching this label selector.")
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
@quiet_option
@scan_options
def command(
    ctx: click.Context,
    names: tuple[str, ...],
    all_objects: bool,
    selector: str | None,
    filename: Any,
    output: str,
    concurrency: int,
    quiet: bool,
    database: Path | None,
    feature_gates: str,
) -> None:
    """Scan ImageRepositories now, on this machine, and write their status to the cluster.

    A requested reconcile: `reconcile.fluxcd.io/requestedAt` and `status.lastHandledReconcileAt` get the
    same value, and the registry is scanned. Exits 1 when any object fails.
    """
    gates = parse_feature_gates(feature_gates)
    if filename is not None:
        if names or all_objects or selector:
            raise InputError("error: -f cannot be combined with names, --all or -l")
        sys.exit(_reconcile_files(filename, output, database, gates, flags_from(ctx).namespace, quiet))
    from kubectl_imagerepo.kube.client import Kube

    kube = Kube(flags_from(ctx))
    sys.exit(
        reconcile_in_cluster(kube, names, all_objects, selector, concurrency, database, gates, quiet=quiet)
    )


def reconcile_in_cluster(
    kube: Kube,
    names: Sequence[str],
    all_objects: bool,
    selector: str | None,
    concurrency: int,
    database: Path | None,
    gates: frozenset[str],
    *,
    quiet: bool = False,
) -> int:
    """Annotate, reconcile and report each selected object; the exit code.

    On a terminal (and without `quiet`) the scans' progress shows on a status line on stderr.
    """
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.reconcile.actions import ClusterSink, cluster_id, select_objects
    from kubectl_imagerepo.reconcile.reconciler import Options
    from kubectl_imagerepo.registry.access import ClusterSecrets

    namespace = kube.namespace
    objects, missing = select_objects(kube, namespace, names, all_objects, selector)
    tally = scan_progress(quiet)
    printer = Printer(live=len(objects) + len(missing) <= 1, status=None if tally is None else tally.status)
    for name in missing:
        printer.say([], "failure", f'{api.RESOURCE} "{name}" not found')
    if not objects and not missing:
        printer.say([], "failure", f'no {api.KIND} objects found in "{namespace}" namespace')
        return 1
    options = Options(cluster_id=cluster_id(kube), feature_gates=gates, secrets=ClusterSecrets(kube))
    sink = ClusterSink(kube)

    def one(obj: dict[str, Any]) -> bool:
        lines = printer.block()
        try:
            return _reconcile_object(kube, obj, sink, database, options, printer, lines, tally)
        finally:
            printer.flush(lines)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, objects))
    return 0 if all(results) and not missing else 1


def _reconcile_object(
    kube: Kube,
    obj: dict[str, Any],
    sink: StatusSink,
    database: Path | None,
    options: Options,
    printer: Printer,
    lines: list[str],
    tally: ScanTally | None = None,
) -> bool:
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.errors import CommandError
    from kubectl_imagerepo.reconcile.actions import annotate_requested, controller_also_writing

    meta = obj["metadata"]
    name, namespace = meta["name"], meta["namespace"]
    try:
        if (obj.get("spec") or {}).get("suspend"):
            printer.say(lines, "failure", "resource is suspended")
            return False
        if controller_also_writing(obj, datetime.now(UTC)):
            printer.say(
                lines,
                "warning",
                f"{api.KIND} {namespace}/{name} is also reconciled by image-reflector-controller "
                "in the cluster; its next reconcile will overwrite this status",
            )
        printer.say(lines, "action", f"annotating {api.KIND} {name} in {namespace} namespace")
        annotated = annotate_requested(kube, obj)
        printer.say(lines, "success", f"{api.KIND} annotated")
        printer.say(lines, "waiting", f"waiting for {api.KIND} reconciliation")
        result = run_reconcile(annotated, sink=sink, database=database, options=options, tally=tally)
    except CommandError as failure:
        printer.say(lines, "failure", str(failure).removeprefix("error: "))
        return False
    kind, message = outcome_lines(result)
    printer.say(lines, kind, message)
    return result.ready


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


def _reconcile_files(
    stream: Any,
    output: str,
    database: Path | None,
    gates: frozenset[str],
    namespace: str | None,
    quiet: bool,
) -> int:
    """Reconcile the ImageRepositories of a file without a cluster; print them with their status."""
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.manifests import load_manifests, read_text
    from kubectl_imagerepo.output.printers import parse_output, render_objects
    from kubectl_imagerepo.reconcile.reconciler import Options
    from kubectl_imagerepo.registry.access import FileSecrets

    source = "stdin" if stream.name in ("<stdin>", "-") else stream.name
    manifests = load_manifests(read_text(stream, source), source, namespace or "default")
    tally = scan_progress(quiet)
    printer = Printer(live=True, status=None if tally is None else tally.status)
    options = Options(
        cluster_id="local",
        feature_gates=gates,
        secrets=FileSecrets(manifests.secrets, manifests.service_accounts),
    )
    results = []
    for obj in manifests.repositories:
        meta = obj["metadata"]
        printer.say([], "waiting", f"reconciling {api.KIND} {meta['namespace']}/{meta['name']} from {source}")
        result = run_reconcile(obj, sink=LocalSink(), database=database, options=options, tally=tally)
        printer.say([], *outcome_lines(result))
        results.append(result)
    objects = [r.obj for r in results]
    click.echo(render_objects(objects, parse_output(output), single=len(objects) == 1), nl=False)
    return 0 if all(r.ready for r in results) else 1
