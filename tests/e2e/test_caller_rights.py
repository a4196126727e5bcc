"""The caller's own rights are not the object's status: a developer with a namespace-scoped role.

Against the real kube-apiserver, as a real ServiceAccount whose token comes from the TokenRequest API:
it may read and patch ImageRepositories and ImagePolicies (and their status) and write Events in its
namespace, and nothing else — no Secrets, no Namespaces.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Plugin, create, image_repository
from tests.e2e.test_policy_reconcile import (  # noqa: F401 - policy_api: the ImagePolicy CRD, served
    condition,
    create_policy,
    fetch_policy,
    fetch_repository,
    image_policy,
    label_namespace,
    policy_api,
    seeded,
)
from tests.harness.cluster import service_account_token
from tests.harness.environment import Environment

DEV = "dev"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


def developer(env: Environment, namespace: str, workdir: Path) -> Path:
    """A ServiceAccount `dev` with a namespace-scoped Role, and a kubeconfig with its real token."""
    rules: list[dict[str, Any]] = [
        {
            "apiGroups": ["image.toolkit.fluxcd.io"],
            "resources": [
                "imagerepositories",
                "imagerepositories/status",
                "imagepolicies",
                "imagepolicies/status",
            ],
            "verbs": ["get", "list", "watch", "patch"],
        },
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch", "list"]},
        {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch", "list"]},
    ]
    token = service_account_token(env.plane, namespace, DEV, rules)
    ca = base64.b64encode(env.plane.ca_file.read_bytes()).decode()
    path = workdir / "dev.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "dev",
                "clusters": [
                    {"name": "test", "cluster": {"server": env.plane.url, "certificate-authority-data": ca}}
                ],
                "users": [{"name": DEV, "user": {"token": token}}],
                "contexts": [
                    {"name": "dev", "context": {"cluster": "test", "user": DEV, "namespace": namespace}}
                ],
            }
        )
    )
    path.chmod(0o600)
    return path


def secret(namespace: str, name: str, host: str) -> dict[str, Any]:
    config = json.dumps({"auths": {host: {"username": "u", "password": "p"}}})
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": base64.b64encode(config.encode()).decode()},
    }


def warnings(env: Environment, namespace: str) -> list[dict[str, Any]]:
    events = env.plane.request("GET", f"/api/v1/namespaces/{namespace}/events")["items"]
    return [e for e in events if e.get("type") == "Warning"]


def test_a_refused_secret_read_leaves_the_status_and_names_what_the_caller_may_not_do(
    env: Environment, plugin: Plugin, namespace: str, database: Path, tmp_path: Path
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    env.plane.apply(secret(namespace, "pull", env.registry.host))
    create(env, image_repository(namespace, "app", image, secretRef={"name": "pull"}))
    admin = plugin("reconcile", "app", "-n", namespace, "--database", str(database))
    assert admin.code == 0, admin.stderr
    before = fetch_repository(env, namespace)
    dev = plugin(
        "reconcile", "app", "--database", str(database), kubeconfig=developer(env, namespace, tmp_path)
    )
    assert dev.code == 1
    assert dev.stderr.splitlines()[-1] == (
        f'✗ User "system:serviceaccount:{namespace}:{DEV}" may not get secrets "pull" in namespace '
        f'"{namespace}"; the status and events of ImageRepository {namespace}/app were left as they were'
    )
    assert fetch_repository(env, namespace)["status"] == before["status"]
    assert warnings(env, namespace) == []


def test_the_tags_an_admin_stored_are_found_by_the_developer(
    env: Environment, plugin: Plugin, namespace: str, database: Path, tmp_path: Path
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0", "1.1.0"])
    create(env, image_repository(namespace, "app", image))
    assert plugin("reconcile", "app", "-n", namespace, "--database", str(database)).code == 0
    listed = plugin(
        "tags", "app", "--database", str(database), kubeconfig=developer(env, namespace, tmp_path)
    )
    assert listed.code == 0, listed.stderr
    assert sorted(listed.stdout.split()) == ["1.0.0", "1.1.0"]
    assert "scan" not in listed.stderr  # found, not scanned again


def test_the_developer_resolves_a_policy_from_the_admin_s_tags_without_scanning(
    env: Environment, plugin: Plugin, namespace: str, database: Path, tmp_path: Path
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0", "1.1.0"])
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace))
    assert plugin("reconcile", "app", "-n", namespace, "--database", str(database), "--no-policies").code == 0
    done = plugin(
        "policy",
        "reconcile",
        "pick",
        "--no-scan",
        "--database",
        str(database),
        kubeconfig=developer(env, namespace, tmp_path),
    )
    assert done.code == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"✔ selected ref {image}:1.1.0"
    assert condition(fetch_policy(env, namespace), "Ready")["status"] == "True"


def test_a_refused_namespace_read_for_access_from_leaves_the_policy_as_it_was(
    env: Environment, plugin: Plugin, namespace: str, database: Path, tmp_path: Path
) -> None:
    owner = env.new_namespace("owner")
    image = seeded(env.registry, f"{owner}/app", ["1.0.0"])
    label_namespace(env, namespace, {"team": "dev"})
    selector = {"namespaceSelectors": [{"matchLabels": {"team": "dev"}}]}
    create(env, image_repository(owner, "app", image, accessFrom=selector))
    create_policy(env, image_policy(namespace, imageRepositoryRef={"name": "app", "namespace": owner}))
    admin = plugin("policy", "reconcile", "pick", "-n", namespace, "--database", str(database))
    assert admin.code == 0, admin.stderr
    before = fetch_policy(env, namespace)
    dev = plugin(
        "policy",
        "reconcile",
        "pick",
        "--database",
        str(database),
        kubeconfig=developer(env, namespace, tmp_path),
    )
    assert dev.code == 1
    line = dev.stderr.splitlines()[-1]
    assert line.startswith(f'✗ User "system:serviceaccount:{namespace}:{DEV}" may not get ')
    assert line.endswith(f"the status and events of ImagePolicy {namespace}/pick were left as they were")
    assert fetch_policy(env, namespace)["status"] == before["status"]
    assert warnings(env, namespace) == []


def test_run_acts_as_the_controller_and_writes_the_refusal_as_the_object_s_status(
    env: Environment, namespace: str, database: Path, tmp_path: Path
) -> None:
    from tests.e2e.test_run import Runner, wait_for

    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image, secretRef={"name": "pull"}))
    runner = Runner(env, ["--database", str(database)], developer(env, namespace, tmp_path))
    try:

        def failed() -> dict[str, Any] | None:
            ready = next(
                (
                    c
                    for c in (fetch_repository(env, namespace).get("status") or {}).get("conditions") or []
                    if c["type"] == "Ready"
                ),
                None,
            )
            return ready if ready is not None and ready["status"] == "False" else None

        ready = wait_for(failed, 30, "the controller's failed status")
    finally:
        runner.terminate()
    assert ready["reason"] == "AuthenticationFailed"
    assert ready["message"].startswith(
        f'failed to configure authentication options: secrets "pull" is forbidden: '
        f'User "system:serviceaccount:{namespace}:{DEV}" cannot get resource "secrets"'
    )
