"""One reconcile of one ImageRepository, as the image-reflector-controller runs it.

The decisions are pure functions (`decisions`, `conditions`); this module sequences them and
does the I/O through what it is given: a `StatusSink` (the cluster, or memory for `-f`), the tag
database and a tag lister. Each status it writes is one the controller would write at that point.
As in the controller, every way out goes through one exit that finalises the conditions, writes the
status and records the event: a failure of any kind, expected or not, ends as the object's failed
status (see docs/behaviour.md, Status, conditions and events). Only a status that cannot be written
is raised to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model import conditions as cond
from kubectl_imagerepo.model.fluxobject import READY, find_condition, is_ready, is_stalled
from kubectl_imagerepo.model.imagerepository import ImageRepository
from kubectl_imagerepo.model.listing import ListedTags
from kubectl_imagerepo.model.reference import ImageReference, ImageReferenceError, parse_image_reference
from kubectl_imagerepo.reconcile import decisions
from kubectl_imagerepo.reconcile.events import EventRecord
from kubectl_imagerepo.reconcile.outcome import (
    GENERAL,
    SUSPENDED_RESULT_MESSAGE,
    Ending,
    ExitingReconcile,
    StatusSink,
    Step,
    describe_unexpected,
)
from kubectl_imagerepo.registry.access import ANONYMOUS, AuthError, RegistryAccess, resolve_access
from kubectl_imagerepo.store.database import ObjectKey, StoreError, TagStore, object_key

if TYPE_CHECKING:
    from kubectl_imagerepo.registry.access import SecretSource

NANOSECOND = 1e-9
FAILED_SCAN_REASONS = frozenset({cond.READ_OPERATION_FAILED_REASON})

Progress = Callable[[int, int], None]
#: Lists the tags of `reference` with `access` (credentials, TLS, proxies) before `deadline`.
TagLister = Callable[[ImageReference, RegistryAccess, float, Progress | None], list[str]]


@dataclass(frozen=True)
class Options:
    """What stays the same across reconciles.

    `secrets` is where `secretRef`, `certSecretRef`, `proxySecretRef` and ServiceAccounts are read
    from (the cluster, or the manifests of `-f`); None means anonymous access without reading any.
    `scope` keys the tags of every object (`local` for `-f`); None keys them by the object's UID.
    `as_caller`: reconciling with the caller's own rights, from the command line; statuses are held
    until the exit, and a `CallerForbidden` leaves the object as it was.
    """

    scope: str | None = None
    as_caller: bool = False
    feature_gates: frozenset[str] = frozenset()
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    secrets: SecretSource | None = None


@dataclass(frozen=True)
class Result:
    """How a reconcile ended."""

    obj: dict[str, Any]
    ready: bool
    stalled: bool
    suspended: bool
    message: str
    tag_count: int | None
    requeue_after_ns: int | None
    error: str | None
    scanned: bool
    #: The listing the scan's tags came from (shared by the objects it served); "" when none was named.
    listing: str = ""


AUTHENTICATING = Step(cond.AUTHENTICATION_FAILED_REASON, decisions.AUTHENTICATION_FAILED_MESSAGE)
DECIDING = Step(cond.STATUS_FAILURE, decisions.SCAN_TIME_FAILED_MESSAGE)
SCANNING = Step(cond.READ_OPERATION_FAILED_REASON, decisions.SCAN_FAILED_MESSAGE)


def last_scan_failed(repo: ImageRepository) -> bool:
    """The previous reconcile ended with its scan failing (Ready=False, ReadOperationFailed)."""
    ready = repo.ready
    return ready is not None and ready.status == cond.FALSE and ready.reason in FAILED_SCAN_REASONS


def reconcile(
    obj: Mapping[str, Any],
    *,
    sink: StatusSink,
    store: TagStore,
    list_tags: TagLister,
    options: Options,
    progress: Progress | None = None,
) -> Result:
    """Reconcile `obj` once: scan if due, store the tags, write the status, record the event."""
    return _Reconcile(dict(obj), sink, store, list_tags, options, progress).run()


class _Reconcile(ExitingReconcile):
    def __init__(
        self,
        obj: dict[str, Any],
        sink: StatusSink,
        store: TagStore,
        list_tags: TagLister,
        options: Options,
        progress: Progress | None,
    ) -> None:
        self.obj, self.sink, self.store, self.list_tags = obj, sink, store, list_tags
        self.options, self.progress = options, progress
        self.repo = ImageRepository.from_dict(obj)
        self.old = self.repo
        self.conditions: cond.Conditions = self.repo.conditions
        self.status: dict[str, Any] = dict(obj.get("status") or {})
        self.scanned = False
        self.listing = ""
        self.step = GENERAL

    @property
    def key(self) -> ObjectKey:
        return object_key(self.options.scope, self.repo.uid, self.repo.namespace, self.repo.name)

    def now(self) -> datetime:
        return self.options.clock()

    def run(self) -> Result:
        """The reconcile's body, then its one exit: whatever happened, the exit writes the status."""
        if self.repo.suspend:
            return self._result(
                suspended=True, message=SUSPENDED_RESULT_MESSAGE, requeue_after_ns=None, error=None
            )
        if self.options.as_caller:
            self.hold_writes()
        return self.exit_through(
            self._body,
            failed=self.failed,
            ended=self.ended,
            unexpected=lambda error: self.failed(self.step.failure(describe_unexpected(error))),
            finish=self._finish,
            where={"namespace": self.repo.namespace, "object_name": self.repo.name},
            subject=f"{api.KIND} {self.repo.namespace}/{self.repo.name}",
        )

    def _stalled(self) -> Ending:
        """A stalled ending: no requeue."""
        interval = self.repo.interval_ns()
        return Ending(error=None, requeue_after_ns=None, success_after_ns=interval, next_msg="")

    @property
    def generation(self) -> int:
        return self.repo.generation

    def interval_ns(self) -> int:
        return self.repo.interval_ns()

    def _body(self) -> Ending:
        repo = self.repo
        started = time.monotonic()
        gen = repo.generation
        stall = decisions.feature_gate_stall(
            repo, decisions.OBJECT_LEVEL_WORKLOAD_IDENTITY in self.options.feature_gates
        )
        if stall is not None:
            self.conditions = cond.mark_stalled(
                self.conditions, cond.FEATURE_GATE_DISABLED_REASON, stall, gen, self.now()
            )
            return self._stalled()

        self.conditions = cond.mark_progressing(
            self.conditions, decisions.RECONCILIATION_IN_PROGRESS, gen, self.now()
        )
        early = decisions.early_patch_message(repo)
        if early is not None:
            if early != decisions.RECONCILIATION_IN_PROGRESS:
                self.conditions = cond.mark_progressing(self.conditions, early, gen, self.now())
            self.patch_midway()

        try:
            reference = parse_image_reference(repo.image, repo.insecure)
        except ImageReferenceError as invalid:
            self.conditions = cond.mark_stalled(
                self.conditions, cond.IMAGE_URL_INVALID_REASON, str(invalid), gen, self.now()
            )
            return self._stalled()
        self.conditions = cond.delete_condition(self.conditions, cond.STALLED)
        deadline = started + repo.effective_timeout_ns() * NANOSECOND
        exclusion_list = list(repo.effective_exclusion_list())

        with self._access(reference) as access:
            decision = self._decide(reference, exclusion_list)
            if decision.scan:
                self.conditions = cond.mark_progressing(
                    self.conditions,
                    decisions.scanning_message(decision.reason),
                    gen,
                    self.now(),
                    drift=decision.drift,
                )
                self.patch_midway()
                self._scan(reference, access, exclusion_list, deadline)
                old_scan = self.old.last_scan_result
                next_msg = decisions.next_scan_message(
                    True,
                    None if old_scan is None else old_scan.revision,
                    self.status["lastScanResult"]["revision"],
                    decision.next_ns,
                )
            else:
                next_msg = decisions.next_scan_message(False, None, None, decision.next_ns)
            self.step = GENERAL

        self.status["canonicalImageName"] = reference.canonical_name
        self.status["observedExclusionList"] = exclusion_list
        self.conditions = cond.delete_condition(self.conditions, READY)
        return Ending(
            error=None,
            requeue_after_ns=decision.next_ns,
            success_after_ns=decision.next_ns,
            next_msg=next_msg,
        )

    def _access(self, reference: ImageReference) -> RegistryAccess:
        """The auth options; a failure is retried, never a stall."""
        if self.options.secrets is None:
            return ANONYMOUS
        self.step = AUTHENTICATING
        try:
            return resolve_access(self.options.secrets, self.repo, reference)
        except AuthError as failure:
            raise AUTHENTICATING.failure(failure) from None

    def _decide(self, reference: ImageReference, exclusion_list: list[str]) -> decisions.ScanDecision:
        self.step = DECIDING
        try:
            stored = self.store.read(self.key)
        except StoreError as failure:
            raise DECIDING.failure(failure) from None
        present: bool | None = None
        if stored is not None and stored.canonical_name == (self.repo.canonical_image_name or ""):
            present = stored.tag_count > 0
        return decisions.should_scan(
            self.repo,
            canonical_name=reference.canonical_name,
            exclusion_list=exclusion_list,
            stored_tags_present=present,
            now=self.now(),
            last_scan_failed=last_scan_failed(self.repo),
        )

    def _scan(
        self, reference: ImageReference, access: RegistryAccess, exclusion_list: list[str], deadline: float
    ) -> None:
        from kubectl_imagerepo.model.exclusion import ExclusionError, compile_exclusions
        from kubectl_imagerepo.model.tags import process_scan
        from kubectl_imagerepo.registry.errors import RegistryError

        self.step = SCANNING
        try:
            exclusions = compile_exclusions(exclusion_list)
            raw = self.list_tags(reference, access, deadline, self.progress)
        except (ExclusionError, RegistryError) as failure:
            raise SCANNING.failure(failure) from None
        outcome = process_scan(raw, exclusions)
        # A listing shared with other objects keeps its own time (docs/behaviour.md, Shared listings).
        listed = raw if isinstance(raw, ListedTags) else None
        scan_time = cond.format_time(self.now() if listed is None else listed.listed_at)
        try:
            self.store.write(
                self.key,
                canonical_name=reference.canonical_name,
                tags=outcome.tags,
                revision=outcome.revision,
                scan_time=scan_time,
                listing="" if listed is None else listed.listing,
            )
        except StoreError as failure:
            raise SCANNING.failure(
                f'failed to set tags for "{reference.canonical_name}": {failure}'
            ) from None
        result: dict[str, Any] = {
            "revision": outcome.revision,
            "tagCount": outcome.tag_count,
            "scanTime": scan_time,
        }
        if outcome.latest_tags:
            result["latestTags"] = list(outcome.latest_tags)
        self.status["lastScanResult"] = result
        self.scanned = True
        self.listing = "" if listed is None else listed.listing

    def _finish(self, ending: Ending) -> Result:
        """The exit: the final patch (ResultFinalizer), then the event."""
        repo = self.repo
        scan = self.status.get("lastScanResult") or {}
        ready_msg = decisions.ready_message(int(scan.get("tagCount") or 0), str(scan.get("revision") or ""))
        self.conditions = cond.finalize_result(
            self.conditions,
            error=ending.error,
            requeue=False,
            requeue_after_ns=ending.requeue_after_ns,
            success_after_ns=ending.success_after_ns,
            ready_message=ready_msg,
            generation=repo.generation,
            now=self.now(),
        )
        previous = repo.observed_generation
        self.status["observedGeneration"] = cond.observed_generation_after(
            self.conditions, repo.generation, previous
        )
        if repo.requested_at is not None:
            self.status["lastHandledReconcileAt"] = repo.requested_at
        self.patch()
        event = decisions.event_for(self.old.conditions, self.conditions, ending.next_msg)
        if event is not None and not self.superseded:
            self.sink.record(self.obj, EventRecord(event.type, event.reason, event.message))
        ready = find_condition(self.conditions, READY)
        return self._result(
            suspended=False,
            message=ready.message if ready else "",
            requeue_after_ns=ending.requeue_after_ns,
            error=ending.error,
        )

    def _result(
        self, *, suspended: bool, message: str, requeue_after_ns: int | None, error: str | None
    ) -> Result:
        scan = (self.obj.get("status") or {}).get("lastScanResult") or {}
        count = scan.get("tagCount")
        return Result(
            obj=self.obj,
            ready=is_ready(self.conditions) and not suspended,
            stalled=is_stalled(self.conditions),
            suspended=suspended,
            message=message,
            tag_count=None if count is None else int(count),
            requeue_after_ns=requeue_after_ns,
            error=error,
            scanned=self.scanned,
            listing=self.listing,
        )
