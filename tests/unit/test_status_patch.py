"""The merge patch that turns one status into another."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.reconcile.status_patch import merge_patch


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
