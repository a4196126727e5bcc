"""Start-up held where it is earned: read commands load no registry client, cluster library or controller.

`get`, `describe` and `policy get` each run in a process of their own against the real kube-apiserver,
and report which modules they loaded once done: what a user's run loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

#: Packages (and the plugin's layer) the read commands must not load: each costs tens of milliseconds.
FORBIDDEN = ("requests", "urllib3", "oras", "kubernetes", "kubectl_imagerepo.controller")

ROOT = Path(__file__).resolve().parents[2]
POLICY_CRD = ROOT / "kubectl_imagerepo" / "crds" / "image.toolkit.fluxcd.io_imagepolicies.yaml"

RUN_AND_LIST_MODULES = """
import json, sys
from kubectl_imagerepo.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + " CODE " + str(code) + "\\n")
"""


@pytest.fixture(scope="module", autouse=True)
def policy_crd(env: Environment) -> None:
    """The ImagePolicy CRD, for `policy get` (the session installs only the ImageRepository one)."""
    env.plane.install_crd(next(d for d in yaml.safe_load_all(POLICY_CRD.read_text()) if d))


def loaded_modules(env: Environment, *args: str) -> list[str]:
    """The modules a fresh interpreter had loaded once the command line succeeded in it."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env.path_env(),
    )
    report = done.stderr.rpartition("\nMODULES ")[2]
    modules, _, code = report.rpartition(" CODE ")
    assert code.strip() == "0", done.stdout + done.stderr
    loaded: list[str] = json.loads(modules)
    return loaded


def heavy(modules: list[str]) -> list[str]:
    return [name for name in modules if name.split(".")[0] in FORBIDDEN or name.startswith(FORBIDDEN)]


@pytest.mark.parametrize(
    "command",
    [("get",), ("describe", "app"), ("policy", "get")],
    ids=lambda words: " ".join(words),
)
def test_a_read_command_loads_no_registry_client_cluster_library_or_controller(
    env: Environment, namespace: str, command: tuple[str, ...]
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    modules = loaded_modules(env, *command, "-n", namespace)
    assert "kubectl_imagerepo.kube.client" in modules  # it did reach the cluster
    assert heavy(modules) == []


def test_a_command_that_may_scan_does_load_the_controller_layers_log_bridge(
    env: Environment, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    modules = loaded_modules(env, "resume", "--all", "--no-wait", "-n", namespace)
    assert heavy(modules) == ["kubectl_imagerepo.controller", "kubectl_imagerepo.controller.logbridge"]
