"""An exec credential plugin run as client-go runs it for kubectl."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.kube.execcredential import (
    ExecAuthenticator,
    ExecConfig,
    ExecCredentialError,
    parse_exec_credential,
)

V1 = "client.authentication.k8s.io/v1"


def plugin(tmp_path: Path, body: str) -> str:
    script = tmp_path / "cred"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def credential(status: dict[str, Any], api_version: str = V1) -> bytes:
    return json.dumps({"kind": "ExecCredential", "apiVersion": api_version, "status": status}).encode()


def authenticator(command: str, **config: Any) -> ExecAuthenticator:
    return ExecAuthenticator(
        ExecConfig(command=command, api_version=V1, interactive_mode="Never", **config),
        environ={"PATH": "/usr/bin:/bin"},
        stdin_is_terminal=False,
    )


def test_the_token_the_plugin_prints_is_the_credential(tmp_path: Path) -> None:
    answer = credential({"token": "tok"}).decode()
    command = plugin(tmp_path, f"echo '{answer}'\n")
    assert authenticator(command).credential().token == "tok"


def test_the_plugin_gets_its_env_and_the_exec_info(tmp_path: Path) -> None:
    command = plugin(
        tmp_path,
        'echo "$A $KUBERNETES_EXEC_INFO" > "$(dirname "$0")/seen"\n'
        f"echo '{credential({'token': 'x'}).decode()}'\n",
    )
    authenticator(command, env=(("A", "a-value"),)).credential()
    seen = (tmp_path / "seen").read_text().strip()
    value, info = seen.split(" ", 1)
    assert value == "a-value"
    assert json.loads(info) == {"kind": "ExecCredential", "apiVersion": V1, "spec": {"interactive": False}}


def test_the_credential_is_kept_until_a_401_asks_for_another(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    command = plugin(tmp_path, f'echo x >> "{counter}"\necho \'{credential({"token": "t"}).decode()}\'\n')
    auth = authenticator(command)
    first = auth.credential()
    assert auth.credential() is first
    auth.unauthorized(first)
    auth.credential()
    assert counter.read_text().count("x") == 2


def test_an_expired_credential_runs_the_plugin_again(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    stale = credential({"token": "t", "expirationTimestamp": "2000-01-01T00:00:00Z"}).decode()
    command = plugin(tmp_path, f'echo x >> "{counter}"\necho \'{stale}\'\n')
    auth = authenticator(command)
    auth.credential()
    auth.credential()
    assert counter.read_text().count("x") == 2


def test_a_missing_executable_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExecCredentialError, match=r"^exec: executable .*/nope not found$"):
        authenticator(str(tmp_path / "nope")).credential()


def test_a_failing_plugin_gives_its_exit_code(tmp_path: Path) -> None:
    with pytest.raises(ExecCredentialError, match=r"exec: executable .*cred failed with exit code 3$"):
        authenticator(plugin(tmp_path, "exit 3\n")).credential()


def test_always_interactive_without_a_terminal_is_refused(tmp_path: Path) -> None:
    auth = ExecAuthenticator(
        ExecConfig(command=plugin(tmp_path, "exit 0\n"), api_version=V1, interactive_mode="Always"),
        stdin_is_terminal=False,
    )
    with pytest.raises(ExecCredentialError, match="standard input is not a terminal"):
        auth.credential()


@pytest.mark.parametrize(
    ("stdout", "message"),
    [
        (credential({"token": "t"}, "client.authentication.k8s.io/v1beta1"),
         "exec plugin is configured to use API version client.authentication.k8s.io/v1, "
         "plugin returned version client.authentication.k8s.io/v1beta1"),
        (json.dumps({"apiVersion": V1}).encode(), "exec plugin didn't return a status field"),
        (credential({}), "exec plugin didn't return a token or cert/key pair"),
        (credential({"clientCertificateData": "c"}),
         "exec plugin returned only certificate or key, not both"),
        (b"not json", "decoding stdout: "),
    ],
)
def test_a_bad_answer_gets_client_go_s_text(stdout: bytes, message: str) -> None:
    with pytest.raises(ExecCredentialError) as failure:
        parse_exec_credential(stdout, V1)
    assert str(failure.value).startswith(message)


def test_the_credential_never_shows_in_its_repr() -> None:
    assert "s3cr3t" not in repr(parse_exec_credential(credential({"token": "s3cr3t"}), V1))
