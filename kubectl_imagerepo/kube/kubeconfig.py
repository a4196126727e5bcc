"""The kubeconfig as kubectl resolves it: merged files, the context, cluster and user, the flags.

Everything kubectl reads is resolved here, once, with kubectl's merge rules: server, CA, client
certificates, tokens, basic auth, impersonation, `exec` credential plugins, `proxy-url` and
`tls-server-name`, and the environment's proxies by Go's rules. Only a legacy `auth-provider` is left
to the `kubernetes` client, which is handed the context resolved here (never its own merge of the
files, whose later `current-context` would win), so that every path acts as the same user in the same
namespace as kubectl (docs/behaviour.md, The kubeconfig as kubectl reads it).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.kube.flags import KubeFlags
from kubectl_imagerepo.model.errors import CommandError

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.execcredential import ExecConfig

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


@dataclass(frozen=True)
class ClientConfig:
    """Where and how to reach the API server.

    `proxy` is the proxy URL requests go through (the kubeconfig's `proxy-url`, else the environment's
    by Go's rules), empty for a direct connection. `resolved` is the one-context kubeconfig handed to
    the `kubernetes` client when `needs_client_library` (an `auth-provider`).
    """

    server: str
    namespace: str
    ca_data: bytes | None = None
    insecure: bool = False
    cert_data: bytes | None = field(default=None, repr=False)
    key_data: bytes | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    token_file: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    impersonate: str | None = None
    exec_config: ExecConfig | None = None
    exec_cluster: Mapping[str, Any] | None = field(default=None, repr=False)
    proxy: str = field(default="", repr=False)
    tls_server_name: str = ""
    needs_client_library: bool = False
    resolved: Mapping[str, Any] | None = field(default=None, repr=False)

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
    ca = _file_or_data(cluster, "certificate-authority", "certificate-authority-data")
    if flags.certificate_authority:
        ca = _file_or_data(_Entry({"ca": flags.certificate_authority}, Path.cwd()), "ca", "-")
    insecure = flags.insecure_skip_tls_verify or bool(cluster.value.get("insecure-skip-tls-verify"))
    tls_server_name = str(cluster.value.get("tls-server-name") or "")
    proxy = _proxy(server, str(cluster.value.get("proxy-url") or ""), env)
    user_name = str(ctx.get("user") or "")
    exec_config, exec_cluster = None, None
    stanza = user.value.get("exec")
    if isinstance(stanza, Mapping) and not flags.token:
        from kubectl_imagerepo.kube.execcredential import ExecConfig

        exec_config = ExecConfig.from_kubeconfig(user_name, stanza, str(user.base))
        if exec_config.provide_cluster_info:
            exec_cluster = _exec_cluster(server, ca, insecure, tls_server_name, cluster)
    auth_provider = bool(user.value.get("auth-provider")) and not flags.token
    return ClientConfig(
        server=server.rstrip("/"),
        namespace=flags.namespace or str(ctx.get("namespace") or "") or "default",
        ca_data=ca,
        insecure=insecure,
        cert_data=_file_or_data(user, "client-certificate", "client-certificate-data"),
        key_data=_file_or_data(user, "client-key", "client-key-data"),
        token=flags.token or user.value.get("token"),
        token_file=_resolve(user, "tokenFile"),
        username=user.value.get("username"),
        password=user.value.get("password"),
        impersonate=flags.impersonate or user.value.get("as"),
        exec_config=exec_config,
        exec_cluster=exec_cluster,
        proxy=proxy,
        tls_server_name=tls_server_name,
        needs_client_library=auth_provider,
        resolved=_one_context(name, cluster, user, server) if auth_provider else None,
    )


def _proxy(server: str, proxy_url: str, env: Mapping[str, str]) -> str:
    """The kubeconfig's `proxy-url` (every request takes it), else the environment's by Go's rules."""
    if proxy_url:
        return proxy_url
    if not any(env.get(name) for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")):
        return ""  # the common case, without loading the rules
    from kubectl_imagerepo.gocompat.httpproxy import ProxyConfig, proxy_for

    return proxy_for(server, ProxyConfig.from_environment(env)) or ""


def _exec_cluster(
    server: str, ca: bytes | None, insecure: bool, tls_server_name: str, cluster: _Entry
) -> dict[str, Any]:
    """The `spec.cluster` an exec plugin gets with `provideClusterInfo`, as client-go fills it."""
    out: dict[str, Any] = {"server": server}
    if tls_server_name:
        out["tls-server-name"] = tls_server_name
    if insecure:
        out["insecure-skip-tls-verify"] = True
    if ca:
        out["certificate-authority-data"] = base64.b64encode(ca).decode()
    if cluster.value.get("proxy-url"):
        out["proxy-url"] = str(cluster.value["proxy-url"])
    for extension in cluster.value.get("extensions") or []:
        if isinstance(extension, Mapping) and extension.get("name") == "client.authentication.k8s.io/exec":
            out["config"] = extension.get("extension")
    return out


def _one_context(name: str, cluster: _Entry, user: _Entry, server: str) -> dict[str, Any]:
    """A kubeconfig of the resolved context alone, its relative paths made absolute."""
    def absolute(entry: _Entry, keys: tuple[str, ...]) -> dict[str, Any]:
        value = dict(entry.value)
        for key in keys:
            if value.get(key):
                value[key] = _resolve(entry, key)
        return value

    cluster_value = absolute(cluster, ("certificate-authority",))
    cluster_value["server"] = server
    user_value = absolute(user, ("client-certificate", "client-key", "tokenFile"))
    context = name or "resolved"
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": context,
        "clusters": [{"name": "resolved", "cluster": cluster_value}],
        "users": [{"name": "resolved", "user": user_value}],
        "contexts": [{"name": context, "context": {"cluster": "resolved", "user": "resolved"}}],
    }


def _resolve(entry: _Entry, key: str) -> str | None:
    value = entry.value.get(key)
    if not value:
        return None
    path = Path(str(value)).expanduser()
    return str(path if path.is_absolute() else entry.base / path)


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
