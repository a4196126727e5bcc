"""A real control plane on loopback: etcd and kube-apiserver, with an admin and a restricted user."""

from __future__ import annotations

import base64
import json
import secrets
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.harness.binaries import Binaries
from tests.harness.pki import CertificateAuthority, service_account_key
from tests.harness.processes import Server, free_port, start, wait_until

RESTRICTED_USER = "alice"
RESTRICTED_ROLE = "imagerepo-reader"


@dataclass
class ControlPlane:
    """A running etcd and kube-apiserver with kubeconfig files for two users."""

    workdir: Path
    url: str
    ca_file: Path
    admin_token: str
    restricted_token: str
    admin_kubeconfig: Path
    restricted_kubeconfig: Path
    servers: list[Server] = field(default_factory=list)
    #: The kube-apiserver command line, kept so that `start_apiserver` starts the same server again.
    apiserver_argv: list[str] = field(default_factory=list)
    #: Paths that must answer 200 before a restarted API server counts as ready (the installed CRDs).
    served_paths: list[str] = field(default_factory=list)
    _apiserver_starts: int = field(default=0, init=False, repr=False)

    def session(self, token: str | None = None) -> requests.Session:
        """An HTTP session to the API server as the admin (or the user of `token`)."""
        s = requests.Session()
        s.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace `verify`
        s.verify = str(self.ca_file)
        s.headers["Authorization"] = f"Bearer {token or self.admin_token}"
        return s

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        ok: tuple[int, ...] = (200, 201),
    ) -> Any:
        """One admin request; raises with the server's answer when the status is not in `ok`."""
        with self.session() as s:
            response = s.request(
                method,
                self.url + path,
                data=None if body is None else json.dumps(body),
                headers={"Content-Type": content_type},
                timeout=30,
            )
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()

    # -- API server faults (etcd keeps running, so every object survives) --------------------------
    def stop_apiserver(self) -> None:
        """Stop kube-apiserver (SIGTERM, then SIGKILL after 10 s) and wait until its port refuses.

        etcd keeps running. Requests in flight fail; new connections get `connection refused`.
        Does nothing when the API server is already stopped.
        """
        server = self._apiserver()
        if server is None:
            return
        server.stop()
        self.servers.remove(server)
        port = int(self.url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) != 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"kube-apiserver still accepts connections on port {port} after it stopped")

    def start_apiserver(self, timeout: float = 120) -> None:
        """Start kube-apiserver again with the same command line: same port, certificates, tokens and etcd.

        Returns once `/readyz` answers 200 and every installed CRD's resource is served again, so the
        next request of a test or of the plugin succeeds. Does nothing when it is already running.
        The log of the new process goes to `kube-apiserver-<n>.log` beside the first one.
        """
        if self._apiserver() is not None:
            return
        if not self.apiserver_argv:
            raise RuntimeError("this ControlPlane was not started by start_control_plane")
        self._apiserver_starts += 1
        server = start(f"kube-apiserver-{self._apiserver_starts}", self.apiserver_argv, self.workdir)
        server.name = "kube-apiserver"
        self.servers.append(server)

        def ready() -> bool:
            with self.session() as s:
                if s.get(f"{self.url}/readyz", timeout=2).status_code != 200:
                    return False
                return all(s.get(self.url + path, timeout=2).status_code == 200 for path in self.served_paths)

        wait_until(server, ready, timeout=timeout)

    def restart_apiserver(self) -> None:
        """`stop_apiserver()` then `start_apiserver()`."""
        self.stop_apiserver()
        self.start_apiserver()

    def _apiserver(self) -> Server | None:
        return next(
            (s for s in self.servers if s.name == "kube-apiserver" and s.process.poll() is None), None
        )

    def audit_events(self) -> list[dict[str, Any]]:
        """The audit log so far: writes to ImageRepositories (and their status) and to Leases."""
        path = self.workdir / "audit.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    # -- objects ---------------------------------------------------------------------------------
    def apply(self, obj: dict[str, Any]) -> Any:
        """Server-side apply one object as the admin (field manager `test-harness`)."""
        path = object_path(obj)
        return self.request(
            "PATCH",
            path + "?fieldManager=test-harness&force=true",
            obj,
            content_type="application/apply-patch+yaml",
        )

    def create_namespace(self, name: str) -> None:
        self.request(
            "POST",
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
        )

    def install_crd(self, manifest: dict[str, Any]) -> None:
        """Apply a CRD, wait until it is Established and its resource is served."""
        self.apply(manifest)
        name = manifest["metadata"]["name"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            crd = self.request("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
            conditions = {c["type"]: c["status"] for c in (crd.get("status") or {}).get("conditions") or []}
            if conditions.get("Established") == "True":
                group = manifest["spec"]["group"]
                version = manifest["spec"]["versions"][0]["name"]
                plural = manifest["spec"]["names"]["plural"]
                with self.session() as s:
                    if s.get(f"{self.url}/apis/{group}/{version}/{plural}", timeout=10).status_code == 200:
                        self.served_paths.append(f"/apis/{group}/{version}/{plural}")
                        return
            time.sleep(0.2)
        raise RuntimeError(f"CRD {name} not established in 60s")

    def delete_crd(self, manifest: dict[str, Any]) -> None:
        """Delete a CRD, wait until its resource is no longer served, and stop waiting for it on restarts."""
        name = manifest["metadata"]["name"]
        group, plural = manifest["spec"]["group"], manifest["spec"]["names"]["plural"]
        path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
        self.request("DELETE", path, ok=(200, 202, 404))
        prefix, suffix = f"/apis/{group}/", f"/{plural}"
        kept = [p for p in self.served_paths if not (p.startswith(prefix) and p.endswith(suffix))]
        self.served_paths[:] = kept
        deadline = time.monotonic() + 60
        version = manifest["spec"]["versions"][0]["name"]
        while time.monotonic() < deadline:
            with self.session() as s:
                if s.get(f"{self.url}/apis/{group}/{version}/{plural}", timeout=10).status_code == 404:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"CRD {name} still served 60s after its deletion")

    def grant_restricted_user(self, namespace: str) -> None:
        """Let the restricted user read ImageRepositories in `namespace`, and nothing more."""
        self.apply(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": {"name": f"{RESTRICTED_USER}-reads", "namespace": namespace},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": RESTRICTED_ROLE,
                },
                "subjects": [
                    {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": RESTRICTED_USER}
                ],
            }
        )
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {
                    "namespace": namespace,
                    "verb": "list",
                    "group": "image.toolkit.fluxcd.io",
                    "resource": "imagerepositories",
                }
            },
        }
        deadline = time.monotonic() + 30
        with self.session(self.restricted_token) as s:
            while time.monotonic() < deadline:
                answer = s.post(
                    f"{self.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                    json=review,
                    timeout=10,
                ).json()
                if answer.get("status", {}).get("allowed"):
                    return
                time.sleep(0.1)
        raise RuntimeError("the RoleBinding for the restricted user did not take effect")


def service_account_token(
    plane: ControlPlane, namespace: str, name: str, rules: list[dict[str, Any]]
) -> str:
    """A real ServiceAccount bound to a Role of `rules` in `namespace`, and a token of it (TokenRequest)."""
    metadata = {"name": name, "namespace": namespace}
    plane.apply({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata})
    plane.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                 "metadata": {"name": name, "namespace": namespace}, "rules": rules})
    plane.apply({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
    })
    answer = plane.request(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
         "spec": {"expirationSeconds": 3600}},
    )
    return str(answer["status"]["token"])


def object_path(obj: dict[str, Any]) -> str:
    """The REST path of an object, for the kinds the harness writes."""
    plurals = {
        "Namespace": "namespaces",
        "RoleBinding": "rolebindings",
        "Role": "roles",
        "ClusterRoleBinding": "clusterrolebindings",
        "ClusterRole": "clusterroles",
        "CustomResourceDefinition": "customresourcedefinitions",
        "Secret": "secrets",
        "ServiceAccount": "serviceaccounts",
        "ImageRepository": "imagerepositories",
        "ImagePolicy": "imagepolicies",
        "ImageUpdateAutomation": "imageupdateautomations",
    }
    api_version, kind = obj["apiVersion"], obj["kind"]
    base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    namespace = obj["metadata"].get("namespace")
    ns = f"/namespaces/{namespace}" if namespace else ""
    return f"{base}{ns}/{plurals[kind]}/{obj['metadata']['name']}"


def _kubeconfig(path: Path, url: str, ca: bytes, user: str, token: str, namespace: str = "default") -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "test",
        "clusters": [
            {
                "name": "test",
                "cluster": {"server": url, "certificate-authority-data": base64.b64encode(ca).decode()},
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": user, "namespace": namespace}}],
    }
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


def start_control_plane(binaries: Binaries, workdir: Path) -> ControlPlane:
    """Start etcd and kube-apiserver on free loopback ports and wait until the API server is ready."""
    workdir.mkdir(parents=True, exist_ok=True)
    pki = workdir / "pki"
    ca = CertificateAuthority(pki)
    serving = ca.issue("apiserver", "kube-apiserver")
    sa = service_account_key(pki)
    admin_token, restricted_token = secrets.token_hex(16), secrets.token_hex(16)
    tokens = pki / "tokens.csv"
    tokens.write_text(
        f'{admin_token},test-admin,1,"system:masters"\n{restricted_token},{RESTRICTED_USER},2,"devs"\n'
    )

    servers: list[Server] = []
    etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    etcd = start(
        "etcd",
        [
            str(binaries.etcd),
            "--data-dir",
            str(workdir / "etcd-data"),
            "--listen-client-urls",
            etcd_url,
            "--advertise-client-urls",
            etcd_url,
            "--listen-peer-urls",
            f"http://127.0.0.1:{peer_port}",
            "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{peer_port}",
            "--initial-cluster",
            f"default=http://127.0.0.1:{peer_port}",
            "--unsafe-no-fsync",
            "--log-level",
            "warn",
        ],
        workdir,
    )
    servers.append(etcd)
    try:
        wait_until(etcd, lambda: requests.get(f"{etcd_url}/health", timeout=1).json().get("health") == "true")
        url = f"https://127.0.0.1:{api_port}"
        apiserver_argv = [
            str(binaries.kube_apiserver),
            f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1",
            f"--secure-port={api_port}",
            "--advertise-address=127.0.0.1",
            "--endpoint-reconciler-type=none",
            f"--cert-dir={pki}",
            f"--tls-cert-file={serving.cert}",
            f"--tls-private-key-file={serving.key}",
            f"--client-ca-file={ca.pair.cert}",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={sa.cert}",
            f"--service-account-signing-key-file={sa.key}",
            "--service-cluster-ip-range=10.0.0.0/24",
            "--authorization-mode=RBAC",
            f"--token-auth-file={tokens}",
            "--disable-admission-plugins=ServiceAccount",
            "--allow-privileged=true",
            f"--audit-policy-file={_audit_policy(workdir)}",
            f"--audit-log-path={workdir / 'audit.log'}",
            "--audit-log-mode=blocking",
            "--v=0",
        ]
        apiserver = start("kube-apiserver", apiserver_argv, workdir)
        servers.append(apiserver)

        def ready() -> bool:
            answer = requests.get(
                f"{url}/readyz",
                verify=str(ca.pair.cert),
                timeout=2,
                headers={"Authorization": f"Bearer {admin_token}"},
            )
            return answer.status_code == 200

        wait_until(apiserver, ready, timeout=120)
        plane = ControlPlane(
            workdir=workdir,
            url=url,
            ca_file=ca.pair.cert,
            admin_token=admin_token,
            restricted_token=restricted_token,
            admin_kubeconfig=_kubeconfig(
                workdir / "admin.kubeconfig", url, ca.cert_pem, "test-admin", admin_token
            ),
            restricted_kubeconfig=_kubeconfig(
                workdir / "restricted.kubeconfig", url, ca.cert_pem, RESTRICTED_USER, restricted_token
            ),
            servers=servers,
            apiserver_argv=apiserver_argv,
        )
        _wait_for_default_namespace(plane)
        plane.apply(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {"name": RESTRICTED_ROLE},
                "rules": [
                    {
                        "apiGroups": ["image.toolkit.fluxcd.io"],
                        "resources": ["imagerepositories"],
                        "verbs": ["get", "list", "watch"],
                    }
                ],
            }
        )
        return plane
    except BaseException:
        for server in reversed(servers):
            server.stop()
        raise


#: Who wrote ImageRepositories and Leases, and when: `ControlPlane.audit_events` reads it.
AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    "omitStages": ["RequestReceived"],
    "rules": [
        {
            "level": "Metadata",
            "verbs": ["create", "update", "patch"],
            "resources": [
                {
                    "group": "image.toolkit.fluxcd.io",
                    "resources": ["imagerepositories", "imagerepositories/status"],
                },
                {"group": "coordination.k8s.io", "resources": ["leases"]},
            ],
        },
        {"level": "None"},
    ],
}


def _audit_policy(workdir: Path) -> Path:
    path = workdir / "audit-policy.yaml"
    path.write_text(yaml.safe_dump(AUDIT_POLICY))
    return path


def _wait_for_default_namespace(plane: ControlPlane) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with plane.session() as s:
            if s.get(f"{plane.url}/api/v1/namespaces/default", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the default namespace never appeared")
