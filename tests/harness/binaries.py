"""Where the test servers' binaries are: built from their Go modules once, then cached."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_REGISTRY = "/usr/bin/docker-registry"


@dataclass(frozen=True)
class Binaries:
    """Paths of every server binary the harness starts."""

    kube_apiserver: Path
    kubectl: Path
    etcd: Path
    registry: Path
    legacy_registry: Path


def find_binaries() -> Binaries:
    """Build (or find in the cache) the servers; fails loudly if anything is missing."""
    built = (
        subprocess.run(
            ["bash", str(ROOT / "hack" / "testbin.sh")], check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    directory = Path(built)
    legacy = Path(os.environ.get("LEGACY_REGISTRY", DEBIAN_REGISTRY))
    if not legacy.exists():
        found = shutil.which("docker-registry")
        if not found:
            raise RuntimeError(
                "Debian's docker-registry is missing: apt-get install docker-registry (make test does it)"
            )
        legacy = Path(found)
    return Binaries(
        kube_apiserver=directory / "kube-apiserver",
        kubectl=directory / "kubectl",
        etcd=directory / "etcd",
        registry=directory / "registry",
        legacy_registry=legacy,
    )
