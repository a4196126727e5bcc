"""The kstatus invariants: each one broken on purpose, and the statuses the plugin writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kubectl_imagerepo.model.conditions import (
    AUTHENTICATION_FAILED_REASON,
    IMAGE_URL_INVALID_REASON,
    READY,
    Conditions,
    delete_condition,
    finalize_result,
    mark_progressing,
    mark_stalled,
    observed_generation_after,
    set_condition,
    to_json,
)
from tests.kstatus import check

NOW = datetime(2026, 6, 23, 20, 5, 2, tzinfo=UTC)
STAMP = "2026-06-23T20:05:02Z"
GENERATION = 3
INTERVAL = 60_000_000_000


def item(
    type: str, status: str, reason: str = "Reason", message: str = "", generation: int = 3
) -> dict[str, Any]:
    return {
        "type": type,
        "status": status,
        "observedGeneration": generation,
        "lastTransitionTime": STAMP,
        "reason": reason,
        "message": message,
    }


def status(*conditions: dict[str, Any], observed_generation: int = 3) -> dict[str, Any]:
    return {"observedGeneration": observed_generation, "conditions": list(conditions)}


READY_TRUE = item("Ready", "True", "Succeeded", "successful scan: found 2 tags with checksum 1")
READY_FALSE = item("Ready", "False", "ReadOperationFailed", "scan failed: boom")
READY_UNKNOWN = item("Ready", "Unknown", "Progressing", "reconciliation in progress")
RECONCILING = item("Reconciling", "True", "Progressing", "reconciliation in progress")
RETRYING = item("Reconciling", "True", "ProgressingWithRetry", "reconciliation in progress")
STALLED = item("Stalled", "True", "ImageURLInvalid", "could not parse reference: x")


# Valid statuses


def finish(conditions: Conditions, error: str | None, after: int | None) -> dict[str, Any]:
    final = finalize_result(
        conditions,
        error=error,
        requeue=False,
        requeue_after_ns=after,
        success_after_ns=INTERVAL,
        ready_message="successful scan: found 1 tags with checksum 9",
        generation=GENERATION,
        now=NOW,
    )
    return {
        "observedGeneration": observed_generation_after(final, GENERATION, GENERATION - 1),
        "conditions": to_json(final),
    }


def every_status_of_a_reconcile() -> dict[str, dict[str, Any]]:
    """What the plugin writes, built with the condition algebra from a Ready=True object."""
    start: Conditions = set_condition((), READY, "True", "Succeeded", "found 1", GENERATION - 1, NOW)
    progressing = mark_progressing(start, "processing object: new generation 2 -> 3", GENERATION, NOW)
    scanning = mark_progressing(progressing, "scanning: no tags in database", GENERATION, NOW, drift=True)
    fresh = mark_progressing((), "processing object: new generation -1 -> 3", GENERATION, NOW)
    failed = set_condition(scanning, READY, "False", "ReadOperationFailed", "scan failed: x", GENERATION, NOW)
    auth = set_condition(progressing, READY, "False", AUTHENTICATION_FAILED_REASON, "failed", GENERATION, NOW)
    stalled = mark_stalled(progressing, IMAGE_URL_INVALID_REASON, "could not parse", GENERATION, NOW)
    return {
        "patch: generation change keeps Ready=True": {
            "observedGeneration": GENERATION - 1,
            "conditions": to_json(progressing),
        },
        "patch: new object with Ready=Unknown": {"observedGeneration": -1, "conditions": to_json(fresh)},
        "patch: scanning an empty database": {
            "observedGeneration": GENERATION - 1,
            "conditions": to_json(scanning),
        },
        "final: success": finish(delete_condition(scanning, READY), None, INTERVAL),
        "final: scan failed": finish(failed, "scan failed: x", None),
        "final: authentication failed": finish(auth, "failed", None),
        "final: patch error": finish(fresh, "conflict", None),
        "final: stalled": finish(stalled, None, None),
    }


STATUSES = every_status_of_a_reconcile()


@pytest.mark.parametrize("name", list(STATUSES))
def test_every_status_the_reconcile_writes_is_valid(name: str) -> None:
    assert check(STATUSES[name], GENERATION) == []


def test_a_ready_object_is_valid() -> None:
    assert check(status(READY_TRUE), 3) == []


def test_a_mid_reconcile_patch_may_keep_ready_true_beside_reconciling() -> None:
    assert check(status(RECONCILING, READY_TRUE, observed_generation=2), 3, mid_reconcile=True) == []


def test_a_mid_reconcile_patch_may_have_ready_unknown_beside_reconciling() -> None:
    assert check(status(RECONCILING, READY_UNKNOWN), 3, mid_reconcile=True) == []


def test_reconciling_with_reason_progressing_is_taken_as_a_mid_reconcile_patch() -> None:
    assert check(status(RECONCILING, READY_UNKNOWN), 3) == []


def test_reconciling_with_reason_progressing_with_retry_is_taken_as_a_final_status() -> None:
    assert check(status(RETRYING, READY_UNKNOWN), 3) == [
        "Ready must be False when Reconciling is True at the end of a reconcile, not Unknown"
    ]


def test_a_missing_observed_generation_reads_as_zero() -> None:
    assert check({"conditions": [item("Ready", "False")]}, 1) == []


# Each invariant broken on purpose


@pytest.mark.parametrize(
    ("written", "mid_reconcile", "violation"),
    [
        (status(), None, "the Ready condition is missing"),
        (status(STALLED, READY_TRUE), True, "Ready must be False when Stalled is True, not True"),
        (
            status(RETRYING, READY_FALSE, STALLED),
            None,
            "Reconciling and Stalled must not be present together",
        ),
        (
            status(RECONCILING, READY_FALSE, observed_generation=4),
            None,
            "status.observedGeneration 4 must not be greater than metadata.generation 3",
        ),
        (
            status(item("Ready", "True", generation=2)),
            None,
            "when Ready is True every condition's observedGeneration must equal "
            "status.observedGeneration 3: Ready has 2",
        ),
        (
            status(READY_UNKNOWN),
            None,
            "Ready=Unknown is only valid mid-reconcile, with Reconciling=True",
        ),
    ],
    ids=[
        "ready-missing",
        "stalled-but-ready",
        "reconciling-and-stalled",
        "observed-generation-ahead",
        "ready-with-stale-condition-generation",
        "ready-unknown-without-reconciling",
    ],
)
def test_a_broken_invariant_is_reported(
    written: dict[str, Any], mid_reconcile: bool | None, violation: str
) -> None:
    assert check(written, 3, mid_reconcile=mid_reconcile) == [violation]


def test_a_final_status_must_not_be_reconciling_while_ready() -> None:
    assert check(status(RETRYING, READY_TRUE), 3) == [
        "Ready must be False when Reconciling is True at the end of a reconcile, not True",
        "negative-polarity conditions must not be True while Ready is True: Reconciling",
    ]


def test_a_final_status_is_checked_strictly_when_told_so() -> None:
    assert check(status(RECONCILING, READY_TRUE), 3, mid_reconcile=False) == [
        "Ready must be False when Reconciling is True at the end of a reconcile, not True",
        "negative-polarity conditions must not be True while Ready is True: Reconciling",
    ]


def test_a_stall_while_ready_breaks_the_negative_polarity_rule_too() -> None:
    assert check(status(STALLED, READY_TRUE), 3, mid_reconcile=False) == [
        "Ready must be False when Stalled is True, not True",
        "negative-polarity conditions must not be True while Ready is True: Stalled",
    ]


def test_the_generation_rule_lists_every_stale_condition() -> None:
    written = status(READY_TRUE, item("Foo", "True", generation=1), item("Bar", "False", generation=5))

    assert check(written, 5) == [
        "when Ready is True every condition's observedGeneration must equal "
        "status.observedGeneration 3: Foo has 1, Bar has 5"
    ]


def test_the_generation_rule_does_not_apply_while_reconciling() -> None:
    written = status(item("Reconciling", "True", "Progressing", generation=4), READY_TRUE)

    assert check(written, 4, mid_reconcile=True) == []


# Malformed statuses


@pytest.mark.parametrize(
    ("written", "violation"),
    [
        ({"conditions": "Ready"}, "status.conditions must be a list, not str"),
        (
            {"conditions": [READY_TRUE, "Stalled"]},
            "status.conditions[1] must be an object with a string type",
        ),
        (
            {"conditions": [item("Ready", "Yes")]},
            "condition Ready has status 'Yes'; it must be True, False or Unknown",
        ),
        ({"conditions": [READY_FALSE, READY_FALSE]}, "condition Ready is listed more than once"),
        (
            {"observedGeneration": "3", "conditions": [READY_FALSE]},
            "status.observedGeneration must be an integer, not '3'",
        ),
    ],
    ids=["conditions-not-a-list", "condition-not-an-object", "bad-status", "duplicate", "generation-not-int"],
)
def test_a_malformed_status_is_reported(written: dict[str, Any], violation: str) -> None:
    assert violation in check(written, 3)
