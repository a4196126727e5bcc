"""`kubectl imagerepo policy get|describe` and their name completion against a real kube-apiserver.

ImagePolicies are created with their status written through the status subresource, as the controller
would; describe's tags come from a tag database written here for the cluster's id, as a scan would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_imagerepo.store.database import ObjectKey, TagStore
from tests.e2e.conftest import Plugin, create, image_repository
from tests.harness.environment import ROOT, Environment

pytestmark = pytest.mark.e2e

#: What the `kubectl_complete-imagerepo` executable runs.
COMPLETER = "from kubectl_imagerepo.cli import complete; complete()"

GROUP = "image.toolkit.fluxcd.io"
POLICY_CRD = ROOT / "kubectl_imagerepo" / "crds" / "image.toolkit.fluxcd.io_imagepolicies.yaml"


@pytest.fixture(scope="module", autouse=True)
def policy_crd(env: Environment) -> None:
    """The ImagePolicy CRD (the session installs only the ImageRepository one); applying it is idempotent."""
    env.plane.install_crd(next(d for d in yaml.safe_load_all(POLICY_CRD.read_text()) if d))


def image_policy(namespace: str, name: str, repository: str = "app", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "imageRepositoryRef": {"name": repository},
            "policy": {"semver": {"range": ">=1.0.0"}},
            **spec,
        },
    }


def create_policy(env: Environment, obj: dict[str, Any], status: dict[str, Any] | None = None) -> None:
    """Create the ImagePolicy, then write its status through the status subresource."""
    ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
    path = f"/apis/{GROUP}/v1/namespaces/{ns}/imagepolicies"
    env.plane.request("POST", path, obj)
    if status is not None:
        env.plane.request(
            "PATCH", f"{path}/{name}/status", {"status": status}, content_type="application/merge-patch+json"
        )


def resolved(
    image: str, tag: str, digest: str = "", previous: dict[str, str] | None = None
) -> dict[str, Any]:
    message = f"Latest image tag for {image} resolved to {tag}"
    status: dict[str, Any] = {
        "observedGeneration": 1,
        "latestRef": {"name": image, "tag": tag, **({"digest": digest} if digest else {})},
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Succeeded",
                "message": message,
                "lastTransitionTime": "2026-08-07T12:00:00Z",
                "observedGeneration": 1,
            }
        ],
    }
    if previous is not None:
        status["observedPreviousRef"] = previous
    return status


def store_tags(env: Environment, database: Path, namespace: str, name: str, tags: list[str]) -> None:
    """Write a repository's tags into the database, keyed as a scan keys them (by the object's UID)."""
    path = f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories/{name}"
    uid = env.plane.request("GET", path)["metadata"]["uid"]
    with TagStore(database) as store:
        store.write(
            ObjectKey(uid, namespace, name),
            canonical_name="ghcr.io/example/app",
            tags=sorted(tags, reverse=True),
            revision="1",
            scan_time="2026-08-07T12:00:00Z",
        )


def evaluation(out: str) -> dict[str, str]:
    """The `label: value` lines of the Evaluation section."""
    lines = out.splitlines()
    start = lines.index("Evaluation:") + 1
    found = {}
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        label, colon, value = line.strip().partition(":")
        if colon and not line.startswith("    "):
            found[label] = value.strip()
    return found


def test_get_prints_the_printer_columns_of_image_policies_only(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    create_policy(env, image_policy(namespace, "web"), resolved("ghcr.io/example/app", "1.2.3"))
    create_policy(env, image_policy(namespace, "fresh"))
    result = plugin("policy", "get", "-n", namespace)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "IMAGE", "TAG", "READY", "STATUS", "AGE"]
    assert lines[1].split()[:4] == ["fresh", "<none>", "<none>", "<none>"]
    assert lines[2].split()[:4] == ["web", "ghcr.io/example/app", "1.2.3", "True"]
    assert "Latest image tag for ghcr.io/example/app resolved to 1.2.3" in lines[2]
    assert len(lines) == 3


def test_get_wide_adds_repository_policy_digest_and_previous(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    status = resolved("img", "1.1.0", "sha256:" + "a" * 64, previous={"name": "img", "tag": "1.0.0"})
    spec: dict[str, Any] = {
        "imageRepositoryRef": {"name": "app", "namespace": "shared"},
        "policy": {"alphabetical": {}},
    }
    create_policy(env, image_policy(namespace, "web", **spec), status)
    result = plugin("policy", "get", "-n", namespace, "-o", "wide", "--no-headers")
    assert result.code == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "shared/app",
        "alphabetical",
        "asc",
        "sha256:" + "a" * 64,
        "img:1.0.0",
    ]


def test_get_of_a_missing_name_is_the_api_server_s_not_found(plugin: Plugin, namespace: str) -> None:
    result = plugin("policy", "get", "-n", namespace, "gone")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == f'Error from server (NotFound): imagepolicies.{GROUP} "gone" not found\n'


def test_get_json_of_a_name_and_status_selector(env: Environment, plugin: Plugin, namespace: str) -> None:
    create_policy(env, image_policy(namespace, "web"), resolved("img", "1.0.0"))
    create_policy(env, image_policy(namespace, "new"))
    one = plugin("policy", "get", "-n", namespace, "web", "-o", "json")
    assert json.loads(one.stdout)["status"]["latestRef"] == {"name": "img", "tag": "1.0.0"}
    ready = plugin("policy", "get", "-n", namespace, "--status-selector", "ready=true", "-o", "name")
    assert ready.stdout == f"imagepolicy.{GROUP}/web\n"


def test_get_watch_prints_a_row_when_the_status_changes(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create_policy(env, image_policy(namespace, "web"))
    watcher = plugin.start("policy", "get", "-n", namespace, "-w", "--no-headers")
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().split()[:3] == ["web", "<none>", "<none>"]
        time.sleep(0.5)
        env.plane.request(
            "PATCH",
            f"/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies/web/status",
            {"status": resolved("img", "2.0.0")},
            content_type="application/merge-patch+json",
        )
        assert watcher.stdout.readline().split()[:4] == ["web", "img", "2.0.0", "True"]
    finally:
        watcher.terminate()
        watcher.wait(10)


def test_describe_evaluates_the_policy_over_the_stored_tags(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    status = resolved("ghcr.io/example/app", "1.10.0", "sha256:" + "b" * 64)
    create_policy(env, image_policy(namespace, "web"), status)
    database = tmp_path / "tags.sqlite3"
    store_tags(env, database, namespace, "app", ["0.9.0", "1.0.0", "1.2.0", "1.10.0", "latest"])
    result = plugin("policy", "describe", "-n", namespace, "web", "--database", str(database))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"Name:         web\nNamespace:    {namespace}\n")
    assert "Kind:         ImagePolicy" in result.stdout
    found = evaluation(result.stdout)
    assert found["Repository"] == f"{namespace}/app"
    assert found["Image"] == "ghcr.io/example/app"
    assert found["Access"] == "allowed"
    assert (found["Stored Tags"], found["Not Versions"], found["Outside Range"]) == ("5", "1", "1")
    assert (found["Pick"], found["Digest"]) == ("1.10.0", "sha256:" + "b" * 64)
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  Candidates:"))
    assert lines[start].split() == ["Candidates:", "3"]
    assert lines[start + 1 :] == ["    1.10.0", "    1.2.0", "    1.0.0", "Events:  <none>"]


def test_describe_denies_a_repository_of_another_namespace_without_access_from(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    shared = env.new_namespace("shared")
    create(env, image_repository(shared, "app", "ghcr.io/example/app"))
    spec: dict[str, Any] = {"imageRepositoryRef": {"name": "app", "namespace": shared}}
    create_policy(env, image_policy(namespace, "web", **spec))
    result = plugin("policy", "describe", "-n", namespace, "web", "--database", str(tmp_path / "none"))
    assert result.code == 0, result.stderr
    found = evaluation(result.stdout)
    assert (
        found["Access"]
        == f"denied: '{shared}/app' can't be accessed due to missing ACL labels on 'accessFrom'"
    )
    assert (found["Pick"], found["Error"]) == ("<none>", "no tags in database")
    assert not (tmp_path / "none").exists()


def complete(env: Environment, *words: str) -> list[str]:
    """Run the completer as kubectl does; its stdout lines."""
    done = subprocess.run(
        [sys.executable, "-c", COMPLETER, *words],
        capture_output=True,
        text=True,
        timeout=60,
        env=env.path_env(),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_policy_subcommands_complete_image_policy_names(env: Environment, namespace: str) -> None:
    create(env, image_repository(namespace, "webapp", "ghcr.io/example/app"))
    create_policy(env, image_policy(namespace, "web"))
    create_policy(env, image_policy(namespace, "worker"))
    assert complete(env, "policy", "describe", "-n", namespace, "w") == ["web", "worker", ":4"]


def test_the_policy_group_completes_its_subcommands(env: Environment) -> None:
    found = [line.split("\t")[0] for line in complete(env, "policy", "")]
    assert found == ["describe", "get", "reconcile", "resume", "suspend", ":4"]
