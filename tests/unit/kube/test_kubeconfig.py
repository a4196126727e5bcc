"""Resolving the kubeconfig and flags as kubectl does."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubectl_imagerepo.kube.flags import KubeFlags
from kubectl_imagerepo.kube.kubeconfig import load_client_config
from kubectl_imagerepo.model.errors import CommandError


def kubeconfig(
    path: Path, *, current: str = "a", namespace: str | None = None, cluster: dict[str, Any] | None = None,
    **user: Any,
) -> Path:
    context: dict[str, Any] = {"cluster": "c", "user": "u"}
    if namespace:
        context["namespace"] = namespace
    server = {"server": f"https://{path.stem}.example:6443", **(cluster or {})}
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": current,
                "clusters": [{"name": "c", "cluster": server}],
                "users": [{"name": "u", "user": user or {"token": "t"}}],
                "contexts": [{"name": "a", "context": context}, {"name": "b", "context": {"cluster": "c"}}],
            }
        )
    )
    return path


def test_namespace_comes_from_the_flag_first(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one", namespace="ctx-ns")
    assert load_client_config(KubeFlags(kubeconfig=str(path), namespace="flag-ns"), {}).namespace == "flag-ns"


def test_namespace_then_comes_from_the_context(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one", namespace="ctx-ns")
    assert load_client_config(KubeFlags(kubeconfig=str(path)), {}).namespace == "ctx-ns"


def test_namespace_defaults_to_default(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one")
    assert load_client_config(KubeFlags(kubeconfig=str(path)), {}).namespace == "default"


def test_the_first_kubeconfig_file_to_name_an_entry_wins(tmp_path: Path) -> None:
    first, second = kubeconfig(tmp_path / "first"), kubeconfig(tmp_path / "second", current="b")
    config = load_client_config(KubeFlags(), {"KUBECONFIG": f"{first}:{second}"})
    assert config.server == "https://first.example:6443"


def test_context_flag_selects_another_context(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one", namespace="ctx-ns")
    assert load_client_config(KubeFlags(kubeconfig=str(path), context="b"), {}).namespace == "default"


def test_an_unknown_context_is_an_error(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one")
    with pytest.raises(CommandError, match='context "nope" does not exist'):
        load_client_config(KubeFlags(kubeconfig=str(path), context="nope"), {})


def test_a_missing_kubeconfig_flag_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file or directory"):
        load_client_config(KubeFlags(kubeconfig=str(tmp_path / "missing")), {})


def test_no_configuration_at_all_is_kubectls_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no configuration has been provided"):
        load_client_config(KubeFlags(), {"KUBECONFIG": str(tmp_path / "missing")})


def test_server_and_token_flags_override_the_kubeconfig(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one")
    config = load_client_config(KubeFlags(kubeconfig=str(path), server="https://other:1", token="x"), {})
    assert (config.server, config.token) == ("https://other:1", "x")


def test_relative_certificate_paths_resolve_next_to_the_kubeconfig(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_bytes(b"PEM")
    path = tmp_path / "one"
    kubeconfig(path)
    data = yaml.safe_load(path.read_text())
    data["clusters"][0]["cluster"]["certificate-authority"] = "ca.pem"
    path.write_text(yaml.safe_dump(data))
    assert load_client_config(KubeFlags(kubeconfig=str(path)), {}).ca_data == b"PEM"


def test_inline_certificate_data_is_base64_decoded(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one", **{"client-certificate-data": base64.b64encode(b"CERT").decode()})
    assert load_client_config(KubeFlags(kubeconfig=str(path)), {}).cert_data == b"CERT"


def test_an_exec_plugin_is_run_by_the_plugin_itself(tmp_path: Path) -> None:
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "aws",
                     "interactiveMode": "Never"}}
    config = load_client_config(KubeFlags(kubeconfig=str(kubeconfig(tmp_path / "one", **user))), {})
    assert not config.needs_client_library
    assert config.exec_config is not None and config.exec_config.command == "aws"


def test_a_v1_exec_plugin_without_interactive_mode_is_refused_as_clientcmd_does(tmp_path: Path) -> None:
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "aws"}}
    with pytest.raises(CommandError, match=r"interactiveMode must be specified for .* exec authentication"):
        load_client_config(KubeFlags(kubeconfig=str(kubeconfig(tmp_path / "one", **user))), {})


def test_a_relative_exec_command_with_a_slash_is_found_beside_its_kubeconfig(tmp_path: Path) -> None:
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "./bin/cred"}}
    config = load_client_config(KubeFlags(kubeconfig=str(kubeconfig(tmp_path / "one", **user))), {})
    assert config.exec_config is not None
    assert config.exec_config.command == str(tmp_path / "bin" / "cred")


def test_a_legacy_auth_provider_is_left_to_the_client_library_with_the_resolved_context(
    tmp_path: Path,
) -> None:
    path = kubeconfig(tmp_path / "one", **{"auth-provider": {"name": "oidc"}})
    config = load_client_config(KubeFlags(kubeconfig=str(path)), {})
    assert config.needs_client_library and config.resolved is not None
    assert [c["name"] for c in config.resolved["contexts"]] == [config.resolved["current-context"]]


def test_an_environment_proxy_is_the_route_to_a_remote_server(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one")
    env = {"HTTPS_PROXY": "http://proxy:3128"}
    assert load_client_config(KubeFlags(kubeconfig=str(path)), env).proxy == "http://proxy:3128"


def test_no_proxy_exempts_the_server(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one")
    env = {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": ".example"}
    assert load_client_config(KubeFlags(kubeconfig=str(path)), env).proxy == ""


def test_the_kubeconfig_proxy_url_wins_over_the_environment(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one", cluster={"proxy-url": "socks5://corp:1080"})
    env = {"HTTPS_PROXY": "http://proxy:3128"}
    assert load_client_config(KubeFlags(kubeconfig=str(path)), env).proxy == "socks5://corp:1080"


def test_the_token_never_shows_in_the_repr(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "one", token="s3cr3t-token")
    assert "s3cr3t" not in repr(load_client_config(KubeFlags(kubeconfig=str(path)), {}))
