"""When a reconcile scans, what it says about the next scan, and which event it emits."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kubectl_imagerepo.model.conditions import (
    READY,
    delete_condition,
    finalize_result,
    mark_progressing,
    observed_generation_after,
    set_condition,
    to_json,
)
from kubectl_imagerepo.model.fluxobject import Condition
from kubectl_imagerepo.model.imagerepository import ImageRepository
from kubectl_imagerepo.reconcile.decisions import (
    FEATURE_GATE_DISABLED_MESSAGE,
    RECONCILIATION_IN_PROGRESS,
    Event,
    ScanDecision,
    early_patch_message,
    event_for,
    feature_gate_stall,
    next_scan_message,
    ready_message,
    scanning_message,
    should_scan,
)
from tests.kstatus import check

SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
NOW = datetime(2026, 6, 23, 20, 5, 2, 123_456, tzinfo=UTC)
IMAGE = "example.com/foo/bar"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def scanned(ago: timedelta) -> str:
    """A `scanTime` that far before NOW, at second precision as the API server stores it."""
    return stamp(NOW - ago)


def manifest() -> dict[str, Any]:
    """An object last scanned 30s ago whose configuration has not changed since (upstream's table)."""
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": "bar", "namespace": "default", "generation": 1},
        "spec": {"image": IMAGE, "interval": "1m", "exclusionList": ["aaa"]},
        "status": {
            "observedGeneration": 1,
            "canonicalImageName": IMAGE,
            "observedExclusionList": ["aaa"],
            "lastScanResult": {"tagCount": 1, "scanTime": scanned(timedelta(seconds=30)), "revision": "1"},
        },
    }


Change = Callable[[dict[str, Any]], None]


def build(*changes: Change) -> ImageRepository:
    obj = manifest()
    for change in changes:
        change(obj)
    return ImageRepository.from_dict(obj)


def decide(
    repo: ImageRepository,
    *,
    stored_tags_present: bool | None = True,
    last_scan_failed: bool = False,
    now: datetime = NOW,
) -> ScanDecision:
    """`should_scan` for a repository whose `spec.image` is already written canonically."""
    return should_scan(
        repo,
        canonical_name=repo.image,
        exclusion_list=repo.effective_exclusion_list(),
        stored_tags_present=stored_tags_present,
        now=now,
        last_scan_failed=last_scan_failed,
    )


# Changes to the manifest, one per shouldScan trigger.


def never_scanned(obj: dict[str, Any]) -> None:
    del obj["status"]["lastScanResult"]


def requested(obj: dict[str, Any]) -> None:
    obj["metadata"]["annotations"] = {"reconcile.fluxcd.io/requestedAt": "now"}


def request_handled(obj: dict[str, Any]) -> None:
    requested(obj)
    obj["status"]["lastHandledReconcileAt"] = "now"


def image_changed(obj: dict[str, Any]) -> None:
    obj["spec"]["image"] = "example.com/other/image"


def exclusion_changed(obj: dict[str, Any]) -> None:
    obj["spec"]["exclusionList"] = ["bar"]
    obj["status"]["observedExclusionList"] = ["baz"]


def scan_time(moment: datetime) -> Change:
    def change(obj: dict[str, Any]) -> None:
        obj["status"]["lastScanResult"]["scanTime"] = stamp(moment)

    return change


def scanned_ago(ago: timedelta) -> Change:
    def change(obj: dict[str, Any]) -> None:
        obj["status"]["lastScanResult"]["scanTime"] = scanned(ago)

    return change


# should_scan: the cases of the controller's own tests


def test_a_new_object_scans_first() -> None:
    assert decide(build(never_scanned)) == ScanDecision(True, "first scan", MINUTE)


@pytest.mark.parametrize("handled", [None, "foo"], ids=["never-handled", "other-value-handled"])
def test_a_new_annotation_value_requests_a_scan(handled: str | None) -> None:
    def handled_before(obj: dict[str, Any]) -> None:
        if handled is not None:
            obj["status"]["lastHandledReconcileAt"] = handled

    assert decide(build(requested, handled_before)) == ScanDecision(True, "reconcile requested", MINUTE)


def test_an_unchanged_object_waits_for_the_rest_of_the_interval() -> None:
    decision = decide(build(request_handled))

    assert decision == ScanDecision(False, "", 30 * SECOND - 123_456_000)


def test_a_new_canonical_name_scans() -> None:
    assert decide(build(image_changed)) == ScanDecision(True, "new image name", MINUTE)


def test_a_changed_exclusion_list_scans() -> None:
    assert decide(build(exclusion_changed)) == ScanDecision(True, "updated exclusion list", MINUTE)


def test_no_database_entry_scans() -> None:
    decision = decide(build(scanned_ago(timedelta(seconds=10))), stored_tags_present=None)

    assert decision == ScanDecision(True, "no tags in database", MINUTE)


def test_an_elapsed_interval_scans() -> None:
    decision = decide(build(scanned_ago(timedelta(minutes=2))))

    assert decision == ScanDecision(True, "triggered by interval", MINUTE)


# should_scan: precedence, first rule wins

ALL_TRIGGERS: list[tuple[str, list[Change]]] = [
    ("first scan", [never_scanned]),
    ("reconcile requested", [requested]),
    ("new image name", [image_changed]),
    ("updated exclusion list", [exclusion_changed]),
    ("no tags in database", []),
    ("triggered by interval", [scanned_ago(timedelta(minutes=2))]),
]


@pytest.mark.parametrize("position", range(len(ALL_TRIGGERS)), ids=[reason for reason, _ in ALL_TRIGGERS])
def test_each_trigger_wins_over_the_ones_after_it(position: int) -> None:
    # Later triggers first: the first one deletes the scan result the last one changes.
    changes = [change for _, triggers in reversed(ALL_TRIGGERS[position:]) for change in triggers]
    decision = decide(
        build(*changes), stored_tags_present=None if position <= 4 else True, last_scan_failed=True
    )

    assert decision == ScanDecision(True, ALL_TRIGGERS[position][0], MINUTE)


# should_scan: details of each rule


def test_an_annotation_equal_to_the_handled_value_is_no_request() -> None:
    assert not decide(build(request_handled)).scan


def test_an_empty_annotation_matches_a_missing_handled_value() -> None:
    def empty_annotation(obj: dict[str, Any]) -> None:
        obj["metadata"]["annotations"] = {"reconcile.fluxcd.io/requestedAt": ""}

    assert not decide(build(empty_annotation)).scan


def test_a_removed_annotation_is_no_request() -> None:
    def handled_only(obj: dict[str, Any]) -> None:
        obj["status"]["lastHandledReconcileAt"] = "earlier"

    assert not decide(build(handled_only)).scan


def test_a_missing_canonical_name_in_the_status_is_a_new_image_name() -> None:
    def no_canonical(obj: dict[str, Any]) -> None:
        del obj["status"]["canonicalImageName"]

    assert decide(build(no_canonical)).reason == "new image name"


@pytest.mark.parametrize(
    ("spec_list", "observed", "scan"),
    [
        (["a", "b"], ["b", "a"], False),
        (["a", "a"], ["a", "b"], False),
        (["a", "b"], ["a", "a"], True),
        (["a"], ["a", "b"], True),
        (["a"], None, True),
        (None, ["^.*\\.sig$"], False),
        ([], ["^.*\\.sig$"], False),
    ],
    ids=[
        "order-ignored",
        "multiplicity-ignored",
        "missing-item",
        "other-length",
        "never-observed",
        "default-list",
        "empty-list-means-default",
    ],
)
def test_exclusion_lists_are_compared_by_content(
    spec_list: list[str] | None, observed: list[str] | None, scan: bool
) -> None:
    def lists(obj: dict[str, Any]) -> None:
        obj["spec"]["exclusionList"] = spec_list
        obj["status"]["observedExclusionList"] = observed

    assert decide(build(lists)).scan is scan


def test_an_empty_stored_tag_list_is_a_result_and_waits_for_the_interval() -> None:
    """The controller would rescan on every reconcile.

    See docs/behaviour.md, Deviations from the controller.
    """
    assert decide(build(), stored_tags_present=False) == ScanDecision(False, "", 30 * SECOND - 123_456_000)


def test_exactly_one_second_left_does_not_scan() -> None:
    now = datetime(2026, 6, 23, 20, 5, 2, tzinfo=UTC)

    decision = decide(build(scan_time(now - timedelta(seconds=59))), now=now)

    assert decision == ScanDecision(False, "", SECOND)


def test_less_than_one_second_left_scans() -> None:
    now = datetime(2026, 6, 23, 20, 5, 2, 1, tzinfo=UTC)

    decision = decide(build(scan_time(now - timedelta(seconds=59))), now=now)

    assert decision == ScanDecision(True, "triggered by interval", MINUTE)


def test_the_time_left_is_measured_from_the_second_precision_scan_time() -> None:
    now = datetime(2026, 6, 23, 20, 5, 2, 999_999, tzinfo=UTC)

    decision = decide(build(scan_time(now - timedelta(seconds=58))), now=now)

    assert decision == ScanDecision(False, "", SECOND + 1_000)


def test_a_scan_result_without_scan_time_counts_as_elapsed() -> None:
    def no_time(obj: dict[str, Any]) -> None:
        del obj["status"]["lastScanResult"]["scanTime"]

    assert decide(build(no_time)) == ScanDecision(True, "triggered by interval", MINUTE)


def test_a_naive_now_is_taken_as_utc() -> None:
    assert decide(build(), now=NOW.replace(tzinfo=None)) == decide(build())


def test_interval_zero_scans_on_every_reconcile_and_never_requeues() -> None:
    def zero(obj: dict[str, Any]) -> None:
        obj["spec"]["interval"] = "0s"

    assert decide(build(zero, scanned_ago(timedelta(0)))) == ScanDecision(True, "triggered by interval", 0)


# should_scan: retry after a failed scan (docs/behaviour.md, Deviations from the controller)


def test_a_failed_requested_scan_is_retried() -> None:
    """The request was handled (lastHandledReconcileAt = token) but its scan failed."""
    assert decide(build(request_handled), last_scan_failed=True) == ScanDecision(
        True, "reconcile requested", MINUTE
    )


def test_a_failed_interval_scan_is_retried_as_an_interval_scan() -> None:
    decision = decide(build(scanned_ago(timedelta(minutes=2))), last_scan_failed=True)

    assert decision.reason == "triggered by interval"


def test_without_a_failure_a_handled_request_waits_for_the_interval() -> None:
    assert not decide(build(request_handled), last_scan_failed=False).scan


# ScanDecision.drift


@pytest.mark.parametrize(
    ("decision", "drift"),
    [
        (ScanDecision(True, "no tags in database", MINUTE), True),
        (ScanDecision(True, "first scan", MINUTE), False),
        (ScanDecision(False, "", MINUTE), False),
    ],
)
def test_only_a_scan_of_an_empty_database_is_a_drift(decision: ScanDecision, drift: bool) -> None:
    assert decision.drift is drift


# Messages


def test_scanning_message_names_the_reason() -> None:
    assert scanning_message("first scan") == "scanning: first scan"


@pytest.mark.parametrize(
    ("scanned_now", "old", "new", "next_ns", "message"),
    [
        (
            False,
            "1",
            "1",
            298 * SECOND + 876_544_000,
            "no change in repository configuration since last scan, next scan in 4m58.876544s",
        ),
        (True, "1", "1", HOUR, "tags did not change, next scan in 1h0m0s"),
        (True, "1", "2", 10 * MINUTE, "successful scan, next scan in 10m0s"),
        (True, None, "1", 90 * SECOND, "successful scan, next scan in 1m30s"),
        (True, "", "", 0, "tags did not change, next scan in 0s"),
    ],
    ids=["no-scan", "same-revision", "new-revision", "first-scan", "interval-zero"],
)
def test_next_scan_message(
    scanned_now: bool, old: str | None, new: str | None, next_ns: int, message: str
) -> None:
    assert next_scan_message(scanned_now, old, new, next_ns) == message


def test_ready_message_names_count_and_checksum() -> None:
    assert ready_message(12, "123456") == "successful scan: found 12 tags with checksum 123456"


def test_ready_message_after_an_upgrade_has_an_empty_checksum() -> None:
    assert ready_message(3, "") == "successful scan: found 3 tags with checksum "


# feature_gate_stall


@pytest.mark.parametrize(
    ("provider", "service_account", "gate", "stalls"),
    [
        ("aws", "puller", False, True),
        ("aws", "puller", True, False),
        ("aws", None, False, False),
        ("generic", "puller", False, False),
        (None, "puller", False, True),
    ],
    ids=["provider-and-sa-gate-off", "gate-on", "no-sa", "generic", "raw-empty-provider"],
)
def test_object_level_workload_identity_needs_the_feature_gate(
    provider: str | None, service_account: str | None, gate: bool, stalls: bool
) -> None:
    def spec(obj: dict[str, Any]) -> None:
        if provider is not None:
            obj["spec"]["provider"] = provider
        if service_account is not None:
            obj["spec"]["serviceAccountName"] = service_account

    expected = FEATURE_GATE_DISABLED_MESSAGE if stalls else None
    assert feature_gate_stall(build(spec), gate) == expected


def test_the_feature_gate_message_is_the_controllers() -> None:
    assert FEATURE_GATE_DISABLED_MESSAGE == (
        "to use spec.serviceAccountName for provider authentication please enable the "
        "ObjectLevelWorkloadIdentity feature gate in the controller"
    )


# early_patch_message


@pytest.mark.parametrize(
    ("generation", "observed", "annotation", "handled", "message"),
    [
        (1, -1, None, None, "processing object: new generation -1 -> 1"),
        (3, 2, "now", None, "processing object: new generation 2 -> 3"),
        (3, 3, "now", None, "reconciliation in progress"),
        (3, 3, "now", "before", "reconciliation in progress"),
        (3, 3, None, "before", "reconciliation in progress"),
        (3, 3, "now", "now", None),
        (3, 3, None, None, None),
    ],
    ids=[
        "new-object",
        "generation-wins-over-annotation",
        "first-request",
        "new-request",
        "annotation-removed",
        "request-handled",
        "nothing-new",
    ],
)
def test_early_patch_message(
    generation: int, observed: int, annotation: str | None, handled: str | None, message: str | None
) -> None:
    def meta(obj: dict[str, Any]) -> None:
        obj["metadata"]["generation"] = generation
        obj["status"]["observedGeneration"] = observed
        if annotation is not None:
            obj["metadata"]["annotations"] = {"reconcile.fluxcd.io/requestedAt": annotation}
        if handled is not None:
            obj["status"]["lastHandledReconcileAt"] = handled

    assert early_patch_message(build(meta)) == message


# event_for (docs/behaviour.md, Status, conditions and events)


def ready(status: str, reason: str, message: str) -> tuple[Condition, ...]:
    return (Condition(READY, status, reason, message, "2026-06-23T20:05:02Z", 1),)


RECONCILING_READY = (
    Condition("Reconciling", "True", "ProgressingWithRetry", "scanning: x", "2026-06-23T20:05:02Z", 1),
    *ready("True", "Succeeded", "found x tags"),
)


@pytest.mark.parametrize(
    ("old", "new", "event"),
    [
        ((), ready("True", "Succeeded", "found x tags"), Event("Normal", "Succeeded", "found x tags")),
        (
            ready("True", "Succeeded", "foo"),
            ready("True", "Succeeded", "foo"),
            Event("Trace", "Succeeded", "next scan in 1m0s"),
        ),
        (
            ready("True", "Succeeded", "found x tags"),
            ready("True", "Succeeded", "found y tags"),
            Event("Normal", "Succeeded", "found y tags"),
        ),
        (
            ready("True", "Succeeded", "found x tags"),
            ready("False", "Failed", "scan failed"),
            Event("Warning", "Failed", "scan failed"),
        ),
        (
            ready("False", "ReadOperationFailed", "scan failed: x"),
            ready("False", "ReadOperationFailed", "scan failed: x"),
            Event("Warning", "ReadOperationFailed", "scan failed: x"),
        ),
        (
            ready("False", "ReadOperationFailed", "scan failed: x"),
            ready("True", "Succeeded", "found x tags"),
            Event("Normal", "Succeeded", "found x tags"),
        ),
        (
            RECONCILING_READY,
            ready("True", "Succeeded", "found x tags"),
            Event("Normal", "Succeeded", "found x tags"),
        ),
    ],
    ids=[
        "first-success",
        "unchanged-ready-is-a-trace",
        "new-tags",
        "failure",
        "every-failing-reconcile-warns",
        "recovery",
        "ready-after-reconciling-counts-as-becoming-ready",
    ],
)
def test_event_for(old: tuple[Condition, ...], new: tuple[Condition, ...], event: Event) -> None:
    assert event_for(old, new, "next scan in 1m0s") == event


def test_a_stall_warns_with_the_stall_reason() -> None:
    new = (
        Condition("Stalled", "True", "ImageURLInvalid", "bad image", "2026-06-23T20:05:02Z", 1),
        *ready("False", "ImageURLInvalid", "bad image"),
    )

    assert event_for((), new, "unused") == Event("Warning", "ImageURLInvalid", "bad image")


def test_no_event_without_a_ready_condition() -> None:
    assert event_for((), (), "unused") is None


# Whole sequences through these functions (docs/behaviour.md, Status, conditions and events)


def reconcile(
    repo: ImageRepository,
    *,
    now: datetime,
    stored_tags_present: bool | None,
    scan_result: tuple[int, str],
) -> tuple[list[dict[str, Any]], dict[str, Any], Event | None]:
    """One successful reconcile at the condition level: (intermediate patches, final status, event)."""
    generation = repo.generation
    patches: list[dict[str, Any]] = []
    assert feature_gate_stall(repo, gate_enabled=False) is None
    conditions = mark_progressing(repo.conditions, RECONCILIATION_IN_PROGRESS, generation, now)
    early = early_patch_message(repo)
    if early is not None:
        conditions = mark_progressing(conditions, early, generation, now)
        patches.append({"observedGeneration": repo.observed_generation, "conditions": to_json(conditions)})
    canonical = repo.image
    decision = should_scan(
        repo,
        canonical_name=canonical,
        exclusion_list=repo.effective_exclusion_list(),
        stored_tags_present=stored_tags_present,
        now=now,
        last_scan_failed=False,
    )
    last = repo.last_scan_result
    old_revision = last.revision if last else None
    count, revision, scanned_at = (last.tag_count, last.revision, last.scan_time) if last else (0, "", None)
    if decision.scan:
        conditions = mark_progressing(
            conditions, scanning_message(decision.reason), generation, now, drift=decision.drift
        )
        patches.append({"observedGeneration": repo.observed_generation, "conditions": to_json(conditions)})
        count, revision = scan_result
        scanned_at = stamp(now)
    trace = next_scan_message(decision.scan, old_revision, revision, decision.next_ns)
    conditions = delete_condition(conditions, READY)
    final = finalize_result(
        conditions,
        error=None,
        requeue=False,
        requeue_after_ns=decision.next_ns,
        success_after_ns=decision.next_ns,
        ready_message=ready_message(count, revision),
        generation=generation,
        now=now,
    )
    status = {
        "observedGeneration": observed_generation_after(final, generation, repo.observed_generation),
        "canonicalImageName": canonical,
        "observedExclusionList": list(repo.effective_exclusion_list()),
        "lastScanResult": {"tagCount": count, "scanTime": scanned_at, "revision": revision},
        "conditions": to_json(final),
    }
    return patches, status, event_for(repo.conditions, final, trace)


NEW_OBJECT: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {"name": "podinfo", "namespace": "flux-system", "generation": 1},
    "spec": {"image": "ghcr.io/stefanprodan/podinfo", "interval": "1h"},
    "status": {"observedGeneration": -1},
}


def with_status(obj: dict[str, Any], status: dict[str, Any]) -> ImageRepository:
    updated = copy.deepcopy(obj)
    updated["status"] = status
    return ImageRepository.from_dict(updated)


def state(status: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["type"], c["status"], c["message"]) for c in status["conditions"]]


def test_a_healthy_new_object_patches_twice_then_turns_ready_with_a_normal_event() -> None:
    patches, final, event = reconcile(
        ImageRepository.from_dict(NEW_OBJECT), now=NOW, stored_tags_present=None, scan_result=(12, "123456")
    )

    assert [state(patch) for patch in patches] == [
        [
            ("Reconciling", "True", "processing object: new generation -1 -> 1"),
            ("Ready", "Unknown", "processing object: new generation -1 -> 1"),
        ],
        [("Reconciling", "True", "scanning: first scan"), ("Ready", "Unknown", "scanning: first scan")],
    ]
    assert state(final) == [("Ready", "True", "successful scan: found 12 tags with checksum 123456")]
    assert final["observedGeneration"] == 1
    assert event == Event("Normal", "Succeeded", "successful scan: found 12 tags with checksum 123456")
    for status in [*patches, final]:
        assert check(status, 1) == []


def test_every_interval_after_that_unchanged_tags_give_one_trace_event() -> None:
    _, first, _ = reconcile(
        ImageRepository.from_dict(NEW_OBJECT), now=NOW, stored_tags_present=None, scan_result=(12, "123456")
    )
    later = NOW + timedelta(hours=1)

    patches, final, event = reconcile(
        with_status(NEW_OBJECT, first), now=later, stored_tags_present=True, scan_result=(12, "123456")
    )

    assert [state(patch) for patch in patches] == [
        [("Reconciling", "True", "scanning: triggered by interval"), state(first)[0]],
    ]
    assert state(final) == state(first)
    assert event == Event("Trace", "Succeeded", "tags did not change, next scan in 1h0m0s")
    for status in [*patches, final]:
        assert check(status, 1) == []


def test_new_tags_at_the_interval_give_a_normal_event() -> None:
    _, first, _ = reconcile(
        ImageRepository.from_dict(NEW_OBJECT), now=NOW, stored_tags_present=None, scan_result=(12, "123456")
    )

    _, final, event = reconcile(
        with_status(NEW_OBJECT, first),
        now=NOW + timedelta(hours=1),
        stored_tags_present=True,
        scan_result=(13, "654321"),
    )

    assert event == Event("Normal", "Succeeded", "successful scan: found 13 tags with checksum 654321")
    assert check(final, 1) == []


def test_a_reconcile_between_scans_only_reports_the_time_left() -> None:
    _, first, _ = reconcile(
        ImageRepository.from_dict(NEW_OBJECT), now=NOW, stored_tags_present=None, scan_result=(12, "123456")
    )
    later = NOW + timedelta(minutes=10)

    patches, final, event = reconcile(
        with_status(NEW_OBJECT, first), now=later, stored_tags_present=True, scan_result=(99, "unused")
    )

    assert patches == []
    assert state(final) == state(first)
    assert event == Event(
        "Trace",
        "Succeeded",
        "no change in repository configuration since last scan, next scan in 49m59.876544s",
    )


def test_a_lost_database_forces_ready_unknown_during_the_rescan() -> None:
    _, first, _ = reconcile(
        ImageRepository.from_dict(NEW_OBJECT), now=NOW, stored_tags_present=None, scan_result=(12, "123456")
    )

    patches, final, event = reconcile(
        with_status(NEW_OBJECT, first),
        now=NOW + timedelta(minutes=10),
        stored_tags_present=None,
        scan_result=(12, "123456"),
    )

    assert [state(patch) for patch in patches] == [
        [
            ("Reconciling", "True", "scanning: no tags in database"),
            ("Ready", "Unknown", "scanning: no tags in database"),
        ]
    ]
    assert event == Event("Trace", "Succeeded", "tags did not change, next scan in 1h0m0s")
    assert check(final, 1) == []


def test_interval_zero_ends_ready_with_no_requeue() -> None:
    obj = copy.deepcopy(NEW_OBJECT)
    obj["spec"]["interval"] = "0s"

    _, final, event = reconcile(
        ImageRepository.from_dict(obj), now=NOW, stored_tags_present=None, scan_result=(1, "9")
    )

    assert state(final) == [("Ready", "True", "successful scan: found 1 tags with checksum 9")]
    assert event == Event("Normal", "Succeeded", "successful scan: found 1 tags with checksum 9")


def test_the_set_condition_used_by_failures_reports_a_warning() -> None:
    conditions = mark_progressing((), RECONCILIATION_IN_PROGRESS, 1, NOW)
    conditions = set_condition(conditions, READY, "False", "ReadOperationFailed", "scan failed: x", 1, NOW)
    final = finalize_result(
        conditions,
        error="scan failed: x",
        requeue=False,
        requeue_after_ns=None,
        success_after_ns=HOUR,
        ready_message="unused",
        generation=1,
        now=NOW,
    )

    assert event_for((), final, "unused") == Event("Warning", "ReadOperationFailed", "scan failed: x")
