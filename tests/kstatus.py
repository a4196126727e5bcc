"""The kstatus invariants every ImageRepository status written by the plugin must satisfy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kubectl_imagerepo.model.conditions import PROGRESSING_REASON, READY, RECONCILING, STALLED

# Conditions that are abnormal when True (the controller's `imageRepositoryNegativeConditions`).
NEGATIVE_POLARITY = (STALLED, RECONCILING)
_STATUSES = ("True", "False", "Unknown")


def check(status: Mapping[str, Any], generation: int, *, mid_reconcile: bool | None = None) -> list[str]:
    """Every kstatus invariant that `status` violates, as Flux's `conditions/check` tests them.

    The invariants (see docs/behaviour.md, Status, conditions and events):

    - `Ready` is always present;
    - `Ready` is False whenever `Stalled` is True, and, at the end of a reconcile, whenever
      `Reconciling` is True;
    - `Reconciling` and `Stalled` are never present together;
    - at the end of a reconcile, no negative-polarity condition (`Stalled`, `Reconciling`) is True
      while `Ready` is True;
    - `status.observedGeneration` is at most `generation`;
    - when the object is ready (kstatus `IsReady`), every condition's `observedGeneration` equals
      `status.observedGeneration`;
    - `Ready=Unknown` comes with `Reconciling=True` (only a patch written mid-reconcile may
      have `Ready=Unknown`).

    Malformed conditions (not an object, a status other than True/False/Unknown, a type listed twice)
    are reported too.

    A patch written mid-reconcile may keep `Ready` True or Unknown beside `Reconciling=True`, so
    two invariants are relaxed for it, as in Flux's in-progress checker. Such patches always carry
    `Reconciling=True` with reason `Progressing`, while a final status that still has `Reconciling`
    carries `ProgressingWithRetry`: that is how the phase is told when `mid_reconcile` is None.

    Args:
        status: The object's `status`, as JSON.
        generation: The object's `metadata.generation`.
        mid_reconcile: True for a patch written during the reconcile, False for its final status,
            None to tell from the `Reconciling` condition.

    Returns:
        One human-readable sentence per violated invariant; an empty list when `status` is valid.

    Example:
        `check({"conditions": []}, 1)` gives `["the Ready condition is missing"]`.
    """
    problems: list[str] = []
    conditions = _conditions(status, problems)
    observed_generation = _observed_generation(status, problems)

    ready = conditions.get(READY)
    reconciling = conditions.get(RECONCILING)
    stalled = conditions.get(STALLED)
    if mid_reconcile is None:
        mid_reconcile = _status(reconciling) == "True" and _reason(reconciling) == PROGRESSING_REASON

    if ready is None:
        problems.append("the Ready condition is missing")
    else:
        if _status(stalled) == "True" and _status(ready) != "False":
            problems.append(f"Ready must be False when Stalled is True, not {_status(ready)}")
        if not mid_reconcile and _status(reconciling) == "True" and _status(ready) != "False":
            problems.append(
                "Ready must be False when Reconciling is True at the end of a reconcile, "
                f"not {_status(ready)}"
            )
    if reconciling is not None and stalled is not None:
        problems.append("Reconciling and Stalled must not be present together")
    if not mid_reconcile and _status(ready) == "True":
        negative = [name for name in NEGATIVE_POLARITY if _status(conditions.get(name)) == "True"]
        if negative:
            problems.append(
                f"negative-polarity conditions must not be True while Ready is True: {', '.join(negative)}"
            )
    if observed_generation is not None and observed_generation > generation:
        problems.append(
            f"status.observedGeneration {observed_generation} must not be greater than "
            f"metadata.generation {generation}"
        )
    if observed_generation is not None and _is_ready(conditions):
        stale = [
            f"{name} has {_generation(condition)}"
            for name, condition in conditions.items()
            if _generation(condition) != observed_generation
        ]
        if stale:
            problems.append(
                "when Ready is True every condition's observedGeneration must equal "
                f"status.observedGeneration {observed_generation}: {', '.join(stale)}"
            )
    if ready is not None and _status(ready) == "Unknown" and _status(reconciling) != "True":
        problems.append("Ready=Unknown is only valid mid-reconcile, with Reconciling=True")
    return problems


def _conditions(status: Mapping[str, Any], problems: list[str]) -> dict[str, Mapping[str, Any]]:
    """The conditions by type (the first of each type); malformed entries are reported."""
    raw = status.get("conditions")
    if raw is None:
        return {}
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append(f"status.conditions must be a list, not {type(raw).__name__}")
        return {}
    found: dict[str, Mapping[str, Any]] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            problems.append(f"status.conditions[{index}] must be an object with a string type")
            continue
        name = item["type"]
        if item.get("status") not in _STATUSES:
            problems.append(
                f"condition {name} has status {item.get('status')!r}; it must be True, False or Unknown"
            )
        if name in found:
            problems.append(f"condition {name} is listed more than once")
            continue
        found[name] = item
    return found


def _observed_generation(status: Mapping[str, Any], problems: list[str]) -> int | None:
    value = status.get("observedGeneration", 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"status.observedGeneration must be an integer, not {value!r}")
        return None
    return value


def _status(condition: Mapping[str, Any] | None) -> str:
    """The condition's status; a missing condition counts as Unknown."""
    if condition is None:
        return "Unknown"
    return str(condition.get("status"))


def _reason(condition: Mapping[str, Any] | None) -> str:
    return "" if condition is None else str(condition.get("reason") or "")


def _generation(condition: Mapping[str, Any]) -> int:
    value = condition.get("observedGeneration")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _is_ready(conditions: Mapping[str, Mapping[str, Any]]) -> bool:
    """kstatus `IsReady`: Ready=True while neither Stalled nor Reconciling is True."""
    return (
        _status(conditions.get(READY)) == "True"
        and _status(conditions.get(STALLED)) != "True"
        and _status(conditions.get(RECONCILING)) != "True"
    )
