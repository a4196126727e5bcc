"""`policy reconcile|suspend|resume` and the policies of `reconcile`, against the real servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.harness.environment import ROOT, Environment
from tests.harness.registry import Registry
from tests.kstatus import check

pytestmark = pytest.mark.e2e

GROUP = "image.toolkit.fluxcd.io"
POLICY_CRD = ROOT / "kubectl_imagerepo" / "crds" / "image.toolkit.fluxcd.io_imagepolicies.yaml"


@pytest.fixture(scope="module", autouse=True)
def policy_api(env: Environment) -> None:
    """The ImagePolicy CRD, applied (again) and served."""
    env.plane.install_crd(next(d for d in yaml.safe_load_all(POLICY_CRD.read_text()) if d))


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


@pytest.fixture
def policy_cmd(plugin: Plugin, database: Path, namespace: str) -> Iterator[Any]:
    def run(*args: str, timeout: float = 120) -> Result:
        return plugin(
            "policy", args[0], "-n", namespace, "--database", str(database), *args[1:], timeout=timeout
        )

    yield run


def image_policy(namespace: str, name: str = "pick", repo: str = "app", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"imageRepositoryRef": {"name": repo}, "policy": {"semver": {"range": ">=1.0.0"}}}
    body.update(spec)
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ImagePolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
    }


def create_policy(env: Environment, obj: dict[str, Any]) -> dict[str, Any]:
    namespace = obj["metadata"]["namespace"]
    created: dict[str, Any] = env.plane.request(
        "POST", f"/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies", obj
    )
    return created


def fetch_policy(env: Environment, namespace: str, name: str = "pick") -> dict[str, Any]:
    obj: dict[str, Any] = env.plane.request(
        "GET", f"/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies/{name}"
    )
    return obj


def fetch_repository(env: Environment, namespace: str, name: str = "app") -> dict[str, Any]:
    obj: dict[str, Any] = env.plane.request(
        "GET", f"/apis/{GROUP}/v1/namespaces/{namespace}/imagerepositories/{name}"
    )
    return obj


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any]:
    found: dict[str, Any] | None = next(
        (c for c in obj.get("status", {}).get("conditions", []) if c["type"] == type_), None
    )
    assert found is not None, f"no {type_} condition in {obj.get('status')}"
    return found


def seeded(registry: Registry, repository: str, tags: list[str]) -> str:
    registry.seed(repository, tags)
    return f"{registry.host}/{repository}"


def label_namespace(env: Environment, namespace: str, labels: dict[str, str]) -> None:
    env.plane.request(
        "PATCH",
        f"/api/v1/namespaces/{namespace}",
        {"metadata": {"labels": labels}},
        content_type="application/merge-patch+json",
    )


@pytest.mark.parametrize("flavour", ["registry", "legacy_registry"])
def test_reconcile_scans_a_repository_without_stored_tags_then_selects_the_highest_version(
    env: Environment, policy_cmd: Any, namespace: str, flavour: str
) -> None:
    image = seeded(
        getattr(env, flavour), f"{namespace}/app", ["0.9.0", "1.0.0", "1.2.0", "1.10.0-rc.1", "latest"]
    )
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace))
    done = policy_cmd("reconcile", "pick")
    assert done.code == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"► annotating ImagePolicy pick in {namespace} namespace",
        "✔ ImagePolicy annotated",
        "◎ waiting for ImagePolicy reconciliation",
        f"◎ scanning ImageRepository {namespace}/app: no tags stored on this machine",
        "✔ scan fetched 5 tags",
        f"✔ selected ref {image}:1.2.0",
    ]
    obj = fetch_policy(env, namespace)
    ready = condition(obj, "Ready")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "True",
        "Succeeded",
        f"Latest image tag for {image} resolved to 1.2.0",
    )
    assert obj["status"]["latestRef"] == {"name": image, "tag": "1.2.0"}
    assert (
        obj["status"]["lastHandledReconcileAt"]
        == obj["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"]
    )
    assert fetch_repository(env, namespace)["status"]["lastScanResult"]["tagCount"] == 5


def test_no_scan_without_stored_tags_is_dependency_not_ready(
    env: Environment, policy_cmd: Any, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace))
    done = policy_cmd("reconcile", "pick", "--no-scan")
    assert done.code == 1
    assert done.stderr.splitlines()[-1] == (
        "✗ ImagePolicy reconciliation failed: 'retrying in 30s error: no tags in database'"
    )
    obj = fetch_policy(env, namespace)
    assert condition(obj, "Ready")["reason"] == "DependencyNotReady"
    assert condition(obj, "Reconciling")["reason"] == "ProgressingWithRetry"
    assert check(obj["status"], obj["metadata"]["generation"], mid_reconcile=False) == []


def test_a_missing_repository_is_reported_with_the_controllers_text(
    env: Environment, policy_cmd: Any, namespace: str
) -> None:
    create_policy(env, image_policy(namespace, repo="nope"))
    done = policy_cmd("reconcile", "pick")
    assert done.code == 1
    message = (
        "failed to get the referred ImageRepository: referenced ImageRepository does not exist: "
        'ImageRepository.image.toolkit.fluxcd.io "nope" not found'
    )
    assert done.stderr.splitlines()[-1] == f"✗ ImagePolicy reconciliation failed: '{message}'"
    ready = condition(fetch_policy(env, namespace), "Ready")
    assert (ready["reason"], ready["message"]) == ("DependencyNotReady", message)


def test_an_invalid_range_stalls_and_says_so(env: Environment, policy_cmd: Any, namespace: str) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace, policy={"semver": {"range": "*-*"}}))
    done = policy_cmd("reconcile", "pick")
    assert done.code == 1
    assert done.stderr.splitlines()[-1] == '✗ invalid policy: improper constraint: "*-*"'
    obj = fetch_policy(env, namespace)
    assert condition(obj, "Stalled")["reason"] == "InvalidPolicy"
    assert obj["status"]["observedGeneration"] == 1


def test_the_status_sequence_is_kstatus_valid_at_every_write(
    env: Environment, policy_cmd: Any, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0", "2.0.0"])
    create(env, image_repository(namespace, "app", image))
    created = create_policy(env, image_policy(namespace))
    seen: list[dict[str, Any]] = []
    stop = threading.Event()

    def watch() -> None:
        url = (
            f"{env.plane.url}/apis/{GROUP}/v1/namespaces/{namespace}/imagepolicies"
            f"?watch=true&resourceVersion={created['metadata']['resourceVersion']}&timeoutSeconds=60"
        )
        with env.plane.session() as s, s.get(url, stream=True, timeout=70) as response:
            for line in response.iter_lines():
                obj = json.loads(line)["object"]
                seen.append(obj)
                ready = next(
                    (c for c in obj.get("status", {}).get("conditions", []) if c["type"] == "Ready"), None
                )
                if (ready is not None and ready["status"] == "True") or stop.is_set():
                    return

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert policy_cmd("reconcile", "pick").code == 0
    finally:
        stop.set()
        watcher.join(70)
    statuses = [o["status"] for o in seen if "conditions" in o.get("status", {})]
    assert [condition({"status": s}, "Ready")["status"] for s in statuses] == ["Unknown", "True"]
    assert (
        condition({"status": statuses[0]}, "Reconciling")["message"]
        == "processing object: new generation -1 -> 1"
    )
    assert check(statuses[0], 1, mid_reconcile=True) == []
    assert check(statuses[-1], 1, mid_reconcile=False) == []


def test_if_not_present_reflects_the_digest_and_keeps_it_when_the_tag_moves(
    env: Environment, policy_cmd: Any, plugin: Plugin, database: Path, namespace: str
) -> None:
    first = env.registry.push(f"{namespace}/app", "1.0.0", b"first")
    image = f"{env.registry.host}/{namespace}/app"
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace, digestReflectionPolicy="IfNotPresent"))
    assert policy_cmd("reconcile", "pick").code == 0
    assert fetch_policy(env, namespace)["status"]["latestRef"]["digest"] == first
    env.registry.push(f"{namespace}/app", "1.0.0", b"second")
    again = policy_cmd("reconcile", "pick")
    assert again.code == 0, again.stderr
    assert again.stderr.splitlines()[-1] == f"✔ selected ref {image}:1.0.0@{first}"


def test_always_follows_a_moved_tag_and_names_the_previous_digest(
    env: Environment, policy_cmd: Any, namespace: str
) -> None:
    first = env.registry.push(f"{namespace}/app", "1.0.0", b"first")
    image = f"{env.registry.host}/{namespace}/app"
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace, digestReflectionPolicy="Always", interval="10m"))
    assert policy_cmd("reconcile", "pick").code == 0
    second = env.registry.push(f"{namespace}/app", "1.0.0", b"second")
    again = policy_cmd("reconcile", "pick")
    assert again.code == 0, again.stderr
    ready = condition(fetch_policy(env, namespace), "Ready")
    assert ready["message"] == (
        f"Latest image tag for {image} resolved to 1.0.0 with digest {second} "
        f"(previously {image}:1.0.0@{first})"
    )


def test_a_cross_namespace_policy_is_let_in_by_matching_namespace_labels(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0", "1.1.0"])
    selector = {"namespaceSelectors": [{"matchLabels": {"team": namespace}}]}
    create(env, image_repository(namespace, "app", image, accessFrom=selector))
    allowed, refused = env.new_namespace("allowed"), env.new_namespace("refused")
    label_namespace(env, allowed, {"team": namespace})
    for other in (allowed, refused):
        create_policy(env, image_policy(other, imageRepositoryRef={"name": "app", "namespace": namespace}))
    ok = plugin("policy", "reconcile", "pick", "-n", allowed, "--database", str(database))
    assert ok.code == 0, ok.stderr
    assert ok.stderr.splitlines()[-1] == f"✔ selected ref {image}:1.1.0"
    denied = plugin("policy", "reconcile", "pick", "-n", refused, "--database", str(database))
    assert denied.code == 1
    ready = condition(fetch_policy(env, refused), "Ready")
    assert (ready["reason"], ready["message"]) == (
        "AccessDenied",
        "failed to get the referred ImageRepository: access denied: "
        f"'{namespace}/app' can't be accessed due to ACL labels mismatch on namespace '{refused}'",
    )


def test_reconcile_of_a_repository_whose_tags_changed_moves_its_policies(
    env: Environment, plugin: Plugin, policy_cmd: Any, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace))
    assert policy_cmd("reconcile", "pick").code == 0
    env.registry.seed(f"{namespace}/app", ["1.1.0"])
    done = plugin("reconcile", "app", "-n", namespace, "--database", str(database))
    assert done.code == 0, done.stderr
    assert done.stderr.splitlines()[-2:] == [
        f"◎ resolving ImagePolicy {namespace}/pick: its repository's tags changed",
        f"✔ selected ref {image}:1.1.0",
    ]
    ready = condition(fetch_policy(env, namespace), "Ready")
    assert ready["message"] == f"Latest image tag for {image} resolved to 1.1.0 (previously {image}:1.0.0)"


def test_reconcile_with_no_policies_leaves_the_policies_alone(
    env: Environment, plugin: Plugin, policy_cmd: Any, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace))
    assert policy_cmd("reconcile", "pick").code == 0
    env.registry.seed(f"{namespace}/app", ["1.1.0"])
    done = plugin("reconcile", "app", "-n", namespace, "--database", str(database), "--no-policies")
    assert done.code == 0, done.stderr
    assert "ImagePolicy" not in done.stderr
    assert fetch_policy(env, namespace)["status"]["latestRef"]["tag"] == "1.0.0"


def test_reconcile_file_resolves_both_kinds_without_a_cluster(
    env: Environment, plugin: Plugin, database: Path, tmp_path: Path
) -> None:
    image = seeded(env.registry, "files/both", ["1.0.0", "1.4.2", "2.0.0-rc.1", "x.sig"])
    manifest = tmp_path / "both.yaml"
    documents = [
        image_repository("apps", "app", image),
        image_policy("apps", "stable", policy={"semver": {"range": "^1.0"}}),
        image_policy("apps", "newest", policy={"alphabetical": {"order": "asc"}}),
    ]
    manifest.write_text(yaml.safe_dump_all(documents))
    nowhere = tmp_path / "nowhere.kubeconfig"
    nowhere.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    done = plugin("reconcile", "-f", str(manifest), "--database", str(database), kubeconfig=nowhere)
    assert done.code == 0, done.stderr
    objects = yaml.safe_load(done.stdout)["items"]
    assert [o["kind"] for o in objects] == ["ImageRepository", "ImagePolicy", "ImagePolicy"]
    assert objects[1]["status"]["latestRef"] == {"name": image, "tag": "1.4.2"}
    assert objects[2]["status"]["latestRef"] == {"name": image, "tag": "2.0.0-rc.1"}
    assert done.stderr.splitlines()[-2:] == [
        f"◎ resolving ImagePolicy apps/newest from {manifest}",
        f"✔ selected ref {image}:2.0.0-rc.1",
    ]


def test_suspend_then_resume_resolves_the_policy_again(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace))
    suspended = plugin("policy", "suspend", "pick", "-n", namespace)
    assert suspended.code == 0, suspended.stderr
    assert suspended.stderr.splitlines() == [
        f"► suspending image policy pick in {namespace} namespace",
        "✔ image policy suspended",
    ]
    assert fetch_policy(env, namespace)["spec"]["suspend"] is True
    refused = plugin("policy", "reconcile", "pick", "-n", namespace, "--database", str(database))
    assert (refused.code, refused.stderr.splitlines()[-1]) == (1, "✗ resource is suspended")
    resumed = plugin("policy", "resume", "pick", "-n", namespace, "--database", str(database))
    assert resumed.code == 0, resumed.stderr
    assert resumed.stderr.splitlines()[:2] == [
        f"► resuming image policy pick in {namespace} namespace",
        "✔ image policy resumed",
    ]
    assert resumed.stderr.splitlines()[2:] == [
        "◎ waiting for ImagePolicy reconciliation",
        f"◎ scanning ImageRepository {namespace}/app: no tags stored on this machine",
        "✔ scan fetched 1 tags",
        "✔ ImagePolicy pick reconciliation completed",
        f"✔ selected ref {image}:1.0.0",
    ]


def test_a_user_who_may_scan_but_not_read_policies_is_warned_and_the_scan_stands(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    from tests.e2e.test_api_faults import grant

    image = seeded(env.registry, f"{namespace}/app", ["1.0.0"])
    create(env, image_repository(namespace, "app", image))
    create_policy(env, image_policy(namespace))
    grant(
        env,
        namespace,
        "scanner",
        [
            {"apiGroups": [GROUP], "resources": ["imagerepositories"], "verbs": ["get", "list", "patch"]},
            {"apiGroups": [GROUP], "resources": ["imagerepositories/status"], "verbs": ["patch"]},
            {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch", "get"]},
        ],
    )
    done = plugin(
        "reconcile",
        "app",
        "-n",
        namespace,
        "--database",
        str(database),
        kubeconfig=env.plane.restricted_kubeconfig,
    )
    assert done.code == 0, done.stderr
    assert done.stderr.splitlines()[-2:] == [
        "✔ scan fetched 1 tags",
        f'⚠️ ImagePolicies not resolved: imagepolicies.image.toolkit.fluxcd.io is forbidden: User "alice" '
        f'cannot list resource "imagepolicies" in API group "{GROUP}" in the namespace "{namespace}"',
    ]
    assert "status" not in fetch_policy(env, namespace) or not fetch_policy(env, namespace)["status"].get(
        "latestRef"
    )
