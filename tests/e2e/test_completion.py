"""Shell completion against the real API server: the kubectl completer, and through the built kubectl."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Plugin, create, image_repository
from tests.harness.environment import Environment

pytestmark = pytest.mark.e2e

#: What the `kubectl_complete-imagerepo` executable runs.
COMPLETER = "from kubectl_imagerepo.cli import complete; complete()"


def complete(env: Environment, *words: str, kubeconfig: Path | None = None) -> list[str]:
    """Run the completer as kubectl does (the words, the partial word last); its stdout lines."""
    done = subprocess.run(
        [sys.executable, "-c", COMPLETER, *words],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env.path_env(), "KUBECONFIG": str(kubeconfig or env.plane.admin_kubeconfig)},
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout.splitlines()


def values(lines: list[str]) -> list[str]:
    """The candidates without descriptions and without the directive line."""
    return [line.split("\t")[0] for line in lines[:-1]]


def test_subcommand_names_are_completed_with_descriptions(env: Environment) -> None:
    lines = complete(env, "re")
    assert lines == [
        "reconcile\tScan ImageRepositories now, write their status.",
        "resume\tResume ImageRepositories and reconcile them.",
        ":4",
    ]


def test_flags_of_a_subcommand_are_completed(env: Environment) -> None:
    assert values(complete(env, "get", "--no")) == ["--no-headers"]


def test_short_and_long_namespace_flags_are_offered(env: Environment) -> None:
    found = values(complete(env, "describe", "-"))
    assert "-n" in found and "--namespace" in found


def test_output_values_are_completed(env: Environment) -> None:
    assert complete(env, "get", "-o", "") == ["json", "yaml", "name", "wide", ":4"]


def test_namespaces_are_completed_after_dash_n(env: Environment, namespace: str) -> None:
    lines = complete(env, "get", "-n", namespace[:-1])
    assert namespace in values(lines)
    assert lines[-1] == ":4"


def test_namespaces_are_completed_after_namespace_equals(env: Environment, namespace: str) -> None:
    assert namespace in values(complete(env, "get", f"--namespace={namespace}"))


@pytest.mark.parametrize(
    "subcommand", ["get", "describe", "reconcile", "suspend", "resume", "events", "tags"]
)
def test_object_names_are_completed_in_the_namespace_of_the_line(
    env: Environment, namespace: str, subcommand: str
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    create(env, image_repository(namespace, "api", "ghcr.io/example/api"))
    create(env, image_repository(namespace, "web", "ghcr.io/example/web"))
    assert complete(env, subcommand, "-n", namespace, "a") == ["api", "app", ":4"]


def test_object_names_already_on_the_line_are_not_offered_again(env: Environment, namespace: str) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    create(env, image_repository(namespace, "api", "ghcr.io/example/api"))
    assert complete(env, "suspend", "app", "--namespace", namespace, "") == ["api", ":4"]


def test_object_names_come_from_the_contexts_namespace_without_dash_n(
    env: Environment, namespace: str, tmp_path: Path
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(Path(env.plane.admin_kubeconfig).read_text())
    subprocess.run(
        ["kubectl", "config", "set-context", "--current", f"--namespace={namespace}"],
        check=True,
        capture_output=True,
        env={**env.path_env(), "KUBECONFIG": str(kubeconfig)},
    )
    assert complete(env, "get", "", kubeconfig=kubeconfig) == ["app", ":4"]


def test_kubeconfig_given_on_the_line_is_used(env: Environment, namespace: str) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    lines = complete(
        env,
        "--kubeconfig",
        str(env.plane.admin_kubeconfig),
        "get",
        "-n",
        namespace,
        "",
        kubeconfig=Path("/nonexistent/kubeconfig"),
    )
    assert lines == ["app", ":4"]


def test_an_unknown_context_on_the_line_gives_no_candidates(env: Environment, namespace: str) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    assert complete(env, "get", "--context", "no-such-context", "-n", namespace, "") == [":4"]


def test_without_a_cluster_there_are_no_candidates_and_no_traceback(env: Environment) -> None:
    assert complete(env, "get", "", kubeconfig=Path("/nonexistent/kubeconfig")) == [":4"]


def test_completion_bash_prints_a_valid_bash_script(plugin: Plugin) -> None:
    result = plugin("completion", "bash")
    assert result.code == 0, result.stderr
    assert "complete -o nosort -F _kubectl_imagerepo_completion kubectl-imagerepo" in result.stdout
    checked = subprocess.run(["bash", "-n"], input=result.stdout, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_kubectl_shim_answers_through_the_plugin(
    env: Environment, namespace: str, tmp_path: Path
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    shim = tmp_path / "kubectl_complete-imagerepo"
    shim.write_text(
        subprocess.run(
            [sys.executable, "-m", "kubectl_imagerepo", "completion", "kubectl-shim"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    shim.chmod(0o755)
    done = subprocess.run(
        [str(shim), "get", "-n", namespace, ""],
        capture_output=True,
        text=True,
        env=env.path_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "app\n:4\n"


def test_kubectl_completes_object_names_through_the_completion_executable(
    env: Environment, namespace: str, tmp_path: Path
) -> None:
    create(env, image_repository(namespace, "app", "ghcr.io/example/app"))
    create(env, image_repository(namespace, "api", "ghcr.io/example/api"))
    shim = tmp_path / "kubectl_complete-imagerepo"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "{COMPLETER}" "$@"\n')
    shim.chmod(0o755)
    path = os.pathsep.join([str(tmp_path), str(env.bindir), os.environ.get("PATH", "")])
    done = subprocess.run(
        ["kubectl", "__complete", "imagerepo", "get", "-n", namespace, ""],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env.path_env(), "PATH": path},
    )
    assert done.returncode == 0, done.stderr
    # cobra prints the plugin's candidates and its directive, and names the directive on stderr.
    assert done.stdout.splitlines() == ["api", "app", ":4"]
    assert "ShellCompDirectiveNoFileComp" in done.stderr


def test_kubectl_completes_the_plugins_subcommands_through_the_completion_executable(
    env: Environment, tmp_path: Path
) -> None:
    shim = tmp_path / "kubectl_complete-imagerepo"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "{COMPLETER}" "$@"\n')
    shim.chmod(0o755)
    path = os.pathsep.join([str(tmp_path), str(env.bindir), os.environ.get("PATH", "")])
    done = subprocess.run(
        ["kubectl", "__complete", "imagerepo", "su"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env.path_env(), "PATH": path},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["suspend\tSuspend the reconciliation of ImageRepositories.", ":4"]
