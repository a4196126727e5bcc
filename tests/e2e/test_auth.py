"""`kubectl imagerepo reconcile` against registries that need credentials and a private CA.

See docs/behaviour.md, Registry access.

The registries are distribution v3 over TLS on `::1`, reached as `[0:0:0:0:0:0:0:1]:<port>`: that
spelling is loopback, yet not one of the names ggcr (and the plugin) send over plain HTTP, so the scan
really goes through TLS with the CA of `certSecretRef`. The htpasswd password is a canary that every
Secret of these tests carries; it must never show in output, events, statuses or the tag database.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.e2e.test_reconcile import condition, fetch
from tests.harness.environment import Environment
from tests.harness.pki import CertificateAuthority, Pair
from tests.harness.secure_registries import htpasswd_auth, seed_storage, start_configured

pytestmark = pytest.mark.e2e

USER = "robot"
CANARY = f"canary-{uuid.uuid4().hex}"
WRONG = f"{CANARY}-wrong"
TAGS = [f"1.0.{i}" for i in range(12)]
REPOSITORY = "team/app"
# What must never be shown: the passwords, and their Basic and base64 encodings.
SECRETS = [
    CANARY,
    base64.b64encode(CANARY.encode()).decode(),
    base64.b64encode(f"{USER}:{CANARY}".encode()).decode(),
    base64.b64encode(f"{USER}:{WRONG}".encode()).decode(),
]


@dataclass
class SecureRegistries:
    """A Basic-auth registry and a client-certificate registry, both on `::1` behind the CA."""

    basic: str
    mutual: str
    ca: CertificateAuthority
    client: Pair


def v6_host(host: str) -> str:
    """`[::1]:<port>` spelled so that ggcr's rules pick HTTPS."""
    return "[0:0:0:0:0:0:0:1]:" + host.rsplit(":", 1)[1]


@pytest.fixture(scope="module")
def registries(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureRegistries]:
    workdir = tmp_path_factory.mktemp("auth-registries")
    ca = CertificateAuthority(workdir / "pki")
    seeded = seed_storage(env.binaries.registry, workdir, {REPOSITORY: TAGS})
    basic, basic_host = start_configured(
        env.binaries.registry, workdir, "auth-basic", seeded.root, htpasswd_auth(workdir, {USER: CANARY}),
        tls=True, ca=ca, listen="::1")
    try:
        mutual, mutual_host = start_configured(
            env.binaries.registry, workdir, "auth-mutual", seeded.root, {}, tls=True, ca=ca, listen="::1",
            client_ca=ca.pair.cert)
    except BaseException:
        basic.stop()
        raise
    yield SecureRegistries(v6_host(basic_host), v6_host(mutual_host), ca,
                           ca.issue("auth-client", "robot", server=False))
    mutual.stop()
    basic.stop()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


@pytest.fixture
def reconcile(plugin: Plugin, database: Path, namespace: str) -> Iterator[Any]:
    def run(*args: str) -> Result:
        return plugin("reconcile", "-n", namespace, "--database", str(database), *args, timeout=120)

    yield run


def b64(data: str | bytes) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def secret_manifest(
    namespace: str, name: str, data: dict[str, str | bytes], kind: str = "Opaque"
) -> dict[str, Any]:
    """A Secret that also carries the canary, as every Secret of these tests does."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": kind,
        "data": {key: b64(value) for key, value in {"canary": CANARY, **data}.items()},
    }


def docker_config(host: str, entry: dict[str, str]) -> str:
    return json.dumps({"auths": {host: entry}})


def pull_secret_manifest(namespace: str, name: str, host: str, password: str = CANARY,
                         extra: dict[str, str | bytes] | None = None) -> dict[str, Any]:
    data: dict[str, str | bytes] = {
        ".dockerconfigjson": docker_config(host, {"username": USER, "password": password}), **(extra or {})}
    return secret_manifest(namespace, name, data, "kubernetes.io/dockerconfigjson")


def apply(env: Environment, *objects: dict[str, Any]) -> None:
    for obj in objects:
        env.plane.apply(obj)


def ready_of(env: Environment, namespace: str, name: str = "app") -> dict[str, Any]:
    ready = condition(fetch(env, namespace, name), "Ready")
    assert ready is not None
    return ready


def assert_no_canary(env: Environment, namespace: str, database: Path, result: Result) -> None:
    """Neither the output, the events, the statuses nor the tag database show a secret."""
    events = env.plane.request("GET", f"/api/v1/namespaces/{namespace}/events")
    objects = env.plane.request(
        "GET", f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories")
    texts = {"stdout": result.stdout, "stderr": result.stderr, "events": json.dumps(events),
             "objects": json.dumps(objects)}
    for where, text in texts.items():
        for shown in SECRETS:
            assert shown not in text, f"a secret shows in {where}"
    for file in database.parent.glob(database.name + "*"):
        content = file.read_bytes()
        for shown in SECRETS:
            assert shown.encode() not in content, f"a secret is stored in {file.name}"


def assert_failed(env: Environment, namespace: str, result: Result, reason: str, message: str) -> None:
    """Ready=False with `reason` and `message`, retried (not stalled), reported on stderr and as an event."""
    assert result.code == 1, result.stderr
    obj = fetch(env, namespace, "app")
    ready, reconciling = condition(obj, "Ready"), condition(obj, "Reconciling")
    assert ready is not None and reconciling is not None
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", reason, message)
    assert (reconciling["status"], reconciling["reason"]) == ("True", "ProgressingWithRetry")
    assert condition(obj, "Stalled") is None
    assert result.stderr.splitlines()[-1] == f"✗ {message}"
    events = env.plane.request("GET", f"/api/v1/namespaces/{namespace}/events")["items"]
    assert [(e["type"], e["reason"], e["message"]) for e in events] == [("Warning", reason, message)]


def unauthorized(host: str) -> str:
    return (
        f"scan failed: GET https://{host}/v2/{REPOSITORY}/tags/list?n=1000: "
        "UNAUTHORIZED: authentication required; "
        f"[map[Action:pull Class: Name:{REPOSITORY} Type:repository]]"
    )


# -- scans that succeed -----------------------------------------------------------------------------------


def test_secret_ref_and_cert_secret_ref_scan_a_basic_auth_registry_over_tls(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, pull_secret_manifest(namespace, "pull", registries.basic),
          secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "pull"}, certSecretRef={"name": "ca"}))

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "✔ scan fetched 12 tags"
    obj = fetch(env, namespace, "app")
    assert obj["status"]["lastScanResult"]["tagCount"] == 12
    assert obj["status"]["canonicalImageName"] == f"{registries.basic}/{REPOSITORY}"
    assert database.exists()
    assert_no_canary(env, namespace, database, result)


def test_one_secret_serves_as_secret_ref_and_cert_secret_ref(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, pull_secret_manifest(namespace, "registry", registries.basic,
                                    extra={"ca.crt": registries.ca.cert_pem}))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "registry"}, certSecretRef={"name": "registry"}))

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert ready_of(env, namespace)["reason"] == "Succeeded"
    assert_no_canary(env, namespace, database, result)


def test_service_account_image_pull_secrets_supply_the_credentials(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, pull_secret_manifest(namespace, "pull", registries.basic),
          secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}),
          {"apiVersion": "v1", "kind": "ServiceAccount",
           "metadata": {"name": "scanner", "namespace": namespace}, "imagePullSecrets": [{"name": "pull"}]})
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 serviceAccountName="scanner", certSecretRef={"name": "ca"}))

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert fetch(env, namespace, "app")["status"]["lastScanResult"]["tagCount"] == 12
    assert_no_canary(env, namespace, database, result)


def test_a_client_certificate_pair_reaches_a_registry_that_requires_one(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, secret_manifest(namespace, "mtls", {
        "ca.crt": registries.ca.cert_pem,
        "tls.crt": registries.client.cert.read_bytes(),
        "tls.key": registries.client.key.read_bytes(),
    }, "kubernetes.io/tls"))
    create(env, image_repository(namespace, "app", f"{registries.mutual}/{REPOSITORY}",
                                 certSecretRef={"name": "mtls"}))

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert fetch(env, namespace, "app")["status"]["lastScanResult"]["tagCount"] == 12
    assert_no_canary(env, namespace, database, result)


# -- scans that fail at the registry -------------------------------------------------------------------------


def test_without_the_client_pair_the_mutual_tls_registry_refuses_the_scan(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}))
    create(env, image_repository(namespace, "app", f"{registries.mutual}/{REPOSITORY}",
                                 certSecretRef={"name": "ca"}))

    result = reconcile("app")

    assert result.code == 1
    ready = ready_of(env, namespace)
    assert (ready["status"], ready["reason"]) == ("False", "ReadOperationFailed")
    assert ready["message"].startswith(f"scan failed: GET https://{registries.mutual}/v2/{REPOSITORY}/tags/list")
    assert_no_canary(env, namespace, database, result)


def test_wrong_password_fails_the_scan_with_the_registrys_401(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, pull_secret_manifest(namespace, "pull", registries.basic, password=WRONG),
          secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "pull"}, certSecretRef={"name": "ca"}))

    result = reconcile("app")

    assert_failed(env, namespace, result, "ReadOperationFailed", unauthorized(registries.basic))
    assert_no_canary(env, namespace, database, result)


def test_an_opaque_pull_secret_is_ignored_so_the_scan_is_anonymous_and_gets_401(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    opaque = secret_manifest(namespace, "pull", {
        ".dockerconfigjson": docker_config(registries.basic, {"username": USER, "password": CANARY})})
    apply(env, opaque, secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "pull"}, certSecretRef={"name": "ca"}))

    result = reconcile("app")

    assert_failed(env, namespace, result, "ReadOperationFailed", unauthorized(registries.basic))
    assert_no_canary(env, namespace, database, result)


def test_without_the_ca_the_registry_certificate_is_not_trusted(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, pull_secret_manifest(namespace, "pull", registries.basic))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "pull"}))

    result = reconcile("app")

    assert_failed(env, namespace, result, "ReadOperationFailed", (
        f"scan failed: GET https://{registries.basic}/v2/{REPOSITORY}/tags/list?n=1000: "
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"))
    assert_no_canary(env, namespace, database, result)


# -- options that cannot be built: AuthenticationFailed, retried ---------------------------------------------


def test_a_missing_pull_secret_fails_authentication(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "pull"}, certSecretRef={"name": "ca"}))

    result = reconcile("app")

    assert_failed(env, namespace, result, "AuthenticationFailed",
                  'failed to configure authentication options: secrets "pull" not found')
    assert_no_canary(env, namespace, database, result)


def test_a_missing_service_account_fails_authentication(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 serviceAccountName="scanner"))

    result = reconcile("app")

    assert_failed(env, namespace, result, "AuthenticationFailed",
                  "failed to configure authentication options: "
                  f"serviceaccount '{namespace}/scanner' not found")
    assert_no_canary(env, namespace, database, result)


def test_a_cert_secret_missing_the_key_fails_authentication(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, pull_secret_manifest(namespace, "pull", registries.basic),
          secret_manifest(namespace, "certs", {"tls.crt": registries.client.cert.read_bytes()}))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "pull"}, certSecretRef={"name": "certs"}))

    result = reconcile("app")

    assert_failed(env, namespace, result, "AuthenticationFailed",
                  f"failed to configure authentication options: secret '{namespace}/certs' "
                  "contains 'tls.crt' but missing 'tls.key'")
    assert_no_canary(env, namespace, database, result)


def test_malformed_base64_in_the_auth_field_fails_authentication(
    env: Environment, registries: SecureRegistries, reconcile: Any, namespace: str, database: Path
) -> None:
    broken_auth = b64(f"{USER}:{CANARY}")[:-2] + "!!"
    apply(env, secret_manifest(namespace, "pull", {".dockerconfigjson": docker_config(
        registries.basic, {"auth": broken_auth, "password": CANARY})}, "kubernetes.io/dockerconfigjson"),
          secret_manifest(namespace, "ca", {"ca.crt": registries.ca.cert_pem}))
    create(env, image_repository(namespace, "app", f"{registries.basic}/{REPOSITORY}",
                                 secretRef={"name": "pull"}, certSecretRef={"name": "ca"}))

    result = reconcile("app")

    offset = len(broken_auth) - 2
    assert_failed(env, namespace, result, "AuthenticationFailed",
                  "failed to configure authentication options: unable to decode auth field: "
                  f"illegal base64 data at input byte {offset}")
    assert_no_canary(env, namespace, database, result)


# -- reconcile -f: the Secrets come from the same file ------------------------------------------------------


def write_manifests(path: Path, *objects: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(objects))
    return path


@pytest.fixture
def nowhere(tmp_path: Path) -> Path:
    """A kubeconfig without clusters: `reconcile -f` must not need one."""
    config = tmp_path / "nowhere.kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    return config


def test_reconcile_file_reads_the_pull_and_ca_secrets_from_the_same_file(
    registries: SecureRegistries, plugin: Plugin, database: Path, tmp_path: Path, nowhere: Path
) -> None:
    manifest = write_manifests(
        tmp_path / "repo.yaml",
        image_repository("apps", "app", f"{registries.basic}/{REPOSITORY}",
                         secretRef={"name": "pull"}, certSecretRef={"name": "ca"}),
        pull_secret_manifest("apps", "pull", registries.basic),
        secret_manifest("apps", "ca", {"ca.crt": registries.ca.cert_pem}),
    )

    result = plugin("reconcile", "-f", str(manifest), "--database", str(database), kubeconfig=nowhere)

    assert result.code == 0, result.stderr
    obj = yaml.safe_load(result.stdout)
    assert obj["status"]["lastScanResult"]["tagCount"] == 12
    for shown in SECRETS:
        assert shown not in result.stdout + result.stderr
        assert all(shown.encode() not in f.read_bytes() for f in database.parent.glob(database.name + "*"))


def test_reconcile_file_with_malformed_base64_names_the_secret_and_key(
    registries: SecureRegistries, plugin: Plugin, database: Path, tmp_path: Path, nowhere: Path
) -> None:
    broken = pull_secret_manifest("apps", "pull", registries.basic)
    broken["data"][".dockerconfigjson"] = "e30=" + broken["data"][".dockerconfigjson"]
    manifest = write_manifests(
        tmp_path / "repo.yaml",
        image_repository("apps", "app", f"{registries.basic}/{REPOSITORY}", secretRef={"name": "pull"}),
        broken,
    )

    result = plugin("reconcile", "-f", str(manifest), "--database", str(database), kubeconfig=nowhere)

    assert result.code == 1
    message = (
        "failed to configure authentication options: "
        "secret 'apps/pull': key '.dockerconfigjson': illegal base64 data at input byte 4"
    )
    ready = condition(yaml.safe_load(result.stdout), "Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", "AuthenticationFailed", message)
    assert result.stderr.splitlines()[-1] == f"✗ {message}"
    for shown in SECRETS:
        assert shown not in result.stdout + result.stderr
