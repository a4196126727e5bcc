"""The linux-amd64 krew archive of this source, built by `make krew` once and cached.

A build takes minutes, so its archive and manifest are kept under
~/.cache/kubectl-imagerepo/krew-archive/<hash>, keyed by a hash of everything that goes in them; the
krew e2e test (tests/e2e/test_krew.py) and bench/startup.py share it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = "kubectl-imagerepo_linux_amd64.tar.gz"
# What the build is made from: a change to any of these rebuilds it.
INPUTS = ("kubectl_imagerepo", "krew/build.py", "krew/kubectl-imagerepo.spec", "krew/imagerepo.yaml")
INPUT_FILES = ("pyproject.toml", "LICENSE")


@dataclass(frozen=True)
class Built:
    """The archive and the manifest `make krew` wrote."""

    archive: Path
    manifest: Path


def source_hash() -> str:
    """sha256 over the inputs' paths and contents, and the installed PyInstaller's version."""
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


def cached_build() -> Built:
    """`make krew` into the cache (installs PyInstaller first), unless this source was built before."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kubectl-imagerepo"
    out = cache / "krew-archive" / source_hash()
    done = out / ".complete"
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        # -o: the virtualenv is not reinstalled, the caller runs from it; `make krew` adds PyInstaller.
        make = ["make", "--no-print-directory", "-o", ".venv/.installed", "krew", f"KREW_DIST={out}"]
        subprocess.run(make, cwd=ROOT, check=True, timeout=1800)
        done.touch()
        for stale in out.parent.iterdir():  # archives of other sources: about 60 MB each
            if stale != out:
                shutil.rmtree(stale, ignore_errors=True)
    return Built(out / ARCHIVE, out / "imagerepo.yaml")
