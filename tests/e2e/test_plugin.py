"""The plugin as kubectl finds it, and `install` of the CRD, against the real servers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Plugin, create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e


def test_kubectl_finds_the_plugin_on_path_and_runs_get(env: Environment, namespace: str) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    done = subprocess.run(
        ["kubectl", "imagerepo", "get", "-n", namespace, "-o", "name"],
        capture_output=True,
        text=True,
        env=env.path_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "imagerepository.image.toolkit.fluxcd.io/app\n"


def test_kubectl_plugin_list_shows_the_plugin(env: Environment) -> None:
    done = subprocess.run(
        ["kubectl", "plugin", "list"], capture_output=True, text=True, env=env.path_env(), timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert str(env.bindir / "kubectl-imagerepo") in done.stdout


def test_the_built_kubectl_reads_the_plugins_crd_printer_columns(env: Environment, namespace: str) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    done = subprocess.run(
        ["kubectl", "get", "imgrepo", "-n", namespace],
        capture_output=True,
        text=True,
        env=env.path_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0].split() == ["NAME", "IMAGE", "TAGS", "READY", "STATUS", "AGE"]


def test_install_dry_run_prints_the_crds_without_a_cluster(plugin: Plugin) -> None:
    result = plugin("install", "--dry-run", "--kubeconfig", "/nonexistent")
    assert result.code == 0, result.stderr
    crd, policy_crd = (d for d in yaml.safe_load_all(result.stdout) if d)
    assert crd["metadata"]["name"] == "imagerepositories.image.toolkit.fluxcd.io"
    assert [v["name"] for v in crd["spec"]["versions"]] == ["v1", "v1beta2"]
    assert policy_crd["metadata"]["name"] == "imagepolicies.image.toolkit.fluxcd.io"
    assert [v["name"] for v in policy_crd["spec"]["versions"]] == ["v1", "v1beta2"]


def test_install_applies_the_crd_with_the_plugins_field_manager(env: Environment, plugin: Plugin) -> None:
    result = plugin("install")
    assert result.code == 0, result.stderr
    crd_name = "imagerepositories.image.toolkit.fluxcd.io"
    assert result.stdout == (
        f"customresourcedefinition.apiextensions.k8s.io/{crd_name} serverside-applied\n"
        "customresourcedefinition.apiextensions.k8s.io/imagepolicies.image.toolkit.fluxcd.io "
        "serverside-applied\n"
    )
    crd = env.plane.request(
        "GET",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/imagerepositories.image.toolkit.fluxcd.io",
    )
    managers = {m["manager"] for m in crd["metadata"]["managedFields"]}
    assert "kubectl-imagerepo" in managers
    established = [c for c in crd["status"]["conditions"] if c["type"] == "Established"]
    assert established[0]["status"] == "True"


def test_v1beta2_objects_are_served_with_a_deprecation_warning(env: Environment, namespace: str) -> None:
    obj = image_repository(namespace, "old", "ghcr.io/example/old")
    obj["apiVersion"] = "image.toolkit.fluxcd.io/v1beta2"
    with env.plane.session() as s:
        answer = s.post(
            f"{env.plane.url}/apis/image.toolkit.fluxcd.io/v1beta2/namespaces/{namespace}/imagerepositories",
            json=obj,
            timeout=30,
        )
    assert answer.status_code == 201, answer.text
    assert "v1beta2 ImageRepository is deprecated, upgrade to v1" in answer.headers.get("Warning", "")


def test_a_kubeconfig_with_an_exec_credential_plugin_works(
    env: Environment, plugin: Plugin, namespace: str, tmp_path: Path
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": env.plane.admin_token},
    }
    helper = tmp_path / "credential-helper"
    helper.write_text(f"#!/bin/sh\necho '{json.dumps(credential)}'\n")
    helper.chmod(0o700)
    config = yaml.safe_load(env.plane.admin_kubeconfig.read_text())
    config["users"][0]["user"] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": str(helper),
            "interactiveMode": "Never",
        }
    }
    kubeconfig = tmp_path / "exec.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))
    result = plugin("get", "-n", namespace, "-o", "name", kubeconfig=kubeconfig)
    assert result.code == 0, result.stderr
    assert result.stdout == "imagerepository.image.toolkit.fluxcd.io/app\n"


def test_an_unreachable_server_gets_kubectls_connection_refused_message(
    plugin: Plugin, env: Environment, tmp_path: Path
) -> None:
    from tests.harness.processes import free_port

    config = yaml.safe_load(env.plane.admin_kubeconfig.read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{free_port()}"
    kubeconfig = tmp_path / "down.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))
    result = plugin("get", "-n", "default", kubeconfig=kubeconfig)
    assert result.code == 1
    assert result.stderr.strip().startswith("The connection to the server 127.0.0.1:")
    assert result.stderr.strip().endswith("was refused - did you specify the right host or port?")
