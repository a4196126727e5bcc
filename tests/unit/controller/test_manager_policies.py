"""The ImagePolicy controller of `run`: its watches, its index, its queue and what a reconcile asks of it.

See docs/behaviour.md, The controller: `run`.
"""

from __future__ import annotations

import copy
import io
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.controller.logs import Logger
from kubectl_imagerepo.controller.manager import ControllerConfig
from kubectl_imagerepo.controller.metrics import Metrics
from kubectl_imagerepo.controller.policies import (
    SKIPPED_FORBIDDEN,
    SKIPPED_NOT_INSTALLED,
    PolicyController,
    RepositoryEvents,
    policies_unavailable,
)
from kubectl_imagerepo.controller.policy_index import PolicyIndex
from kubectl_imagerepo.controller.workqueue import WorkQueue
from kubectl_imagerepo.kube.client import ApiError
from kubectl_imagerepo.model.reference import ImageReference
from kubectl_imagerepo.reconcile.events import EventRecord
from kubectl_imagerepo.reconcile.policy_reconciler import PolicyOptions
from kubectl_imagerepo.registry.access import RegistryAccess
from kubectl_imagerepo.store.database import ObjectKey, TagStore
from tests.unit.commands.fakes import FakeKube

REQUESTED = "reconcile.fluxcd.io/requestedAt"


def policy(name: str = "pol", namespace: str = "ns", repository: str = "app", generation: int = 1,
           ref_namespace: str | None = None, **meta: Any) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": repository}
    if ref_namespace is not None:
        ref["namespace"] = ref_namespace
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": name, "namespace": namespace, "generation": generation, **meta},
        "spec": {"imageRepositoryRef": ref, "policy": {"semver": {"range": ">=1.0.0"}}},
    }


def repo(
    name: str = "app", namespace: str = "ns", revision: str | None = None, **status: Any
) -> dict[str, Any]:
    if revision is not None:
        status["lastScanResult"] = {"revision": revision, "tagCount": 1}
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": name, "namespace": namespace, "generation": 1},
        "spec": {"image": f"registry.example/{name}", "interval": "5m"},
        "status": status,
    }


def queued(queue: WorkQueue[tuple[str, str]]) -> list[tuple[str, str]]:
    keys = []
    while (key := queue.get(timeout=0)) is not None:
        keys.append(key)
        queue.done(key)
    return sorted(keys)


# -- the index -------------------------------------------------------------------------------------


def test_the_index_finds_the_policies_of_a_repository() -> None:
    index = PolicyIndex()
    index.put(("ns", "a"), ("ns", "app"))
    index.put(("ns", "b"), ("ns", "app"))
    index.put(("ns", "c"), ("other", "app"))
    assert index.policies(("ns", "app")) == [("ns", "a"), ("ns", "b")]


def test_a_policy_moved_to_another_repository_leaves_the_old_one() -> None:
    index = PolicyIndex()
    index.put(("ns", "a"), ("ns", "app"))
    index.put(("ns", "a"), ("ns", "other"))
    assert (index.policies(("ns", "app")), index.policies(("ns", "other"))) == ([], [("ns", "a")])


def test_a_removed_policy_is_no_longer_found() -> None:
    index = PolicyIndex()
    index.put(("ns", "a"), ("ns", "app"))
    index.remove(("ns", "a"))
    assert index.policies(("ns", "app")) == []


# -- the repository watch --------------------------------------------------------------------------


def watch() -> tuple[RepositoryEvents, WorkQueue[tuple[str, str]]]:
    index = PolicyIndex()
    index.put(("ns", "pol"), ("ns", "app"))
    index.put(("apps", "cross"), ("ns", "app"))
    index.put(("ns", "unrelated"), ("ns", "other"))
    queue: WorkQueue[tuple[str, str]] = WorkQueue()
    return RepositoryEvents(index, queue), queue


def test_a_created_repository_enqueues_the_policies_referring_to_it_in_every_namespace() -> None:
    events, queue = watch()
    events.on_add(repo())
    assert queued(queue) == [("apps", "cross"), ("ns", "pol")]


def test_a_deleted_repository_enqueues_its_policies() -> None:
    events, queue = watch()
    events.on_delete(repo(revision="1"))
    assert queued(queue) == [("apps", "cross"), ("ns", "pol")]


def test_a_new_scan_revision_enqueues_the_policies() -> None:
    events, queue = watch()
    events.on_update(repo(revision="1"), repo(revision="2"))
    assert queued(queue) == [("apps", "cross"), ("ns", "pol")]


def test_a_status_write_keeping_the_revision_enqueues_nothing() -> None:
    events, queue = watch()
    ready = [{"type": "Ready", "status": "True"}]
    events.on_update(repo(revision="1"), repo(revision="1", conditions=ready))
    assert queued(queue) == []


# -- the policy watch ------------------------------------------------------------------------------


def controller(tmp_path: Path, kube: FakeKube | None = None, **options: Any) -> PolicyController:
    from kubectl_imagerepo.controller.informer import Informer

    kube = kube or FakeKube()
    config = ControllerConfig(namespace="ns", selector=None, concurrent=1, database=tmp_path / "db")
    log = Logger("json", "debug", stream=io.StringIO())
    repositories = Informer(kube, "ns", None, _Ignore(), log, threading.Event())  # type: ignore[arg-type]
    return PolicyController(
        kube, config, PolicyOptions(scope="c", **options), log, repositories, Metrics()  # type: ignore[arg-type]
    )


class _Ignore:
    def on_add(self, obj: dict[str, Any]) -> None: ...

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None: ...

    def on_delete(self, obj: dict[str, Any]) -> None: ...


def test_a_created_policy_is_reconciled_and_indexed_by_its_repository(tmp_path: Path) -> None:
    policies = controller(tmp_path)
    policies.on_add(policy(ref_namespace="shared"))
    assert queued(policies.queue) == [("ns", "pol")]
    assert policies.index.policies(("shared", "app")) == [("ns", "pol")]


def test_a_status_only_policy_update_is_not_reconciled(tmp_path: Path) -> None:
    policies = controller(tmp_path)
    old = policy()
    new = copy.deepcopy(old)
    new["status"] = {"observedGeneration": 1}
    policies.on_update(old, new)
    assert queued(policies.queue) == []


@pytest.mark.parametrize(
    "new",
    [policy(generation=2), policy(annotations={REQUESTED: "now"})],
    ids=["generation", "requestedAt"],
)
def test_a_new_generation_or_a_reconcile_request_is_reconciled(tmp_path: Path, new: dict[str, Any]) -> None:
    policies = controller(tmp_path)
    policies.on_update(policy(), new)
    assert queued(policies.queue) == [("ns", "pol")]


def test_a_deleted_policy_leaves_the_index(tmp_path: Path) -> None:
    policies = controller(tmp_path)
    policies.on_add(policy())
    policies.on_delete(policy())
    assert policies.index.policies(("ns", "app")) == []


# -- what a reconcile asks of the queue ------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.statuses: list[Mapping[str, Any]] = []

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        self.statuses.append(status)
        return {**obj, "status": dict(status)}

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        return None


class Cache:
    def __init__(self, *objects: dict[str, Any]) -> None:
        self.objects = {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objects}

    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        return self.objects.get(key)


def fixed_digest(
    reference: ImageReference, tag: str, access: RegistryAccess, deadline: float, image: str | None = None
) -> str:
    return "sha256:" + "a" * 64


def reconciled(
    tmp_path: Path, tags: list[str] | None, spec: dict[str, Any] | None = None, **options: Any
) -> PolicyController:
    """One reconcile of `ns/pol` (with `spec` added) through the controller, its repository having `tags`
    stored (None: none)."""
    policies = controller(tmp_path, **options)
    policies.sink = Sink()  # type: ignore[assignment]
    obj = policy()
    obj["spec"].update(spec or {})
    policies.informer = Cache(obj)  # type: ignore[assignment]
    policies.fetch_digest = fixed_digest
    policies.repositories = Cache(repo(revision="1"))  # type: ignore[assignment]
    policies.sources.cache = policies.repositories
    with TagStore(tmp_path / "db") as store:
        if tags is not None:
            store.write(ObjectKey("c", "ns", "app"), canonical_name="registry.example/app", tags=tags,
                        revision="1", scan_time="2026-01-01T00:00:00Z")
        policies._process(("ns", "pol"), lambda: store)
    return policies


def test_a_resolved_policy_without_always_is_not_requeued(tmp_path: Path) -> None:
    policies = reconciled(tmp_path, ["1.0.0"])
    assert policies.queue.scheduled(("ns", "pol")) is None
    assert policies.queue.failures(("ns", "pol")) == 0
    assert policies.queue.depth() == 0


def test_a_policy_reflecting_digests_always_comes_back_after_its_interval(tmp_path: Path) -> None:
    policies = reconciled(tmp_path, ["1.0.0"], {"digestReflectionPolicy": "Always", "interval": "90s"})
    scheduled = policies.queue.scheduled(("ns", "pol"))
    assert scheduled is not None and 89.0 < scheduled <= 90.0
    assert policies.queue.failures(("ns", "pol")) == 0


def test_no_tags_yet_requeues_after_the_dependency_interval(tmp_path: Path) -> None:
    policies = reconciled(tmp_path, None, dependency_requeue_ns=7_000_000_000)
    scheduled = policies.queue.scheduled(("ns", "pol"))
    assert scheduled is not None and 6.0 < scheduled <= 7.0
    assert policies.queue.failures(("ns", "pol")) == 0


def test_a_missing_repository_backs_off(tmp_path: Path) -> None:
    policies = controller(tmp_path)
    policies.sink = Sink()  # type: ignore[assignment]
    policies.informer = Cache(policy(repository="gone"))  # type: ignore[assignment]
    policies.sources.cache = Cache()  # type: ignore[assignment]
    with TagStore(tmp_path / "db") as store:
        policies._process(("ns", "pol"), lambda: store)
    assert policies.queue.failures(("ns", "pol")) == 1
    assert policies.queue.scheduled(("ns", "pol")) == pytest.approx(0.75, abs=0.05)


def test_reconciles_are_counted_under_the_imagepolicy_controller(tmp_path: Path) -> None:
    policies = reconciled(tmp_path, ["1.0.0"])
    assert policies.metrics is not None
    text = policies.metrics.exposition()[0].decode()
    assert 'controller_runtime_reconcile_total{controller="imagepolicy",result="success"} 1.0' in text


# -- when policies cannot be reconciled ------------------------------------------------------------


class Refusing(FakeKube):
    def __init__(self, failure: ApiError) -> None:
        super().__init__()
        self.failure = failure

    def get(self, path: str, query: Any = ()) -> Any:
        if "imagepolicies" in path:
            raise self.failure
        return super().get(path, query)


def test_policies_are_skipped_when_the_crd_is_not_served() -> None:
    missing = ApiError(404, "NotFound", "the server could not find the requested resource")
    assert policies_unavailable(Refusing(missing), "ns") == (  # type: ignore[arg-type]
        SKIPPED_NOT_INSTALLED, "the server could not find the requested resource"
    )


def test_policies_are_skipped_when_listing_them_is_forbidden() -> None:
    refused = ApiError(403, "Forbidden", "imagepolicies is forbidden")
    assert policies_unavailable(Refusing(refused), "ns") == (  # type: ignore[arg-type]
        SKIPPED_FORBIDDEN, "imagepolicies is forbidden"
    )


def test_other_failures_do_not_skip_policies() -> None:
    failing = ApiError(500, "InternalError", "etcd is away")
    assert policies_unavailable(Refusing(failing), "ns") is None  # type: ignore[arg-type]


def test_served_policies_are_reconciled() -> None:
    assert policies_unavailable(FakeKube(), "ns") is None  # type: ignore[arg-type]
