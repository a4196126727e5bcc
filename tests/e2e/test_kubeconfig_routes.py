"""The same environment gives the same user, namespace and route as kubectl.

Against the real kube-apiserver and the real kubectl: a real exec credential script, kubeconfig files
merged in both orders, an environment proxy that loopback never takes, a dead proxy and a live one.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Plugin, create, image_repository
from tests.harness.cluster import service_account_token
from tests.harness.environment import Environment
from tests.harness.proxies import start_http_proxy

V1 = "client.authentication.k8s.io/v1"


def kubectl(env: Environment, *args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kubectl", *args], capture_output=True, text=True, timeout=60, env={**env.path_env(), **environ}
    )


def dead_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def exec_user(workdir: Path, token: str) -> tuple[dict[str, Any], Path]:
    """An exec credential plugin (a shell script) printing `token`; it logs each run to a file."""
    log = workdir / "plugin-runs.log"
    script = workdir / "dev-credential"
    credential = json.dumps({"kind": "ExecCredential", "apiVersion": V1, "status": {"token": token}})
    script.write_text(f"#!/bin/sh\necho run >> '{log}'\necho '{credential}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {"exec": {"apiVersion": V1, "command": str(script), "interactiveMode": "Never"}}, log


def kubeconfig_file(
    path: Path, env: Environment, context: str, user: dict[str, Any], namespace: str, **cluster: Any
) -> Path:
    ca = base64.b64encode(env.plane.ca_file.read_bytes()).decode()
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": context,
                "clusters": [
                    {
                        "name": f"{context}-cluster",
                        "cluster": {"server": env.plane.url, "certificate-authority-data": ca, **cluster},
                    }
                ],
                "users": [{"name": f"{context}-user", "user": user}],
                "contexts": [
                    {
                        "name": context,
                        "context": {
                            "cluster": f"{context}-cluster",
                            "user": f"{context}-user",
                            "namespace": namespace,
                        },
                    }
                ],
            }
        )
    )
    path.chmod(0o600)
    return path


def restricted_token(env: Environment, namespace: str) -> str:
    """A real ServiceAccount token that may list ImageRepositories in `namespace` only."""
    rules = [
        {
            "apiGroups": ["image.toolkit.fluxcd.io"],
            "resources": ["imagerepositories"],
            "verbs": ["get", "list"],
        }
    ]
    return service_account_token(env.plane, namespace, "dev", rules)


@pytest.fixture
def merged(env: Environment, namespace: str, tmp_path: Path) -> dict[str, Any]:
    """dev.yaml (an exec plugin user, the dev namespace) and admin.yaml (the admin, `default`)."""
    create(env, image_repository(namespace, "app", f"{env.registry.host}/{namespace}/app"))
    user, log = exec_user(tmp_path, restricted_token(env, namespace))
    admin_token = yaml.safe_load(env.plane.admin_kubeconfig.read_text())["users"][0]["user"]["token"]
    return {
        "dev": kubeconfig_file(tmp_path / "dev.yaml", env, "dev", user, namespace),
        "admin": kubeconfig_file(tmp_path / "admin.yaml", env, "admin", {"token": admin_token}, "default"),
        "log": log,
    }


def test_the_first_file_s_context_wins_as_in_kubectl_and_its_exec_plugin_runs(
    env: Environment, plugin: Plugin, namespace: str, merged: dict[str, Any]
) -> None:
    paths = f"{merged['dev']}{os.pathsep}{merged['admin']}"
    ours = plugin("get", "-o", "name", kubeconfig=Path(paths))
    theirs = kubectl(env, "get", "imagerepositories", "-o", "name", environ={"KUBECONFIG": paths})
    assert (ours.code, theirs.returncode) == (0, 0), ours.stderr + theirs.stderr
    assert ours.stdout == theirs.stdout == "imagerepository.image.toolkit.fluxcd.io/app\n"
    assert merged["log"].read_text().count("run") >= 2  # kubectl's run and ours


def test_the_dev_user_is_refused_what_kubectl_refuses_it(
    env: Environment, plugin: Plugin, namespace: str, merged: dict[str, Any]
) -> None:
    paths = f"{merged['dev']}{os.pathsep}{merged['admin']}"
    ours = plugin("get", "-A", kubeconfig=Path(paths))
    theirs = kubectl(env, "get", "imagerepositories", "-A", environ={"KUBECONFIG": paths})
    assert ours.code == theirs.returncode == 1
    assert f'User "system:serviceaccount:{namespace}:dev" cannot list resource' in ours.stderr
    assert ours.stderr.strip() == theirs.stderr.strip()


def test_in_the_other_order_the_admin_s_context_wins(
    env: Environment, plugin: Plugin, namespace: str, merged: dict[str, Any]
) -> None:
    paths = f"{merged['admin']}{os.pathsep}{merged['dev']}"
    ours = plugin("get", "-A", "-o", "name", kubeconfig=Path(paths))
    assert ours.code == 0, ours.stderr
    assert "imagerepository.image.toolkit.fluxcd.io/app" in ours.stdout.splitlines()
    assert not merged["log"].exists()  # the admin needs no plugin


def test_a_failing_exec_plugin_is_one_line_as_kubectl_words_it(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    script = tmp_path / "broken"
    script.write_text("#!/bin/sh\nexit 7\n")
    script.chmod(0o755)
    config = kubeconfig_file(
        tmp_path / "broken.yaml",
        env,
        "b",
        {"exec": {"apiVersion": V1, "command": str(script), "interactiveMode": "Never"}},
        namespace,
    )
    ours = plugin("get", kubeconfig=config)
    assert ours.code == 1
    assert ours.stderr.splitlines() == [
        "Unable to connect to the server: getting credentials: "
        f"exec: executable {script} failed with exit code 7"
    ]


def test_an_environment_proxy_is_not_taken_to_a_loopback_api_server(
    env: Environment, plugin: Plugin, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", f"{env.registry.host}/{namespace}/app"))
    dead = f"http://127.0.0.1:{dead_port()}"
    for variable in ("HTTPS_PROXY", "https_proxy"):
        os.environ[variable] = dead
    try:
        ours = plugin("get", "-n", namespace, "-o", "name")
    finally:
        for variable in ("HTTPS_PROXY", "https_proxy"):
            os.environ.pop(variable, None)
    assert ours.code == 0, ours.stderr
    assert ours.stdout == "imagerepository.image.toolkit.fluxcd.io/app\n"


def test_a_dead_proxy_url_is_named_in_one_line(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    port = dead_port()
    admin_token = yaml.safe_load(env.plane.admin_kubeconfig.read_text())["users"][0]["user"]["token"]
    config = kubeconfig_file(
        tmp_path / "proxied.yaml",
        env,
        "p",
        {"token": admin_token},
        namespace,
        **{"proxy-url": f"http://127.0.0.1:{port}"},
    )
    ours = plugin("get", kubeconfig=config)
    assert ours.code == 1
    assert ours.stderr.splitlines() == [
        "Unable to connect to the server: "
        f"proxyconnect tcp: dial tcp 127.0.0.1:{port}: connect: connection refused"
    ]


def test_a_live_proxy_url_carries_the_requests(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    create(env, image_repository(namespace, "app", f"{env.registry.host}/{namespace}/app"))
    proxy = start_http_proxy(tmp_path / "proxy")
    try:
        admin_token = yaml.safe_load(env.plane.admin_kubeconfig.read_text())["users"][0]["user"]["token"]
        config = kubeconfig_file(
            tmp_path / "proxied.yaml",
            env,
            "p",
            {"token": admin_token},
            namespace,
            **{"proxy-url": f"http://127.0.0.1:{proxy.port}"},
        )
        ours = plugin("get", "-o", "name", kubeconfig=config)
        assert ours.code == 0, ours.stderr
        assert ours.stdout == "imagerepository.image.toolkit.fluxcd.io/app\n"
        api_port = env.plane.url.rsplit(":", 1)[1]
        assert any(f"CONNECT 127.0.0.1:{api_port}" in line for line in proxy.requests())
    finally:
        proxy.stop()
