"""The krew archive: the PyInstaller one-file binary works on its own, and a real krew installs it.

`make krew` builds the linux-amd64 archive and its manifest. That takes minutes, so the result is
cached under ~/.cache/kubectl-imagerepo/krew-archive, keyed by a hash of everything that goes in it.
krew itself is built from `sigs.k8s.io/krew/cmd/krew` by hack/krew.sh.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kubectl_imagerepo import __version__
from tests.e2e.conftest import create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARCHIVE = "kubectl-imagerepo_linux_amd64.tar.gz"
VERSION = f"v{__version__}"
# What the binary is built from: a change to any of these rebuilds it.
INPUTS = ("kubectl_imagerepo", "krew/build.py", "krew/kubectl-imagerepo.spec", "krew/imagerepo.yaml")
INPUT_FILES = ("pyproject.toml", "LICENSE")


def source_hash() -> str:
    """sha256 over the inputs' paths and contents, and the installed PyInstaller's version."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("pyinstaller").encode())
    files = [ROOT / name for name in INPUT_FILES]
    for name in INPUTS:
        path = ROOT / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Built:
    """The archive and the manifest `make krew` wrote."""

    archive: Path
    manifest: Path


def build_krew_archive() -> Built:
    """`make krew` into the cache (installs PyInstaller first), unless this source was built before."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kubectl-imagerepo"
    out = cache / "krew-archive" / source_hash()
    done = out / ".complete"
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        # -o: the virtualenv is not reinstalled, pytest runs from it; `make krew` adds PyInstaller to it.
        make = ["make", "--no-print-directory", "-o", ".venv/.installed", "krew", f"KREW_DIST={out}"]
        subprocess.run(make, cwd=ROOT, check=True, timeout=1800)
        done.touch()
        for stale in out.parent.iterdir():  # archives of other sources: 60 MB each
            if stale != out:
                shutil.rmtree(stale, ignore_errors=True)
    return Built(out / ARCHIVE, out / "imagerepo.yaml")


@pytest.fixture(scope="module")
def built() -> Built:
    return build_krew_archive()


@pytest.fixture(scope="module")
def binary(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-file binary, unpacked from the archive."""
    where = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(built.archive) as archive:
        archive.extractall(where, filter="data")
    return where / "kubectl-imagerepo"


@pytest.fixture(scope="module")
def krew() -> Path:
    found = subprocess.run(
        ["bash", str(ROOT / "hack" / "krew.sh")], check=True, capture_output=True, text=True
    ).stdout
    return Path(found.strip().splitlines()[-1])


@dataclass(frozen=True)
class KrewRoot:
    """A KREW_ROOT the plugin was installed into, and what `krew install` printed."""

    root: Path
    output: str

    @property
    def bin(self) -> Path:
        return self.root / "bin"


@pytest.fixture(scope="module")
def installed(krew: Path, built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KrewRoot]:
    root = tmp_path_factory.mktemp("krew-root")
    done = subprocess.run(
        [str(krew), "install", f"--manifest={built.manifest}", f"--archive={built.archive}"],
        capture_output=True,
        text=True,
        env={**os.environ, "KREW_ROOT": str(root)},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    yield KrewRoot(root, done.stdout + done.stderr)


def validate(krew: Path, manifest: Path) -> subprocess.CompletedProcess[str]:
    """krew's own manifest validation (structure, sha256 format, platform coverage), installing nothing."""
    validator = krew.parent / "validate-krew-manifest"
    return subprocess.run(
        [str(validator), "-manifest", str(manifest), "-skip-install"], capture_output=True, text=True
    )


def run(argv: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)


def only_kubectl_and(env: Environment, first: Path) -> dict[str, str]:
    """An environment whose PATH is `first`, the built kubectl's directory and /usr/bin:/bin, no other."""
    path = os.pathsep.join([str(first), str(env.binaries.kubectl.parent), "/usr/bin", "/bin"])
    return {**env.path_env(), "PATH": path}


def test_the_committed_manifest_template_passes_krews_validation(krew: Path) -> None:
    done = validate(krew, ROOT / "krew" / "imagerepo.yaml")
    assert done.returncode == 0, done.stderr
    assert "structural validation OK" in done.stderr


def test_a_release_manifest_names_every_platforms_archive_by_its_sha256(krew: Path, tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    names = [f"kubectl-imagerepo_{p}.tar.gz" for p in ("linux_amd64", "linux_arm64", "darwin_amd64")]
    names += ["kubectl-imagerepo_darwin_arm64.tar.gz", "kubectl-imagerepo_windows_amd64.zip"]
    for name in names:
        (archives / name).write_bytes(name.encode())
    out = tmp_path / "imagerepo.yaml"
    base = "https://example.invalid/kubectl-imagerepo/releases/download/v9.8.7"
    command = [sys.executable, str(ROOT / "krew" / "build.py"), "manifest", "--version", "v9.8.7"]
    command += ["--base-url", base, "--archives", str(archives), "--out", str(out)]
    subprocess.run(command, check=True)
    done = validate(krew, out)
    assert done.returncode == 0, done.stderr
    manifest = yaml.safe_load(out.read_text())
    assert manifest["spec"]["version"] == "v9.8.7"
    assert {(p["uri"], p["sha256"]) for p in manifest["spec"]["platforms"]} == {
        (f"{base}/{name}", hashlib.sha256(name.encode()).hexdigest()) for name in names
    }


def test_the_local_manifest_passes_krews_validation(krew: Path, built: Built) -> None:
    done = validate(krew, built.manifest)
    assert done.returncode == 0, done.stderr


def test_the_archive_holds_the_binary_and_the_license(built: Built) -> None:
    with tarfile.open(built.archive) as archive:
        assert sorted(archive.getnames()) == ["LICENSE", "kubectl-imagerepo"]


def test_the_local_manifest_names_the_archive_by_its_sha256(built: Built) -> None:
    manifest = yaml.safe_load(built.manifest.read_text())
    assert manifest["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2"
    [platform] = manifest["spec"]["platforms"]
    assert platform["selector"]["matchLabels"] == {"os": "linux", "arch": "amd64"}
    assert platform["sha256"] == hashlib.sha256(built.archive.read_bytes()).hexdigest()
    assert platform["uri"] == built.archive.as_uri()


def test_the_binary_prints_help_without_python(binary: Path, env: Environment) -> None:
    done = run([str(binary), "--help"], only_kubectl_and(env, binary.parent))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: kubectl imagerepo")
    for command in ("get", "describe", "reconcile", "tags", "install"):
        assert f"  {command} " in done.stdout


def test_the_binary_carries_the_crd_manifest(binary: Path, env: Environment) -> None:
    done = run([str(binary), "install", "--dry-run"], only_kubectl_and(env, binary.parent))
    assert done.returncode == 0, done.stderr
    crd = yaml.safe_load(done.stdout)
    assert crd["metadata"]["name"] == "imagerepositories.image.toolkit.fluxcd.io"


def test_the_binary_gets_describes_and_reconciles(binary: Path, env: Environment, tmp_path: Path) -> None:
    namespace = env.new_namespace("bin")
    env.registry.seed(f"{namespace}/app", ["1.0.0", "1.1.0", "2.0.0"])
    create(env, image_repository(namespace, "app", f"{env.registry.host}/{namespace}/app"))
    environ = only_kubectl_and(env, binary.parent)
    database = ["--database", str(tmp_path / "tags.sqlite3")]

    reconciled = run([str(binary), "reconcile", "app", "-n", namespace, *database], environ)
    assert reconciled.returncode == 0, reconciled.stderr
    assert reconciled.stderr.splitlines()[-1] == "✔ scan fetched 3 tags"

    got = run([str(binary), "get", "-n", namespace], environ)
    assert got.returncode == 0, got.stderr
    header, row = got.stdout.splitlines()
    assert header.split() == ["NAME", "IMAGE", "TAGS", "READY", "STATUS", "LAST", "SCAN", "AGE"]
    assert row.split()[:5] == ["app", f"{env.registry.host}/{namespace}/app", "3", "True", "successful"]

    described = run([str(binary), "describe", "app", "-n", namespace], environ)
    assert described.returncode == 0, described.stderr
    assert f"{env.registry.host}/{namespace}/app" in described.stdout

    tags = run([str(binary), "tags", "app", "-n", namespace, "--sort", "semver", *database], environ)
    assert tags.stdout.splitlines() == ["2.0.0", "1.1.0", "1.0.0"], tags.stderr


def test_the_binary_reaches_the_cluster_through_the_kubernetes_client(
    binary: Path, env: Environment, tmp_path: Path
) -> None:
    namespace = env.new_namespace("exec")
    create(env, image_repository(namespace, "viaexec", "ghcr.io/example/app"))
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": env.plane.admin_token},
    }
    helper = tmp_path / "credential-helper"
    helper.write_text(f"#!/bin/sh\necho '{json.dumps(credential)}'\n")
    helper.chmod(0o700)
    config = yaml.safe_load(env.plane.admin_kubeconfig.read_text())
    for user in config["users"]:
        user["user"] = {
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": str(helper),
                "interactiveMode": "Never",
            }
        }
    kubeconfig = tmp_path / "exec.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))
    environ = {**only_kubectl_and(env, binary.parent), "KUBECONFIG": str(kubeconfig)}
    got = run([str(binary), "get", "viaexec", "-n", namespace, "-o", "name"], environ)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip().endswith("/viaexec")


def test_krew_installs_the_plugin_from_the_local_archive(installed: KrewRoot) -> None:
    assert "Installed plugin: imagerepo" in installed.output
    store = installed.root / "store" / "imagerepo" / VERSION
    assert sorted(p.name for p in store.iterdir()) == ["LICENSE", "kubectl-imagerepo"]
    assert (installed.bin / "kubectl-imagerepo").resolve() == (store / "kubectl-imagerepo").resolve()


def test_krew_keeps_a_receipt_of_the_installed_version(installed: KrewRoot) -> None:
    receipt = yaml.safe_load((installed.root / "receipts" / "imagerepo.yaml").read_text())
    assert receipt["metadata"]["name"] == "imagerepo"
    assert receipt["spec"]["version"] == VERSION


def test_kubectl_finds_the_krew_installed_plugin(env: Environment, installed: KrewRoot) -> None:
    done = run(["kubectl", "plugin", "list"], only_kubectl_and(env, installed.bin))
    plugins = [line for line in done.stdout.splitlines() if line.startswith("/")]
    assert plugins == [str(installed.bin / "kubectl-imagerepo")], done.stdout + done.stderr


def test_kubectl_imagerepo_get_runs_the_krew_installed_plugin(env: Environment, installed: KrewRoot) -> None:
    namespace = env.new_namespace("krew")
    create(env, image_repository(namespace, "first", "ghcr.io/example/first"))
    create(env, image_repository(namespace, "second", "ghcr.io/example/second"))
    done = run(["kubectl", "imagerepo", "get", "-n", namespace], only_kubectl_and(env, installed.bin))
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["NAME", "IMAGE", "TAGS", "READY", "STATUS", "LAST", "SCAN", "AGE"]
    assert [row.split()[:2] for row in rows] == [
        ["first", "ghcr.io/example/first"],
        ["second", "ghcr.io/example/second"],
    ]
