"""The krew archive: the PyInstaller one-folder build works on its own, and a real krew installs it.

`make krew` builds the linux-amd64 archive and its manifest, cached by krew/cached.py (minutes per
build). krew itself is built from `sigs.k8s.io/krew/cmd/krew` by hack/krew.sh.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from krew.cached import Built, cached_build
from kubectl_imagerepo import __version__
from tests.e2e.conftest import create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VERSION = f"v{__version__}"
# What krew moves into its store, and what the archive holds at its top level.
INSTALLED = ["LICENSE", "_internal", "kubectl-imagerepo"]


@pytest.fixture(scope="module")
def built() -> Built:
    return cached_build()


@pytest.fixture(scope="module")
def binary(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The executable, unpacked from the archive with the rest of its folder."""
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


def test_the_archive_holds_the_executable_its_internal_folder_and_the_license(built: Built) -> None:
    with tarfile.open(built.archive) as archive:
        assert sorted({name.split("/")[0] for name in archive.getnames()}) == INSTALLED


def test_the_archive_holds_only_regular_files_which_krew_can_unpack(built: Built) -> None:
    with tarfile.open(built.archive) as archive:
        assert [m.name for m in archive.getmembers() if not m.isfile()] == []


def test_the_archive_ships_the_byte_code_of_the_plugin(built: Built) -> None:
    with tarfile.open(built.archive) as archive:
        names = set(archive.getnames())
    assert "_internal/kubectl_imagerepo/cli.pyc" in names
    assert "_internal/kubectl_imagerepo/commands/get.pyc" in names


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


def test_the_binary_carries_the_crd_manifests(binary: Path, env: Environment) -> None:
    done = run([str(binary), "install", "--dry-run"], only_kubectl_and(env, binary.parent))
    assert done.returncode == 0, done.stderr
    crd, policy_crd = (d for d in yaml.safe_load_all(done.stdout) if d)
    assert crd["metadata"]["name"] == "imagerepositories.image.toolkit.fluxcd.io"
    assert policy_crd["metadata"]["name"] == "imagepolicies.image.toolkit.fluxcd.io"


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
    assert sorted(p.name for p in store.iterdir()) == INSTALLED
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


def mapped_files(pid: int) -> set[str]:
    """The files process `pid` has mapped (its executable, shared libraries and extension modules)."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


def test_the_krew_installed_plugin_runs_python_from_krews_store_without_unpacking(
    env: Environment, installed: KrewRoot
) -> None:
    namespace = env.new_namespace("store")
    create(env, image_repository(namespace, "watched", "ghcr.io/example/watched"))
    argv = [str(installed.bin / "kubectl-imagerepo"), "get", "-w", "-n", namespace]
    libpython = f"libpython{sys.version_info.major}.{sys.version_info.minor}.so.1.0"
    in_store = installed.root.resolve() / "store" / "imagerepo" / VERSION / "_internal" / libpython
    environ = only_kubectl_and(env, installed.bin)
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(argv, env=environ, stdout=subprocess.PIPE, stderr=quiet, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().split()[0] == "NAME"
        # A one-file build would run Python in a child process, from a copy under the temporary directory.
        assert str(in_store) in mapped_files(process.pid)
    finally:
        process.kill()
        process.wait(timeout=30)
