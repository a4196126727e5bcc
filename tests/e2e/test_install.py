"""`pipx install` of the built wheel: both executables on PATH, working against the real cluster.

The sdist and wheel are built with `python -m build` (the wheel from the sdist, as an index would);
pipx installs the wheel into its own fresh virtual environment under a temporary PIPX_HOME and links
the console scripts into a temporary PIPX_BIN_DIR.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import create, image_repository
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
