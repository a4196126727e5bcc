"""`spec.provider: aws|azure|gcp` against clouds on loopback (docs/behaviour.md, Registry access).

AWS is moto in server mode; Azure is a fake App Service managed identity plus a fake ACR
`/oauth2/exchange` in front of a real registry; GCP is an emulated GCE metadata server. The registries
are distribution v3 with htpasswd users holding exactly what each cloud hands out (moto's ECR token is
`AWS:<account>-auth-token`). The cloud host names reach them through the `sitecustomize` hook of
`tests.harness.cloud`, in the plugin's process only; TLS checks those names against the test CA given in
`certSecretRef`. No cloud secret may show anywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.reconcile.decisions import FEATURE_GATE_DISABLED_MESSAGE
from kubectl_imagerepo.registry.cloud import GCP_SCOPES
from kubectl_imagerepo.registry.cloud_hosts import AWS_PATTERN, AZURE_PATTERN, GCP_PATTERN
from tests.e2e.conftest import Result, create, image_repository
from tests.e2e.test_auth import apply, assert_failed, secret_manifest
from tests.e2e.test_reconcile import condition, fetch
from tests.harness.cloud import (
    ACR_USERNAME,
    HOSTS_VARIABLE,
    AcrFront,
    AzureManagedIdentity,
    CloudCA,
    CloudSecrets,
    GceMetadataServer,
    host_map_directory,
)
from tests.harness.environment import Environment
from tests.harness.processes import Server
from tests.harness.secure_registries import htpasswd_auth, seed_storage, start_configured

pytestmark = pytest.mark.e2e

ACCOUNT, ROLE_ACCOUNT = "123456789012", "210987654321"
ECR_HOST = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
ROLE_ECR_HOST = f"{ROLE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
ACR_HOST = "kubectlimagerepo.azurecr.io"
GCR_HOST = "gcr.io"
ROLE_ARN = f"arn:aws:iam::{ROLE_ACCOUNT}:role/image-reader"
REPOSITORY = "team/app"
TAGS = [f"2.0.{i}" for i in range(7)]


@dataclass
class Clouds:
    """The fake clouds, the registries behind the cloud host names, and the plugin's environment."""

    secrets: CloudSecrets
    ca: CloudCA
    azure: AzureManagedIdentity
    acr: AcrFront
    google: GceMetadataServer
    environ: dict[str, str]


@pytest.fixture(scope="module")
def clouds(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clouds]:
    from moto.server import ThreadedMotoServer

    workdir = tmp_path_factory.mktemp("clouds")
    cloud = CloudSecrets.generate()
    ca = CloudCA(workdir / "pki", [ECR_HOST, ROLE_ECR_HOST, ACR_HOST, GCR_HOST])
    seeded = seed_storage(env.binaries.registry, workdir, {REPOSITORY: TAGS})
    started: list[Any] = []
    try:
        users = {"AWS": f"{ACCOUNT}-auth-token", ACR_USERNAME: cloud.acr_refresh_token,
                 "oauth2accesstoken": cloud.gcp_access_token}
        shared, shared_host = _registry(env, workdir, "cloud-shared", seeded.root, users, ca)
        started.append(shared)
        role, role_host = _registry(env, workdir, "cloud-role", seeded.root,
                                    {"AWS": f"{ROLE_ACCOUNT}-auth-token"}, ca)
        started.append(role)
        moto_server: Any = ThreadedMotoServer  # moto has no type information
        moto = moto_server(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        started.append(moto)
        azure = AzureManagedIdentity(cloud)
        started.append(azure)
        acr = AcrFront(cloud, shared_host, ca.issue("acr-front", "127.0.0.1"), ca.pair.cert, ACR_HOST)
        started.append(acr)
        google = GceMetadataServer(cloud)
        started.append(google)
        hosts = {ECR_HOST: _port(shared_host), GCR_HOST: _port(shared_host), ROLE_ECR_HOST: _port(role_host),
                 ACR_HOST: acr.port}
        moto_host, moto_port = moto.get_host_and_port()
        environ = {
            **env.path_env(),
            "PYTHONPATH": str(host_map_directory(workdir / "hook")),
            HOSTS_VARIABLE: json.dumps(hosts),
            # AWS: moto, with the user's own keys.
            "AWS_ENDPOINT_URL": f"http://{moto_host}:{moto_port}",
            "AWS_ACCESS_KEY_ID": "AKIAKUBECTLIMAGEREPO",
            "AWS_SECRET_ACCESS_KEY": cloud.aws_secret_key,
            "AWS_CONFIG_FILE": str(workdir / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            # Azure: an App Service managed identity; no Azure CLI login.
            "IDENTITY_ENDPOINT": azure.endpoint,
            "IDENTITY_HEADER": cloud.azure_identity_header,
            "AZURE_CONFIG_DIR": str(workdir / "no-azure-config"),
            # GCP: the metadata server of a Compute Engine VM; no gcloud login.
            "GCE_METADATA_HOST": google.host,
            "GCE_METADATA_IP": google.host,
            "CLOUDSDK_CONFIG": str(workdir / "no-gcloud-config"),
        }
        for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN",
                     "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AZURE_CLIENT_ID", "AZURE_TENANT_ID",
                     "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "MSI_ENDPOINT",
                     "GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_ROOT"):
            environ.pop(name, None)
        yield Clouds(cloud, ca, azure, acr, google, environ)
    finally:
        for thing in reversed(started):
            thing.stop()


def _port(host: str) -> int:
    return int(host.rsplit(":", 1)[1])


def _registry(env: Environment, workdir: Path, name: str, root: Path, users: dict[str, str],
              ca: CloudCA) -> tuple[Server, str]:
    directory = workdir / name
    directory.mkdir()
    return start_configured(env.binaries.registry, directory, name, root, htpasswd_auth(directory, users),
                            tls=True, ca=ca)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


@pytest.fixture
def reconcile(env: Environment, clouds: Clouds, database: Path, namespace: str) -> Iterator[Any]:
    def run(*args: str, without: tuple[str, ...] = ()) -> Result:
        environ = {k: v for k, v in clouds.environ.items() if k not in without}
        done = subprocess.run(
            [sys.executable, "-m", "kubectl_imagerepo", "reconcile", "-n", namespace, "--database",
             str(database), *args],
            capture_output=True, text=True, timeout=180, env=environ,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    yield run


def cloud_repository(env: Environment, clouds: Clouds, namespace: str, image: str, **spec: Any) -> None:
    apply(env, secret_manifest(namespace, "ca", {"ca.crt": clouds.ca.cert_pem}))
    create(env, image_repository(namespace, "app", image, certSecretRef={"name": "ca"}, **spec))


def assert_scanned(env: Environment, namespace: str, result: Result, image: str) -> None:
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"✔ scan fetched {len(TAGS)} tags"
    obj = fetch(env, namespace, "app")
    ready = condition(obj, "Ready")
    assert ready is not None and ready["status"] == "True", obj["status"]
    assert obj["status"]["lastScanResult"]["tagCount"] == len(TAGS)
    assert obj["status"]["canonicalImageName"] == image


def assert_no_cloud_secret(env: Environment, clouds: Clouds, namespace: str, database: Path,
                           result: Result) -> None:
    """Neither the output, the events, the statuses nor the tag database show a cloud secret."""
    events = env.plane.request("GET", f"/api/v1/namespaces/{namespace}/events")
    objects = env.plane.request(
        "GET", f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories")
    texts = {"stdout": result.stdout, "stderr": result.stderr, "events": json.dumps(events),
             "objects": json.dumps(objects)}
    for where, text in texts.items():
        for shown in clouds.secrets.all():
            assert shown not in text, f"a cloud secret shows in {where}"
    for file in database.parent.glob(database.name + "*"):
        content = file.read_bytes()
        for shown in clouds.secrets.all():
            assert shown.encode() not in content, f"a cloud secret is stored in {file.name}"


# -- the user's own credentials -------------------------------------------------------------------------


def test_aws_scans_ecr_with_the_authorization_token_of_the_users_credentials(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str, database: Path
) -> None:
    image = f"{ECR_HOST}/{REPOSITORY}"
    cloud_repository(env, clouds, namespace, image, provider="aws")

    result = reconcile("app")

    assert_scanned(env, namespace, result, image)
    assert_no_cloud_secret(env, clouds, namespace, database, result)


def test_azure_exchanges_the_aad_token_for_an_acr_refresh_token(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str, database: Path
) -> None:
    image = f"{ACR_HOST}/{REPOSITORY}"
    cloud_repository(env, clouds, namespace, image, provider="azure")

    result = reconcile("app")

    assert_scanned(env, namespace, result, image)
    assert {"resource": "https://containerregistry.azure.net"} in clouds.azure.requests
    assert {"grant_type": "access_token", "service": ACR_HOST} in clouds.acr.requests
    assert_no_cloud_secret(env, clouds, namespace, database, result)


def test_gcp_scans_with_the_access_token_of_the_metadata_servers_service_account(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str, database: Path
) -> None:
    image = f"{GCR_HOST}/{REPOSITORY}"
    cloud_repository(env, clouds, namespace, image, provider="gcp")

    result = reconcile("app")

    assert_scanned(env, namespace, result, image)
    token_requests = [r for r in clouds.google.requests if r["path"].endswith("/token")]
    assert token_requests, clouds.google.requests
    assert token_requests[-1]["scopes"] == ",".join(GCP_SCOPES)
    assert_no_cloud_secret(env, clouds, namespace, database, result)


def test_a_registry_the_provider_does_not_serve_fails_the_scan(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str, database: Path
) -> None:
    cloud_repository(env, clouds, namespace, f"{GCR_HOST}/{REPOSITORY}", provider="aws")

    result = reconcile("app")

    url = f"https://{GCR_HOST}/v2/{REPOSITORY}/tags/list?n=1000"
    message = f"scan failed: Get \"{url}\": invalid AWS registry: '{GCR_HOST}'. must match {AWS_PATTERN}"
    assert_failed(env, namespace, result, "ReadOperationFailed", message)
    assert_no_cloud_secret(env, clouds, namespace, database, result)


def test_the_users_credentials_refused_by_the_cloud_fail_the_scan(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str, database: Path
) -> None:
    cloud_repository(env, clouds, namespace, f"{ECR_HOST}/{REPOSITORY}", provider="aws")

    result = reconcile("app", without=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))

    message = "scan failed: failed to get ECR authorization token: Unable to locate credentials"
    assert_failed(env, namespace, result, "ReadOperationFailed", message)


# -- object-level workload identity ---------------------------------------------------------------------


def service_account(env: Environment, namespace: str, annotations: dict[str, str]) -> None:
    apply(env, {"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "reader", "namespace": namespace, "annotations": annotations}})


def test_a_service_account_without_the_feature_gate_stalls(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str
) -> None:
    service_account(env, namespace, {"eks.amazonaws.com/role-arn": ROLE_ARN})
    cloud_repository(env, clouds, namespace, f"{ROLE_ECR_HOST}/{REPOSITORY}", provider="aws",
                     serviceAccountName="reader")

    result = reconcile("app")

    assert result.code == 1
    stalled = condition(fetch(env, namespace, "app"), "Stalled")
    assert stalled is not None
    assert (stalled["status"], stalled["reason"], stalled["message"]) == (
        "True", "FeatureGateDisabled", FEATURE_GATE_DISABLED_MESSAGE)


def test_with_the_feature_gate_the_service_account_token_assumes_the_annotated_role(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str, database: Path
) -> None:
    image = f"{ROLE_ECR_HOST}/{REPOSITORY}"
    service_account(env, namespace, {"eks.amazonaws.com/role-arn": ROLE_ARN})
    cloud_repository(env, clouds, namespace, image, provider="aws", serviceAccountName="reader")

    # No keys of the user's own: only the role assumed with the ServiceAccount's token can log in, and
    # the registry takes only the token of the role's account.
    result = reconcile("app", "--feature-gates=ObjectLevelWorkloadIdentity=true",
                       without=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))

    assert_scanned(env, namespace, result, image)
    assert_no_cloud_secret(env, clouds, namespace, database, result)


def test_with_the_feature_gate_a_service_account_without_the_role_annotation_fails_the_scan(
    env: Environment, clouds: Clouds, reconcile: Any, namespace: str
) -> None:
    service_account(env, namespace, {})
    cloud_repository(env, clouds, namespace, f"{ROLE_ECR_HOST}/{REPOSITORY}", provider="aws",
                     serviceAccountName="reader")

    result = reconcile("app", "--feature-gates=ObjectLevelWorkloadIdentity=true")

    message = (f"scan failed: serviceaccount '{namespace}/reader' has no 'eks.amazonaws.com/role-arn' "
               "annotation")
    assert_failed(env, namespace, result, "ReadOperationFailed", message)


# -- a host the provider does not serve, with and without the provider's SDK -------------------------------

#: What each provider's SDK extra provides, hidden from the plugin's process to simulate "not installed".
SDK_MODULES = ("boto3", "botocore", "azure", "google.auth")
PROVIDER_NAMES = {"aws": ("AWS", AWS_PATTERN), "azure": ("Azure", AZURE_PATTERN), "gcp": ("GCP", GCP_PATTERN)}


def sdk_blocker(directory: Path) -> Path:
    """A `sitecustomize` that makes the cloud SDKs unimportable in the process it starts in."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(
        "import sys\n"
        f"BLOCKED = {SDK_MODULES!r}\n"
        "class _Blocker:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if any(name == b or name.startswith(b + '.') for b in BLOCKED):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Blocker())\n"
    )
    return directory


@pytest.mark.parametrize("sdk", ["installed", "missing"])
@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
def test_a_host_the_provider_does_not_serve_fails_inside_the_request_whether_or_not_its_sdk_is_installed(
    env: Environment, namespace: str, tmp_path: Path, provider: str, sdk: str
) -> None:
    host = env.registry.host
    create(env, image_repository(namespace, "app", f"{host}/{REPOSITORY}", provider=provider))
    environ = env.path_env()
    if sdk == "missing":
        environ["PYTHONPATH"] = str(sdk_blocker(tmp_path / "no-sdk"))

    done = subprocess.run(
        [sys.executable, "-m", "kubectl_imagerepo", "reconcile", "-n", namespace, "--database",
         str(tmp_path / "tags.sqlite3"), "app"],
        capture_output=True, text=True, timeout=180, env=environ,
    )

    name, pattern = PROVIDER_NAMES[provider]
    url = f"http://{host}/v2/{REPOSITORY}/tags/list?n=1000"  # ggcr reaches 127.0.0.1 over plain HTTP
    message = f"scan failed: Get \"{url}\": invalid {name} registry: '{host}'. must match {pattern}"
    assert_failed(env, namespace, Result(done.returncode, done.stdout, done.stderr), "ReadOperationFailed",
                  message)


def test_without_its_sdk_a_host_the_provider_serves_fails_authentication_naming_the_extra(
    env: Environment, namespace: str, tmp_path: Path
) -> None:
    create(env, image_repository(namespace, "app", f"{ECR_HOST}/{REPOSITORY}", provider="aws"))
    environ = {**env.path_env(), "PYTHONPATH": str(sdk_blocker(tmp_path / "no-sdk"))}

    done = subprocess.run(
        [sys.executable, "-m", "kubectl_imagerepo", "reconcile", "-n", namespace, "--database",
         str(tmp_path / "tags.sqlite3"), "app"],
        capture_output=True, text=True, timeout=180, env=environ,
    )

    assert_failed(env, namespace, Result(done.returncode, done.stdout, done.stderr), "AuthenticationFailed",
                  "failed to configure authentication options: provider 'aws' needs boto3: "
                  "pip install 'kubectl-imagerepo[aws]'")
