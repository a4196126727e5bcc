"""image-automation-controller's own update package, built once from its module (hack/oracle.sh)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def oracle_binary() -> Path:
    """Build (or find in the cache) the oracle; fails loudly if it cannot be built."""
    built = subprocess.run(
        ["bash", str(ROOT / "hack" / "oracle.sh")], check=True, capture_output=True, text=True
    )
    return Path(built.stdout.strip().splitlines()[-1])


def crd_path() -> Path:
    """The ImageUpdateAutomation CRD of the same module version, copied beside the oracle."""
    return oracle_binary().parent.parent / "image.toolkit.fluxcd.io_imageupdateautomations.yaml"


def run_oracle(directory: Path, policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the controller's update step on `directory` in place; its change list."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(policies, handle)
    try:
        done = subprocess.run(
            [str(oracle_binary()), str(directory), handle.name], capture_output=True, text=True
        )
    finally:
        Path(handle.name).unlink()
    if done.returncode != 0:
        raise RuntimeError(f"oracle failed: {done.stderr.strip()}")
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result
