"""Fixtures for end-to-end tests: one real environment per test session, one namespace per test."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.harness.environment import Environment, start_environment

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    environment = start_environment(tmp_path_factory.mktemp("env"))
    try:
        yield environment
    finally:
        environment.stop()


@pytest.fixture
def namespace(env: Environment) -> str:
    return env.new_namespace()


@dataclass(frozen=True)
class Result:
    """What one run of the plugin printed and returned."""

    code: int
    stdout: str
    stderr: str


@dataclass
class Plugin:
    """Runs the installed plugin as a separate process, as a user would."""

    env: Environment
    kubeconfig: Path

    def __call__(self, *args: str, timeout: float = 60, kubeconfig: Path | None = None) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "kubectl_imagerepo", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**self.env.path_env(), "KUBECONFIG": str(kubeconfig or self.kubeconfig)},
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start a long-running invocation (`get -w`); the caller stops it."""
        return subprocess.Popen(
            [sys.executable, "-u", "-m", "kubectl_imagerepo", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env.path_env(), "KUBECONFIG": str(self.kubeconfig)},
        )


@pytest.fixture
def plugin(env: Environment) -> Plugin:
    return Plugin(env, env.plane.admin_kubeconfig)


def image_repository(namespace: str, name: str, image: str, **spec: Any) -> dict[str, Any]:
    """An ImageRepository manifest with `interval: 5m` unless given."""
    labels = spec.pop("labels", None)
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": metadata,
        "spec": {"image": image, "interval": "5m", **spec},
    }


def create(env: Environment, obj: dict[str, Any]) -> dict[str, Any]:
    """Create an object as the admin and return it as stored."""
    ns = obj["metadata"]["namespace"]
    created: dict[str, Any] = env.plane.request(
        "POST", f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{ns}/imagerepositories", obj
    )
    return created


def write_status(env: Environment, namespace: str, name: str, status: dict[str, Any]) -> dict[str, Any]:
    """Replace an object's status through the status subresource, as a controller would."""
    updated: dict[str, Any] = env.plane.request(
        "PATCH",
        f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories/{name}/status",
        {"status": status},
        content_type="application/merge-patch+json",
    )
    return updated
