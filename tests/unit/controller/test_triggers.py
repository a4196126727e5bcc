"""Which watch events make `run` reconcile, and what a result asks of the queue.

See docs/behaviour.md, The controller: `run`.
"""

from __future__ import annotations

from typing import Any

from kubectl_imagerepo.controller.triggers import (
    NO_REQUEUE,
    RETRY,
    Requeue,
    referenced_repository,
    requeue_for,
    revision_changed,
    update_passes,
)
from kubectl_imagerepo.reconcile.reconciler import Result

REQUESTED = "reconcile.fluxcd.io/requestedAt"


def obj(generation: int = 1, requested: str | None = None, **status: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "a", "namespace": "n", "generation": generation}
    if requested is not None:
        meta["annotations"] = {REQUESTED: requested}
    return {"metadata": meta, "status": status}


def result(**overrides: Any) -> Result:
    fields: dict[str, Any] = dict(
        obj={}, ready=True, stalled=False, suspended=False, message="", tag_count=1,
        requeue_after_ns=None, error=None, scanned=True,
    )
    fields.update(overrides)
    return Result(**fields)


def test_a_generation_change_passes():
    assert update_passes(obj(1), obj(2))


def test_a_status_only_change_does_not_pass():
    assert not update_passes(obj(1), obj(1, observedGeneration=1))


def test_the_request_annotation_appearing_passes():
    assert update_passes(obj(1), obj(1, requested="2026-11-27T21:00:00Z"))


def test_a_new_request_value_passes():
    assert update_passes(obj(1, requested="a"), obj(1, requested="b"))


def test_the_same_request_value_does_not_pass():
    assert not update_passes(obj(1, requested="a"), obj(1, requested="a"))


def test_the_request_annotation_removed_does_not_pass():
    assert not update_passes(obj(1, requested="a"), obj(1))


def test_an_error_backs_off():
    assert requeue_for(result(error="scan failed: boom", requeue_after_ns=None)) == RETRY


def test_success_comes_back_after_exactly_the_interval():
    assert requeue_for(result(requeue_after_ns=300_000_000_000)) == Requeue(after=300.0)


def test_a_stall_or_suspension_is_not_requeued():
    assert requeue_for(result(stalled=True, ready=False)) == NO_REQUEUE
    assert requeue_for(result(suspended=True, ready=False)) == NO_REQUEUE


def test_only_a_retry_keeps_the_failure_count():
    assert not RETRY.forget
    assert Requeue(after=1.0).forget
    assert NO_REQUEUE.forget


def test_a_zero_requeue_after_is_no_requeue() -> None:
    assert requeue_for(result(requeue_after_ns=0)) == NO_REQUEUE


def scanned(revision: str | None) -> dict[str, Any]:
    return obj(1) if revision is None else obj(1, lastScanResult={"revision": revision})


def test_a_first_scan_result_concerns_the_policies() -> None:
    assert revision_changed(scanned(None), scanned("1"))


def test_a_new_revision_concerns_the_policies() -> None:
    assert revision_changed(scanned("1"), scanned("2"))


def test_the_same_revision_does_not_concern_the_policies() -> None:
    assert not revision_changed(scanned("1"), scanned("1"))


def test_an_update_without_a_scan_result_does_not_concern_the_policies() -> None:
    assert not revision_changed(scanned(None), obj(2))


def test_a_policy_refers_to_a_repository_of_its_own_namespace_unless_it_names_one() -> None:
    meta = {"namespace": "apps", "name": "p"}
    assert referenced_repository({"metadata": meta, "spec": {"imageRepositoryRef": {"name": "r"}}}) == (
        "apps", "r"
    )
    ref = {"name": "r", "namespace": "flux-system"}
    policy = {"metadata": meta, "spec": {"imageRepositoryRef": ref}}
    assert referenced_repository(policy) == ("flux-system", "r")
