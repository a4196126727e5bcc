"""`run --events-addr`: the payload Flux's event recorder posts, and its retries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kubectl_imagerepo.controller.notification import EventPoster, payload, retry_delay, should_retry

NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def obj(**annotations: str) -> dict[str, Any]:
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": "app", "namespace": "ns", "uid": "u1", "resourceVersion": "7",
                     "annotations": annotations},
    }


def test_a_normal_event_is_info_with_flux_s_fields() -> None:
    body = payload(obj(), "Normal", "Succeeded", "successful scan", NOW, instance="host-1")
    assert body == {
        "involvedObject": {"kind": "ImageRepository", "namespace": "ns", "name": "app", "uid": "u1",
                           "apiVersion": "image.toolkit.fluxcd.io/v1", "resourceVersion": "7"},
        "severity": "info",
        "timestamp": "2026-01-02T03:04:05Z",
        "message": "successful scan",
        "reason": "Succeeded",
        "reportingController": "kubectl-imagerepo",
        "reportingInstance": "host-1",
    }


def test_a_warning_is_error_severity() -> None:
    body = payload(obj(), "Warning", "ReadOperationFailed", "scan failed", NOW)
    assert body is not None and body["severity"] == "error"


def test_trace_events_are_never_posted() -> None:
    assert payload(obj(), "Trace", "Succeeded", "tags did not change", NOW) is None


def test_event_toolkit_annotations_become_metadata() -> None:
    body = payload(obj(**{"event.toolkit.fluxcd.io/team": "a", "other/x": "b"}), "Normal", "R", "m", NOW)
    assert body is not None and body["metadata"] == {"event.toolkit.fluxcd.io/team": "a"}


@pytest.mark.parametrize(("status", "retried"), [(None, True), (500, True), (503, True), (501, False),
                                                 (429, False), (400, False), (202, False)])
def test_connection_errors_and_5xx_but_501_are_retried(status: int | None, retried: bool) -> None:
    assert should_retry(status) is retried


def test_retries_wait_1s_doubling_or_the_retry_after_of_the_answer() -> None:
    assert [retry_delay(n) for n in range(5)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert retry_delay(0, "3") == 3.0


def test_an_unreachable_address_is_tried_five_times_then_reported() -> None:
    errors: list[str] = []
    waits: list[float] = []
    poster = EventPoster("http://127.0.0.1:9/", errors.append, sleep=waits.append, timeout=0.5)
    assert not poster.post({"message": "m"})
    assert len(poster.attempts) == 5
    assert waits == [1.0, 2.0, 4.0, 8.0]
    assert errors and errors[0].startswith("POST http://127.0.0.1:9/ giving up after 5 attempt(s): ")
