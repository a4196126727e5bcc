"""A kubeconfig user's `exec` credential plugin, run as client-go runs it for kubectl.

The plugin gets the environment plus the user's `env` and `KUBERNETES_EXEC_INFO` (an ExecCredential
saying whether it may talk to the user, and the cluster when `provideClusterInfo`); its stderr is the
user's; its stdout is an ExecCredential of the configured `apiVersion` holding a token or a client
certificate and key. The credential is kept until its `expirationTimestamp`, and a 401 from the API
server runs the plugin again for the next request (as client-go does). Nothing here prints; the
credential is never logged or stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubectl_imagerepo.model.errors import CommandError

API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")
EXEC_INFO_ENV = "KUBERNETES_EXEC_INFO"
#: clientcmd's validation of an exec stanza.
MUST_BE_SPECIFIED = "error: {field} must be specified for {user} to use exec authentication plugin"


class ExecCredentialError(CommandError):
    """The plugin could not give a credential; the text is client-go's (`exec: …`)."""


@dataclass(frozen=True)
class ExecConfig:
    """A kubeconfig user's `exec` stanza, its paths resolved."""

    command: str
    api_version: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    interactive_mode: str = "IfAvailable"
    provide_cluster_info: bool = False
    install_hint: str = ""

    @classmethod
    def from_kubeconfig(cls, user: str, stanza: Mapping[str, Any], base: str) -> ExecConfig:
        """Read and check the stanza as clientcmd validates it.

        Raises:
            CommandError: with clientcmd's text.
        """
        command = str(stanza.get("command") or "")
        if not command:
            raise CommandError(MUST_BE_SPECIFIED.format(field="command", user=user))
        api_version = str(stanza.get("apiVersion") or "")
        if not api_version:
            raise CommandError(MUST_BE_SPECIFIED.format(field="apiVersion", user=user))
        mode = str(stanza.get("interactiveMode") or "")
        if not mode:
            if api_version == API_VERSIONS[0]:
                raise CommandError(MUST_BE_SPECIFIED.format(field="interactiveMode", user=user))
            mode = "IfAvailable"
        if mode not in INTERACTIVE_MODES:
            raise CommandError(f'error: invalid interactiveMode for {user}: "{mode}"')
        # clientcmd resolves a relative command holding a path separator against the kubeconfig's folder.
        if os.sep in command and not os.path.isabs(command):
            command = os.path.normpath(os.path.join(base, command))
        env = tuple(
            (str(item.get("name") or ""), str(item.get("value") or ""))
            for item in stanza.get("env") or []
            if isinstance(item, Mapping)
        )
        return cls(
            command=command,
            api_version=api_version,
            args=tuple(str(a) for a in stanza.get("args") or []),
            env=env,
            interactive_mode=mode,
            provide_cluster_info=bool(stanza.get("provideClusterInfo")),
            install_hint=str(stanza.get("installHint") or ""),
        )


@dataclass(frozen=True)
class Credential:
    """What the plugin gave: a bearer token, or a client certificate and key (PEM)."""

    token: str = field(default="", repr=False)
    cert_pem: bytes = field(default=b"", repr=False)
    key_pem: bytes = field(default=b"", repr=False)
    expires: datetime | None = None


class ExecAuthenticator:
    """Runs the plugin when there is no credential, when it expired, or after a 401."""

    def __init__(
        self,
        config: ExecConfig,
        cluster: Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        stdin_is_terminal: bool | None = None,
    ) -> None:
        self.config = config
        self.cluster = cluster or {}
        self._environ = environ
        self._terminal = sys.stdin.isatty() if stdin_is_terminal is None else stdin_is_terminal
        self._lock = threading.Lock()
        self._credential: Credential | None = None

    def credential(self) -> Credential:
        """The current credential, from the plugin when there is none or it expired.

        Raises:
            ExecCredentialError: the plugin failed; the text is client-go's.
        """
        with self._lock:
            current = self._credential
            if current is None or (current.expires is not None and datetime.now(UTC) >= current.expires):
                current = self._credential = self._run()
            return current

    def unauthorized(self, used: Credential) -> None:
        """A 401 answered `used`: the next request runs the plugin again (unless it already has)."""
        with self._lock:
            if self._credential is used:
                self._credential = None

    def _interactive(self) -> bool:
        mode = self.config.interactive_mode
        if mode == "Never":
            return False
        if mode == "Always" and not self._terminal:
            raise ExecCredentialError(
                "exec plugin cannot support interactive mode: standard input is not a terminal"
            )
        return self._terminal

    def _run(self) -> Credential:
        config = self.config
        interactive = self._interactive()
        spec: dict[str, Any] = {"interactive": interactive}
        if config.provide_cluster_info:
            spec["cluster"] = dict(self.cluster)
        info = {"kind": "ExecCredential", "apiVersion": config.api_version, "spec": spec}
        env = dict(os.environ if self._environ is None else self._environ)
        env.update(dict(config.env))
        env[EXEC_INFO_ENV] = json.dumps(info, separators=(",", ":"))
        try:
            done = subprocess.run(
                [config.command, *config.args],
                env=env,
                stdin=None if interactive else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=None,  # the plugin's messages are the user's to read, as with kubectl
                check=False,
            )
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            hint = f" ({config.install_hint.strip()})" if config.install_hint.strip() else ""
            raise ExecCredentialError(f"exec: executable {config.command} not found{hint}") from None
        except OSError as failure:
            raise ExecCredentialError(f"exec: {failure.strerror or failure}") from None
        if done.returncode != 0:
            code = done.returncode if done.returncode > 0 else -1
            raise ExecCredentialError(f"exec: executable {config.command} failed with exit code {code}")
        return parse_exec_credential(done.stdout, config.api_version)


def parse_exec_credential(stdout: bytes, api_version: str) -> Credential:
    """The plugin's answer, checked as client-go checks it.

    Raises:
        ExecCredentialError: with client-go's text.
    """
    try:
        answer = json.loads(stdout)
    except ValueError as bad:
        raise ExecCredentialError(f"decoding stdout: {bad}") from None
    if not isinstance(answer, Mapping):
        raise ExecCredentialError("decoding stdout: not an ExecCredential object")
    returned = str(answer.get("apiVersion") or "")
    if returned != api_version:
        raise ExecCredentialError(
            f"exec plugin is configured to use API version {api_version}, "
            f"plugin returned version {returned}"
        )
    status = answer.get("status")
    if not isinstance(status, Mapping):
        raise ExecCredentialError("exec plugin didn't return a status field")
    token = str(status.get("token") or "")
    cert = str(status.get("clientCertificateData") or "")
    key = str(status.get("clientKeyData") or "")
    if not token and not cert and not key:
        raise ExecCredentialError("exec plugin didn't return a token or cert/key pair")
    if bool(cert) != bool(key):
        raise ExecCredentialError("exec plugin returned only certificate or key, not both")
    return Credential(token=token, cert_pem=cert.encode(), key_pem=key.encode(), expires=_expiry(status))


def _expiry(status: Mapping[str, Any]) -> datetime | None:
    text = status.get("expirationTimestamp")
    if not text:
        return None
    from kubectl_imagerepo.gocompat.ages import parse_time

    try:
        return parse_time(str(text))
    except ValueError:
        raise ExecCredentialError(
            f"decoding stdout: parsing time {json.dumps(str(text))} as RFC 3339"
        ) from None
