"""What `get` prints per object, and Flux's `--status-selector`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.imagerepository import ImageRepository
from kubectl_imagerepo.output.listing import StatusSelector, headers, next_scan, row, select

NOW = datetime(2026, 1, 2, 3, 10, 0, tzinfo=UTC)


def repo(status: dict[str, Any] | None = None, **spec: Any) -> ImageRepository:
    return ImageRepository.from_dict(
        {
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageRepository",
            "metadata": {
                "name": "app",
                "namespace": "apps",
                "creationTimestamp": "2026-01-02T03:00:00Z",
                "generation": 1,
            },
            "spec": {"image": "ghcr.io/example/app", "interval": "5m", **spec},
            "status": status or {"observedGeneration": -1},
        }
    )


READY = {
    "canonicalImageName": "ghcr.io/example/app",
    "conditions": [
        {
            "type": "Ready",
            "status": "True",
            "reason": "Succeeded",
            "message": "successful scan: found 2 tags with checksum 9",
            "lastTransitionTime": "2026-01-02T03:08:00Z",
        }
    ],
    "lastScanResult": {
        "tagCount": 2,
        "scanTime": "2026-01-02T03:08:00Z",
        "latestTags": ["b", "a"],
        "revision": "9",
    },
}


def test_headers_are_kubectls_crd_columns_with_last_scan() -> None:
    assert headers(wide=False, all_namespaces=False) == (
        "NAME",
        "IMAGE",
        "TAGS",
        "READY",
        "STATUS",
        "LAST SCAN",
        "AGE",
    )


def test_all_namespaces_puts_the_namespace_column_first() -> None:
    assert headers(wide=False, all_namespaces=True)[:2] == ("NAMESPACE", "NAME")


def test_wide_appends_suspended_interval_next_scan_and_canonical_image() -> None:
    assert headers(wide=True, all_namespaces=False)[-4:] == (
        "SUSPENDED",
        "INTERVAL",
        "NEXT SCAN",
        "CANONICAL IMAGE",
    )


def test_row_of_a_ready_object_shows_count_ready_message_and_ages() -> None:
    assert row(repo(READY), NOW, wide=False, all_namespaces=False) == (
        "app",
        "ghcr.io/example/app",
        "2",
        "True",
        "successful scan: found 2 tags with checksum 9",
        "2m",
        "10m",
    )


def test_row_of_a_never_reconciled_object_prints_none_for_the_status_cells() -> None:
    assert row(repo(), NOW, wide=False, all_namespaces=False) == (
        "app",
        "ghcr.io/example/app",
        "<none>",
        "<none>",
        "<none>",
        "<none>",
        "10m",
    )


def test_wide_row_shows_time_left_until_the_next_scan() -> None:
    cells = row(repo(READY), NOW, wide=True, all_namespaces=True)
    assert cells[0] == "apps"
    assert cells[-4:] == ("False", "5m", "3m", "ghcr.io/example/app")


@pytest.mark.parametrize(
    ("spec", "status", "expected"),
    [
        ({}, None, "<none>"),
        ({"suspend": True}, READY, "<none>"),
        ({"interval": "1m"}, READY, "now"),
        ({"interval": "1h"}, READY, "58m"),
    ],
)
def test_next_scan(spec: dict[str, Any], status: dict[str, Any] | None, expected: str) -> None:
    assert next_scan(repo(status, **spec), NOW) == expected


@pytest.mark.parametrize("text", ["ready", "=True", "ready=", "a=b=c"])
def test_status_selector_rejects_text_without_one_type_and_one_status(text: str) -> None:
    with pytest.raises(InputError, match="expected status selector in type=status or type!=status format"):
        StatusSelector.parse(text)


def test_status_selector_compares_type_and_status_case_insensitively() -> None:
    assert StatusSelector.parse("ready=true").matches(repo(READY))


def test_object_without_the_condition_never_matches_equals_and_always_matches_not_equals() -> None:
    fresh = repo()
    assert not StatusSelector.parse("Ready=True").matches(fresh)
    assert StatusSelector.parse("Ready!=True").matches(fresh)


def test_select_without_a_selector_keeps_everything() -> None:
    both = [repo(READY), repo()]
    assert select(both, None) == both
