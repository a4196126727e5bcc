"""`kubectl imagerepo run` reconciling ImagePolicies, against the real API server and registry.

Everything is driven by run's watches: a policy is reconciled when created, and again when its
ImageRepository's scan finds other tags (docs/behaviour.md, The controller: `run`).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import create, image_repository
from tests.e2e.test_run import Runner, account_kubeconfig, deploy_rbac, wait_for
from tests.harness.environment import Environment
from tests.harness.processes import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY_CRD = ROOT / "kubectl_imagerepo" / "crds" / "image.toolkit.fluxcd.io_imagepolicies.yaml"
GROUP = "/apis/image.toolkit.fluxcd.io/v1/namespaces/{ns}"


@pytest.fixture(scope="module")
def policies_served(env: Environment) -> None:
    """The ImagePolicy CRD, installed once (it stays for the session, as `install` leaves it)."""
    env.plane.install_crd(next(d for d in yaml.safe_load_all(POLICY_CRD.read_text()) if d))


@pytest.fixture
def runners(env: Environment) -> Iterator[Callable[..., Runner]]:
    started: list[Runner] = []

    def start(*args: str, kubeconfig: Path | None = None) -> Runner:
        runner = Runner(env, list(args), kubeconfig or env.plane.admin_kubeconfig)
        started.append(runner)
        return runner

    yield start
    for runner in started:
        if runner.process.poll() is None:
            runner.kill()


def seeded_repository(env: Environment, namespace: str, name: str, tags: list[str], **spec: Any) -> str:
    """Seed the registry with `tags`, create an ImageRepository of it; returns its `spec.image`."""
    image = f"{env.registry.host}/{namespace}/{name}"
    env.registry.seed(f"{namespace}/{name}", tags)
    create(env, image_repository(namespace, name, image, **spec))
    return image


def create_policy(env: Environment, namespace: str, name: str, repository: str, **extra: Any) -> None:
    labels = extra.pop("labels", None)
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    policy = {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy",
        "metadata": metadata,
        "spec": {
            "imageRepositoryRef": {"name": repository},
            "policy": {"semver": {"range": ">=1.0.0"}},
            **extra,
        },
    }
    env.plane.request("POST", GROUP.format(ns=namespace) + "/imagepolicies", policy)


def fetch(env: Environment, namespace: str, plural: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = env.plane.request("GET", GROUP.format(ns=namespace) + f"/{plural}/{name}")
    return found


def ready_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    conditions = (obj.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), None)


def wait_policy(
    env: Environment, namespace: str, name: str, accept: Callable[[dict[str, Any]], bool], what: str,
    timeout: float = 40,
) -> dict[str, Any]:
    """Wait until the policy's Ready condition satisfies `accept`; returns the policy."""

    def done() -> dict[str, Any] | None:
        obj = fetch(env, namespace, "imagepolicies", name)
        condition = ready_of(obj)
        return obj if condition is not None and accept(condition) else None

    found: dict[str, Any] = wait_for(done, timeout, what, interval=0.2)
    return found


def request_scan(env: Environment, namespace: str, name: str) -> None:
    """Annotate the ImageRepository with `reconcile.fluxcd.io/requestedAt`, as `flux reconcile` does."""
    value = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    env.plane.request(
        "PATCH",
        GROUP.format(ns=namespace) + f"/imagerepositories/{name}",
        {"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": value}}},
        content_type="application/merge-patch+json",
    )


def test_a_policy_moves_to_a_new_tag_after_its_repository_rescans(
    env: Environment, namespace: str, policies_served: None, runners: Any, tmp_path: Path
) -> None:
    image = seeded_repository(env, namespace, "app", ["1.0.0", "1.1.0"])
    create_policy(env, namespace, "app", "app")
    port = free_port()
    runner = runners(
        "-n", namespace, "--database", str(tmp_path / "db"), "--metrics-addr", f"127.0.0.1:{port}"
    )
    first = wait_policy(
        env, namespace, "app", lambda c: c["status"] == "True", "the policy to be Ready"
    )
    condition = ready_of(first)
    assert condition is not None
    assert (condition["reason"], condition["message"]) == (
        "Succeeded", f"Latest image tag for {image} resolved to 1.1.0"
    )
    assert first["status"]["latestRef"] == {"name": image, "tag": "1.1.0"}

    env.registry.seed(f"{namespace}/app", ["1.2.0"])
    request_scan(env, namespace, "app")
    moved = wait_policy(
        env, namespace, "app", lambda c: "1.2.0" in c["message"], "the policy to move to 1.2.0"
    )
    condition = ready_of(moved)
    assert condition is not None
    assert (condition["status"], condition["message"]) == (
        "True", f"Latest image tag for {image} resolved to 1.2.0 (previously {image}:1.1.0)"
    )
    assert moved["status"]["observedPreviousRef"] == {"name": image, "tag": "1.1.0"}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert 'controller_runtime_reconcile_total{controller="imagepolicy",result="success"}' in metrics
    assert 'workqueue_depth{name="imagepolicy"}' in metrics
    assert runner.terminate() == 0


def test_a_policy_without_tags_yet_retries_then_resolves_once_its_repository_scans(
    env: Environment, namespace: str, policies_served: None, runners: Any, tmp_path: Path
) -> None:
    image = seeded_repository(env, namespace, "app", ["2.0.0"], suspend=True)
    create_policy(env, namespace, "app", "app")
    runners("-n", namespace, "--database", str(tmp_path / "db"), "--requeue-dependency", "1s")
    waiting = wait_policy(
        env, namespace, "app", lambda c: c["status"] == "False", "the policy to wait for tags"
    )
    condition = ready_of(waiting)
    assert condition is not None
    assert (condition["reason"], condition["message"]) == (
        "DependencyNotReady", "retrying in 1s error: no tags in database"
    )

    env.plane.request(
        "PATCH",
        GROUP.format(ns=namespace) + "/imagerepositories/app",
        {"spec": {"suspend": False}},
        content_type="application/merge-patch+json",
    )
    resolved = wait_policy(
        env, namespace, "app", lambda c: c["status"] == "True", "the policy to resolve"
    )
    assert resolved["status"]["latestRef"] == {"name": image, "tag": "2.0.0"}


def test_the_watch_label_selector_applies_to_policies_too(
    env: Environment, namespace: str, policies_served: None, runners: Any, tmp_path: Path
) -> None:
    shard = {"sharding.fluxcd.io/key": "shard1"}
    seeded_repository(env, namespace, "app", ["1.0.0"], labels=shard)
    create_policy(env, namespace, "other", "app")
    create_policy(env, namespace, "mine", "app", labels=shard)
    runner = runners(
        "-n", namespace, "--database", str(tmp_path / "db"),
        "--watch-label-selector", "sharding.fluxcd.io/key=shard1",
    )
    wait_policy(env, namespace, "mine", lambda c: c["status"] == "True", "the labelled policy to be Ready")
    assert runner.terminate() == 0
    assert ready_of(fetch(env, namespace, "imagepolicies", "other")) is None


def test_the_rbac_of_deploy_is_enough_to_reconcile_policies(
    env: Environment, namespace: str, policies_served: None, runners: Any, tmp_path: Path
) -> None:
    deploy_rbac(env, namespace, ["runner"])
    kubeconfig = account_kubeconfig(env, namespace, "runner", tmp_path / "kubeconfig")
    seeded_repository(env, namespace, "app", ["1.0.0"])
    create_policy(env, namespace, "app", "app")
    runner = runners("-n", namespace, "--database", str(tmp_path / "db"), kubeconfig=kubeconfig)
    wait_policy(env, namespace, "app", lambda c: c["status"] == "True", "the policy to be Ready")
    assert runner.terminate() == 0
    assert not [r for r in runner.logs() if r.get("level") == "error"]
    assert not [r for r in runner.logs() if "not reconciled" in str(r.get("msg"))]


def test_deleting_and_recreating_the_repository_reconciles_its_policy(
    env: Environment, namespace: str, policies_served: None, runners: Any, tmp_path: Path
) -> None:
    image = seeded_repository(env, namespace, "app", ["1.0.0"])
    create_policy(env, namespace, "pol", "app")
    runners("-n", namespace, "--database", str(tmp_path / "db"))
    wait_policy(env, namespace, "pol", lambda c: c["status"] == "True", "the policy to be Ready")

    env.plane.request("DELETE", GROUP.format(ns=namespace) + "/imagerepositories/app")
    gone = wait_policy(
        env, namespace, "pol", lambda c: c["status"] == "False", "the policy to lose its repository"
    )
    condition = ready_of(gone)
    assert condition is not None
    assert (condition["reason"], condition["message"]) == (
        "DependencyNotReady",
        "failed to get the referred ImageRepository: referenced ImageRepository does not exist: "
        'ImageRepository.image.toolkit.fluxcd.io "app" not found',
    )

    create(env, image_repository(namespace, "app", image))
    back = wait_policy(env, namespace, "pol", lambda c: c["status"] == "True", "the policy to be Ready again")
    assert back["status"]["latestRef"] == {"name": image, "tag": "1.0.0"}


def test_run_lets_a_policy_of_another_namespace_in_only_by_its_namespace_labels(
    env: Environment, namespace: str, policies_served: None, runners: Any, tmp_path: Path
) -> None:
    shard = {"e2e.kubectl-imagerepo/run": namespace}  # -A sees only this test's objects
    selector = {"namespaceSelectors": [{"matchLabels": {"team": namespace}}]}
    image = seeded_repository(env, namespace, "app", ["1.0.0", "1.2.0"], labels=shard, accessFrom=selector)
    allowed, refused = env.new_namespace("run-allowed"), env.new_namespace("run-refused")
    env.plane.request(
        "PATCH",
        f"/api/v1/namespaces/{allowed}",
        {"metadata": {"labels": {"team": namespace}}},
        content_type="application/merge-patch+json",
    )
    reference = {"imageRepositoryRef": {"name": "app", "namespace": namespace}}
    for other in (allowed, refused):
        create_policy(env, other, "pick", "app", labels=shard, **reference)
    runner = runners("-A", "-l", f"e2e.kubectl-imagerepo/run={namespace}", "--database", str(tmp_path / "db"))
    ok = wait_policy(env, allowed, "pick", lambda c: c["status"] == "True", "the allowed policy to be Ready")
    assert ok["status"]["latestRef"] == {"name": image, "tag": "1.2.0"}
    denied = wait_policy(
        env, refused, "pick", lambda c: c["reason"] == "AccessDenied", "the other policy to be denied"
    )
    assert ready_of(denied) == {
        **(ready_of(denied) or {}),
        "status": "False",
        "message": "failed to get the referred ImageRepository: access denied: "
        f"'{namespace}/app' can't be accessed due to ACL labels mismatch on namespace '{refused}'",
    }
    assert runner.terminate() == 0
