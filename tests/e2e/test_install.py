"""`pipx install` of the built wheel: both executables on PATH, working against the real cluster; and
`install` on a cluster whose CRDs another field manager applied.

The sdist and wheel are built with `python -m build` (the wheel from the sdist, as an index would);
pipx installs the wheel into its own fresh virtual environment under a temporary PIPX_HOME and links
the console scripts into a temporary PIPX_BIN_DIR.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Plugin, create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CRD = "kubectl_imagerepo/crds/image.toolkit.fluxcd.io_imagerepositories.yaml"
POLICY_CRD = "kubectl_imagerepo/crds/image.toolkit.fluxcd.io_imagepolicies.yaml"
SCRIPTS = ("kubectl-imagerepo", "kubectl_complete-imagerepo")


@dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [sdist] = out.glob("kubectl_imagerepo-*.tar.gz")
    [wheel] = out.glob("kubectl_imagerepo-*-py3-none-any.whl")
    return Dists(sdist, wheel)


@dataclass(frozen=True)
class Pipx:
    """A pipx home the wheel was installed into, and its bin directory."""

    home: Path
    bin: Path


@pytest.fixture(scope="module")
def pipx(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Pipx:
    root = tmp_path_factory.mktemp("pipx")
    home, bindir = root / "home", root / "bin"
    environ = {
        **os.environ,
        "PIPX_HOME": str(home),
        "PIPX_BIN_DIR": str(bindir),
        "PIPX_MAN_DIR": str(root / "man"),
        "PIPX_DEFAULT_PYTHON": sys.executable,
    }
    environ.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [sys.executable, "-m", "pipx", "install", str(dists.wheel)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return Pipx(home, bindir)


def with_only(env: Environment, bindir: Path) -> dict[str, str]:
    """The test environment with PATH = pipx's bin directory, the built kubectl's and /usr/bin:/bin."""
    path = os.pathsep.join([str(bindir), str(env.binaries.kubectl.parent), "/usr/bin", "/bin"])
    return {**env.path_env(), "PATH": path}


def test_the_sdist_carries_the_crd_manifests_and_the_license(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert CRD in names
    assert POLICY_CRD in names
    assert {"LICENSE", "pyproject.toml", "README.md"} <= names


def test_the_wheel_carries_the_crd_manifests(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as wheel:
        assert CRD in wheel.namelist()
        assert POLICY_CRD in wheel.namelist()


def test_the_wheel_declares_both_console_scripts(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as wheel:
        [entry_points] = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = wheel.read(entry_points).decode()
    assert "kubectl-imagerepo = kubectl_imagerepo.cli:main" in text
    assert "kubectl_complete-imagerepo = kubectl_imagerepo.cli:complete" in text


def test_pipx_puts_both_executables_in_its_bin_directory(pipx: Pipx) -> None:
    for script in SCRIPTS:
        assert os.access(pipx.bin / script, os.X_OK), sorted(p.name for p in pipx.bin.iterdir())


def test_the_pipx_installed_plugin_prints_help(pipx: Pipx, env: Environment) -> None:
    done = subprocess.run(
        ["kubectl-imagerepo", "--help"], capture_output=True, text=True, env=with_only(env, pipx.bin)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: kubectl imagerepo")


def test_the_pipx_installed_plugin_gets_objects_from_the_cluster(pipx: Pipx, env: Environment) -> None:
    namespace = env.new_namespace("pipx")
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    done = subprocess.run(
        ["kubectl-imagerepo", "get", "-n", namespace],
        capture_output=True,
        text=True,
        env=with_only(env, pipx.bin),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    assert header.split() == ["NAME", "IMAGE", "TAGS", "READY", "STATUS", "LAST", "SCAN", "AGE"]
    assert row.split()[:2] == ["app", "ghcr.io/example/app"]


def test_kubectl_runs_the_pipx_installed_plugin_and_its_completer(pipx: Pipx, env: Environment) -> None:
    namespace = env.new_namespace("pipx")
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    environ = with_only(env, pipx.bin)
    got = subprocess.run(
        ["kubectl", "imagerepo", "get", "app", "-n", namespace, "-o", "name"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )
    assert got.returncode == 0, got.stderr
    assert got.stdout == "imagerepository.image.toolkit.fluxcd.io/app\n"
    completed = subprocess.run(
        ["kubectl", "__complete", "imagerepo", "-n", namespace, "get", ""],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["app", ":4"]


# -- `install` on a cluster whose ImagePolicy CRD another field manager applied --------------------------

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
POLICY_CRD_NAME = "imagepolicies.image.toolkit.fluxcd.io"
REPOSITORY_CRD_NAME = "imagerepositories.image.toolkit.fluxcd.io"


def shipped_policy_crd() -> dict[str, Any]:
    loaded: dict[str, Any] = next(d for d in yaml.safe_load_all((ROOT / POLICY_CRD).read_text()) if d)
    return loaded


def as_flux_ships_it() -> dict[str, Any]:
    """The ImagePolicy CRD as image-reflector-controller v1.2 ships it: v1 only, labelled part of Flux."""
    crd = shipped_policy_crd()
    crd["metadata"]["labels"] = {
        "app.kubernetes.io/component": "image-reflector-controller",
        "app.kubernetes.io/instance": "flux-system",
        "app.kubernetes.io/part-of": "flux",
    }
    crd["spec"]["versions"] = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return crd


def applied_by(env: Environment, manager: str, crd: dict[str, Any]) -> dict[str, Any]:
    """The CRD deleted if present, then server-side applied afresh by `manager`, and established."""
    name = crd["metadata"]["name"]
    env.plane.request("DELETE", f"{CRDS}/{name}", ok=(200, 202, 404))
    deadline = time.monotonic() + 60
    while env.plane.request("GET", f"{CRDS}/{name}", ok=(200, 404)).get("kind") != "Status":
        assert time.monotonic() < deadline, f"{name} not deleted in 60s"
        time.sleep(0.2)
    env.plane.request(
        "PATCH", f"{CRDS}/{name}?fieldManager={manager}&force=true", crd, "application/apply-patch+yaml"
    )
    while True:
        found: dict[str, Any] = env.plane.request("GET", f"{CRDS}/{name}")
        conditions = {c["type"]: c["status"] for c in (found.get("status") or {}).get("conditions") or []}
        if conditions.get("Established") == "True":
            return found
        assert time.monotonic() < deadline, f"{name} not established in 60s"
        time.sleep(0.2)


def served(crd: dict[str, Any]) -> list[str]:
    return [v["name"] for v in crd["spec"]["versions"] if v["served"]]


@pytest.fixture
def policy_crd_restored(env: Environment) -> Iterator[None]:
    """Whatever a test does to the ImagePolicy CRD, the shipped one is served again after it."""
    yield
    env.plane.install_crd(shipped_policy_crd())


# The label Flux sets, and the versions list: atomic in a CRD, so serving v1beta2 again is a conflict.
FIELDS = ".metadata.labels.app.kubernetes.io/part-of, .spec.versions"


@pytest.mark.parametrize(
    ("manager", "verdict"),
    [
        (
            "kustomize-controller",
            '"kustomize-controller" (Flux): the cluster already serves ImagePolicy v1, all the plugin needs; '
            "nothing was changed",
        ),
        ("platform-team", '"platform-team": nothing was changed (--force-conflicts takes the fields over)'),
    ],
)
def test_install_leaves_a_crd_another_manager_holds_and_says_who(
    env: Environment, plugin: Plugin, policy_crd_restored: None, manager: str, verdict: str
) -> None:
    before = applied_by(env, manager, as_flux_ships_it())
    repository_before = env.plane.request("GET", f"{CRDS}/{REPOSITORY_CRD_NAME}")
    result = plugin("install", timeout=120)
    assert result.code == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        f"error: customresourcedefinition.apiextensions.k8s.io/{POLICY_CRD_NAME}: 2 fields ({FIELDS}) "
        f"managed by {verdict}\n"
    )
    after = env.plane.request("GET", f"{CRDS}/{POLICY_CRD_NAME}")
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert served(after) == ["v1"]
    repository_after = env.plane.request("GET", f"{CRDS}/{REPOSITORY_CRD_NAME}")
    assert repository_after["metadata"]["resourceVersion"] == repository_before["metadata"]["resourceVersion"]


def test_install_with_force_conflicts_takes_the_crd_over(
    env: Environment, plugin: Plugin, policy_crd_restored: None
) -> None:
    applied_by(env, "kustomize-controller", as_flux_ships_it())
    result = plugin("install", "--force-conflicts", timeout=120)
    assert result.code == 0, result.stderr
    assert result.stdout == (
        f"customresourcedefinition.apiextensions.k8s.io/{REPOSITORY_CRD_NAME} serverside-applied\n"
        f"customresourcedefinition.apiextensions.k8s.io/{POLICY_CRD_NAME} serverside-applied\n"
    )
    after = env.plane.request("GET", f"{CRDS}/{POLICY_CRD_NAME}")
    assert served(after) == ["v1", "v1beta2"]
    assert after["metadata"]["labels"]["app.kubernetes.io/part-of"] == "kubectl-imagerepo"
    owners = {
        entry["manager"]
        for entry in after["metadata"]["managedFields"]
        if "f:app.kubernetes.io/part-of" in str(entry.get("fieldsV1"))
    }
    assert owners == {"kubectl-imagerepo"}
