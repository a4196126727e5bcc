"""The reconciler's pure decisions and exact texts: when to scan, what to say, which event to emit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from kubectl_imagerepo.gocompat.durations import SECOND, format_go_duration
from kubectl_imagerepo.model.conditions import READY, SUCCEEDED_REASON
from kubectl_imagerepo.model.exclusion import exclusion_lists_equal
from kubectl_imagerepo.model.fluxobject import Condition, find_condition, is_ready
from kubectl_imagerepo.model.imagerepository import GENERIC_PROVIDER, ImageRepository

# Reconciling messages.
RECONCILIATION_IN_PROGRESS = "reconciliation in progress"
NEW_GENERATION_MESSAGE = "processing object: new generation {observed} -> {generation}"
SCANNING_MESSAGE = "scanning: {reason}"

# Scan reasons, as `shouldScan` returns them.
FIRST_SCAN = "first scan"
RECONCILE_REQUESTED = "reconcile requested"
NEW_IMAGE_NAME = "new image name"
UPDATED_EXCLUSION_LIST = "updated exclusion list"
NO_TAGS_IN_DATABASE = "no tags in database"
TRIGGERED_BY_INTERVAL = "triggered by interval"

# Ready messages.
READY_MESSAGE = "successful scan: found {count} tags with checksum {revision}"
AUTHENTICATION_FAILED_MESSAGE = "failed to configure authentication options: {error}"
SCAN_TIME_FAILED_MESSAGE = "failed to determine if it's scan time: {error}"
SCAN_FAILED_MESSAGE = "scan failed: {error}"

# Stalled message.
OBJECT_LEVEL_WORKLOAD_IDENTITY = "ObjectLevelWorkloadIdentity"
FEATURE_GATE_DISABLED_MESSAGE = (
    f"to use spec.serviceAccountName for provider authentication please enable the "
    f"{OBJECT_LEVEL_WORKLOAD_IDENTITY} feature gate in the controller"
)

# Trace event messages.
NO_CHANGE_MESSAGE = "no change in repository configuration since last scan, next scan in {next}"
TAGS_UNCHANGED_MESSAGE = "tags did not change, next scan in {next}"
SUCCESSFUL_SCAN_MESSAGE = "successful scan, next scan in {next}"

# Log line.
SUSPENDED_MESSAGE = "reconciliation is suspended for this object"

EventType = Literal["Normal", "Warning", "Trace"]
NORMAL: EventType = "Normal"
WARNING: EventType = "Warning"
TRACE: EventType = "Trace"


@dataclass(frozen=True)
class ScanDecision:
    """Whether to scan now, why, and when the next reconcile is due.

    `reason` is one of the scan reasons (`first scan`, ...) when `scan` is True, and `""` otherwise.
    `next_ns` is the delay before the next reconcile in nanoseconds: the interval when scanning,
    the time left until the interval elapses otherwise.
    """

    scan: bool
    reason: str
    next_ns: int

    @property
    def drift(self) -> bool:
        """The scan refills a lost database: `Ready` is forced to Unknown while it runs."""
        return self.scan and self.reason == NO_TAGS_IN_DATABASE


@dataclass(frozen=True)
class Event:
    """An event to emit about the object: type `Normal`, `Warning` or `Trace`, a reason, a message."""

    type: EventType
    reason: str
    message: str


def should_scan(
    repo: ImageRepository,
    *,
    canonical_name: str,
    exclusion_list: Sequence[str],
    stored_tags_present: bool | None,
    now: datetime,
    last_scan_failed: bool,
) -> ScanDecision:
    """Decide whether the reconcile scans the registry (the controller's `shouldScan`).

    The first rule that applies wins:

    1. `status.lastScanResult` is absent: `first scan`.
    2. The `reconcile.fluxcd.io/requestedAt` annotation is present and differs from
       `status.lastHandledReconcileAt`: `reconcile requested`.
    3. `canonical_name` differs from `status.canonicalImageName`: `new image name`.
    4. `exclusion_list` does not have the same content as `status.observedExclusionList` (equal
       lengths, and every entry of the first is in the second; order is ignored): `updated exclusion list`.
    5. The database has no entry for the object: `no tags in database`. An entry holding an empty
       tag list is a result like any other (docs/behaviour.md, Deviations from the controller).
    6. Less than 1s of the interval is left since `status.lastScanResult.scanTime` (or there is
       no scan time): `triggered by interval`.
    7. The last scan failed: `reconcile requested`. The controller would wait for the interval
       when the failed scan was a requested one; this project retries it (docs/behaviour.md, Deviations
       from the controller).
    8. Otherwise no scan; the next reconcile is due when the interval elapses.

    Args:
        repo: The object as the reconcile started with it.
        canonical_name: The canonical name of `spec.image` (the image parses: the caller has
            checked).
        exclusion_list: The effective exclusion list (`GetExclusionList()`).
        stored_tags_present: None when the database has no entry for the object, otherwise whether
            its stored tag list is non-empty.
        now: The time the reconcile started.
        last_scan_failed: The previous reconcile of the object failed in its scan.

    Returns:
        The decision; `next_ns` is the interval whenever `scan` is True.

    Raises:
        InputError: `spec.interval` or `status.lastScanResult.scanTime` cannot be parsed.
    """
    interval = repo.interval_ns()
    if repo.last_scan_result is None:
        return ScanDecision(True, FIRST_SCAN, interval)
    requested = repo.requested_at
    if requested is not None and requested != (repo.last_handled_reconcile_at or ""):
        return ScanDecision(True, RECONCILE_REQUESTED, interval)
    if canonical_name != (repo.canonical_image_name or ""):
        return ScanDecision(True, NEW_IMAGE_NAME, interval)
    if not exclusion_lists_equal(exclusion_list, repo.observed_exclusion_list or ()):
        return ScanDecision(True, UPDATED_EXCLUSION_LIST, interval)
    if stored_tags_present is None:
        return ScanDecision(True, NO_TAGS_IN_DATABASE, interval)
    scanned = repo.last_scan_time()
    if scanned is None:
        return ScanDecision(True, TRIGGERED_BY_INTERVAL, interval)
    when = interval - _nanoseconds(_aware(now) - scanned)
    if when < SECOND:
        return ScanDecision(True, TRIGGERED_BY_INTERVAL, interval)
    if last_scan_failed:
        return ScanDecision(True, RECONCILE_REQUESTED, interval)
    return ScanDecision(False, "", when)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _nanoseconds(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds * 1_000


def scanning_message(reason: str) -> str:
    """`scanning: <reason>`, the progressive message of a reconcile that scans."""
    return SCANNING_MESSAGE.format(reason=reason)


def next_scan_message(scanned: bool, old_revision: str | None, new_revision: str | None, next_ns: int) -> str:
    """The Trace event's message about the next scan.

    Args:
        scanned: The reconcile scanned the registry.
        old_revision: `status.lastScanResult.revision` before the reconcile; None when there was
            no `lastScanResult`.
        new_revision: The revision the scan produced.
        next_ns: The delay before the next reconcile, in nanoseconds.

    Returns:
        `no change in repository configuration since last scan, next scan in 4m58.5s` without a
        scan; `tags did not change, next scan in 5m0s` after a scan whose revision equals the
        previous one; `successful scan, next scan in 5m0s` after any other scan.
    """
    duration = format_go_duration(next_ns)
    if not scanned:
        return NO_CHANGE_MESSAGE.format(next=duration)
    if old_revision is not None and old_revision == new_revision:
        return TAGS_UNCHANGED_MESSAGE.format(next=duration)
    return SUCCESSFUL_SCAN_MESSAGE.format(next=duration)


def ready_message(tag_count: int, revision: str) -> str:
    """`successful scan: found <N> tags with checksum <revision>`, Ready's message on success.

    An empty revision (an object last scanned before v1.0) leaves the message ending in `checksum `.
    """
    return READY_MESSAGE.format(count=tag_count, revision=revision)


def event_for(
    old_conditions: Iterable[Condition], new_conditions: Iterable[Condition], next_scan_message: str
) -> Event | None:
    """The event a finished reconcile emits (the controller's `notify`): the first rule that applies.

    1. Ready before and after, with another `Ready` message (new tags): `Normal`, `Ready`'s reason
       and message.
    2. Ready now but not before (first success, recovery): `Normal`, `Ready`'s reason and message.
    3. Not ready now: `Warning`, `Ready`'s reason and message, on every failing reconcile.
    4. Otherwise: `Trace`, reason `Succeeded`, message `next_scan_message`.

    "Ready" is kstatus `IsReady`. A Trace event is recorded as a `Normal` Kubernetes Event and never
    forwarded to notification-controller; that is the recorder's business.

    Returns:
        The event, or None when the new conditions have no `Ready` while not ready (the controller
        would crash there; a status the plugin writes always has `Ready`).
    """
    old = tuple(old_conditions)
    new = tuple(new_conditions)
    ready = find_condition(new, READY)
    was_ready, now_ready = is_ready(old), is_ready(new)
    if ready is not None and was_ready and now_ready:
        previous = find_condition(old, READY)
        if previous is not None and previous.message != ready.message:
            return Event(NORMAL, ready.reason, ready.message)
    if ready is not None and not was_ready and now_ready:
        return Event(NORMAL, ready.reason, ready.message)
    if not now_ready:
        return None if ready is None else Event(WARNING, ready.reason, ready.message)
    return Event(TRACE, SUCCEEDED_REASON, next_scan_message)


def feature_gate_stall(
    repo: ImageRepository, gate_enabled: bool, message: str = FEATURE_GATE_DISABLED_MESSAGE
) -> str | None:
    """The FeatureGateDisabled stall message, or None when the reconcile may go on.

    Object-level workload identity (a provider plus `spec.serviceAccountName`) needs the
    `ObjectLevelWorkloadIdentity` feature gate. As in the controller, the raw `spec.provider` is
    compared with `generic`, so an empty provider counts as a cloud provider here. The ImagePolicy
    reconciler says so in its own words (`message`).
    """
    if repo.provider != GENERIC_PROVIDER and repo.service_account_name and not gate_enabled:
        return message
    return None


def early_patch_message(repo: ImageRepository) -> str | None:
    """The progressive message to patch before anything else is done, or None for no early patch.

    Returns:
        `processing object: new generation <observedGeneration> -> <generation>` when the
        generations differ (`-1 -> 1` for a new object); else `reconciliation in progress` when
        the `reconcile.fluxcd.io/requestedAt` annotation (missing counts as `""`) differs from
        `status.lastHandledReconcileAt`; else None.
    """
    if repo.generation != repo.observed_generation:
        return NEW_GENERATION_MESSAGE.format(observed=repo.observed_generation, generation=repo.generation)
    if (repo.requested_at or "") != (repo.last_handled_reconcile_at or ""):
        return RECONCILIATION_IN_PROGRESS
    return None
