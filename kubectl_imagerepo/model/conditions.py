"""Condition algebra over `status.conditions`, as Flux's runtime/conditions and ResultFinalizer do it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from kubectl_imagerepo.model.fluxobject import (
    READY,
    RECONCILING,
    STALLED,
    Condition,
    find_condition,
    is_ready,
    is_reconciling,
    is_stalled,
)

__all__ = [
    "ACCESS_DENIED_REASON",
    "AUTHENTICATION_FAILED_REASON",
    "DEPENDENCY_NOT_READY_REASON",
    "FAILED_REASON",
    "FALSE",
    "FEATURE_GATE_DISABLED_REASON",
    "IMAGE_URL_INVALID_REASON",
    "INTERVAL_NOT_CONFIGURED_REASON",
    "MAX_MESSAGE_LENGTH",
    "PROGRESSING_REASON",
    "PROGRESSING_WITH_RETRY_REASON",
    "READY",
    "READ_OPERATION_FAILED_REASON",
    "RECONCILING",
    "STALLED",
    "STATUS_FAILURE",
    "SUCCEEDED_REASON",
    "TRUE",
    "UNKNOWN",
    "Conditions",
    "delete_condition",
    "finalize_result",
    "format_time",
    "mark_progressing",
    "mark_reconciling",
    "mark_stalled",
    "observed_generation_after",
    "set_condition",
    "to_json",
]

Conditions = tuple[Condition, ...]

TRUE = "True"
FALSE = "False"
UNKNOWN = "Unknown"

# Reasons (fluxcd/pkg apis/meta, the controller's API package and metav1).
PROGRESSING_REASON = "Progressing"
PROGRESSING_WITH_RETRY_REASON = "ProgressingWithRetry"
SUCCEEDED_REASON = "Succeeded"
FAILED_REASON = "Failed"
FEATURE_GATE_DISABLED_REASON = "FeatureGateDisabled"
IMAGE_URL_INVALID_REASON = "ImageURLInvalid"
AUTHENTICATION_FAILED_REASON = "AuthenticationFailed"
READ_OPERATION_FAILED_REASON = "ReadOperationFailed"
STATUS_FAILURE = "Failure"  # metav1.StatusFailure
# ImagePolicy only; listed for completeness.
DEPENDENCY_NOT_READY_REASON = "DependencyNotReady"
ACCESS_DENIED_REASON = "AccessDenied"
INTERVAL_NOT_CONFIGURED_REASON = "IntervalNotConfigured"

MAX_MESSAGE_LENGTH = 32768
_TRIMMED_SUFFIX = "..."
# Condition types that always come first, in this order; the others follow.
_WEIGHTS = {STALLED: 0, RECONCILING: 1, READY: 2}


def format_time(now: datetime) -> str:
    """`now` as a `metav1.Time` is written: UTC, truncated to whole seconds, `Z` suffix.

    A naive datetime is taken to be UTC already.

    Example: `2026-06-23T22:05:02.734+02:00` is written `2026-06-23T20:05:02Z`.
    """
    moment = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _trim(message: str) -> str:
    if len(message) <= MAX_MESSAGE_LENGTH:
        return message
    return message[: MAX_MESSAGE_LENGTH - len(_TRIMMED_SUFFIX)] + _TRIMMED_SUFFIX


def _sort_key(condition: Condition) -> tuple[int, int, str]:
    weight = _WEIGHTS.get(condition.type)
    if weight is not None:
        return (weight, 0, "")
    # The others: the most recently observed generation first, then by type.
    return (len(_WEIGHTS), -(condition.observed_generation or 0), condition.type)


def _sorted(conditions: Iterable[Condition]) -> Conditions:
    return tuple(sorted(conditions, key=_sort_key))


def set_condition(
    conditions: Conditions,
    type: str,
    status: str,
    reason: str,
    message: str,
    generation: int,
    now: datetime,
) -> Conditions:
    """Set one condition, as `conditions.Set` does.

    The condition's `observedGeneration` becomes `generation`. Its `lastTransitionTime` becomes
    `now` (see `format_time()`) when the condition is new or its status, reason or message changes;
    otherwise the existing time is kept. A message longer than 32768 characters is cut to 32765
    characters followed by `...` before it is compared.

    Args:
        conditions: The current conditions.
        type: The condition type, e.g. `Ready`.
        status: `True`, `False` or `Unknown`.
        reason: The CamelCase reason.
        message: The human-readable message.
        generation: The object's `metadata.generation`.
        now: The time of the change.

    Returns:
        The new conditions, ordered `Stalled`, `Reconciling`, `Ready`, then the others (the highest
        `observedGeneration` first, then by type).
    """
    message = _trim(message)
    existing = find_condition(conditions, type)
    if (
        existing is not None
        and existing.last_transition_time is not None
        and (existing.status, existing.reason, existing.message) == (status, reason, message)
    ):
        transition = existing.last_transition_time
    else:
        transition = format_time(now)
    updated = Condition(
        type=type,
        status=status,
        reason=reason,
        message=message,
        last_transition_time=transition,
        observed_generation=generation,
    )
    others = [condition for condition in conditions if condition.type != type]
    return _sorted([*others, updated])


def delete_condition(conditions: Conditions, type: str) -> Conditions:
    """Remove the condition of that type, if any; the others keep their order."""
    return tuple(condition for condition in conditions if condition.type != type)


def mark_reconciling(
    conditions: Conditions, reason: str, message: str, generation: int, now: datetime
) -> Conditions:
    """`MarkReconciling`: delete `Stalled` and set `Reconciling=True` with this reason and message."""
    return set_condition(
        delete_condition(conditions, STALLED), RECONCILING, TRUE, reason, message, generation, now
    )


def mark_stalled(
    conditions: Conditions, reason: str, message: str, generation: int, now: datetime
) -> Conditions:
    """`MarkStalled`: delete `Reconciling` and set `Stalled=True` with this reason and message.

    `Ready` is left alone: `finalize_result()` turns it False with the stall's reason and message.
    """
    return set_condition(
        delete_condition(conditions, RECONCILING), STALLED, TRUE, reason, message, generation, now
    )


def mark_progressing(
    conditions: Conditions, message: str, generation: int, now: datetime, *, drift: bool = False
) -> Conditions:
    """The progressive status of a reconcile in flight (`reconcile.ProgressiveStatus`).

    `Reconciling=True` with reason `Progressing` and `message`; `Stalled` is deleted. `Ready` becomes
    `Unknown` with the same reason and message only when it is absent or already `Unknown`, so an
    existing `Ready=True` or `Ready=False` stays visible while the reconcile runs.

    Args:
        conditions: The current conditions.
        message: E.g. `reconciliation in progress` or `scanning: first scan`.
        generation: The object's `metadata.generation`.
        now: The time of the change.
        drift: Force `Ready=Unknown` whatever its value: the controller does this for the scan
            whose reason is `no tags in database`.

    Returns:
        The new conditions.
    """
    result = mark_reconciling(conditions, PROGRESSING_REASON, message, generation, now)
    ready = find_condition(result, READY)
    if drift or ready is None or ready.status == UNKNOWN:
        result = set_condition(result, READY, UNKNOWN, PROGRESSING_REASON, message, generation, now)
    return result


def _is_true(conditions: Conditions, type: str) -> bool:
    found = find_condition(conditions, type)
    return found is not None and found.status == TRUE


def _is_unknown(conditions: Conditions, type: str) -> bool:
    """`conditions.IsUnknown`: the condition is `Unknown`, or absent."""
    found = find_condition(conditions, type)
    return found is None or found.status == UNKNOWN


def finalize_result(
    conditions: Conditions,
    *,
    error: str | None,
    requeue: bool,
    requeue_after_ns: int | None,
    success_after_ns: int,
    ready_message: str,
    generation: int,
    now: datetime,
) -> Conditions:
    """The conditions at the end of a reconcile: Flux's `ResultFinalizer`, then the controller's own step.

    A result is a success when there is no error, no `requeue`, and `requeue_after_ns` equals
    `success_after_ns` (the interval after a scan, the time left before the next one otherwise).
    When `success_after_ns` is 0 (`interval: 0s`) an empty result is a success too, and the stall
    analysis below still runs. In order:

    1. An error deletes `Stalled`.
    2. When the result is not a success (or `success_after_ns` is 0): a result that asks for a
       requeue deletes `Stalled` (only an empty result is a stall); a `Stalled=True` left then
       sets `Ready=False` with the stall's reason and message. This project always does so, where
       the controller keeps an existing `Ready=False` (see docs/behaviour.md, Deviations from the controller).
    3. A success, or `Stalled=True`, deletes `Reconciling`.
    4. An error turns a `Ready` that is `True`, `Unknown` or absent into `Ready=False`, reason
       `Failed`, with the error as message; an existing `Ready=False` is kept.
    5. A success that leaves `Ready` `Unknown` or absent, with the object neither reconciling nor
       stalled, sets `Ready=True`, reason `Succeeded`, message `ready_message`.
    6. The controller's deferred step: a `Reconciling=True` still there gets the reason
       `ProgressingWithRetry`, its message unchanged.

    Args:
        conditions: The conditions as the reconcile left them (on the success path with `Ready`
            deleted, so that it is recomputed here).
        error: The reconcile error's text, or None.
        requeue: The result asks for a rate-limited requeue (`Requeue: true`).
        requeue_after_ns: The result's `RequeueAfter`; None or 0 for none.
        success_after_ns: The `RequeueAfter` that means success.
        ready_message: `Ready`'s message on success, see `decisions.ready_message()`.
        generation: The object's `metadata.generation`.
        now: The time of the change.

    Returns:
        The final conditions.
    """
    after = requeue_after_ns or 0
    empty_result = not requeue and after == 0
    result_success = not requeue and after == success_after_ns  # isSuccess(result, nil)
    success = error is None and result_success
    no_requeue_success_type = success_after_ns == 0  # isSuccess(ctrl.Result{}, nil)

    result = conditions
    if error is not None:
        result = delete_condition(result, STALLED)
    if not success or no_requeue_success_type:
        if not empty_result and not result_success:
            result = delete_condition(result, STALLED)
        stalled = find_condition(result, STALLED)
        if stalled is not None and stalled.status == TRUE:
            result = set_condition(result, READY, FALSE, stalled.reason, stalled.message, generation, now)
    if success or _is_true(result, STALLED):
        result = delete_condition(result, RECONCILING)
    if error is not None and (_is_unknown(result, READY) or _is_true(result, READY)):
        result = set_condition(result, READY, FALSE, FAILED_REASON, error, generation, now)
    if _is_unknown(result, READY) and success and not is_reconciling(result) and not is_stalled(result):
        result = set_condition(result, READY, TRUE, SUCCEEDED_REASON, ready_message, generation, now)
    reconciling = find_condition(result, RECONCILING)
    if reconciling is not None and is_reconciling(result):
        result = set_condition(
            result,
            RECONCILING,
            reconciling.status,
            PROGRESSING_WITH_RETRY_REASON,
            reconciling.message,
            generation,
            now,
        )
    return result


def observed_generation_after(conditions: Conditions, generation: int, previous: int) -> int:
    """`status.observedGeneration` after the final patch.

    It becomes `generation` only when the object ends stalled or ready (kstatus `IsStalled` or
    `IsReady`); otherwise it stays `previous`.
    """
    return generation if is_stalled(conditions) or is_ready(conditions) else previous


def to_json(conditions: Iterable[Condition]) -> list[dict[str, Any]]:
    """The conditions as `status.conditions` JSON, with `metav1.Condition`'s field order.

    `observedGeneration` is left out when it is None or 0 (Go's `omitempty`).
    """
    items: list[dict[str, Any]] = []
    for condition in conditions:
        item: dict[str, Any] = {"type": condition.type, "status": condition.status}
        if condition.observed_generation:
            item["observedGeneration"] = condition.observed_generation
        item["lastTransitionTime"] = condition.last_transition_time
        item["reason"] = condition.reason
        item["message"] = condition.message
        items.append(item)
    return items
