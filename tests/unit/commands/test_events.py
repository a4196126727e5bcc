"""`events`: kubectl's table of the ImageRepositories' events, and `-w`."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.commands.events import EventsOptions
from kubectl_imagerepo.model.errors import InputError
from tests.unit.commands.fakes import Done, FakeKube, captured, factory


def event(name: str, uid: str, kind: str = "Normal", version: str = "3") -> dict[str, Any]:
    return {
        "metadata": {"name": f"{name}.{uid}", "namespace": "ns", "uid": uid, "resourceVersion": version},
        "involvedObject": {"kind": "ImageRepository", "name": name, "namespace": "ns"},
        "type": kind, "reason": "Succeeded", "message": f"{name} scanned",
        "lastTimestamp": "2026-01-01T00:00:00Z", "firstTimestamp": "2026-01-01T00:00:00Z", "count": 1,
    }


def test_an_output_format_events_cannot_print_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="unable to match a printer"):
        EventsOptions.complete(factory(FakeKube()), output="wide")


def test_an_unknown_type_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="error:"):
        EventsOptions.complete(factory(FakeKube()), types=("Sometimes",))


def test_the_events_are_listed_in_kubectl_s_table() -> None:
    kube = FakeKube()
    kube.events = [event("app", "u1")]
    options = EventsOptions.complete(factory(kube))
    streams, out, err = captured()
    assert options.run(kube, streams) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert lines[1].split()[1:] == ["Normal", "Succeeded", "ImageRepository/app", "app", "scanned"]
    assert err.getvalue() == ""


def test_no_events_is_said_on_stderr() -> None:
    kube = FakeKube()
    streams, out, err = captured()
    assert EventsOptions.complete(factory(kube)).run(kube, streams) == 0
    assert out.getvalue() == ""
    assert err.getvalue() == "No events found in ns namespace.\n"


def test_watch_prints_new_events_and_skips_deleted_ones() -> None:
    kube = FakeKube()
    kube.events = [event("app", "u1")]
    kube.watches = [[{"type": "ADDED", "object": event("app", "u2", "Warning", "6")},
                     {"type": "DELETED", "object": event("app", "u3", version="7")}]]
    options = EventsOptions.complete(factory(kube), watch=True, no_headers=True)
    streams, out, _ = captured()
    with pytest.raises(Done):
        options.run(kube, streams)
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["Normal", "Warning"]
