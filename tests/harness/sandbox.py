"""`make sandbox`: the test environment left running in the background for a person to try.

`up` starts it under `.sandbox/`, seeds a few repositories, creates ImageRepositories pointing at
them, ImagePolicies choosing from two of them and an ImageUpdateAutomation with a Git checkout
(`.sandbox/checkout`) marked for it, and writes `.sandbox/env`; `down` stops every server
and removes `.sandbox/`.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.harness.automation_oracle import crd_path
from tests.harness.environment import ROOT, Environment, start_environment

SANDBOX = Path(os.environ.get("SANDBOX_DIR") or ROOT / ".sandbox")
NAMESPACE = "sandbox"
POLICY_CRD = ROOT / "kubectl_imagerepo" / "crds" / "image.toolkit.fluxcd.io_imagepolicies.yaml"
#: name -> spec of the ImagePolicies created in the sandbox.
POLICIES = {
    "podinfo": {
        "imageRepositoryRef": {"name": "podinfo"},
        "policy": {"semver": {"range": "~6.5"}},
        "digestReflectionPolicy": "IfNotPresent",
    },
    "big": {
        "imageRepositoryRef": {"name": "big"},
        "filterTags": {"pattern": "^1\\.0\\.(?P<patch>[0-9]+)$", "extract": "$patch"},
        "policy": {"numerical": {"order": "asc"}},
    },
}
SEEDED = {
    "podinfo": ["6.5.0", "6.5.1", "6.5.2", "6.6.0", "latest", "sha256-0123.sig"],
    "big": [f"1.0.{i}" for i in range(250)],
}


def up() -> None:
    if (SANDBOX / "pids").exists():
        print(f"the sandbox is already running; source {SANDBOX / 'env'}", file=sys.stderr)
        return
    SANDBOX.mkdir(exist_ok=True)
    env = start_environment(SANDBOX)
    servers = [*env.plane.servers, env.registry.server, env.legacy_registry.server]
    (SANDBOX / "pids").write_text("\n".join(str(s.process.pid) for s in servers) + "\n")
    env.plane.create_namespace(NAMESPACE)
    for repository, tags in SEEDED.items():
        env.registry.seed(f"sandbox/{repository}", tags)
        env.legacy_registry.seed(f"sandbox/{repository}", tags)
    for name, host in (
        ("podinfo", env.registry.host),
        ("big", env.registry.host),
        ("podinfo-legacy", env.legacy_registry.host),
    ):
        repository = name.removesuffix("-legacy")
        env.plane.apply(
            {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageRepository",
                "metadata": {"name": name, "namespace": NAMESPACE},
                "spec": {"image": f"{host}/sandbox/{repository}", "interval": "5m"},
            }
        )
    env.plane.install_crd(next(d for d in yaml.safe_load_all(POLICY_CRD.read_text()) if d))
    for name, spec in POLICIES.items():
        env.plane.apply(
            {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImagePolicy",
                "metadata": {"name": name, "namespace": NAMESPACE},
                "spec": spec,
            }
        )
    checkout = seed_automation(env)
    values = {
        "CHECKOUT": checkout,
        "KUBECONFIG": env.plane.admin_kubeconfig,
        "REGISTRY": env.registry.host,
        "REGISTRY_LEGACY": env.legacy_registry.host,
        "NAMESPACE": NAMESPACE,
        "PATH": f"{env.bindir}:$PATH",
    }
    lines = [f"export {k}={shlex.quote(str(v))}" for k, v in values.items() if k != "PATH"]
    lines.append(f'export PATH={shlex.quote(str(env.bindir))}:"$PATH"')
    (SANDBOX / "env").write_text("\n".join(lines) + "\n")
    print(f"sandbox ready: source {SANDBOX / 'env'} && kubectl imagerepo get -A")


def seed_automation(env: Environment) -> Path:
    """An ImageUpdateAutomation `apps` (update path ./apps) and a Git checkout with markers for it."""
    env.plane.install_crd(next(d for d in yaml.safe_load_all(crd_path().read_text()) if d))
    env.plane.apply(
        {
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageUpdateAutomation",
            "metadata": {"name": "apps", "namespace": NAMESPACE},
            "spec": {
                "interval": "30m",
                "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                "git": {
                    "checkout": {"ref": {"branch": "main"}},
                    "commit": {"author": {"name": "fluxcdbot", "email": "fluxcdbot@example.invalid"}},
                    "push": {"branch": "main"},
                },
                "update": {"path": "./apps", "strategy": "Setters"},
            },
        }
    )
    checkout = SANDBOX / "checkout"
    image = f"{env.registry.host}/sandbox/podinfo"
    files = {
        "apps/podinfo.yaml": CHECKOUT_DEPLOYMENT.format(image=image),
        "apps/release.yaml": CHECKOUT_RELEASE.format(image=image),
        "infra/podinfo.yaml": CHECKOUT_DEPLOYMENT.format(image=image),
    }
    for relative, text in files.items():
        (checkout / relative).parent.mkdir(parents=True, exist_ok=True)
        (checkout / relative).write_text(text)
    git = ["git", "-C", str(checkout), "-c", "user.name=sandbox", "-c", "user.email=sandbox@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "podinfo at 6.5.0"], check=True)
    return checkout


CHECKOUT_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: sandbox
spec:
  template:
    spec:
      containers:
        - name: podinfod
          image: {image}:6.5.0 # {{"$imagepolicy": "sandbox:podinfo"}}
          ports:
            - containerPort: 9898
"""
CHECKOUT_RELEASE = """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: sandbox
spec:
  values:
    image:
      repository: {image} # {{"$imagepolicy": "sandbox:podinfo:name"}}
      tag: 6.5.0 # {{"$imagepolicy": "sandbox:podinfo:tag"}}
"""


def down() -> None:
    pids = SANDBOX / "pids"
    if pids.exists():
        # The API server first (it is listed after etcd): stopped together, it may wait for etcd forever.
        for pid in reversed([int(line) for line in pids.read_text().split()]):
            _stop_group(pid)
    shutil.rmtree(SANDBOX, ignore_errors=True)
    print("sandbox stopped")


def _stop_group(pid: int, grace: float = 10.0) -> None:
    """SIGTERM the process group of `pid`, then SIGKILL it if it is still there after `grace` seconds."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            os.killpg(pid, 0)  # raises ProcessLookupError once the group is gone
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
