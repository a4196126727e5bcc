"""`kubectl imagerepo events` against a real kube-apiserver."""

from __future__ import annotations

import datetime
import itertools
import json
import queue
import re
import threading
from typing import IO, Any

import pytest

from tests.e2e.conftest import Plugin
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

_suffixes = itertools.count(1)


def _stamp(ago: float = 0, *, micro: bool = False) -> str:
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def core_event(
    env: Environment, namespace: str, repo: str, kind: str, reason: str, message: str, *, ago: float = 0
) -> dict[str, Any]:
    """Record a core/v1 Event about ImageRepository `repo`, as Flux's recorder writes one."""
    created: dict[str, Any] = env.plane.request(
        "POST",
        f"/api/v1/namespaces/{namespace}/events",
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{repo}.core{next(_suffixes)}", "namespace": namespace},
            "involvedObject": {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageRepository",
                "name": repo,
                "namespace": namespace,
            },
            "reason": reason,
            "message": message,
            "type": kind,
            "source": {"component": "image-reflector-controller"},
            "firstTimestamp": _stamp(ago),
            "lastTimestamp": _stamp(ago),
            "count": 1,
        },
    )
    return created


def events_v1_event(
    env: Environment, namespace: str, repo: str, kind: str, reason: str, note: str
) -> dict[str, Any]:
    """Record an events.k8s.io/v1 Event (no series) about ImageRepository `repo` at v1beta2."""
    created: dict[str, Any] = env.plane.request(
        "POST",
        f"/apis/events.k8s.io/v1/namespaces/{namespace}/events",
        {
            "apiVersion": "events.k8s.io/v1",
            "kind": "Event",
            "metadata": {"name": f"{repo}.new{next(_suffixes)}", "namespace": namespace},
            "eventTime": _stamp(micro=True),
            "reportingController": "example.com/image-scanner",
            "reportingInstance": "image-scanner-1",
            "action": "Scan",
            "reason": reason,
            "type": kind,
            "regarding": {
                "apiVersion": "image.toolkit.fluxcd.io/v1beta2",
                "kind": "ImageRepository",
                "name": repo,
                "namespace": namespace,
            },
            "note": note,
        },
    )
    return created


def header(stdout: str) -> list[str]:
    """The column names of the table (separated by at least two spaces)."""
    return re.split(" {2,}", stdout.splitlines()[0])


def rows(stdout: str, columns: int = 5) -> list[list[str]]:
    """The table's lines after the header, split at white space into `columns` cells (the last is
    the message, spaces and all); LAST SEEN is one word for events that happened once."""
    return [line.split(None, columns - 1) for line in stdout.splitlines()[1:]]


def test_lists_a_core_v1_and_an_events_v1_event_once_each_oldest_first(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    core_event(env, namespace, "app", "Normal", "Succeeded", "successful scan: found 3 tags", ago=60)
    events_v1_event(env, namespace, "app", "Warning", "AuthenticationFailed", "  scan failed: unauthorized  ")
    result = plugin("events", "-n", namespace)
    assert result.code == 0, result.stderr
    assert header(result.stdout) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert [row[1:] for row in rows(result.stdout)] == [
        ["Normal", "Succeeded", "ImageRepository/app", "successful scan: found 3 tags"],
        ["Warning", "AuthenticationFailed", "ImageRepository/app", "scan failed: unauthorized"],
    ]


def test_types_warning_lists_only_warnings(env: Environment, plugin: Plugin, namespace: str) -> None:
    core_event(env, namespace, "app", "Normal", "Succeeded", "successful scan")
    events_v1_event(env, namespace, "app", "Warning", "ReadOperationFailed", "scan failed")
    result = plugin("events", "-n", namespace, "--types", "Warning")
    assert result.code == 0, result.stderr
    assert [row[1:3] for row in rows(result.stdout)] == [["Warning", "ReadOperationFailed"]]


def test_unknown_type_is_a_usage_error(plugin: Plugin, namespace: str) -> None:
    result = plugin("events", "-n", namespace, "--types", "Normal,Trace")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == "error: valid --types are Normal or Warning\n"


def test_all_namespaces_lists_the_events_of_every_namespace_with_a_namespace_column(
    env: Environment, plugin: Plugin
) -> None:
    first, second = env.new_namespace(), env.new_namespace()
    core_event(env, first, "one", "Normal", "Succeeded", f"event in {first}")
    events_v1_event(env, second, "two", "Warning", "ScanFailed", f"event in {second}")
    result = plugin("events", "-A")
    assert result.code == 0, result.stderr
    assert header(result.stdout) == ["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    ours = [row for row in rows(result.stdout, columns=6) if row[0] in (first, second)]
    assert [(row[0], row[4], row[5]) for row in ours] == [
        (first, "ImageRepository/one", f"event in {first}"),
        (second, "ImageRepository/two", f"event in {second}"),
    ]


def test_name_lists_only_the_events_of_that_object(env: Environment, plugin: Plugin, namespace: str) -> None:
    core_event(env, namespace, "app", "Normal", "Succeeded", "about app")
    core_event(env, namespace, "other", "Normal", "Succeeded", "about other")
    events_v1_event(env, namespace, "app", "Warning", "ScanFailed", "also about app")
    result = plugin("events", "app", "-n", namespace)
    assert result.code == 0, result.stderr
    assert [row[3:] for row in rows(result.stdout)] == [
        ["ImageRepository/app", "about app"],
        ["ImageRepository/app", "also about app"],
    ]


def test_empty_namespace_says_no_events_found_and_succeeds(plugin: Plugin, namespace: str) -> None:
    result = plugin("events", "-n", namespace)
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == f"No events found in {namespace} namespace.\n"


def test_output_json_prints_a_v1_event_list_of_core_events(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    core = core_event(env, namespace, "app", "Normal", "Succeeded", "successful scan", ago=30)
    new = events_v1_event(env, namespace, "app", "Warning", "ScanFailed", "scan failed")
    result = plugin("events", "-n", namespace, "-o", "json")
    assert result.code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert (listed["kind"], listed["apiVersion"]) == ("EventList", "v1")
    assert [
        (item["kind"], item["apiVersion"], item["metadata"]["uid"], item["involvedObject"]["apiVersion"])
        for item in listed["items"]
    ] == [
        ("Event", "v1", core["metadata"]["uid"], "image.toolkit.fluxcd.io/v1"),
        ("Event", "v1", new["metadata"]["uid"], "image.toolkit.fluxcd.io/v1beta2"),
    ]


class Lines:
    """The lines a process writes, read in the background so that waiting for one can time out."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)

    def next(self, timeout: float = 20) -> str:
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line printed within {timeout}s") from None


@pytest.mark.timeout(60)
def test_watch_prints_a_row_for_an_event_recorded_after_it_started(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    core_event(env, namespace, "app", "Normal", "Succeeded", "before the watch")
    watcher = plugin.start("events", "-n", namespace, "-w")
    try:
        assert watcher.stdout is not None
        lines = Lines(watcher.stdout)
        assert header(lines.next())[0] == "LAST SEEN"
        assert lines.next().rstrip("\n").endswith("ImageRepository/app   before the watch")
        events_v1_event(env, namespace, "app", "Warning", "ScanFailed", "after the watch started")
        row = lines.next().split(None, 4)
        assert row[1:] == ["Warning", "ScanFailed", "ImageRepository/app", "after the watch started\n"]
    finally:
        watcher.terminate()
        watcher.wait(10)
