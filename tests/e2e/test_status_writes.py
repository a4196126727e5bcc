"""Status writes against the real kube-apiserver: guarded by what they depend on, not by resourceVersion.

The plugin writes statuses as JSON patches whose `test` operations cover the status it read, the
generation and the `requestedAt` annotation (docs/behaviour.md, Status, conditions and events). Here:
label churn as fast as the API server takes it costs no status write, two writers from one read never
write blind, and an older request never overwrites a newer one's status.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.kube.client import Kube
from kubectl_imagerepo.kube.flags import KubeFlags
from kubectl_imagerepo.model import api
from kubectl_imagerepo.reconcile.status_patch import write_status
from tests.e2e.conftest import Plugin, create, image_repository
from tests.e2e.test_api_faults import GROUP_PATH, LabelWriters, condition, fetch, status_codes
from tests.harness.environment import Environment
from tests.kstatus import check

pytestmark = pytest.mark.e2e

STATUS_WRITES_OF_A_FIRST_RECONCILE = 3  # the early patch, `scanning: first scan`, the final patch


def kube(env: Environment, namespace: str) -> Kube:
    return Kube(KubeFlags(kubeconfig=str(env.plane.admin_kubeconfig), namespace=namespace))


def ready_status(message: str, generation: int = 1) -> dict[str, Any]:
    return {
        "observedGeneration": generation,
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Succeeded",
                "message": message,
                "observedGeneration": generation,
                "lastTransitionTime": "2026-11-27T21:00:00Z",
            }
        ],
    }


def test_label_churn_as_fast_as_possible_costs_no_status_write(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    image = f"{env.registry.host}/{namespace}/app"
    env.registry.seed(f"{namespace}/app", ["1.0", "1.1"])
    create(env, image_repository(namespace, "app", image))
    path = f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories/app"
    writers = LabelWriters(env, path, count=1, minimum=5)
    writers.start()
    try:
        result = plugin("reconcile", "app", "-n", namespace, "--database", str(tmp_path / "db"), timeout=120)
    finally:
        writers.stop()

    assert result.code == 0, result.stderr
    obj = fetch(env, namespace, "app")
    assert writers.labels_survived(obj)
    assert obj["status"]["lastScanResult"]["tagCount"] == 2
    assert check(obj["status"], obj["metadata"]["generation"], mid_reconcile=False) == []
    assert status_codes(env, namespace) == [200] * STATUS_WRITES_OF_A_FIRST_RECONCILE


def test_two_writers_from_one_read_never_write_blind(env: Environment, namespace: str) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/org/app"))
    client = kube(env, namespace)
    read = fetch(env, namespace, "app")
    first, second = ready_status("first writer"), ready_status("second writer")

    write_status(client, read, first)
    written = write_status(client, copy.deepcopy(read), second)  # its `test` of the status read fails

    assert written["status"] == second == fetch(env, namespace, "app")["status"]
    assert status_codes(env, namespace) == [200, 422, 200]  # refused, read again, rebuilt


def test_a_write_for_an_older_request_never_overwrites_the_newer_requests_status(
    env: Environment, namespace: str
) -> None:
    annotated = {"metadata": {"annotations": {api.REQUESTED_AT_ANNOTATION: "2026-11-27T21:00:00Z"}}}
    create(env, image_repository(namespace, "app", "ghcr.io/org/app"))
    path = f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories/app"
    older = env.plane.request("PATCH", path, annotated, content_type="application/merge-patch+json")
    annotated["metadata"]["annotations"][api.REQUESTED_AT_ANNOTATION] = "2026-11-27T21:05:00Z"
    newer = env.plane.request("PATCH", path, annotated, content_type="application/merge-patch+json")
    client = kube(env, namespace)

    write_status(client, newer, ready_status("newer request"))
    dropped = write_status(client, older, ready_status("older request"))

    assert condition(dropped, "Ready") == condition(fetch(env, namespace, "app"), "Ready")
    assert (condition(fetch(env, namespace, "app"), "Ready") or {})["message"] == "newer request"


def test_a_status_holding_html_characters_and_non_ascii_text_is_guarded_like_any_other(
    env: Environment, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/org/app"))
    client = kube(env, namespace)
    read = fetch(env, namespace, "app")
    unusual = ready_status("scan failed: GET /v2/x/tags/list?n=1000&last=a <b> -> café \u2028")
    stored = write_status(client, read, unusual)
    again = write_status(client, stored, ready_status("successful scan"))  # its `test` matches
    stale = write_status(client, stored, ready_status("stale"))  # its `test` does not

    assert again["status"] == ready_status("successful scan")
    assert stale["status"] == ready_status("stale") == fetch(env, namespace, "app")["status"]
    assert status_codes(env, namespace) == [200, 200, 422, 200]
