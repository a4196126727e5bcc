"""The scan runner of `reconcile`, `resume` and `tags`: annotate, reconcile, and say so in Flux's lines."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient
    from kubectl_imagerepo.commands.cmdutil.lookup import Selected
    from kubectl_imagerepo.output.progress import ScanTally, StatusLine
    from kubectl_imagerepo.reconcile.outcome import StatusSink
    from kubectl_imagerepo.reconcile.reconciler import Options, Progress, Result, TagLister


def scan_progress(stream: TextIO, quiet: bool) -> ScanTally | None:
    """The tally of scans shown on `stream`'s status line, or None when it has none (`--quiet`, no TTY)."""
    import os

    from kubectl_imagerepo.output.fluxlog import line
    from kubectl_imagerepo.output.progress import ScanTally, status_line

    status = status_line(stream, quiet=quiet, environ=os.environ)
    return None if status is None else ScanTally(status, prefix=line("waiting", "", stream))


@dataclass
class Printer:
    """Flux's progress lines on `stream`, kept together per object when several run at once."""

    stream: TextIO
    live: bool
    status: StatusLine | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, lines: list[str], kind: str, message: str) -> None:
        """Print the line now when live, else keep it in `lines` for `flush`."""
        from kubectl_imagerepo.output.fluxlog import line

        if self.live:
            with self.lock:
                self._print(line(kind, message, self.stream))
        else:
            lines.append(line(kind, message, self.stream))

    def failure(self, message: str) -> None:
        """A failure line about no object in particular, printed at once (no object's lines hold it)."""
        self.now("failure", message)

    def now(self, kind: str, message: str) -> None:
        """Print the line at once, even when lines are kept per object."""
        from kubectl_imagerepo.output.fluxlog import line

        with self.lock:
            self._print(line(kind, message, self.stream))

    def flush(self, lines: list[str]) -> None:
        if lines:
            with self.lock:
                self._print("\n".join(lines))

    def _print(self, text: str) -> None:
        if self.status is None:
            self.stream.write(text + "\n")
            self.stream.flush()
        else:
            self.status.print(text)


def command_lister() -> TagLister:
    """The tag lister of one command: listings shared by identity, none older than the command.

    See docs/behaviour.md, Shared listings and registry limits.
    """
    from kubectl_imagerepo.registry.sharedlistings import SharedListings, shared_lister

    listings = SharedListings()
    return shared_lister(listings, listings.now(), fresh=True)


def run_reconcile(
    obj: Mapping[str, Any],
    *,
    sink: StatusSink,
    database: Path | None,
    options: Options,
    tally: ScanTally | None = None,
    list_tags: TagLister | None = None,
) -> Result:
    """One reconcile with its own connection to the tag database (SQLite connections stay per thread).

    With a `tally`, the registry listing's pages and tags show on its status line until it ends.
    `list_tags` is the command's lister (`command_lister`), else a lister of this reconcile's own.
    """
    from kubectl_imagerepo.reconcile.reconciler import reconcile
    from kubectl_imagerepo.store.database import TagStore, default_path

    tracked = None if tally is None else tally.start(str((obj.get("spec") or {}).get("image", "")))
    progress: Progress | None = tracked
    try:
        with TagStore(database or default_path()) as store:
            return reconcile(
                obj,
                sink=sink,
                store=store,
                list_tags=list_tags or command_lister(),
                options=options,
                progress=progress,
            )
    finally:
        if tracked is not None:
            tracked.finish()


def outcome_lines(result: Result) -> tuple[str, str]:
    """The closing line of an object: `✔ scan fetched N tags` or `✗ <Ready message>`."""
    if result.ready:
        return "success", f"scan fetched {result.tag_count or 0} tags"
    return "failure", result.message or "reconciliation failed"


def requested_at_now() -> str:
    """A `reconcile.fluxcd.io/requestedAt` value: local time, RFC 3339 with nanoseconds, as Flux writes."""
    nanoseconds = time.time_ns()
    moment = datetime.fromtimestamp(nanoseconds // 1_000_000_000).astimezone()
    fraction = f"{nanoseconds % 1_000_000_000:09d}".rstrip("0")
    offset = moment.strftime("%z")
    zone = "Z" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + zone


def annotate_requested(kube: KubeClient, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Set the requestedAt annotation to now (a merge patch, as Flux sends it); return the object."""
    from kubectl_imagerepo.model import api

    meta = obj["metadata"]
    updated: dict[str, Any] = kube.patch(
        kube.resource_path(meta["namespace"], meta["name"], plural=api.plural_of(obj)),
        {"metadata": {"annotations": {api.REQUESTED_AT_ANNOTATION: requested_at_now()}}},
        query=[("fieldManager", api.FIELD_MANAGER)],
    )
    return updated


def cluster_options(kube: KubeClient, gates: frozenset[str]) -> Options:
    """A command's reconcile options against this cluster: the caller's rights, the gates, the Secrets."""
    from kubectl_imagerepo.commands.cmdutil.command import as_kube
    from kubectl_imagerepo.reconcile.reconciler import Options
    from kubectl_imagerepo.registry.access import ClusterSecrets

    secrets = ClusterSecrets(as_kube(kube), as_caller=True)
    return Options(as_caller=True, feature_gates=gates, secrets=secrets)


def cluster_sink(kube: KubeClient, printer: Printer) -> StatusSink:
    """Statuses and events to the cluster; an event that cannot be written is a `⚠️` line."""
    from kubectl_imagerepo.commands.cmdutil.command import as_kube
    from kubectl_imagerepo.reconcile.cluster import ClusterSink

    return ClusterSink(as_kube(kube), lambda message: printer.now("warning", message))


@dataclass(frozen=True)
class ScanRequest:
    """How to scan: where the tags go, which gates are on, how many at once, whether to show progress."""

    database: Path | None
    gates: frozenset[str]
    concurrency: int = 4
    quiet: bool = False


def reconcile_selected(
    kube: KubeClient,
    selected: Selected,
    request: ScanRequest,
    err: TextIO,
    changed: list[dict[str, Any]] | None = None,
) -> int:
    """Annotate, reconcile and report each selected object on `err`; the exit code.

    On a terminal (and without `quiet`) the scans' progress shows on a status line there. The objects
    whose `lastScanResult.revision` changed are appended to `changed`, as reconciled.
    """
    from kubectl_imagerepo.commands.cmdutil.selection import RECONCILE_LINES, say_not_found
    from kubectl_imagerepo.model import api

    namespace = kube.namespace
    objects, missing = selected.objects, selected.missing
    tally = scan_progress(err, request.quiet)
    status = None if tally is None else tally.status
    printer = Printer(err, live=len(objects) + len(missing) <= 1, status=status)
    if say_not_found(selected, api.KIND, namespace, RECONCILE_LINES, printer.failure):
        return 1
    options = cluster_options(kube, request.gates)
    sink = cluster_sink(kube, printer)
    lister = command_lister()
    listings: list[str] = []

    def one(obj: dict[str, Any]) -> bool:
        lines: list[str] = []
        try:
            result = _reconcile_object(
                kube, obj, sink, request.database, options, printer, lines, tally, lister
            )
        finally:
            printer.flush(lines)
        if result is None:
            return False
        if result.scanned and result.listing:
            with printer.lock:
                listings.append(result.listing)
        if changed is not None and revision(obj) != revision(result.obj):
            with printer.lock:
                changed.append(result.obj)
        return result.ready

    with ThreadPoolExecutor(max_workers=request.concurrency) as pool:
        results = list(pool.map(one, objects))
    if len(listings) > 1:
        printer.now("success", listings_summary(listings))
    return 0 if all(results) and not missing else 1


#: The closing line of a command that scanned several objects.
LISTINGS_SUMMARY = "{listings} registry listing{s} served {objects} {kind} scans"


def listings_summary(listings: list[str]) -> str:
    """`2 registry listings served 5 ImageRepository scans`: what sharing saved this command."""
    from kubectl_imagerepo.model import api

    made = len(set(listings))
    plural = "" if made == 1 else "s"
    return LISTINGS_SUMMARY.format(listings=made, s=plural, objects=len(listings), kind=api.KIND)


def _reconcile_object(
    kube: KubeClient,
    obj: dict[str, Any],
    sink: StatusSink,
    database: Path | None,
    options: Options,
    printer: Printer,
    lines: list[str],
    tally: ScanTally | None = None,
    lister: TagLister | None = None,
) -> Result | None:
    from kubectl_imagerepo.model import api
    from kubectl_imagerepo.model.errors import CommandError
    from kubectl_imagerepo.reconcile.cluster import controller_also_writing

    meta = obj["metadata"]
    name, namespace = meta["name"], meta["namespace"]
    try:
        if (obj.get("spec") or {}).get("suspend"):
            printer.say(lines, "failure", "resource is suspended")
            return None
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
        result = run_reconcile(
            annotated, sink=sink, database=database, options=options, tally=tally, list_tags=lister
        )
    except CommandError as failure:
        printer.say(lines, "failure", str(failure).removeprefix("error: "))
        return None
    kind, message = outcome_lines(result)
    printer.say(lines, kind, message)
    return result


def revision(obj: Mapping[str, Any]) -> str | None:
    """`status.lastScanResult.revision`, the field the controller's repository watch compares."""
    scan = (obj.get("status") or {}).get("lastScanResult")
    if not isinstance(scan, Mapping) or scan.get("revision") is None:
        return None
    return str(scan["revision"])
