"""`kubectl imagerepo describe` against a real kube-apiserver."""

from __future__ import annotations

import datetime
import re

import pytest

from tests.e2e.conftest import Plugin, create, image_repository, write_status
from tests.e2e.test_get import SCAN_TIME, ready_status
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e


def record_event(env: Environment, obj: dict[str, object], kind: str, reason: str, message: str) -> None:
    """Write a core/v1 Event about `obj` as a controller would."""
    meta = obj["metadata"]
    assert isinstance(meta, dict)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    env.plane.request(
        "POST",
        f"/api/v1/namespaces/{meta['namespace']}/events",
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"generateName": f"{meta['name']}.", "namespace": meta["namespace"]},
            "involvedObject": {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageRepository",
                "name": meta["name"],
                "namespace": meta["namespace"],
                "uid": meta["uid"],
            },
            "reason": reason,
            "message": message,
            "type": kind,
            "source": {"component": "image-reflector-controller"},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        },
    )


def field(output: str, label: str) -> str:
    """The value after `label:` on the first line that starts with it (after indentation)."""
    for line in output.splitlines():
        if line.strip().startswith(label + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {label!r} line in:\n{output}")


def test_ready_object_shows_conditions_scan_settings_latest_tags_and_events(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    created = create(env, image_repository(namespace, "app", "ghcr.io/example/app", timeout="30s"))
    write_status(env, namespace, "app", ready_status())
    record_event(env, created, "Normal", "Succeeded", "successful scan: found 3 tags with checksum 12345")
    result = plugin("describe", "app", "-n", namespace)
    assert result.code == 0, result.stderr
    out = result.stdout
    assert field(out, "Name") == "app"
    assert field(out, "Namespace") == namespace
    assert field(out, "API Version") == "image.toolkit.fluxcd.io/v1"
    assert field(out, "Kind") == "ImageRepository"
    assert "Conditions:" in out
    assert any(line.split()[:3] == ["Ready", "True", "Succeeded"] for line in out.splitlines())
    assert "30s" in out  # the effective timeout
    assert "^.*\\.sig$" in out
    assert SCAN_TIME in out
    for tag in ("3", "2", "1"):
        assert any(line.strip() == tag for line in out.splitlines())
    events = out[out.index("Events:") :]
    assert "Succeeded" in events and "image-reflector-controller" in events
    assert "successful scan: found 3 tags with checksum 12345" in events


def test_stalled_object_shows_the_stall_reason_and_message(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "bad", "ghcr.io/example/app:1.0"))
    message = "image 'ghcr.io/example/app:1.0' should not include a tag; remove ':1.0'"
    write_status(
        env,
        namespace,
        "bad",
        {
            "observedGeneration": 1,
            "conditions": [
                {
                    "type": "Stalled",
                    "status": "True",
                    "reason": "ImageURLInvalid",
                    "message": message,
                    "observedGeneration": 1,
                    "lastTransitionTime": SCAN_TIME,
                },
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "ImageURLInvalid",
                    "message": message,
                    "observedGeneration": 1,
                    "lastTransitionTime": SCAN_TIME,
                },
            ],
        },
    )
    result = plugin("describe", "bad", "-n", namespace)
    assert result.code == 0, result.stderr
    rows = [line.split()[:3] for line in result.stdout.splitlines()]
    assert ["Stalled", "True", "ImageURLInvalid"] in rows
    assert ["Ready", "False", "ImageURLInvalid"] in rows
    assert message in result.stdout


def test_never_reconciled_object_says_so(env: Environment, plugin: Plugin, namespace: str) -> None:
    create(env, image_repository(namespace, "fresh", "ghcr.io/example/fresh"))
    result = plugin("describe", "fresh", "-n", namespace)
    assert result.code == 0, result.stderr
    assert field(result.stdout, "Name") == "fresh"
    assert "<never>" in result.stdout
    assert "Events:" in result.stdout and "<none>" in result.stdout.split("Events:")[1]


def test_a_name_prefix_describes_every_object_it_starts(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "web-frontend", "ghcr.io/example/a"))
    create(env, image_repository(namespace, "web-backend", "ghcr.io/example/b"))
    result = plugin("describe", "web", "-n", namespace)
    assert result.code == 0, result.stderr
    names = [line.split(":", 1)[1].strip() for line in result.stdout.splitlines() if line.startswith("Name:")]
    assert sorted(names) == ["web-backend", "web-frontend"]


def test_missing_object_prints_kubectls_not_found_and_exits_1(plugin: Plugin, namespace: str) -> None:
    result = plugin("describe", "nope", "-n", namespace)
    assert result.code == 1
    assert (
        result.stderr.strip()
        == 'Error from server (NotFound): imagerepositories.image.toolkit.fluxcd.io "nope" not found'
    )


def test_empty_namespace_says_no_resources_found(plugin: Plugin, namespace: str) -> None:
    result = plugin("describe", "-n", namespace)
    assert result.code == 0
    assert result.stderr == f"No resources found in {namespace} namespace.\n"


def test_an_overdue_next_scan_says_by_how_long(env: Environment, plugin: Plugin, namespace: str) -> None:
    create(env, image_repository(namespace, "late", "ghcr.io/example/app", interval="5m"))
    scanned = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(minutes=8)
    status = ready_status()
    status["lastScanResult"] = {"tagCount": 3, "scanTime": scanned.strftime("%Y-%m-%dT%H:%M:%SZ")}
    write_status(env, namespace, "late", status)
    result = plugin("describe", "late", "-n", namespace)
    assert result.code == 0, result.stderr
    due = (scanned + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert re.fullmatch(rf"{due} \(overdue by 3m(\d+s)?\)", field(result.stdout, "Next Scan"))
