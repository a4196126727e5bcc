"""`reconcile`: select, annotate, reconcile (the scan itself is stubbed) and report in Flux's lines."""

from __future__ import annotations

import io
from typing import Any

import pytest

from kubectl_imagerepo.commands.cmdutil import repository_scan as scan
from kubectl_imagerepo.commands.reconcile import ReconcileOptions
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.reconcile.reconciler import Result
from tests.unit.commands.fakes import FakeKube, captured, factory, repository


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    done: list[dict[str, Any]] = []

    def fake(obj: Any, **_: Any) -> Result:
        done.append(dict(obj))
        ready = obj["metadata"]["name"] != "bad"
        return Result(obj={**obj, "status": {"ready": ready}}, ready=ready, stalled=False, suspended=False,
                      message="scan failed: boom", tag_count=5 if ready else None, requeue_after_ns=None,
                      error=None, scanned=True)

    monkeypatch.setattr(scan, "run_reconcile", fake)
    return done


def reconcile(kube: FakeKube, **flags: Any) -> tuple[int, str, str]:
    options = ReconcileOptions.complete(factory(kube), **flags)
    options.validate()
    streams, out, err = captured()
    return options.run(kube, streams), out.getvalue(), err.getvalue()


def test_nothing_selected_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="name is required"):
        ReconcileOptions.complete(factory(FakeKube())).validate()


def test_a_file_with_names_is_a_usage_error() -> None:
    options = ReconcileOptions.complete(factory(FakeKube()), names=("a",), filename=io.StringIO(""))
    with pytest.raises(InputError, match="-f cannot be combined"):
        options.validate()


def test_a_file_takes_the_namespace_flag_without_opening_the_cluster() -> None:
    def refuse(_flags: Any) -> Any:
        raise AssertionError("the cluster was opened")

    from kubectl_imagerepo.commands.cmdutil.command import Factory
    from kubectl_imagerepo.kube.flags import KubeFlags

    options = ReconcileOptions.complete(
        Factory(KubeFlags(namespace="team"), opener=refuse), filename=io.StringIO("")
    )
    assert options.namespace == "team"


def test_one_object_is_annotated_reconciled_and_reported(scans: list[dict[str, Any]]) -> None:
    kube = FakeKube(repository("app"))
    code, out, err = reconcile(kube, names=("app",))
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        "► annotating ImageRepository app in ns namespace",
        "✔ ImageRepository annotated",
        "◎ waiting for ImageRepository reconciliation",
        "✔ scan fetched 5 tags",
    ]
    annotations = scans[0]["metadata"]["annotations"]
    assert api.REQUESTED_AT_ANNOTATION in annotations


def test_a_failed_scan_prints_the_ready_message_and_exits_1(scans: list[dict[str, Any]]) -> None:
    code, _, err = reconcile(FakeKube(repository("bad")), names=("bad",))
    assert code == 1
    assert err.splitlines()[-1] == "✗ scan failed: boom"


def test_a_suspended_object_is_not_scanned(scans: list[dict[str, Any]]) -> None:
    code, _, err = reconcile(FakeKube(repository("app", suspend=True)), names=("app",))
    assert (code, err, scans) == (1, "✗ resource is suspended\n", [])


def test_a_missing_name_is_reported_and_exits_1(scans: list[dict[str, Any]]) -> None:
    code, _, err = reconcile(FakeKube(), names=("gone",))
    assert code == 1
    assert err == '✗ imagerepositories.image.toolkit.fluxcd.io "gone" not found\n'


def test_all_of_an_empty_namespace_is_a_failure(scans: list[dict[str, Any]]) -> None:
    code, _, err = reconcile(FakeKube(), all_objects=True)
    assert (code, err) == (1, '✗ no ImageRepository objects found in "ns" namespace\n')


def test_several_objects_keep_their_lines_together(scans: list[dict[str, Any]]) -> None:
    code, _, err = reconcile(FakeKube(repository("a"), repository("b")), all_objects=True, concurrency=2)
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 8
    for block in (lines[:4], lines[4:]):
        assert block[0].startswith("► annotating ImageRepository ")
        assert block[-1] == "✔ scan fetched 5 tags"


def test_a_file_is_reconciled_without_a_cluster_and_printed(scans: list[dict[str, Any]]) -> None:
    manifest = io.StringIO(
        "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n"
        "metadata: {name: app}\nspec: {image: registry.invalid/app, interval: 5m}\n"
    )
    manifest.name = "app.yaml"
    kube = FakeKube()
    code, out, err = reconcile(kube, filename=manifest, output="json")
    assert code == 0
    assert err.splitlines() == [
        "◎ reconciling ImageRepository default/app from app.yaml",
        "✔ scan fetched 5 tags",
    ]
    assert '"name": "app"' in out
    assert kube.requests == []


def test_the_summary_says_how_many_listings_served_how_many_scans() -> None:
    from kubectl_imagerepo.commands.cmdutil.repository_scan import listings_summary

    assert listings_summary(["x", "x", "y", "x"]) == "2 registry listings served 4 ImageRepository scans"
    assert listings_summary(["x", "x"]) == "1 registry listing served 2 ImageRepository scans"
