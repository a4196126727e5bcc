"""Status writes: the merge patch from one status to another, the guarded JSON patch, races lost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kubectl_imagerepo.kube.client import MERGE_PATCH, ApiError
from kubectl_imagerepo.reconcile import status_patch
from kubectl_imagerepo.reconcile.status_patch import (
    JSON_PATCH,
    MAX_CONFLICT_RETRIES,
    PATCH_NOT_APPLIED,
    go_json,
    guarded_patch,
    merge_patch,
    pointer,
    write_status,
)


@pytest.mark.parametrize(
    ("current", "desired", "patch"),
    [
        ({}, {}, {}),
        ({"a": 1}, {"a": 1}, {}),
        ({}, {"a": 1}, {"a": 1}),
        ({"a": 1}, {"a": 2}, {"a": 2}),
        ({"a": 1, "b": 2}, {"a": 1}, {"b": None}),
        ({"scan": {"tags": ["x"], "count": 1}}, {"scan": {"count": 0}}, {"scan": {"tags": None, "count": 0}}),
        ({"list": [1, 2]}, {"list": [2]}, {"list": [2]}),
        ({"scan": {"count": 1}}, {"scan": {"count": 1}}, {}),
        ({"a": None}, {"a": None}, {}),
    ],
)
def test_merge_patch(current: dict[str, Any], desired: dict[str, Any], patch: dict[str, Any]) -> None:
    assert merge_patch(current, desired) == patch


def test_applying_the_patch_gives_the_desired_status() -> None:
    current = {
        "conditions": [{"type": "Ready"}],
        "lastScanResult": {"latestTags": ["b"], "tagCount": 1},
        "observedGeneration": 1,
    }
    desired = {
        "conditions": [],
        "lastScanResult": {"tagCount": 0},
        "observedGeneration": 2,
        "canonicalImageName": "x/y",
    }

    def apply(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
        out = dict(target)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = apply(out[key], value)
            else:
                out[key] = value
        return out

    assert apply(current, merge_patch(current, desired)) == desired


# -- the guarded JSON patch ------------------------------------------------------------------------------

READ = {
    "metadata": {
        "name": "app",
        "namespace": "team",
        "generation": 3,
        "resourceVersion": "41",
        "labels": {"churn": "7"},
        "annotations": {"reconcile.fluxcd.io/requestedAt": "2026-11-27T21:00:00Z", "other": "x"},
    },
    "status": {"observedGeneration": 2, "conditions": [{"type": "Ready", "status": "True"}]},
}
DESIRED = {"observedGeneration": 3, "conditions": [{"type": "Ready", "status": "Unknown"}]}


def test_the_patch_tests_the_status_read_the_generation_and_the_request_then_adds_the_status() -> None:
    assert guarded_patch(READ, DESIRED) == [
        {"op": "test", "path": "/metadata/generation", "value": 3},
        {
            "op": "test",
            "path": "/metadata/annotations/reconcile.fluxcd.io~1requestedAt",
            "value": "2026-11-27T21:00:00Z",
        },
        {"op": "test", "path": "/status", "value": READ["status"]},
        {"op": "add", "path": "/status", "value": DESIRED},
    ]


def test_the_patch_never_tests_labels_other_annotations_or_the_resource_version() -> None:
    paths = [op["path"] for op in guarded_patch(READ, DESIRED) if op["op"] == "test"]
    assert not any(p.startswith(("/metadata/labels", "/metadata/resourceVersion")) for p in paths)
    assert "/metadata/annotations/other" not in paths


def test_an_object_without_status_or_request_tests_a_null_status_only_beside_the_generation() -> None:
    read = {"metadata": {"name": "app", "namespace": "team", "generation": 1}}
    assert guarded_patch(read, DESIRED) == [
        {"op": "test", "path": "/metadata/generation", "value": 1},
        {"op": "test", "path": "/status", "value": None},
        {"op": "add", "path": "/status", "value": DESIRED},
    ]


@pytest.mark.parametrize(
    ("value", "spelled"),
    [
        (None, "null"),
        (-1, "-1"),
        ({"a": [True, "b"]}, '{"a":[true,"b"]}'),
        ("processing object: new generation -1 -> 1", '"processing object: new generation -1 -\\u003e 1"'),
        ("GET /v2/x?n=1&last=<a>", '"GET /v2/x?n=1\\u0026last=\\u003ca\\u003e"'),
        ("café ☃", '"café ☃"'),
        ("line\u2028end\u2029", '"line\\u2028end\\u2029"'),
        ('tab\t"quote" back\\slash \x1b', '"tab\\t\\"quote\\" back\\\\slash \\u001b"'),
    ],
)
def test_values_are_spelled_as_gos_encoding_json_spells_them(value: Any, spelled: str) -> None:
    assert go_json(value) == spelled


def test_a_float_has_no_go_spelling() -> None:
    with pytest.raises(ValueError):
        go_json({"a": [1.5]})


def test_json_pointers_escape_tilde_and_slash() -> None:
    assert pointer("metadata", "annotations", "a~b/c") == "/metadata/annotations/a~0b~1c"


class FakeKube:
    """Answers status patches from a queue of outcomes and GETs with `fresh`; records what was sent."""

    def __init__(self, outcomes: list[Any], fresh: dict[str, Any] | None = None) -> None:
        self.outcomes, self.fresh = outcomes, fresh
        self.sent: list[tuple[Any, str]] = []

    def resource_path(
        self, namespace: str, name: str, subresource: str | None = None, plural: str = "imagerepositories"
    ) -> str:
        return f"/{plural}/{namespace}/{name}" + (f"/{subresource}" if subresource else "")

    def patch(self, path: str, body: Any, content_type: str = MERGE_PATCH, query: Any = ()) -> Any:
        self.sent.append((body, content_type))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def get(self, path: str) -> Any:
        return self.fresh


TEST_FAILED = ApiError(422, "Invalid", PATCH_NOT_APPLIED)


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status_patch.time, "sleep", lambda _: None)


def test_a_write_sends_the_guarded_json_patch() -> None:
    stored = {**READ, "status": DESIRED}
    kube = FakeKube([stored])
    assert write_status(kube, READ, DESIRED) == stored  # type: ignore[arg-type]
    assert kube.sent == [(go_json(guarded_patch(READ, DESIRED)).encode(), JSON_PATCH)]


def test_a_failed_test_rebuilds_the_patch_against_the_status_read_again() -> None:
    fresh = {**READ, "status": {"observedGeneration": 3, "conditions": []}}
    kube = FakeKube([TEST_FAILED, {**fresh, "status": DESIRED}], fresh=fresh)
    write_status(kube, READ, DESIRED)  # type: ignore[arg-type]
    assert [json.loads(body) for body, _ in kube.sent] == [
        guarded_patch(READ, DESIRED),
        guarded_patch(fresh, DESIRED),
    ]


def test_a_failed_test_against_a_newer_generation_drops_the_write() -> None:
    fresh = {**READ, "metadata": {**READ["metadata"], "generation": 4}}
    kube = FakeKube([TEST_FAILED], fresh=fresh)
    assert write_status(kube, READ, DESIRED) == fresh  # type: ignore[arg-type]
    assert len(kube.sent) == 1


def test_a_status_holding_a_float_is_guarded_by_resource_version() -> None:
    read = {**READ, "status": {"conditions": [{"type": "Ready", "message": "a&b"}], "ratio": 0.5}}
    kube = FakeKube([{**read, "status": DESIRED}])
    write_status(kube, read, DESIRED)  # type: ignore[arg-type]
    body, content_type = kube.sent[0]
    assert content_type == MERGE_PATCH
    assert body["metadata"] == {"resourceVersion": "41"}
    assert body["status"] == merge_patch(read["status"], DESIRED)


def test_other_invalid_answers_are_errors_not_races() -> None:
    invalid = ApiError(422, "Invalid", 'ImageRepository.image.toolkit.fluxcd.io "app" is invalid: status')
    with pytest.raises(ApiError) as raised:
        write_status(FakeKube([invalid]), READ, DESIRED)  # type: ignore[arg-type]
    assert raised.value is invalid


def test_a_status_that_keeps_changing_gives_up_with_a_conflict() -> None:
    kube = FakeKube([TEST_FAILED] * MAX_CONFLICT_RETRIES, fresh=READ)
    with pytest.raises(ApiError) as raised:
        write_status(kube, READ, DESIRED)  # type: ignore[arg-type]
    assert str(raised.value) == "Error from server (Conflict): status of team/app kept changing; gave up"
