"""`run` with and without ImagePolicies: one controller per kind, or one line saying policies are skipped."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kubectl_imagerepo.commands.run import Flags, RunOptions
from kubectl_imagerepo.controller.policies import SKIPPED_NOT_INSTALLED
from kubectl_imagerepo.kube.client import ApiError
from tests.unit.commands.fakes import FakeKube, captured, factory


class WithoutPolicies(FakeKube):
    """A cluster where the ImagePolicy resource is not served."""

    def get(self, path: str, query: Any = ()) -> Any:
        if "imagepolicies" in path:
            self.requests.append(("GET", path, list(query)))
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return super().get(path, query)


@pytest.fixture
def signals() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def run_briefly(kube: FakeKube, tmp_path: Any) -> list[dict[str, Any]]:
    """Run for half a second, stop with SIGTERM; the log lines."""
    kube.endless_watch = True
    options = RunOptions.complete(factory(kube), Flags(database=tmp_path / "db", log_format="json"))
    streams, _, err = captured()
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    assert options.run(kube, streams) == 0
    return [json.loads(line) for line in err.getvalue().splitlines()]


def test_without_the_imagepolicy_crd_repositories_are_reconciled_and_one_line_says_so(
    signals: None, tmp_path: Any
) -> None:
    kube = WithoutPolicies()
    lines = run_briefly(kube, tmp_path)
    assert [line["msg"] for line in lines].count(SKIPPED_NOT_INSTALLED) == 1
    workers = [line.get("controller") for line in lines if line["msg"] == "starting workers"]
    assert workers == ["imagerepository"]
    assert not [r for r in kube.requests if r[0] == "WATCH" and "imagepolicies" in r[1]]


def test_with_the_imagepolicy_crd_both_kinds_are_watched(signals: None, tmp_path: Any) -> None:
    kube = FakeKube()
    lines = run_briefly(kube, tmp_path)
    workers = sorted(str(line.get("controller")) for line in lines if line["msg"] == "starting workers")
    assert workers == ["imagepolicy", "imagerepository"]
    assert SKIPPED_NOT_INSTALLED not in [line["msg"] for line in lines]
    assert [r for r in kube.requests if r[0] == "LIST" and "imagepolicies" in r[1]]


def test_requeue_dependency_and_no_cross_namespace_refs_are_kept() -> None:
    options = RunOptions.complete(
        factory(FakeKube()), Flags(requeue_dependency="2s", no_cross_namespace_refs=True)
    )
    assert (options.requeue_dependency, options.no_cross_namespace_refs) == (2.0, True)
