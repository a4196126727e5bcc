"""The whole test environment in one object: control plane, CRD, registries, the built kubectl."""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.harness.binaries import Binaries, find_binaries
from tests.harness.cluster import ControlPlane, start_control_plane
from tests.harness.registry import Registry, start_registry

ROOT = Path(__file__).resolve().parents[2]
CRD_FILE = ROOT / "kubectl_imagerepo" / "crds" / "image.toolkit.fluxcd.io_imagerepositories.yaml"
# Small pages on the paginating registry, so that listings span many pages.
MAX_TAGS_PER_PAGE = 100


@dataclass
class Environment:
    """Everything the e2e tests and the sandbox run against."""

    workdir: Path
    binaries: Binaries
    plane: ControlPlane
    registry: Registry
    legacy_registry: Registry
    bindir: Path
    _names: Any = field(default_factory=lambda: itertools.count(1))

    def stop(self) -> None:
        self.registry.stop()
        self.legacy_registry.stop()
        self.plane.stop()

    def new_namespace(self, prefix: str = "t") -> str:
        """A fresh namespace (namespaces are never deleted: no controller-manager runs here)."""
        name = f"{prefix}-{os.getpid()}-{next(self._names)}"
        self.plane.create_namespace(name)
        return name

    def path_env(self) -> dict[str, str]:
        """An environment whose PATH finds the built kubectl and the installed plugin first."""
        return {
            **os.environ,
            "PATH": f"{self.bindir}{os.pathsep}{os.environ.get('PATH', '')}",
            "KUBECONFIG": str(self.plane.admin_kubeconfig),
        }


def start_environment(workdir: Path) -> Environment:
    """Start every server; the caller must call `stop()`."""
    binaries = find_binaries()
    plane = start_control_plane(binaries, workdir / "cluster")
    started: list[Any] = [plane]
    try:
        plane.install_crd(next(d for d in yaml.safe_load_all(CRD_FILE.read_text()) if d))
        registry = start_registry(
            "registry", binaries.registry, workdir, legacy=False, max_tags=MAX_TAGS_PER_PAGE
        )
        started.append(registry)
        legacy = start_registry("registry-legacy", binaries.legacy_registry, workdir, legacy=True)
        started.append(legacy)
    except BaseException:
        for thing in reversed(started):
            thing.stop()
        raise
    bindir = workdir / "bin"
    bindir.mkdir(exist_ok=True)
    # The built kubectl, and the plugin as installed in this virtualenv, side by side on PATH.
    _link(binaries.kubectl, bindir / "kubectl")
    for executable in ("kubectl-imagerepo", "kubectl_complete-imagerepo"):
        found = shutil.which(executable, path=str(Path(sys.executable).parent)) or shutil.which(executable)
        if found:
            _link(Path(found), bindir / executable)
    return Environment(
        workdir=workdir,
        binaries=binaries,
        plane=plane,
        registry=registry,
        legacy_registry=legacy,
        bindir=bindir,
    )


def _link(target: Path, link: Path) -> None:
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)
