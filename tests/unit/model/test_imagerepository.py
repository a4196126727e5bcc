"""Unit tests for the typed ImageRepository view, its Go-side helpers and the kstatus predicates."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.fluxobject import Condition, is_ready, is_reconciling, is_stalled
from kubectl_imagerepo.model.imagerepository import ImageRepository, ScanResult, credentials_source

SECOND = 1_000_000_000

FULL: dict[str, Any] = {
    "apiVersion": "image.toolkit.fluxcd.io/v1",
    "kind": "ImageRepository",
    "metadata": {
        "name": "podinfo",
        "namespace": "flux-system",
        "uid": "6f1c2a8e",
        "generation": 3,
        "creationTimestamp": "2026-08-01T10:00:00Z",
        "labels": {"team": "web"},
        "annotations": {"reconcile.fluxcd.io/requestedAt": "2026-08-07T14:05:01+02:00"},
    },
    "spec": {
        "image": "ghcr.io/stefanprodan/podinfo",
        "interval": "5m",
        "timeout": "30s",
        "suspend": False,
        "exclusionList": ["^.*\\.sig$", "^dev-"],
        "provider": "generic",
        "secretRef": {"name": "ghcr-auth"},
        "certSecretRef": {"name": "ghcr-ca"},
        "proxySecretRef": {"name": "proxy"},
        "serviceAccountName": "puller",
        "insecure": True,
        "accessFrom": {"namespaceSelectors": [{"matchLabels": {"env": "prod"}}]},
    },
    "status": {
        "observedGeneration": 2,
        "canonicalImageName": "ghcr.io/stefanprodan/podinfo",
        "lastScanResult": {
            "tagCount": 3,
            "scanTime": "2026-08-07T12:05:03Z",
            "latestTags": ["latest", "6.5.4", "6.5.3"],
            "revision": "3f9c",
        },
        "observedExclusionList": ["^.*\\.sig$"],
        "lastHandledReconcileAt": "2026-08-07T14:05:01+02:00",
        "conditions": [
            {
                "type": "Reconciling",
                "status": "True",
                "reason": "Progressing",
                "message": "processing object: new generation 2 -> 3",
                "lastTransitionTime": "2026-08-07T12:06:00Z",
                "observedGeneration": 3,
            },
            {
                "type": "Ready",
                "status": "Unknown",
                "reason": "Progressing",
                "message": "processing object: new generation 2 -> 3",
                "lastTransitionTime": "2026-08-07T12:06:00Z",
                "observedGeneration": 3,
            },
        ],
    },
}


def repo_with(spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None) -> ImageRepository:
    """A minimal object in namespace `ns`, named `repo`, with the given spec and status."""
    obj: dict[str, Any] = {
        "metadata": {"name": "repo", "namespace": "ns"},
        "spec": {"image": "example.com/app", "interval": "5m", **(spec or {})},
    }
    if status is not None:
        obj["status"] = status
    return ImageRepository.from_dict(obj)


def conditions(**statuses: str) -> tuple[Condition, ...]:
    return tuple(
        Condition(type=name, status=value, reason="", message="") for name, value in statuses.items()
    )


def test_from_dict_reads_metadata() -> None:
    repo = ImageRepository.from_dict(FULL)

    assert (repo.name, repo.namespace, repo.uid, repo.generation) == ("podinfo", "flux-system", "6f1c2a8e", 3)
    assert repo.creation_timestamp == "2026-08-01T10:00:00Z"
    assert repo.labels == {"team": "web"}
    assert repo.annotations == {"reconcile.fluxcd.io/requestedAt": "2026-08-07T14:05:01+02:00"}


def test_from_dict_reads_spec_fields_raw() -> None:
    repo = ImageRepository.from_dict(FULL)

    assert repo.image == "ghcr.io/stefanprodan/podinfo"
    assert (repo.interval, repo.timeout, repo.suspend, repo.insecure) == ("5m", "30s", False, True)
    assert repo.exclusion_list == ("^.*\\.sig$", "^dev-")
    assert repo.provider == "generic"
    assert (repo.secret_ref, repo.cert_secret_ref, repo.proxy_secret_ref) == ("ghcr-auth", "ghcr-ca", "proxy")
    assert repo.service_account_name == "puller"
    assert repo.access_from == {"namespaceSelectors": [{"matchLabels": {"env": "prod"}}]}


def test_from_dict_reads_status_fields() -> None:
    repo = ImageRepository.from_dict(FULL)

    assert repo.observed_generation == 2
    assert repo.canonical_image_name == "ghcr.io/stefanprodan/podinfo"
    assert repo.last_scan_result == ScanResult(
        tag_count=3,
        scan_time="2026-08-07T12:05:03Z",
        latest_tags=("latest", "6.5.4", "6.5.3"),
        revision="3f9c",
    )
    assert repo.observed_exclusion_list == ("^.*\\.sig$",)
    assert repo.last_handled_reconcile_at == "2026-08-07T14:05:01+02:00"


def test_from_dict_keeps_conditions_in_stored_order() -> None:
    repo = ImageRepository.from_dict(FULL)

    assert repo.conditions == (
        Condition(
            type="Reconciling",
            status="True",
            reason="Progressing",
            message="processing object: new generation 2 -> 3",
            last_transition_time="2026-08-07T12:06:00Z",
            observed_generation=3,
        ),
        Condition(
            type="Ready",
            status="Unknown",
            reason="Progressing",
            message="processing object: new generation 2 -> 3",
            last_transition_time="2026-08-07T12:06:00Z",
            observed_generation=3,
        ),
    )


def test_from_dict_keeps_the_original_mapping_as_raw() -> None:
    assert ImageRepository.from_dict(FULL).raw is FULL


@pytest.mark.parametrize(
    "status",
    [None, {}, {"observedGeneration": -1}],
    ids=["absent", "empty", "crd-default"],
)
def test_from_dict_tolerates_a_status_never_written(status: dict[str, Any] | None) -> None:
    repo = repo_with(status=status)

    assert repo.conditions == ()
    assert repo.last_scan_result is None
    assert repo.canonical_image_name is None
    assert repo.observed_exclusion_list is None
    assert repo.last_handled_reconcile_at is None
    assert repo.observed_generation == (-1 if status else 0)


def test_from_dict_gives_go_zero_values_for_missing_fields() -> None:
    repo = ImageRepository.from_dict({"metadata": {"name": "bare"}})

    assert (repo.namespace, repo.uid, repo.generation, repo.creation_timestamp) == ("", None, 0, None)
    assert (repo.labels, repo.annotations) == ({}, {})
    assert (repo.image, repo.interval, repo.timeout, repo.provider) == ("", "", None, "")
    assert (repo.suspend, repo.insecure, repo.exclusion_list, repo.access_from) == (False, False, None, None)
    assert (repo.secret_ref, repo.cert_secret_ref, repo.proxy_secret_ref, repo.service_account_name) == (
        None,
        None,
        None,
        None,
    )


def test_from_dict_treats_null_as_missing() -> None:
    repo = repo_with(
        spec={"timeout": None, "secretRef": None, "exclusionList": None}, status={"conditions": None}
    )

    assert (repo.timeout, repo.secret_ref, repo.exclusion_list, repo.conditions) == (None, None, None, ())


def test_from_dict_reads_missing_scan_result_fields_as_zero() -> None:
    repo = repo_with(status={"lastScanResult": {"tagCount": 0, "scanTime": "2026-08-07T12:05:03Z"}})

    assert repo.last_scan_result == ScanResult(tag_count=0, scan_time="2026-08-07T12:05:03Z")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("spec", "interval"), 5, "spec.interval: expected a string, got 5"),
        (("spec", "suspend"), "yes", 'spec.suspend: expected a boolean, got "yes"'),
        (("spec", "exclusionList"), "^x", 'spec.exclusionList: expected a list, got "^x"'),
        (("spec", "exclusionList"), ["a", 1], "spec.exclusionList[1]: expected a string, got 1"),
        (("spec", "secretRef"), "creds", 'spec.secretRef: expected an object, got "creds"'),
        (("spec", "secretRef"), {"name": 7}, "spec.secretRef.name: expected a string, got 7"),
        (
            ("spec", "accessFrom"),
            {"namespaceSelectors": [{"matchLabels": {"env": 1}}]},
            'spec.accessFrom.namespaceSelectors[0].matchLabels["env"]: expected a string, got 1',
        ),
        (("metadata", "generation"), "2", 'metadata.generation: expected an integer, got "2"'),
        (("metadata", "generation"), True, "metadata.generation: expected an integer, got true"),
        (("metadata", "labels"), {"team": None}, 'metadata.labels["team"]: expected a string, got null'),
        (("status", "observedGeneration"), 1.5, "status.observedGeneration: expected an integer, got 1.5"),
        (("status", "lastScanResult"), [], "status.lastScanResult: expected an object, got []"),
        (("status", "conditions"), [{"type": 1}], "status.conditions[0].type: expected a string, got 1"),
        (("status", "conditions"), ["Ready"], 'status.conditions[0]: expected an object, got "Ready"'),
        (("spec",), ["image"], 'spec: expected an object, got ["image"]'),
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
        ImageRepository.from_dict(obj)

    assert str(raised.value) == f"ImageRepository flux-system/podinfo: {message}"


def test_from_dict_error_names_an_object_without_namespace_or_name() -> None:
    with pytest.raises(
        InputError, match=r"^ImageRepository <unnamed>: metadata.name: expected a string, got 1$"
    ):
        ImageRepository.from_dict({"metadata": {"name": 1}})


def test_from_dict_rejects_a_document_that_is_not_an_object() -> None:
    with pytest.raises(InputError, match=r"^ImageRepository <unnamed>: expected an object, got \[\]$"):
        ImageRepository.from_dict([])  # type: ignore[arg-type]


def test_from_dict_error_message_stays_on_one_line() -> None:
    with pytest.raises(InputError) as raised:
        repo_with(spec={"interval": {"text": "line one\nline two" * 20}})

    assert "\n" not in str(raised.value)
    assert str(raised.value).endswith("...")


def test_condition_finds_by_type() -> None:
    repo = ImageRepository.from_dict(FULL)

    assert repo.condition("Reconciling") is repo.conditions[0]
    assert repo.condition("Stalled") is None


def test_ready_is_the_ready_condition() -> None:
    assert ImageRepository.from_dict(FULL).ready == ImageRepository.from_dict(FULL).conditions[1]
    assert repo_with().ready is None


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [({"reconcile.fluxcd.io/requestedAt": "now"}, "now"), ({"other": "x"}, None)],
)
def test_requested_at_reads_the_annotation(annotations: dict[str, str], expected: str | None) -> None:
    repo = ImageRepository.from_dict({"metadata": {"name": "r", "annotations": annotations}})

    assert repo.requested_at == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, ("^.*\\.sig$",)),
        ({"exclusionList": []}, ("^.*\\.sig$",)),
        ({"exclusionList": ["^dev-"]}, ("^dev-",)),
    ],
    ids=["absent", "empty", "set"],
)
def test_effective_exclusion_list_defaults_when_empty(
    spec: dict[str, Any], expected: tuple[str, ...]
) -> None:
    assert repo_with(spec=spec).effective_exclusion_list() == expected


@pytest.mark.parametrize(("provider", "expected"), [(None, "generic"), ("", "generic"), ("aws", "aws")])
def test_effective_provider_defaults_to_generic(provider: str | None, expected: str) -> None:
    assert repo_with(spec={"provider": provider}).effective_provider() == expected


def test_interval_ns_parses_the_go_duration() -> None:
    assert repo_with(spec={"interval": "1m30s"}).interval_ns() == 90 * SECOND


def test_interval_ns_names_the_field_of_a_bad_duration() -> None:
    with pytest.raises(
        InputError,
        match=r'^ImageRepository ns/repo: spec\.interval: time: unknown unit "x" in duration "5x"$',
    ):
        repo_with(spec={"interval": "5x"}).interval_ns()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"interval": "5m", "timeout": "30s"}, 30 * SECOND),
        ({"interval": "5m"}, 300 * SECOND),
        ({"interval": "0s"}, SECOND),
        ({"interval": "5m", "timeout": "500ms"}, SECOND),
        ({"interval": "bad", "timeout": "2m"}, 120 * SECOND),
    ],
    ids=["timeout", "interval", "interval-clamped", "timeout-clamped", "interval-unused"],
)
def test_effective_timeout_ns_is_timeout_or_interval_at_least_1s(spec: dict[str, Any], expected: int) -> None:
    assert repo_with(spec=spec).effective_timeout_ns() == expected


def test_effective_timeout_ns_names_the_field_of_a_bad_timeout() -> None:
    with pytest.raises(InputError, match=r"^ImageRepository ns/repo: spec\.timeout: "):
        repo_with(spec={"timeout": "1x"}).effective_timeout_ns()


def test_next_scan_time_is_scan_time_plus_interval() -> None:
    repo = repo_with(status={"lastScanResult": {"tagCount": 1, "scanTime": "2026-08-07T12:05:03Z"}})

    assert repo.next_scan_time() == datetime(2026, 8, 7, 12, 10, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "status"),
    [
        ({}, None),
        ({"suspend": True}, {"lastScanResult": {"tagCount": 1, "scanTime": "2026-08-07T12:05:03Z"}}),
    ],
    ids=["never-scanned", "suspended"],
)
def test_next_scan_time_is_none_when_never_scanned_or_suspended(
    spec: dict[str, Any], status: dict[str, Any] | None
) -> None:
    assert repo_with(spec=spec, status=status).next_scan_time() is None


def test_next_scan_time_names_a_bad_scan_time() -> None:
    repo = repo_with(status={"lastScanResult": {"tagCount": 1, "scanTime": "yesterday"}})

    with pytest.raises(InputError, match=r"^ImageRepository ns/repo: status\.lastScanResult\.scanTime: "):
        repo.next_scan_time()


@pytest.mark.parametrize(
    ("statuses", "ready", "stalled", "reconciling"),
    [
        ({"Ready": "True"}, True, False, False),
        ({"Ready": "True", "Reconciling": "True"}, False, False, True),
        ({"Ready": "True", "Stalled": "True"}, False, True, False),
        ({"Stalled": "True", "Ready": "False"}, False, True, False),
        ({"Reconciling": "True", "Ready": "Unknown"}, False, False, True),
        ({"Stalled": "True", "Reconciling": "True", "Ready": "False"}, False, False, False),
        ({"Ready": "False"}, False, False, False),
        ({"Stalled": "False", "Reconciling": "False", "Ready": "True"}, True, False, False),
        ({}, False, False, False),
    ],
)
def test_kstatus_predicates(statuses: dict[str, str], ready: bool, stalled: bool, reconciling: bool) -> None:
    found = conditions(**statuses)

    assert (is_ready(found), is_stalled(found), is_reconciling(found)) == (ready, stalled, reconciling)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, "anonymous"),
        ({"provider": "generic"}, "anonymous"),
        ({"secretRef": {"name": "creds"}}, "Secret ns/creds"),
        ({"serviceAccountName": "puller"}, "imagePullSecrets of ServiceAccount ns/puller"),
        (
            {"secretRef": {"name": "creds"}, "serviceAccountName": "puller"},
            "Secret ns/creds, then imagePullSecrets of ServiceAccount ns/puller",
        ),
        ({"provider": "aws"}, "provider aws (ambient credentials)"),
        (
            {"provider": "gcp", "serviceAccountName": "wi"},
            "provider gcp (workload identity of ServiceAccount ns/wi)",
        ),
        (
            {"provider": "azure", "secretRef": {"name": "creds"}},
            "provider azure (ambient credentials; spec.secretRef is ignored)",
        ),
        ({"provider": "oracle"}, "provider 'oracle' not implemented"),
    ],
)
def test_credentials_source_follows_the_controller_order(spec: dict[str, Any], expected: str) -> None:
    assert credentials_source(repo_with(spec=spec)) == expected
