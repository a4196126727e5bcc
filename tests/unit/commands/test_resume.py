"""`resume`: remove spec.suspend, then reconcile each resumed object (the scan itself is stubbed)."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.commands.cmdutil import repository_scan as scan
from kubectl_imagerepo.commands.resume import ResumeOptions
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.reconcile.reconciler import Result
from tests.unit.commands.fakes import FakeKube, captured, factory, repository


def result(obj: Any, ready: bool = True, message: str = "ok") -> Result:
    return Result(obj=dict(obj), ready=ready, stalled=False, suspended=False, message=message,
                  tag_count=3 if ready else None, requeue_after_ns=None, error=None, scanned=True)


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    done: list[str] = []

    def fake(obj: Any, **_: Any) -> Result:
        done.append(obj["metadata"]["name"])
        return result(obj, ready=obj["metadata"]["name"] != "bad", message="scan failed: boom")

    monkeypatch.setattr(scan, "run_reconcile", fake)
    return done


def resume(kube: FakeKube, **flags: Any) -> tuple[int, str]:
    options = ResumeOptions.complete(factory(kube), **flags)
    options.validate()
    streams, _, err = captured()
    return options.run(kube, streams), err.getvalue()


def test_an_unknown_feature_gate_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="unknown feature gate"):
        ResumeOptions.complete(factory(FakeKube()), names=("a",), feature_gates="Nope=true")


def test_names_with_a_selector_is_a_usage_error() -> None:
    options = ResumeOptions.complete(factory(FakeKube()), names=("a",), selector="x=y")
    with pytest.raises(InputError, match="cannot be combined"):
        options.validate()


def test_resuming_removes_suspend_and_reconciles_with_flux_s_lines(scans: list[str]) -> None:
    kube = FakeKube(repository("app", suspend=True))
    code, err = resume(kube, names=("app",))
    assert code == 0
    assert "suspend" not in kube.objects[("ns", "app")]["spec"]
    assert scans == ["app"]
    assert err.splitlines() == [
        "► resuming image repository app in ns namespace",
        "✔ image repository resumed",
        "◎ waiting for ImageRepository reconciliation",
        "✔ ImageRepository app reconciliation completed",
        "✔ scan fetched 3 tags",
    ]


def test_no_wait_resumes_without_reconciling(scans: list[str]) -> None:
    code, err = resume(FakeKube(repository("app", suspend=True)), names=("app",), wait=False)
    assert code == 0
    assert scans == []
    assert err.splitlines()[-1] == "✔ image repository resumed"


def test_a_failed_reconcile_is_counted_and_exits_1(scans: list[str]) -> None:
    code, err = resume(FakeKube(repository("bad", suspend=True)), names=("bad",))
    assert code == 1
    assert err.splitlines()[-2:] == [
        "✗ ImageRepository bad reconciliation failed: scan failed: boom",
        "✗ reconciliation failed for 1 ImageRepository(s)",
    ]


def test_a_missing_name_is_reported_in_flux_s_words(scans: list[str]) -> None:
    code, err = resume(FakeKube(), names=("gone",))
    assert code == 1
    assert err == "✗ ImageRepository object 'gone' not found in ns namespace\n"
