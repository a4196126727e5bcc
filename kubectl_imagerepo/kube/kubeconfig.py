"""The kubeconfig as kubectl resolves it: merged files, the context, cluster and user, the flags.

This covers what most kubeconfigs hold (server, CA, client certificates, tokens, basic auth) with
the standard library, so that `get` starts fast. Users that need more — an `exec` credential
plugin, an `auth-provider`, a proxy — are marked `needs_client_library`, and the `kubernetes`
client's own loader serves them instead.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubectl_imagerepo.kube.flags import KubeFlags
from kubectl_imagerepo.model.errors import CommandError

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


@dataclass(frozen=True)
class ClientConfig:
    """Where and how to reach the API server."""

    server: str
    namespace: str
    ca_data: bytes | None = None
    insecure: bool = False
    cert_data: bytes | None = None
    key_data: bytes | None = None
    token: str | None = None
    token_file: str | None = None
    username: str | None = None
    password: str | None = None
    impersonate: str | None = None
    needs_client_library: bool = False

    def __repr__(self) -> str:
        return f"ClientConfig(server={self.server!r}, namespace={self.namespace!r})"


def kubeconfig_paths(flags: KubeFlags, environ: Mapping[str, str]) -> list[Path]:
    """`--kubeconfig`, else every path of $KUBECONFIG, else ~/.kube/config."""
    if flags.kubeconfig:
        return [Path(flags.kubeconfig).expanduser()]
    listed = [p for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return [Path(p).expanduser() for p in listed] or [Path("~/.kube/config").expanduser()]


def _load_file(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as failure:
        raise CommandError(f"error: {failure.strerror}: {path}") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        raise CommandError(f'error: error loading config file "{path}": not a valid kubeconfig') from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise CommandError(f'error: error loading config file "{path}": not a valid kubeconfig')
    return loaded


@dataclass(frozen=True)
class _Entry:
    """A named cluster, user or context, with the file it came from (relative paths resolve there)."""

    value: Mapping[str, Any]
    base: Path


def merge_kubeconfigs(
    files: Sequence[tuple[Path, Mapping[str, Any]]],
) -> tuple[str, dict[str, dict[str, _Entry]]]:
    """Merge as kubectl does: the first file to name an entry (or set current-context) wins."""
    current = ""
    merged: dict[str, dict[str, _Entry]] = {"clusters": {}, "users": {}, "contexts": {}}
    field = {"clusters": "cluster", "users": "user", "contexts": "context"}
    for path, config in files:
        current = current or str(config.get("current-context") or "")
        for section, key in field.items():
            for item in config.get(section) or []:
                if isinstance(item, Mapping) and item.get("name") and item["name"] not in merged[section]:
                    merged[section][str(item["name"])] = _Entry(item.get(key) or {}, path.parent)
    return current, merged


def _file_or_data(entry: _Entry, file_key: str, data_key: str) -> bytes | None:
    value = entry.value
    if value.get(data_key):
        try:
            return base64.b64decode(str(value[data_key]), validate=True)
        except ValueError:
            raise CommandError(f"error: {data_key} is not valid base64") from None
    if value.get(file_key):
        path = Path(str(value[file_key])).expanduser()
        path = path if path.is_absolute() else entry.base / path
        try:
            return path.read_bytes()
        except OSError as failure:
            raise CommandError(f"error: unable to read {file_key} {path}: {failure.strerror}") from None
    return None


def load_client_config(flags: KubeFlags, environ: Mapping[str, str] | None = None) -> ClientConfig:
    """Resolve the flags and kubeconfig files into one ClientConfig, as kubectl's loading rules do."""
    env = os.environ if environ is None else environ
    paths = kubeconfig_paths(flags, env)
    if flags.kubeconfig and not paths[0].exists():
        raise CommandError(f"error: stat {flags.kubeconfig}: no such file or directory")
    existing = [p for p in paths if p.exists()]
    if not existing and not flags.server:
        if env.get("KUBERNETES_SERVICE_HOST") and (SERVICE_ACCOUNT_DIR / "token").exists():
            return _in_cluster(flags, env)
        raise CommandError(
            "error: no configuration has been provided, try setting KUBERNETES_MASTER environment variable"
        )
    current, merged = merge_kubeconfigs([(p, _load_file(p)) for p in existing])
    name = flags.context or current
    context = merged["contexts"].get(name)
    if context is None and (flags.context or not flags.server):
        if flags.context:
            raise CommandError(f'error: context "{flags.context}" does not exist')
        raise CommandError("error: current-context is not set; use --context or --server")
    ctx = context.value if context else {}
    cluster = merged["clusters"].get(str(ctx.get("cluster") or ""), _Entry({}, Path.cwd()))
    user = merged["users"].get(str(ctx.get("user") or ""), _Entry({}, Path.cwd()))
    server = flags.server or str(cluster.value.get("server") or "")
    if not server:
        raise CommandError("error: the server URL is not set in the kubeconfig; use --server")
    needs_library = bool(
        user.value.get("exec")
        or user.value.get("auth-provider")
        or cluster.value.get("proxy-url")
        or cluster.value.get("tls-server-name")
        or _proxied(server, env)
    )
    ca = _file_or_data(cluster, "certificate-authority", "certificate-authority-data")
    if flags.certificate_authority:
        ca = _file_or_data(_Entry({"ca": flags.certificate_authority}, Path.cwd()), "ca", "-")
    return ClientConfig(
        server=server.rstrip("/"),
        namespace=flags.namespace or str(ctx.get("namespace") or "") or "default",
        ca_data=ca,
        insecure=flags.insecure_skip_tls_verify or bool(cluster.value.get("insecure-skip-tls-verify")),
        cert_data=_file_or_data(user, "client-certificate", "client-certificate-data"),
        key_data=_file_or_data(user, "client-key", "client-key-data"),
        token=flags.token or user.value.get("token"),
        token_file=_resolve(user, "tokenFile"),
        username=user.value.get("username"),
        password=user.value.get("password"),
        impersonate=flags.impersonate or user.value.get("as"),
        needs_client_library=needs_library,
    )


def _resolve(entry: _Entry, key: str) -> str | None:
    value = entry.value.get(key)
    if not value:
        return None
    path = Path(str(value)).expanduser()
    return str(path if path.is_absolute() else entry.base / path)


def _proxied(server: str, env: Mapping[str, str]) -> bool:
    """Whether an environment proxy applies to `server` (then the client library carries requests)."""
    from urllib.parse import urlsplit

    scheme = urlsplit(server).scheme or "https"
    proxy = env.get(f"{scheme}_proxy") or env.get(f"{scheme.upper()}_PROXY")
    if not proxy:
        return False
    from urllib import request

    host = urlsplit(server).hostname or ""
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    bypass = request.proxy_bypass_environment  # type: ignore[attr-defined]
    return not bypass(host, {"no": no_proxy}) if no_proxy else True


def _in_cluster(flags: KubeFlags, env: Mapping[str, str]) -> ClientConfig:
    host, port = env["KUBERNETES_SERVICE_HOST"], env.get("KUBERNETES_SERVICE_PORT", "443")
    namespace_file = SERVICE_ACCOUNT_DIR / "namespace"
    namespace = env.get("POD_NAMESPACE") or (
        namespace_file.read_text().strip() if namespace_file.exists() else "default"
    )
    ca_file = SERVICE_ACCOUNT_DIR / "ca.crt"
    bracketed = f"[{host}]" if ":" in host else host
    return ClientConfig(
        server=f"https://{bracketed}:{port}",
        namespace=flags.namespace or namespace,
        ca_data=ca_file.read_bytes() if ca_file.exists() else None,
        token_file=str(SERVICE_ACCOUNT_DIR / "token"),
        impersonate=flags.impersonate,
    )
