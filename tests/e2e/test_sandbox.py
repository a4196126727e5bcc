"""`make sandbox`: the environment left running for a person, and `kubectl imagerepo get -A` in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.harness.environment import ROOT

pytestmark = pytest.mark.e2e


def read_env(path: Path) -> dict[str, str]:
    """The variables `.sandbox/env` exports, as a shell that sources it sees them."""
    done = subprocess.run(["bash", "-c", f"set -a; . {path}; env -0"], capture_output=True, check=True)
    return dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)


def test_sandbox_up_serves_seeded_objects_and_down_removes_everything(tmp_path: Path) -> None:
    sandbox = tmp_path / "sandbox"
    run_env = {**os.environ, "SANDBOX_DIR": str(sandbox)}
    up = subprocess.run(
        [sys.executable, "-m", "tests.harness.sandbox", "up"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        assert up.returncode == 0, up.stderr
        values = read_env(sandbox / "env")
        assert {"KUBECONFIG", "REGISTRY", "REGISTRY_LEGACY", "NAMESPACE"} <= values.keys()
        tags = requests.get(f"http://{values['REGISTRY']}/v2/sandbox/podinfo/tags/list", timeout=10).json()
        assert "6.5.0" in tags["tags"]
        get = subprocess.run(
            ["kubectl", "imagerepo", "get", "-A"], env=values, capture_output=True, text=True, timeout=60
        )
        assert get.returncode == 0, get.stderr
        names = {line.split()[1] for line in get.stdout.splitlines()[1:]}
        assert {"podinfo", "big", "podinfo-legacy"} <= names
        policies = subprocess.run(
            ["kubectl", "get", "imagepolicies", "-n", values["NAMESPACE"], "-o", "name"],
            env=values,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert policies.stdout.split() == [
            "imagepolicy.image.toolkit.fluxcd.io/big",
            "imagepolicy.image.toolkit.fluxcd.io/podinfo",
        ]
    finally:
        down = subprocess.run(
            [sys.executable, "-m", "tests.harness.sandbox", "down"],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert down.returncode == 0, down.stderr
    assert not sandbox.exists()
