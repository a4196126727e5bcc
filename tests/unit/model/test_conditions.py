"""The condition algebra: Flux's helpers, every condition a reconcile can produce, the ResultFinalizer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kubectl_imagerepo.model.conditions import (
    AUTHENTICATION_FAILED_REASON,
    FAILED_REASON,
    FALSE,
    FEATURE_GATE_DISABLED_REASON,
    IMAGE_URL_INVALID_REASON,
    PROGRESSING_REASON,
    PROGRESSING_WITH_RETRY_REASON,
    READ_OPERATION_FAILED_REASON,
    READY,
    RECONCILING,
    STALLED,
    STATUS_FAILURE,
    SUCCEEDED_REASON,
    TRUE,
    UNKNOWN,
    Conditions,
    delete_condition,
    finalize_result,
    format_time,
    mark_progressing,
    mark_reconciling,
    mark_stalled,
    observed_generation_after,
    set_condition,
    to_json,
)
from kubectl_imagerepo.model.fluxobject import Condition

SECOND = 1_000_000_000
INTERVAL = 300 * SECOND
BEFORE = datetime(2026, 6, 23, 19, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 23, 20, 5, 2, 734_512, tzinfo=UTC)
NOW_TEXT = "2026-06-23T20:05:02Z"
LATER = NOW + timedelta(minutes=5)
GENERATION = 2
READY_MESSAGE = "successful scan: found 3 tags with checksum 1943865137"
IMAGE_ERROR = "image 'alpine:3.18' should not include a tag; remove ':3.18'"
GATE_MESSAGE = (
    "to use spec.serviceAccountName for provider authentication please enable the "
    "ObjectLevelWorkloadIdentity feature gate in the controller"
)


def condition(type: str, status: str, reason: str, message: str, generation: int = 1) -> Condition:
    return Condition(type, status, reason, message, format_time(BEFORE), generation)


READY_TRUE = condition(READY, TRUE, SUCCEEDED_REASON, "successful scan: found 2 tags with checksum 1")
READY_FALSE = condition(READY, FALSE, READ_OPERATION_FAILED_REASON, "scan failed: 503 Service Unavailable")
READY_UNKNOWN = condition(READY, UNKNOWN, PROGRESSING_REASON, "reconciliation in progress")
PREVIOUS_READY = {"absent": None, "Unknown": READY_UNKNOWN, "True": READY_TRUE, "False": READY_FALSE}


def state(conditions: Conditions) -> list[tuple[str, str, str, str]]:
    """The conditions without timestamps and generations: what a table of conditions lists."""
    return [(c.type, c.status, c.reason, c.message) for c in conditions]


def starting_with(ready: Condition | None) -> Conditions:
    return () if ready is None else (ready,)


def progressing(conditions: Conditions, *messages: str) -> Conditions:
    for message in messages:
        conditions = mark_progressing(conditions, message, GENERATION, NOW)
    return conditions


def finalize(
    conditions: Conditions,
    *,
    error: str | None = None,
    requeue: bool = False,
    requeue_after_ns: int | None = None,
    success_after_ns: int = INTERVAL,
) -> Conditions:
    return finalize_result(
        conditions,
        error=error,
        requeue=requeue,
        requeue_after_ns=requeue_after_ns,
        success_after_ns=success_after_ns,
        ready_message=READY_MESSAGE,
        generation=GENERATION,
        now=NOW,
    )


# set_condition


def test_a_new_condition_gets_the_generation_and_now_truncated_to_seconds() -> None:
    (ready,) = set_condition((), READY, TRUE, SUCCEEDED_REASON, "ok", GENERATION, NOW)

    assert ready == Condition(READY, TRUE, SUCCEEDED_REASON, "ok", NOW_TEXT, GENERATION)


def test_the_transition_time_is_written_in_utc_with_a_z() -> None:
    in_paris = datetime(2026, 6, 23, 22, 5, 2, 999_999, tzinfo=timezone(timedelta(hours=2)))

    (ready,) = set_condition((), READY, TRUE, SUCCEEDED_REASON, "ok", GENERATION, in_paris)

    assert ready.last_transition_time == NOW_TEXT


def test_a_naive_time_is_taken_as_utc() -> None:
    assert format_time(NOW.replace(tzinfo=None)) == NOW_TEXT


def test_setting_the_same_state_keeps_the_transition_time_and_updates_the_generation() -> None:
    (ready,) = set_condition((READY_TRUE,), READY, TRUE, READY_TRUE.reason, READY_TRUE.message, 7, NOW)

    assert ready.last_transition_time == READY_TRUE.last_transition_time
    assert ready.observed_generation == 7


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (FALSE, SUCCEEDED_REASON, READY_TRUE.message),
        (TRUE, FAILED_REASON, READY_TRUE.message),
        (TRUE, SUCCEEDED_REASON, "successful scan: found 3 tags with checksum 2"),
    ],
    ids=["status", "reason", "message"],
)
def test_a_change_of_status_reason_or_message_moves_the_transition_time(
    status: str, reason: str, message: str
) -> None:
    (ready,) = set_condition((READY_TRUE,), READY, status, reason, message, 1, NOW)

    assert ready.last_transition_time == NOW_TEXT


def test_a_message_of_the_maximum_length_is_kept_whole() -> None:
    message = "x" * 32768

    (ready,) = set_condition((), READY, FALSE, FAILED_REASON, message, 1, NOW)

    assert ready.message == message


def test_a_longer_message_is_cut_to_32765_characters_and_an_ellipsis() -> None:
    message = "a" * 32765 + "bcdef"

    (ready,) = set_condition((), READY, FALSE, FAILED_REASON, message, 1, NOW)

    assert ready.message == "a" * 32765 + "..."
    assert len(ready.message) == 32768


def test_a_long_message_is_compared_after_cutting_so_a_repeat_is_no_transition() -> None:
    message = "a" * 40000
    first = set_condition((), READY, FALSE, FAILED_REASON, message, 1, BEFORE)

    (ready,) = set_condition(first, READY, FALSE, FAILED_REASON, message + "b", 1, NOW)

    assert ready.last_transition_time == format_time(BEFORE)


def test_conditions_are_ordered_stalled_reconciling_ready_then_the_others() -> None:
    conditions: Conditions = ()
    order = [("Zeta", 1), (READY, 1), ("Alpha", 1), (RECONCILING, 1), ("Newer", 2), (STALLED, 1)]
    for type, generation in order:
        conditions = set_condition(conditions, type, TRUE, "Reason", "message", generation, NOW)

    assert [c.type for c in conditions] == [STALLED, RECONCILING, READY, "Newer", "Alpha", "Zeta"]


def test_setting_a_condition_leaves_the_input_untouched() -> None:
    before = (READY_TRUE,)

    set_condition(before, READY, FALSE, FAILED_REASON, "boom", 1, NOW)

    assert before == (READY_TRUE,)


# delete, mark_reconciling, mark_stalled


def test_delete_removes_only_that_type() -> None:
    stalled = condition(STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR)

    assert delete_condition((stalled, READY_FALSE), STALLED) == (READY_FALSE,)


def test_delete_of_an_absent_type_changes_nothing() -> None:
    assert delete_condition((READY_TRUE,), STALLED) == (READY_TRUE,)


def test_mark_reconciling_deletes_stalled() -> None:
    stalled = condition(STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR)

    result = mark_reconciling(
        (stalled, READY_FALSE), PROGRESSING_REASON, "reconciliation in progress", GENERATION, NOW
    )

    assert state(result) == [
        (RECONCILING, TRUE, PROGRESSING_REASON, "reconciliation in progress"),
        state((READY_FALSE,))[0],
    ]


def test_mark_stalled_deletes_reconciling() -> None:
    reconciling = condition(RECONCILING, TRUE, PROGRESSING_REASON, "reconciliation in progress")

    result = mark_stalled((reconciling, READY_TRUE), IMAGE_URL_INVALID_REASON, IMAGE_ERROR, 2, NOW)

    assert [c.type for c in result] == [STALLED, READY]


# Spec 3.2, row by row: mid-reconcile patches.

MID_RECONCILE_READY = [
    ("absent", "unknown-with-the-message"),
    ("Unknown", "unknown-with-the-message"),
    ("True", "kept"),
    ("False", "kept"),
]


def expected_progress(previous: str, outcome: str, message: str) -> list[tuple[str, str, str, str]]:
    """Reconciling=True with the message; Ready Unknown with it too, or Ready as it was."""
    if outcome == "kept":
        ready = state(starting_with(PREVIOUS_READY[previous]))
    else:
        ready = [(READY, UNKNOWN, PROGRESSING_REASON, message)]
    return [(RECONCILING, TRUE, PROGRESSING_REASON, message), *ready]


@pytest.mark.parametrize(("previous", "outcome"), MID_RECONCILE_READY)
def test_mid_reconcile_generation_change(previous: str, outcome: str) -> None:
    message = "processing object: new generation 1 -> 2"

    result = progressing(starting_with(PREVIOUS_READY[previous]), "reconciliation in progress", message)

    assert state(result) == expected_progress(previous, outcome, message)
    assert observed_generation_after(result, GENERATION, 1) == 1


@pytest.mark.parametrize(("previous", "outcome"), MID_RECONCILE_READY)
def test_mid_reconcile_annotation_change(previous: str, outcome: str) -> None:
    message = "reconciliation in progress"

    result = progressing(starting_with(PREVIOUS_READY[previous]), message)

    assert state(result) == expected_progress(previous, outcome, message)
    assert observed_generation_after(result, GENERATION, 1) == 1


@pytest.mark.parametrize(("previous", "outcome"), MID_RECONCILE_READY)
def test_mid_reconcile_scanning(previous: str, outcome: str) -> None:
    message = "scanning: triggered by interval"

    result = progressing(starting_with(PREVIOUS_READY[previous]), "reconciliation in progress", message)

    assert state(result) == expected_progress(previous, outcome, message)


@pytest.mark.parametrize("previous", list(PREVIOUS_READY))
def test_mid_reconcile_scanning_an_empty_database_always_makes_ready_unknown(previous: str) -> None:
    message = "scanning: no tags in database"
    conditions = progressing(starting_with(PREVIOUS_READY[previous]), "reconciliation in progress")

    result = mark_progressing(conditions, message, GENERATION, NOW, drift=True)

    assert state(result) == [
        (RECONCILING, TRUE, PROGRESSING_REASON, message),
        (READY, UNKNOWN, PROGRESSING_REASON, message),
    ]


def test_progressive_status_deletes_stalled() -> None:
    stalled = condition(STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR)
    ready = condition(READY, FALSE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR)

    result = progressing((stalled, ready), "reconciliation in progress")

    assert [c.type for c in result] == [RECONCILING, READY]


# Spec 3.2, row by row: final states.


@pytest.mark.parametrize("previous", list(PREVIOUS_READY))
@pytest.mark.parametrize("next_ns", [INTERVAL, 298 * SECOND + 265_488_000], ids=["scanned", "not-scanned"])
def test_success_sets_ready_true_alone_and_bumps_the_generation(previous: str, next_ns: int) -> None:
    conditions = progressing(starting_with(PREVIOUS_READY[previous]), "reconciliation in progress")
    conditions = delete_condition(conditions, READY)

    result = finalize(conditions, requeue_after_ns=next_ns, success_after_ns=next_ns)

    assert state(result) == [(READY, TRUE, SUCCEEDED_REASON, READY_MESSAGE)]
    assert result[0].observed_generation == GENERATION
    assert observed_generation_after(result, GENERATION, 1) == GENERATION


@pytest.mark.parametrize("previous", list(PREVIOUS_READY))
def test_invalid_image_stalls_with_ready_false_and_bumps_the_generation(previous: str) -> None:
    conditions = progressing(starting_with(PREVIOUS_READY[previous]), "reconciliation in progress")
    conditions = mark_stalled(conditions, IMAGE_URL_INVALID_REASON, IMAGE_ERROR, GENERATION, NOW)

    result = finalize(conditions)

    assert state(result) == [
        (STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR),
        (READY, FALSE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR),
    ]
    assert observed_generation_after(result, GENERATION, 1) == GENERATION


def test_a_stall_replaces_an_earlier_ready_false_unlike_the_controller() -> None:
    """The controller would keep `scan failed: ...` beside the stall.

    See docs/behaviour.md, Deviations from the controller.
    """
    conditions = progressing((READY_FALSE,), "reconciliation in progress")
    conditions = mark_stalled(conditions, IMAGE_URL_INVALID_REASON, IMAGE_ERROR, GENERATION, NOW)

    result = finalize(conditions)

    assert state(result)[-1] == (READY, FALSE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR)


def test_feature_gate_off_stalls_a_failing_object_with_ready_false() -> None:
    reconciling = condition(RECONCILING, TRUE, PROGRESSING_WITH_RETRY_REASON, "scanning: first scan")

    conditions = mark_stalled(
        (reconciling, READY_FALSE), FEATURE_GATE_DISABLED_REASON, GATE_MESSAGE, GENERATION, NOW
    )
    result = finalize(conditions)

    assert state(result) == [
        (STALLED, TRUE, FEATURE_GATE_DISABLED_REASON, GATE_MESSAGE),
        (READY, FALSE, FEATURE_GATE_DISABLED_REASON, GATE_MESSAGE),
    ]
    assert observed_generation_after(result, GENERATION, 1) == GENERATION


@pytest.mark.parametrize(
    ("progress", "reason", "message"),
    [
        (
            ["reconciliation in progress"],
            AUTHENTICATION_FAILED_REASON,
            'failed to configure authentication options: secrets "regcred" not found',
        ),
        (
            ["reconciliation in progress"],
            STATUS_FAILURE,
            "failed to determine if it's scan time: database is locked",
        ),
        (
            ["reconciliation in progress", "scanning: first scan"],
            READ_OPERATION_FAILED_REASON,
            "scan failed: GET https://ghcr.io/v2/x/tags/list?n=1000: unexpected status code 404 Not Found",
        ),
    ],
    ids=["auth-options-error", "database-read-error", "scan-error"],
)
@pytest.mark.parametrize("previous", list(PREVIOUS_READY))
def test_an_error_keeps_reconciling_with_retry_and_sets_ready_false(
    previous: str, progress: list[str], reason: str, message: str
) -> None:
    conditions = progressing(starting_with(PREVIOUS_READY[previous]), *progress)
    conditions = set_condition(conditions, READY, FALSE, reason, message, GENERATION, NOW)

    result = finalize(conditions, error=message)

    assert state(result) == [
        (RECONCILING, TRUE, PROGRESSING_WITH_RETRY_REASON, progress[-1]),
        (READY, FALSE, reason, message),
    ]
    assert observed_generation_after(result, GENERATION, 1) == 1


@pytest.mark.parametrize("previous", ["absent", "Unknown", "True"])
def test_an_intermediate_patch_error_turns_ready_false_with_reason_failed(previous: str) -> None:
    conditions = progressing(starting_with(PREVIOUS_READY[previous]), "reconciliation in progress")

    result = finalize(conditions, error="the object has been modified")

    assert state(result) == [
        (RECONCILING, TRUE, PROGRESSING_WITH_RETRY_REASON, "reconciliation in progress"),
        (READY, FALSE, FAILED_REASON, "the object has been modified"),
    ]


def test_an_intermediate_patch_error_keeps_an_existing_ready_false() -> None:
    conditions = progressing((READY_FALSE,), "reconciliation in progress")

    result = finalize(conditions, error="the object has been modified")

    assert state(result)[-1] == state((READY_FALSE,))[0]


# ResultFinalizer details


def test_an_error_clears_a_stall() -> None:
    stalled = condition(STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR)

    result = finalize((stalled, READY_FALSE), error="boom")

    assert [c.type for c in result] == [READY]


def test_a_requeue_without_error_clears_a_stall() -> None:
    stalled = condition(STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR)

    result = finalize((stalled, READY_FALSE), requeue=True)

    assert STALLED not in [c.type for c in result]


def test_interval_zero_makes_an_empty_result_a_success() -> None:
    conditions = progressing((), "scanning: triggered by interval")
    conditions = delete_condition(conditions, READY)

    result = finalize(conditions, requeue_after_ns=0, success_after_ns=0)

    assert state(result) == [(READY, TRUE, SUCCEEDED_REASON, READY_MESSAGE)]


def test_interval_zero_still_stalls_on_an_invalid_image() -> None:
    conditions = progressing((READY_TRUE,), "reconciliation in progress")
    conditions = mark_stalled(conditions, IMAGE_URL_INVALID_REASON, IMAGE_ERROR, GENERATION, NOW)

    result = finalize(conditions, success_after_ns=0)

    assert state(result) == [
        (STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR),
        (READY, FALSE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR),
    ]


def test_a_requeue_after_other_than_the_expected_one_is_no_success() -> None:
    conditions = delete_condition(progressing((), "reconciliation in progress"), READY)

    result = finalize(conditions, requeue_after_ns=INTERVAL - SECOND)

    assert READY not in [c.type for c in result]


def test_the_retry_reason_moves_the_reconciling_transition_time() -> None:
    conditions = mark_progressing((), "reconciliation in progress", GENERATION, BEFORE)

    result = finalize_result(
        conditions,
        error="boom",
        requeue=False,
        requeue_after_ns=None,
        success_after_ns=INTERVAL,
        ready_message=READY_MESSAGE,
        generation=GENERATION,
        now=LATER,
    )

    assert result[0].last_transition_time == format_time(LATER)


# observed_generation_after and to_json


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ((READY_TRUE,), 5),
        ((condition(STALLED, TRUE, IMAGE_URL_INVALID_REASON, IMAGE_ERROR), READY_FALSE), 5),
        ((condition(RECONCILING, TRUE, PROGRESSING_REASON, "reconciliation in progress"), READY_TRUE), 3),
        ((READY_FALSE,), 3),
        ((), 3),
    ],
    ids=["ready", "stalled", "reconciling-while-ready", "failed", "no-conditions"],
)
def test_observed_generation_is_bumped_only_when_ready_or_stalled(
    conditions: Conditions, expected: int
) -> None:
    assert observed_generation_after(conditions, 5, 3) == expected


def test_to_json_writes_metav1_condition_fields() -> None:
    assert to_json((READY_TRUE,)) == [
        {
            "type": READY,
            "status": TRUE,
            "observedGeneration": 1,
            "lastTransitionTime": "2026-06-23T19:00:00Z",
            "reason": SUCCEEDED_REASON,
            "message": READY_TRUE.message,
        }
    ]


def test_to_json_omits_an_unset_observed_generation() -> None:
    (item,) = to_json((Condition(READY, TRUE, SUCCEEDED_REASON, "ok", NOW_TEXT, None),))

    assert "observedGeneration" not in item
