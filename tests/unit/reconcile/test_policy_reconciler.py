"""The ImagePolicy reconcile: spec section 8's outcomes, each status kstatus-valid at every write."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.model.reference import ImageReference
from kubectl_imagerepo.reconcile.policy_reconciler import PolicyOptions, PolicyResult, reconcile_policy
from kubectl_imagerepo.reconcile.policy_sources import FileRepositories, SourceError
from kubectl_imagerepo.registry.access import RegistryAccess
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.store.database import ObjectKey, TagStore
from tests.kstatus import check
from tests.unit.reconcile.test_reconciler import NOW, MemorySink

IMAGE = "registry.example/team/app"
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def repository(name: str = "app", namespace: str = "team", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": name, "namespace": namespace, "generation": 1, "uid": "r1"},
        "spec": {"image": IMAGE, "interval": "5m", **spec},
    }


def policy(namespace: str = "team", generation: int = 1, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"imageRepositoryRef": {"name": "app"}, "policy": {"semver": {"range": ">=1.0.0"}}}
    body.update(spec)
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": "pick", "namespace": namespace, "generation": generation, "uid": "p1"},
        "spec": body,
        "status": {"observedGeneration": -1},
    }


class Digests:
    """Answers digests from a table and counts the HEADs."""

    def __init__(self, table: Mapping[str, str] | None = None, error: str | None = None) -> None:
        self.table = dict(table or {})
        self.error = error
        self.heads: list[str] = []

    def __call__(
        self,
        reference: ImageReference,
        tag: str,
        access: RegistryAccess,
        deadline: float,
        image: str | None = None,
    ) -> str:
        self.heads.append(tag)
        if self.error is not None:
            raise RegistryError(self.error)
        return self.table[tag]


class Denied(FileRepositories):
    def namespace_labels(self, namespace: str) -> Mapping[str, str]:
        raise SourceError('namespaces "apps" is forbidden')


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TagStore]:
    with TagStore(tmp_path / "tags.sqlite3") as opened:
        yield opened


def stored(store: TagStore, *tags: str, namespace: str = "team", name: str = "app") -> None:
    ordered = sorted(tags, reverse=True)
    store.write(
        ObjectKey("test", namespace, name), canonical_name=IMAGE, tags=ordered, revision="r", scan_time="t"
    )


def run(
    obj: dict[str, Any],
    store: TagStore,
    *,
    sink: MemorySink | None = None,
    repos: list[dict[str, Any]] | None = None,
    sources: FileRepositories | None = None,
    digests: Digests | None = None,
    **options: Any,
) -> tuple[PolicyResult, MemorySink]:
    sink = sink or MemorySink()
    source = sources or FileRepositories([repository()] if repos is None else repos)
    result = reconcile_policy(
        obj,
        sink=sink,
        store=store,
        sources=source,
        fetch_digest=digests or Digests(),
        options=PolicyOptions(scope="test", clock=lambda: NOW, **options),
    )
    for status in sink.statuses:
        assert check(status, obj["metadata"]["generation"]) == []
    return result, sink


def ready(result: PolicyResult) -> dict[str, Any]:
    return next(c for c in result.obj["status"]["conditions"] if c["type"] == "Ready")


def condition(result: PolicyResult, kind: str) -> dict[str, Any] | None:
    return next((c for c in result.obj["status"]["conditions"] if c["type"] == kind), None)


def test_first_success_is_ready_with_the_pick_and_a_normal_event(store: TagStore) -> None:
    stored(store, "1.0.0", "1.2.0", "0.9.0")
    result, sink = run(policy(), store)
    assert (ready(result)["status"], ready(result)["reason"]) == ("True", "Succeeded")
    assert ready(result)["message"] == f"Latest image tag for {IMAGE} resolved to 1.2.0"
    assert result.obj["status"]["latestRef"] == {"name": IMAGE, "tag": "1.2.0"}
    assert result.obj["status"]["observedGeneration"] == 1
    assert [(e.type, e.reason) for e in sink.events] == [("Normal", "Succeeded")]


def test_a_new_generation_is_patched_before_the_work(store: TagStore) -> None:
    stored(store, "1.0.0")
    _, sink = run(policy(), store)
    first = sink.statuses[0]["conditions"]
    assert {c["type"]: c["message"] for c in first}[
        "Reconciling"
    ] == "processing object: new generation -1 -> 1"
    assert len(sink.statuses) == 2


def test_nothing_changed_is_a_trace_event_and_keeps_the_refs(store: TagStore) -> None:
    stored(store, "1.0.0")
    first, _ = run(policy(), store)
    again, sink = run(first.obj, store)
    assert [(e.type, e.reason) for e in sink.events] == [("Trace", "Succeeded")]
    assert "observedPreviousRef" not in again.obj["status"]


def test_a_new_tag_names_the_previous_ref(store: TagStore) -> None:
    stored(store, "1.0.0")
    first, _ = run(policy(), store)
    stored(store, "1.0.0", "1.1.0")
    moved, sink = run(first.obj, store)
    assert ready(moved)["message"] == (
        f"Latest image tag for {IMAGE} resolved to 1.1.0 (previously {IMAGE}:1.0.0)"
    )
    assert moved.obj["status"]["observedPreviousRef"] == {"name": IMAGE, "tag": "1.0.0"}
    assert [e.type for e in sink.events] == ["Normal"]


def test_a_missing_repository_is_dependency_not_ready_and_retried(store: TagStore) -> None:
    result, sink = run(policy(), store, repos=[])
    assert (ready(result)["status"], ready(result)["reason"]) == ("False", "DependencyNotReady")
    assert ready(result)["message"] == (
        "failed to get the referred ImageRepository: referenced ImageRepository does not exist: "
        'ImageRepository.image.toolkit.fluxcd.io "app" not found'
    )
    assert condition(result, "Reconciling") is not None
    assert condition(result, "Reconciling")["reason"] == "ProgressingWithRetry"  # type: ignore[index]
    assert result.error is not None
    assert [(e.type, e.reason) for e in sink.events] == [("Warning", "DependencyNotReady")]


def test_a_cross_namespace_reference_without_access_from_is_denied(store: TagStore) -> None:
    obj = policy(namespace="apps", imageRepositoryRef={"name": "app", "namespace": "team"})
    result, _ = run(obj, store)
    assert ready(result)["reason"] == "AccessDenied"
    assert ready(result)["message"] == (
        "failed to get the referred ImageRepository: access denied: "
        "'team/app' can't be accessed due to missing ACL labels on 'accessFrom'"
    )


def test_a_cross_namespace_reference_with_unmatched_labels_is_denied(store: TagStore) -> None:
    repo = repository(accessFrom={"namespaceSelectors": [{"matchLabels": {"env": "prod"}}]})
    obj = policy(namespace="apps", imageRepositoryRef={"name": "app", "namespace": "team"})
    sources = FileRepositories([repo], [{"metadata": {"name": "apps", "labels": {"env": "dev"}}}])
    result, _ = run(obj, store, sources=sources)
    assert ready(result)["message"].endswith(
        "'team/app' can't be accessed due to ACL labels mismatch on namespace 'apps'"
    )


def test_a_cross_namespace_reference_with_matching_labels_is_allowed(store: TagStore) -> None:
    stored(store, "1.0.0")
    repo = repository(accessFrom={"namespaceSelectors": [{"matchLabels": {"env": "prod"}}]})
    obj = policy(namespace="apps", imageRepositoryRef={"name": "app", "namespace": "team"})
    sources = FileRepositories([repo], [{"metadata": {"name": "apps", "labels": {"env": "prod"}}}])
    result, _ = run(obj, store, sources=sources)
    assert result.ready


def test_an_unreadable_policy_namespace_is_access_denied_with_the_servers_text(store: TagStore) -> None:
    repo = repository(accessFrom={"namespaceSelectors": [{"matchLabels": {}}]})
    obj = policy(namespace="apps", imageRepositoryRef={"name": "app", "namespace": "team"})
    result, _ = run(obj, store, sources=Denied([repo]))
    assert ready(result)["reason"] == "AccessDenied"
    assert ready(result)["message"].endswith('access denied: namespaces "apps" is forbidden')


def test_no_cross_namespace_refs_blocks_before_reading_the_repository(store: TagStore) -> None:
    obj = policy(namespace="apps", imageRepositoryRef={"name": "app", "namespace": "team"})
    result, _ = run(obj, store, repos=[], no_cross_namespace_refs=True)
    assert ready(result)["message"] == (
        "failed to get the referred ImageRepository: cannot access 'ImageRepository/team/app', "
        "cross-namespace references have been blocked"
    )


def test_an_invalid_repository_image_stalls(store: TagStore) -> None:
    result, sink = run(policy(), store, repos=[repository(image="https://ghcr.io/foo")])
    assert condition(result, "Stalled") is not None
    assert (ready(result)["reason"], ready(result)["message"]) == (
        "ImageURLInvalid",
        "image 'https://ghcr.io/foo' should not include URL scheme; remove 'https://'",
    )
    assert result.requeue_after_ns is None and result.error is None
    assert [e.type for e in sink.events] == ["Warning"]


def test_workload_identity_without_the_gate_stalls(store: TagStore) -> None:
    result, _ = run(policy(), store, repos=[repository(provider="aws", serviceAccountName="sa")])
    assert ready(result)["reason"] == "FeatureGateDisabled"
    assert ready(result)["message"].startswith("to use spec.serviceAccountName in the ImageRepository")


def test_always_without_an_interval_stalls(store: TagStore) -> None:
    result, _ = run(policy(digestReflectionPolicy="Always"), store)
    assert (ready(result)["reason"], ready(result)["message"]) == (
        "IntervalNotConfigured",
        "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
    )


def test_no_stored_tags_is_dependency_not_ready_requeued_after_the_dependency_interval(
    store: TagStore,
) -> None:
    result, _ = run(policy(), store)
    assert (ready(result)["reason"], ready(result)["message"]) == (
        "DependencyNotReady",
        "retrying in 30s error: no tags in database",
    )
    assert result.requeue_after_ns == 30_000_000_000 and result.error is None and result.no_tags


def test_an_invalid_range_stalls_as_invalid_policy(store: TagStore) -> None:
    stored(store, "1.0.0")
    result, _ = run(policy(policy={"semver": {"range": "*-*"}}), store)
    assert (ready(result)["reason"], ready(result)["message"]) == (
        "InvalidPolicy",
        'invalid policy: improper constraint: "*-*"',
    )


def test_an_empty_policy_choice_stalls(store: TagStore) -> None:
    result, _ = run(policy(policy={}), store)
    assert ready(result)["message"] == "invalid policy: given ImagePolicyChoice object is invalid"


def test_a_pattern_that_does_not_compile_stalls_once_tags_exist(store: TagStore) -> None:
    stored(store, "test-1.0.0")
    result, _ = run(policy(filterTags={"pattern": "^test-(.*"}), store)
    assert ready(result)["message"] == (
        "failed to filter tags: invalid regular expression pattern '^test-(.*': "
        "error parsing regexp: missing closing ): `^test-(.*`"
    )


def test_no_version_in_range_is_a_failure_retried(store: TagStore) -> None:
    stored(store, "0.1.0")
    result, _ = run(policy(), store)
    assert (ready(result)["reason"], ready(result)["message"]) == (
        "Failure",
        "unable to determine latest version from provided list",
    )
    assert result.error is not None


def test_a_numerical_policy_fails_on_the_first_non_number(store: TagStore) -> None:
    stored(store, "main-abc-100")
    result, _ = run(policy(policy={"numerical": {"order": "asc"}}), store)
    assert ready(result)["message"] == "failed to parse invalid numeric value 'main-abc-100'"


def test_always_follows_a_moved_digest_and_names_the_previous_one(store: TagStore) -> None:
    stored(store, "1.0.0")
    obj = policy(digestReflectionPolicy="Always", interval="1m")
    first, _ = run(obj, store, digests=Digests({"1.0.0": DIGEST_A}))
    moved, _ = run(first.obj, store, digests=Digests({"1.0.0": DIGEST_B}))
    assert ready(moved)["message"] == (
        f"Latest image tag for {IMAGE} resolved to 1.0.0 with digest {DIGEST_B} "
        f"(previously {IMAGE}:1.0.0@{DIGEST_A})"
    )
    assert moved.requeue_after_ns == 60_000_000_000


def test_if_not_present_keeps_the_stored_digest_without_a_fetch(store: TagStore) -> None:
    stored(store, "1.0.0")
    obj = policy(digestReflectionPolicy="IfNotPresent")
    first, _ = run(obj, store, digests=Digests({"1.0.0": DIGEST_A}))
    later = Digests({"1.0.0": DIGEST_B})
    again, sink = run(first.obj, store, digests=later)
    assert later.heads == []
    assert again.obj["status"]["latestRef"]["digest"] == DIGEST_A
    assert [e.type for e in sink.events] == ["Trace"]


def test_never_drops_a_digest_and_keeps_it_in_the_previous_ref(store: TagStore) -> None:
    stored(store, "1.0.0")
    first, _ = run(policy(digestReflectionPolicy="IfNotPresent"), store, digests=Digests({"1.0.0": DIGEST_A}))
    changed = copy.deepcopy(first.obj)
    changed["spec"]["digestReflectionPolicy"] = "Never"
    changed["metadata"]["generation"] = 2
    after, _ = run(changed, store)
    assert after.obj["status"]["latestRef"] == {"name": IMAGE, "tag": "1.0.0"}
    assert after.obj["status"]["observedPreviousRef"]["digest"] == DIGEST_A


def test_a_failed_digest_fetch_is_failed_with_the_whole_chain(store: TagStore) -> None:
    stored(store, "1.0.0")
    cause = 'failed fetching descriptor for "x": boom'
    result, _ = run(policy(digestReflectionPolicy="IfNotPresent"), store, digests=Digests(error=cause))
    assert (ready(result)["reason"], ready(result)["message"]) == (
        "Failed",
        f"failed fetching digest of {IMAGE}:1.0.0: {cause}",
    )
    assert "latestRef" not in result.obj["status"]


def test_a_suspended_policy_is_not_touched(store: TagStore) -> None:
    result, sink = run(policy(suspend=True), store)
    assert result.suspended and sink.statuses == [] and sink.events == []


def test_the_requested_annotation_is_recorded_as_handled(store: TagStore) -> None:
    stored(store, "1.0.0")
    obj = policy()
    obj["metadata"]["annotations"] = {"reconcile.fluxcd.io/requestedAt": "now"}
    result, _ = run(obj, store)
    assert result.obj["status"]["lastHandledReconcileAt"] == "now"


def test_an_empty_tag_list_is_read_again_after_each_pause(store: TagStore) -> None:
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            stored(store, "1.0.0")

    result, _ = run(policy(), store, tag_retries=(1.0, 1.5, 2.25), sleep=sleep)
    assert result.ready and pauses == [1.0, 1.5]


def test_a_malformed_policy_field_ends_failed_with_one_line(store: TagStore) -> None:
    stored(store, "1.0.0")
    result, _ = run(policy(digestReflectionPolicy="Always", interval="5x"), store)
    assert ready(result)["status"] == "False"
    assert "spec.interval" in ready(result)["message"] and "\n" not in ready(result)["message"]


def test_a_policy_naming_itself_as_its_repository_finds_none(store: TagStore) -> None:
    result, _ = run(policy(imageRepositoryRef={"name": "pick"}), store)
    assert ready(result)["message"].endswith('ImageRepository.image.toolkit.fluxcd.io "pick" not found')


def test_a_policy_naming_an_empty_repository_finds_none(store: TagStore) -> None:
    result, _ = run(policy(imageRepositoryRef={"name": ""}), store)
    assert ready(result)["reason"] == "DependencyNotReady"
    assert ready(result)["message"].endswith('ImageRepository.image.toolkit.fluxcd.io "" not found')
