"""Unit tests for the typed ImagePolicy view: its fields, the controller's defaults, the API's constants."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubectl_imagerepo.model import imagepolicy
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.fluxobject import Condition
from kubectl_imagerepo.model.imagepolicy import (
    ImagePolicy,
    ImageRef,
    ObjectReference,
    OrderPolicy,
    PolicyChoice,
    SemVerPolicy,
    TagFilter,
)

SECOND = 1_000_000_000

FULL: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImagePolicy",
    "metadata": {
        "name": "podinfo",
        "namespace": "apps",
        "uid": "0b7e4c1d",
        "generation": 2,
        "creationTimestamp": "2026-08-01T10:00:00Z",
        "labels": {"team": "web"},
        "annotations": {"reconcile.fluxcd.io/requestedAt": "2026-08-07T14:05:01+02:00"},
    },
    "spec": {
        "imageRepositoryRef": {"name": "podinfo", "namespace": "flux-system"},
        "policy": {"semver": {"range": ">=5.0.0 <6"}},
        "filterTags": {"pattern": "^v(?P<version>.*)$", "extract": "$version"},
        "digestReflectionPolicy": "Always",
        "interval": "1h",
        "suspend": False,
    },
    "status": {
        "observedGeneration": 1,
        "latestRef": {"name": "ghcr.io/stefanprodan/podinfo", "tag": "v5.1.5", "digest": "sha256:0a1b"},
        "observedPreviousRef": {"name": "ghcr.io/stefanprodan/podinfo", "tag": "v5.1.4"},
        "lastHandledReconcileAt": "2026-08-07T14:05:01+02:00",
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Succeeded",
                "message": "Latest image tag for ghcr.io/stefanprodan/podinfo resolved to v5.1.5",
                "lastTransitionTime": "2026-08-07T12:06:00Z",
                "observedGeneration": 1,
            }
        ],
    },
}


def policy_with(spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None) -> ImagePolicy:
    """A minimal object in namespace `ns`, named `pol`, with the given spec and status."""
    obj: dict[str, Any] = {
        "metadata": {"name": "pol", "namespace": "ns"},
        "spec": {"imageRepositoryRef": {"name": "repo"}, "policy": {}, **(spec or {})},
    }
    if status is not None:
        obj["status"] = status
    return ImagePolicy.from_dict(obj)


def test_from_dict_reads_metadata() -> None:
    policy = ImagePolicy.from_dict(FULL)

    assert (policy.name, policy.namespace, policy.uid, policy.generation) == (
        "podinfo",
        "apps",
        "0b7e4c1d",
        2,
    )
    assert policy.creation_timestamp == "2026-08-01T10:00:00Z"
    assert policy.labels == {"team": "web"}
    assert policy.annotations == {"reconcile.fluxcd.io/requestedAt": "2026-08-07T14:05:01+02:00"}


def test_from_dict_reads_spec_fields_raw() -> None:
    policy = ImagePolicy.from_dict(FULL)

    assert policy.image_repository_ref == ObjectReference(name="podinfo", namespace="flux-system")
    assert policy.policy == PolicyChoice(semver=SemVerPolicy(range=">=5.0.0 <6"))
    assert policy.filter_tags == TagFilter(pattern="^v(?P<version>.*)$", extract="$version")
    assert (policy.digest_reflection_policy, policy.interval, policy.suspend) == ("Always", "1h", False)


def test_from_dict_reads_status_fields() -> None:
    policy = ImagePolicy.from_dict(FULL)

    assert policy.observed_generation == 1
    assert policy.latest_ref == ImageRef("ghcr.io/stefanprodan/podinfo", "v5.1.5", "sha256:0a1b")
    assert policy.observed_previous_ref == ImageRef("ghcr.io/stefanprodan/podinfo", "v5.1.4")
    assert policy.last_handled_reconcile_at == "2026-08-07T14:05:01+02:00"
    assert policy.conditions == (
        Condition(
            type="Ready",
            status="True",
            reason="Succeeded",
            message="Latest image tag for ghcr.io/stefanprodan/podinfo resolved to v5.1.5",
            last_transition_time="2026-08-07T12:06:00Z",
            observed_generation=1,
        ),
    )


def test_from_dict_keeps_the_original_mapping_as_raw() -> None:
    assert ImagePolicy.from_dict(FULL).raw is FULL


def test_from_dict_reads_every_member_of_the_policy_union() -> None:
    policy = policy_with(
        spec={"policy": {"semver": {"range": "1.x"}, "alphabetical": {"order": "desc"}, "numerical": {}}}
    )

    assert policy.policy == PolicyChoice(
        semver=SemVerPolicy("1.x"), alphabetical=OrderPolicy("desc"), numerical=OrderPolicy("")
    )


def test_from_dict_reads_an_empty_policy_as_no_member_set() -> None:
    assert policy_with(spec={"policy": {}}).policy == PolicyChoice()


def test_from_dict_keeps_an_empty_filter_distinct_from_none() -> None:
    assert policy_with(spec={"filterTags": {}}).filter_tags == TagFilter(pattern="", extract="")
    assert policy_with().filter_tags is None


@pytest.mark.parametrize(
    "status",
    [None, {}, {"observedGeneration": -1}],
    ids=["absent", "empty", "crd-default"],
)
def test_from_dict_tolerates_a_status_never_written(status: dict[str, Any] | None) -> None:
    policy = policy_with(status=status)

    assert policy.conditions == ()
    assert (policy.latest_ref, policy.observed_previous_ref) == (None, None)
    assert policy.last_handled_reconcile_at is None
    assert policy.observed_generation == (-1 if status else 0)


def test_from_dict_gives_go_zero_values_for_missing_fields() -> None:
    policy = ImagePolicy.from_dict({"metadata": {"name": "bare"}})

    assert (policy.namespace, policy.uid, policy.generation, policy.creation_timestamp) == ("", None, 0, None)
    assert (policy.labels, policy.annotations) == ({}, {})
    assert policy.image_repository_ref == ObjectReference(name="", namespace=None)
    assert (policy.policy, policy.filter_tags) == (PolicyChoice(), None)
    assert (policy.digest_reflection_policy, policy.interval, policy.suspend) == ("", None, False)


def test_from_dict_treats_null_as_missing() -> None:
    policy = policy_with(
        spec={"filterTags": None, "interval": None, "policy": {"semver": None}},
        status={"latestRef": None, "conditions": None},
    )

    assert (policy.filter_tags, policy.interval, policy.policy.semver) == (None, None, None)
    assert (policy.latest_ref, policy.conditions) == (None, ())


def test_from_dict_reads_a_ref_without_digest_as_an_empty_digest() -> None:
    policy = policy_with(status={"latestRef": {"name": "app", "tag": "1.0.0"}})

    assert policy.latest_ref == ImageRef(name="app", tag="1.0.0", digest="")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("spec", "imageRepositoryRef"),
            "podinfo",
            'spec.imageRepositoryRef: expected an object, got "podinfo"',
        ),
        (
            ("spec", "imageRepositoryRef"),
            {"name": 1},
            "spec.imageRepositoryRef.name: expected a string, got 1",
        ),
        (("spec", "policy"), [], "spec.policy: expected an object, got []"),
        (("spec", "policy"), {"semver": {"range": 1}}, "spec.policy.semver.range: expected a string, got 1"),
        (
            ("spec", "policy"),
            {"alphabetical": {"order": True}},
            "spec.policy.alphabetical.order: expected a string, got true",
        ),
        (("spec", "policy"), {"numerical": "asc"}, 'spec.policy.numerical: expected an object, got "asc"'),
        (("spec", "filterTags"), {"pattern": 5}, "spec.filterTags.pattern: expected a string, got 5"),
        (("spec", "digestReflectionPolicy"), 0, "spec.digestReflectionPolicy: expected a string, got 0"),
        (("spec", "suspend"), "yes", 'spec.suspend: expected a boolean, got "yes"'),
        (
            ("status", "latestRef"),
            {"name": "app", "tag": 1},
            "status.latestRef.tag: expected a string, got 1",
        ),
        (
            ("status", "observedPreviousRef"),
            "app:1",
            'status.observedPreviousRef: expected an object, got "app:1"',
        ),
        (("status", "conditions"), [{"type": 1}], "status.conditions[0].type: expected a string, got 1"),
        (("metadata", "generation"), "2", 'metadata.generation: expected an integer, got "2"'),
    ],
)
def test_from_dict_rejects_a_field_of_the_wrong_type(
    path: tuple[str, ...], value: object, message: str
) -> None:
    obj = copy.deepcopy(FULL)
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value

    with pytest.raises(InputError) as raised:
        ImagePolicy.from_dict(obj)

    assert str(raised.value) == f"ImagePolicy apps/podinfo: {message}"


def test_from_dict_rejects_a_document_that_is_not_an_object() -> None:
    with pytest.raises(InputError, match=r"^ImagePolicy <unnamed>: expected an object, got \[\]$"):
        ImagePolicy.from_dict([])  # type: ignore[arg-type]


def test_title_names_the_kind_namespace_and_name() -> None:
    assert ImagePolicy.from_dict(FULL).title == "ImagePolicy apps/podinfo"


def test_ready_is_the_ready_condition() -> None:
    assert ImagePolicy.from_dict(FULL).ready == ImagePolicy.from_dict(FULL).conditions[0]
    assert policy_with().ready is None


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [({"reconcile.fluxcd.io/requestedAt": "now"}, "now"), ({"other": "x"}, None)],
)
def test_requested_at_reads_the_annotation(annotations: dict[str, str], expected: str | None) -> None:
    policy = ImagePolicy.from_dict({"metadata": {"name": "p", "annotations": annotations}})

    assert policy.requested_at == expected


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ({"name": "repo"}, "ns"),
        ({"name": "repo", "namespace": ""}, "ns"),
        ({"name": "repo", "namespace": "o"}, "o"),
    ],
    ids=["absent", "empty", "set"],
)
def test_repository_namespace_defaults_to_the_policys_own(reference: dict[str, str], expected: str) -> None:
    assert policy_with(spec={"imageRepositoryRef": reference}).repository_namespace() == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "Never"), ("", "Never"), ("IfNotPresent", "IfNotPresent"), ("Always", "Always")],
)
def test_effective_digest_reflection_policy_defaults_to_never(value: str | None, expected: str) -> None:
    assert (
        policy_with(spec={"digestReflectionPolicy": value}).effective_digest_reflection_policy() == expected
    )


@pytest.mark.parametrize(("order", "expected"), [("", "asc"), ("asc", "asc"), ("desc", "desc")])
def test_effective_order_defaults_to_asc(order: str, expected: str) -> None:
    assert OrderPolicy(order).effective_order() == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, 0),
        ({"digestReflectionPolicy": "Never", "interval": "5m"}, 0),
        ({"digestReflectionPolicy": "IfNotPresent", "interval": "5m"}, 0),
        ({"digestReflectionPolicy": "Always", "interval": "90s"}, 90 * SECOND),
        ({"digestReflectionPolicy": "Always"}, 600 * SECOND),
        ({"digestReflectionPolicy": "Always", "interval": "0s"}, 600 * SECOND),
    ],
    ids=["default", "never", "if-not-present", "always", "always-without-interval", "always-zero"],
)
def test_interval_ns_is_zero_unless_always_then_the_interval_or_10m(
    spec: dict[str, Any], expected: int
) -> None:
    assert policy_with(spec=spec).interval_ns() == expected


def test_interval_ns_names_the_field_of_a_bad_duration() -> None:
    with pytest.raises(
        InputError, match=r'^ImagePolicy ns/pol: spec\.interval: time: unknown unit "x" in duration "5x"$'
    ):
        policy_with(spec={"digestReflectionPolicy": "Always", "interval": "5x"}).interval_ns()


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (ImageRef("foo/bar", "1.0.0"), "foo/bar:1.0.0"),
        (ImageRef("foo/bar", "1.0.0", "sha256:abcdef"), "foo/bar:1.0.0@sha256:abcdef"),
    ],
    ids=["tag", "tag-and-digest"],
)
def test_image_ref_prints_as_name_tag_and_digest_when_there_is_one(ref: ImageRef, expected: str) -> None:
    assert str(ref) == expected


def test_the_reasons_are_the_controllers() -> None:
    assert (
        imagepolicy.INVALID_POLICY_REASON,
        imagepolicy.DEPENDENCY_NOT_READY_REASON,
        imagepolicy.ACCESS_DENIED_REASON,
        imagepolicy.IMAGE_URL_INVALID_REASON,
        imagepolicy.INTERVAL_NOT_CONFIGURED_REASON,
        imagepolicy.FEATURE_GATE_DISABLED_REASON,
        imagepolicy.STATUS_FAILURE,
        imagepolicy.FAILED_REASON,
        imagepolicy.SUCCEEDED_REASON,
        imagepolicy.PROGRESSING_REASON,
        imagepolicy.PROGRESSING_WITH_RETRY_REASON,
    ) == (
        "InvalidPolicy",
        "DependencyNotReady",
        "AccessDenied",
        "ImageURLInvalid",
        "IntervalNotConfigured",
        "FeatureGateDisabled",
        "Failure",
        "Failed",
        "Succeeded",
        "Progressing",
        "ProgressingWithRetry",
    )


def test_the_finalizer_and_owned_conditions_are_the_controllers() -> None:
    assert imagepolicy.FINALIZER == "finalizers.fluxcd.io"
    assert imagepolicy.OWNED_CONDITIONS == ("Stalled", "Reconciling", "Ready")
