"""Decisions shared by the action commands."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from kubectl_imagerepo.commands.cmdutil.repository_scan import requested_at_now
from kubectl_imagerepo.reconcile.cluster import controller_also_writing

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def written_by(manager: str, when: str, subresource: str = "status", interval: str = "5m") -> dict[str, Any]:
    return {
        "metadata": {"managedFields": [{"manager": manager, "subresource": subresource, "time": when}]},
        "spec": {"interval": interval},
    }


def test_controller_status_written_within_its_interval_means_it_is_alive() -> None:
    assert controller_also_writing(written_by("image-reflector-controller", "2026-01-01T11:58:00Z"), NOW)


def test_controller_status_older_than_its_interval_means_it_is_gone() -> None:
    assert not controller_also_writing(written_by("image-reflector-controller", "2026-01-01T11:50:00Z"), NOW)


@pytest.mark.parametrize(
    ("manager", "subresource"),
    [("kubectl-imagerepo", "status"), ("image-reflector-controller", ""), ("kubectl", "status")],
)
def test_other_writers_and_spec_writes_do_not_count(manager: str, subresource: str) -> None:
    assert not controller_also_writing(written_by(manager, "2026-01-01T11:59:00Z", subresource), NOW)


def test_an_object_without_managed_fields_is_not_controller_written() -> None:
    assert not controller_also_writing({"metadata": {}, "spec": {"interval": "5m"}}, NOW)


def test_requested_at_is_rfc3339_with_nanoseconds_and_an_offset() -> None:
    value = requested_at_now()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)", value), value
