"""`kubectl imagerepo automation diff|apply|get|describe` against a real kube-apiserver.

ImageUpdateAutomations use image-automation-controller v1.2.0's own CRD (from its module, beside the
oracle); the bytes `apply` writes are checked against the controller's update package.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Plugin, image_repository
from tests.e2e.test_policy_get_describe import create_policy, image_policy, policy_crd  # noqa: F401
from tests.harness.automation_oracle import crd_path, run_oracle
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

GROUP = "image.toolkit.fluxcd.io"
PODINFO = "ghcr.io/stefanprodan/podinfo"
MARK = '# {{"$imagepolicy": "{ns}:{name}"}}'

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: apps

spec:
  template:
    spec:
      containers:
        - name: podinfod
          image: ghcr.io/stefanprodan/podinfo:6.5.0 {mark}
          args: ["--port",   "9898"]
"""
RELEASE = """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  values:
    image:
      repository: ghcr.io/stefanprodan/podinfo {mark_name}
      tag: 6.5.0 {mark_tag}
"""


@pytest.fixture(scope="module", autouse=True)
def automation_crd(env: Environment) -> Iterator[None]:
    """image-automation-controller v1.2.0's ImageUpdateAutomation CRD, for this module only.

    Other modules of the session rely on the kind not being served, so it is deleted afterwards.
    """
    crd = next(d for d in yaml.safe_load_all(crd_path().read_text()) if d)
    env.plane.install_crd(crd)
    yield
    env.plane.delete_crd(crd)


def automation(namespace: str, name: str = "apps", path: str = "./apps", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ImageUpdateAutomation",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "interval": "30m",
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            "git": {
                "checkout": {"ref": {"branch": "main"}},
                "commit": {"author": {"name": "fluxcdbot", "email": "fluxcdbot@users.noreply.github.com"}},
                "push": {"branch": "main"},
            },
            "update": {"path": path, "strategy": "Setters"},
            **spec,
        },
    }


def create_automation(env: Environment, obj: dict[str, Any]) -> None:
    ns = obj["metadata"]["namespace"]
    env.plane.request("POST", f"/apis/{GROUP}/v1/namespaces/{ns}/imageupdateautomations", obj)


def ready_status(tag: str, name: str = PODINFO) -> dict[str, Any]:
    return {
        "latestRef": {"name": name, "tag": tag},
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Succeeded",
                "message": f"Latest image tag for {name} resolved to {tag}",
                "lastTransitionTime": "2024-01-01T00:00:00Z",
                "observedGeneration": 1,
            }
        ],
    }


def checkout(root: Path, namespace: str) -> Path:
    """A checkout: apps/ with a Deployment and a HelmRelease marked for `podinfo`, one file outside."""
    (root / "apps").mkdir(parents=True)
    mark = MARK.format(ns=namespace, name="podinfo")
    (root / "apps" / "deployment.yaml").write_text(DEPLOYMENT.format(mark=mark))
    (root / "apps" / "release.yaml").write_text(
        RELEASE.format(
            mark_name=MARK.format(ns=namespace, name="podinfo:name"),
            mark_tag=MARK.format(ns=namespace, name="podinfo:tag"),
        )
    )
    (root / "infra.yaml").write_text(DEPLOYMENT.format(mark=mark))
    return root


@pytest.fixture
def cluster_setup(env: Environment, namespace: str, tmp_path: Path) -> Path:
    create_policy(env, image_policy(namespace, "podinfo"), ready_status("6.7.1"))
    create_automation(env, automation(namespace))
    return checkout(tmp_path / "repo", namespace)


def oracle_bytes(repo: Path, namespace: str, tmp_path: Path) -> dict[str, bytes]:
    """What the controller's update package writes under apps/ with the policy at 6.7.1."""
    copy = tmp_path / "oracle"
    shutil.copytree(repo / "apps", copy)
    policy = {"metadata": {"name": "podinfo", "namespace": namespace}, "status": ready_status("6.7.1")}
    run_oracle(copy, [policy])
    return {p.name: p.read_bytes() for p in copy.iterdir()}


def test_diff_shows_the_change_as_a_unified_diff_then_the_change_list(
    plugin: Plugin, namespace: str, cluster_setup: Path
) -> None:
    done = plugin("automation", "diff", "apps", "-n", namespace, "--path", str(cluster_setup))
    assert done.code == 0, done.stderr
    assert "--- a/apps/deployment.yaml\n+++ b/apps/deployment.yaml\n" in done.stdout
    assert f"+          image: {PODINFO}:6.7.1 " in done.stdout
    assert '+          args: ["--port", "9898"]' in done.stdout  # kyaml re-serialises the whole file
    assert "--- a/infra.yaml" not in done.stdout
    table = done.stdout.split("\n\n")[-1].splitlines()
    assert table[0].split() == ["FILE", "OBJECT", "OLD", "NEW", "SETTER"]
    assert table[1].split() == [
        "apps/deployment.yaml:12",
        "Deployment",
        "apps/podinfo",
        f"{PODINFO}:6.5.0",
        f"{PODINFO}:6.7.1",
        f"{namespace}:podinfo",
    ]
    assert table[2].split() == [
        "apps/release.yaml:9",
        "HelmRelease",
        "podinfo",
        "6.5.0",
        "6.7.1",
        f"{namespace}:podinfo:tag",
    ]


def test_diff_exit_code_is_1_with_a_change_and_0_after_apply(
    plugin: Plugin, namespace: str, cluster_setup: Path, tmp_path: Path
) -> None:
    expected = oracle_bytes(cluster_setup, namespace, tmp_path)
    before = plugin(
        "automation", "diff", "apps", "-n", namespace, "--path", str(cluster_setup), "--exit-code"
    )
    assert before.code == 1, before.stderr
    applied = plugin("automation", "apply", "apps", "-n", namespace, "--path", str(cluster_setup))
    assert applied.code == 0, applied.stderr
    assert "not committed, not pushed" in applied.stderr
    assert sorted(p.name for p in (cluster_setup / "apps").iterdir()) == sorted(expected)
    for name, data in expected.items():
        assert (cluster_setup / "apps" / name).read_text() == data.decode()
    after = plugin("automation", "diff", "apps", "-n", namespace, "--path", str(cluster_setup), "--exit-code")
    assert after.code == 0, after.stderr
    assert after.stdout == ""
    # The rewritten file lost its blank line: the image is on line 11 now.
    assert f"note: apps/deployment.yaml:11: up to date: {PODINFO}:6.7.1 ({namespace}:podinfo)" in after.stderr


def test_apply_leaves_files_without_a_change_untouched(
    plugin: Plugin, namespace: str, cluster_setup: Path
) -> None:
    outside = (cluster_setup / "infra.yaml").read_bytes()
    done = plugin("automation", "apply", "apps", "-n", namespace, "--path", str(cluster_setup))
    assert done.code == 0, done.stderr
    assert (cluster_setup / "infra.yaml").read_bytes() == outside
    assert sorted(line for line in done.stderr.splitlines() if line.startswith("wrote ")) == [
        "wrote apps/deployment.yaml",
        "wrote apps/release.yaml",
    ]


def test_output_json_prints_the_change_list_as_data(
    plugin: Plugin, namespace: str, cluster_setup: Path
) -> None:
    done = plugin("automation", "diff", "apps", "-n", namespace, "--path", str(cluster_setup), "-o", "json")
    assert done.code == 0, done.stderr
    changes = json.loads(done.stdout)
    assert [(c["file"], c["line"], c["old"], c["new"], c["setter"]) for c in changes] == [
        ("apps/deployment.yaml", 12, f"{PODINFO}:6.5.0", f"{PODINFO}:6.7.1", f"{namespace}:podinfo"),
        ("apps/release.yaml", 9, "6.5.0", "6.7.1", f"{namespace}:podinfo:tag"),
    ]
    assert changes[0]["object"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "namespace": "apps",
        "name": "podinfo",
    }


def test_a_marker_outside_update_path_is_a_warning(
    plugin: Plugin, namespace: str, cluster_setup: Path
) -> None:
    done = plugin("automation", "diff", "apps", "-n", namespace, "--path", str(cluster_setup))
    assert (
        "warning: infra.yaml:12: marker outside spec.update.path (./apps): "
        "the controller does not read this file" in done.stderr.splitlines()
    )


def test_warnings_name_file_and_line_for_each_reason_a_marker_does_not_change(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    create_policy(env, image_policy(namespace, "podinfo"), ready_status("6.7.1"))
    pending = image_policy(namespace, "pending")
    pending["metadata"]["labels"] = {"team": "apps"}
    create_policy(env, pending, {})
    labelled = image_policy(namespace, "other-team")
    labelled["metadata"]["labels"] = {"team": "other"}
    create_policy(env, labelled, ready_status("6.7.1"))
    create_automation(env, automation(namespace, path="", policySelector={"matchLabels": {"team": "apps"}}))
    podinfo = image_policy(namespace, "apps-podinfo")
    podinfo["metadata"]["labels"] = {"team": "apps"}
    create_policy(env, podinfo, ready_status("6.7.1"))
    stale = image_policy(namespace, "stale")
    stale["metadata"]["labels"] = {"team": "apps"}
    stale_status = ready_status("6.7.1")
    stale_status["conditions"][0].update(status="False", reason="ReconciliationFailed", message="no tags")
    create_policy(env, stale, stale_status)
    repo = tmp_path / "repo"
    repo.mkdir()
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: markers",
        "data:",
        f'  missing: a # {{"$imagepolicy": "{namespace}:nothing"}}',
        '  other: b # {"$imagepolicy": "elsewhere:podinfo"}',
        f'  pending: c # {{"$imagepolicy": "{namespace}:pending"}}',
        f'  unselected: d # {{"$imagepolicy": "{namespace}:other-team"}}',
        f'  current: {PODINFO}:6.7.1 # {{"$imagepolicy": "{namespace}:apps-podinfo"}}',
        f'  # {{"$imagepolicy": "{namespace}:apps-podinfo"}}',
        "  onkey: e",
        f'  stale: {PODINFO}:6.5.0 # {{"$imagepolicy": "{namespace}:stale"}}',
    ]
    (repo / "markers.yaml").write_text("\n".join(lines) + "\n")
    (repo / "broken.yaml").write_text(f'a: b # {{"$imagepolicy": "{namespace}:podinfo"}}\n  c: [\n')
    done = plugin("automation", "diff", "apps", "-n", namespace, "--path", str(repo))
    assert done.code == 0, done.stderr
    assert f"+  stale: {PODINFO}:6.7.1 " in done.stdout  # not Ready, yet its latestRef is written
    err = done.stderr.splitlines()
    assert (
        f"warning: markers.yaml:13: ImagePolicy {namespace}/stale is not Ready (Ready=False: no tags): "
        "the controller still writes its latestRef"
    ) in err
    assert (
        f"warning: markers.yaml:6: marker names ImagePolicy {namespace}/nothing, which does not exist" in err
    )
    assert (
        f"warning: markers.yaml:7: marker names ImagePolicy elsewhere/podinfo, not of the automation's "
        f"namespace {namespace}: the controller ignores it"
    ) in err
    assert (
        f"warning: markers.yaml:8: ImagePolicy {namespace}/pending has no latestRef (no Ready condition): "
        "the controller leaves this value alone"
    ) in err
    assert (
        f"warning: markers.yaml:9: ImagePolicy {namespace}/other-team is left out by the policySelector: "
        "the controller leaves this value alone"
    ) in err
    assert f"note: markers.yaml:10: up to date: {PODINFO}:6.7.1 ({namespace}:apps-podinfo)" in err
    assert (
        'warning: markers.yaml:11: a "$imagepolicy" marker kyaml does not read here: '
        "it belongs in the line comment of the value"
    ) in err
    assert any(
        line.startswith("warning: broken.yaml:2: kyaml cannot read this file (")
        and line.endswith("): the controller skips it silently")
        for line in err
    ), err


def test_without_name_the_namespace_and_policy_selector_choose_the_policies(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    chosen = image_policy(namespace, "podinfo")
    chosen["metadata"]["labels"] = {"env": "prod"}
    create_policy(env, chosen, ready_status("6.7.1"))
    repo = checkout(tmp_path / "repo", namespace)
    left_out = plugin(
        "automation",
        "diff",
        "-n",
        namespace,
        "--path",
        str(repo),
        "--policy-selector",
        "env=dev",
        "--exit-code",
    )
    assert left_out.code == 0, left_out.stderr
    assert "is left out by the policySelector" in left_out.stderr
    selected = plugin(
        "automation",
        "diff",
        "-n",
        namespace,
        "--path",
        str(repo),
        "--policy-selector",
        "env in (prod)",
        "--exit-code",
    )
    assert selected.code == 1, selected.stderr
    assert "--- a/infra.yaml" in selected.stdout  # no update.path: the whole checkout


def test_files_alone_run_the_whole_chain_without_a_cluster(
    env: Environment, plugin: Plugin, tmp_path: Path
) -> None:
    image = f"{env.registry.host}/automation/podinfo"
    env.registry.seed("automation/podinfo", ["6.5.0", "6.7.1", "7.0.0-rc.1"])
    manifest = tmp_path / "chain.yaml"
    policy = image_policy("apps", "podinfo", repository="podinfo", policy={"semver": {"range": "6.x"}})
    manifest.write_text(
        yaml.safe_dump_all(
            [image_repository("apps", "podinfo", image), policy, automation("apps", path="deploy")]
        )
    )
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    mark = MARK.format(ns="apps", name="podinfo")
    (repo / "deploy" / "app.yaml").write_text(f"kind: Pod\nspec:\n  image: {image}:6.5.0 {mark}\n")
    nowhere = tmp_path / "nowhere.kubeconfig"
    nowhere.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    done = plugin(
        "automation",
        "diff",
        "apps",
        "-n",
        "apps",
        "-f",
        str(manifest),
        "--path",
        str(repo),
        "--database",
        str(tmp_path / "tags.sqlite3"),
        "--exit-code",
        kubeconfig=nowhere,
    )
    assert done.code == 1, done.stderr
    assert f"+  image: {image}:6.7.1 {mark}\n" in done.stdout
    assert f"✔ selected ref {image}:6.7.1" in done.stderr


def test_get_lists_automations_with_the_crd_columns(env: Environment, plugin: Plugin, namespace: str) -> None:
    create_automation(env, automation(namespace))
    done = plugin("automation", "get", "-n", namespace)
    assert done.code == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["NAME", "READY", "STATUS", "AGE"]
    assert done.stdout.splitlines()[1].split()[:3] == ["apps", "<none>", "<none>"]


def test_describe_with_path_lists_policies_and_markers(
    plugin: Plugin, namespace: str, cluster_setup: Path
) -> None:
    done = plugin("automation", "describe", "apps", "-n", namespace, "--path", str(cluster_setup))
    assert done.code == 0, done.stderr
    text = done.stdout
    assert "Policies:\n" in text
    assert f"podinfo  {PODINFO}:6.7.1  True   counted" in text
    assert "Markers:\n" in text
    assert f"apps/deployment.yaml:12  {namespace}:podinfo" in text


def test_a_missing_path_is_one_line_and_exit_1(plugin: Plugin, namespace: str, cluster_setup: Path) -> None:
    done = plugin("automation", "diff", "apps", "-n", namespace, "--path", str(cluster_setup / "nope"))
    assert done.code == 1
    assert done.stderr == f"error: --path {cluster_setup / 'nope'}: no such directory\n"


def test_an_update_path_escaping_the_checkout_stays_inside(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    create_policy(env, image_policy(namespace, "podinfo"), ready_status("6.7.1"))
    create_automation(env, automation(namespace, name="escape", path="../../../apps"))
    repo = checkout(tmp_path / "repo", namespace)
    done = plugin("automation", "diff", "escape", "-n", namespace, "--path", str(repo))
    assert done.code == 0, done.stderr
    assert "--- a/apps/deployment.yaml" in done.stdout
