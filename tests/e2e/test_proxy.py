"""Scans through real proxies: `spec.proxySecretRef` and the environment's proxies.

tinyproxy (HTTP, Basic proxy authentication) and microsocks (SOCKS5, username/password) run on
loopback; their logs prove which requests they carried. The proxy password is test_auth's canary: it
must never show in output, events, statuses or the tag database.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.e2e.test_auth import (
    CANARY,
    USER,
    WRONG,
    apply,
    assert_no_canary,
    pull_secret_manifest,
    secret_manifest,
    v6_host,
)
from tests.e2e.test_reconcile import condition, fetch
from tests.harness.environment import Environment
from tests.harness.faults import FaultProxy
from tests.harness.pki import CertificateAuthority
from tests.harness.processes import free_port
from tests.harness.proxies import HttpProxy, SocksProxy, start_http_proxy, start_socks_proxy
from tests.harness.secure_registries import htpasswd_auth, seed_storage, start_configured

pytestmark = pytest.mark.e2e

REPOSITORY = "proxied/app"
TAGS = [f"2.0.{i}" for i in range(120)]  # two pages on the harness registry
FIRST_PAGE = f"/v2/{REPOSITORY}/tags/list?n=1000"
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(scope="module")
def registry_host(env: Environment) -> str:
    env.registry.seed(REPOSITORY, TAGS)
    return env.registry.host


@pytest.fixture(scope="module")
def http_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpProxy]:
    proxy = start_http_proxy(tmp_path_factory.mktemp("tinyproxy"), credentials=(USER, CANARY))
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def socks_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SocksProxy]:
    proxy = start_socks_proxy(tmp_path_factory.mktemp("microsocks"), credentials=(USER, CANARY))
    yield proxy
    proxy.stop()


@pytest.fixture(autouse=True)
def no_environment_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin inherits os.environ: start every test without proxy variables."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


@pytest.fixture
def reconcile(plugin: Plugin, database: Path, namespace: str) -> Iterator[Any]:
    def run(*args: str) -> Result:
        return plugin("reconcile", "-n", namespace, "--database", str(database), *args, timeout=120)

    yield run


def proxy_secret(namespace: str, address: str, password: str = CANARY) -> dict[str, Any]:
    return secret_manifest(namespace, "proxy", {"address": address, "username": USER, "password": password})


def ready_message(env: Environment, namespace: str, reason: str) -> str:
    """Ready=False with `reason`, retried rather than stalled; returns the message."""
    obj = fetch(env, namespace, "app")
    ready, reconciling = condition(obj, "Ready"), condition(obj, "Reconciling")
    assert ready is not None and reconciling is not None
    assert (ready["status"], ready["reason"]) == ("False", reason)
    assert (reconciling["status"], reconciling["reason"]) == ("True", "ProgressingWithRetry")
    assert condition(obj, "Stalled") is None
    message: str = ready["message"]
    return message


def tag_count(env: Environment, namespace: str) -> int:
    count: int = fetch(env, namespace, "app")["status"]["lastScanResult"]["tagCount"]
    return count


# -- spec.proxySecretRef through tinyproxy ------------------------------------------------------------------


def test_a_proxy_secret_with_credentials_carries_the_scan_through_an_http_proxy(
    env: Environment, registry_host: str, http_proxy: HttpProxy, reconcile: Any, namespace: str,
    database: Path
) -> None:
    apply(env, proxy_secret(namespace, http_proxy.url))
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))
    before = len(http_proxy.requests())

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert tag_count(env, namespace) == len(TAGS)
    carried = http_proxy.requests()[before:]
    assert carried[0] == f"GET http://{registry_host}{FIRST_PAGE} HTTP/1.1"
    assert len(carried) == 2 and carried[1].startswith(f"GET http://{registry_host}/v2/{REPOSITORY}/tags/list?")
    assert_no_canary(env, namespace, database, result)


def test_wrong_proxy_credentials_fail_the_scan_with_the_proxys_answer(
    env: Environment, registry_host: str, http_proxy: HttpProxy, reconcile: Any, namespace: str,
    database: Path
) -> None:
    apply(env, proxy_secret(namespace, http_proxy.url, password=WRONG))
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))

    result = reconcile("app")

    assert result.code == 1
    message = ready_message(env, namespace, "ReadOperationFailed")
    assert message.startswith(f"scan failed: GET http://{registry_host}{FIRST_PAGE}: "
                              "unexpected status code 401 Unauthorized: ")
    assert "Generated by tinyproxy" in message
    assert_no_canary(env, namespace, database, result)


def test_a_proxy_that_is_not_listening_gives_proxyconnect_connection_refused(
    env: Environment, registry_host: str, reconcile: Any, namespace: str, database: Path
) -> None:
    port = free_port()
    apply(env, proxy_secret(namespace, f"http://127.0.0.1:{port}"))
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))

    result = reconcile("app")

    assert result.code == 1
    assert ready_message(env, namespace, "ReadOperationFailed") == (
        f"scan failed: GET http://{registry_host}{FIRST_PAGE}: "
        f"proxyconnect tcp: dial tcp 127.0.0.1:{port}: connect: connection refused")
    assert_no_canary(env, namespace, database, result)


def test_a_missing_proxy_secret_fails_authentication(
    env: Environment, registry_host: str, reconcile: Any, namespace: str, database: Path
) -> None:
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))

    result = reconcile("app")

    assert result.code == 1
    assert ready_message(env, namespace, "AuthenticationFailed") == (
        f"failed to configure authentication options: secret '{namespace}/proxy' not found")
    assert result.stderr.splitlines()[-1] == (
        f"✗ failed to configure authentication options: secret '{namespace}/proxy' not found")


def test_a_proxy_address_with_an_unsupported_scheme_fails_authentication(
    env: Environment, registry_host: str, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, proxy_secret(namespace, "ftp://127.0.0.1:21"))
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))

    result = reconcile("app")

    assert result.code == 1
    assert ready_message(env, namespace, "AuthenticationFailed") == (
        f"failed to configure authentication options: secret '{namespace}/proxy': proxy URL must use one "
        "of the supported schemes (http, https, socks5), got 'ftp'")
    assert_no_canary(env, namespace, database, result)


def test_a_proxy_address_that_does_not_parse_fails_authentication_without_its_password(
    env: Environment, registry_host: str, reconcile: Any, namespace: str, database: Path
) -> None:
    apply(env, secret_manifest(namespace, "proxy", {"address": f"http://{USER}:{CANARY}@127.0.0.1:port"}))
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))

    result = reconcile("app")

    assert result.code == 1
    message = ready_message(env, namespace, "AuthenticationFailed")
    assert message.startswith(f"failed to configure authentication options: secret '{namespace}/proxy': "
                              f"failed to parse proxy address 'http://{USER}:xxxxx@127.0.0.1:port'")
    assert_no_canary(env, namespace, database, result)


# -- spec.proxySecretRef through microsocks -----------------------------------------------------------------


def test_a_socks5_proxy_secret_carries_the_scan_and_resolves_names_at_the_proxy(
    env: Environment, registry_host: str, socks_proxy: SocksProxy, reconcile: Any, namespace: str,
    database: Path
) -> None:
    apply(env, proxy_secret(namespace, f"socks5://{socks_proxy.address}"))
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))
    before = len(socks_proxy.tunnels())

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert tag_count(env, namespace) == len(TAGS)
    tunnels = socks_proxy.tunnels()[before:]
    assert tunnels and set(tunnels) == {registry_host}
    assert_no_canary(env, namespace, database, result)


def test_wrong_socks5_credentials_fail_the_scan_as_go_words_it(
    env: Environment, registry_host: str, socks_proxy: SocksProxy, reconcile: Any, namespace: str,
    database: Path
) -> None:
    apply(env, proxy_secret(namespace, f"socks5://{socks_proxy.address}", password=WRONG))
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}",
                                 proxySecretRef={"name": "proxy"}))

    result = reconcile("app")

    assert result.code == 1
    assert ready_message(env, namespace, "ReadOperationFailed") == (
        f"scan failed: GET http://{registry_host}{FIRST_PAGE}: socks connect tcp "
        f"{socks_proxy.address}->{registry_host}: username/password authentication failed")
    assert_no_canary(env, namespace, database, result)


# -- an authenticated TLS registry through CONNECT ---------------------------------------------------------


@pytest.fixture(scope="module")
def tls_basic(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, bytes]]:
    """An htpasswd registry over TLS on ::1: (host spelled for HTTPS, the CA's PEM)."""
    workdir = tmp_path_factory.mktemp("proxy-registry")
    ca = CertificateAuthority(workdir / "pki")
    seeded = seed_storage(env.binaries.registry, workdir, {REPOSITORY: TAGS})
    server, host = start_configured(env.binaries.registry, workdir, "proxy-basic", seeded.root,
                                    htpasswd_auth(workdir, {USER: CANARY}), tls=True, ca=ca, listen="::1")
    yield v6_host(host), ca.cert_pem
    server.stop()


def test_service_account_pull_secrets_reach_a_tls_registry_through_the_proxys_tunnel(
    env: Environment, tls_basic: tuple[str, bytes], http_proxy: HttpProxy, reconcile: Any, namespace: str,
    database: Path
) -> None:
    host, ca_pem = tls_basic
    apply(env, pull_secret_manifest(namespace, "pull", host),
          secret_manifest(namespace, "ca", {"ca.crt": ca_pem}),
          proxy_secret(namespace, http_proxy.url),
          {"apiVersion": "v1", "kind": "ServiceAccount",
           "metadata": {"name": "scanner", "namespace": namespace}, "imagePullSecrets": [{"name": "pull"}]})
    create(env, image_repository(namespace, "app", f"{host}/{REPOSITORY}", serviceAccountName="scanner",
                                 certSecretRef={"name": "ca"}, proxySecretRef={"name": "proxy"}))
    before = len(http_proxy.requests())

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert tag_count(env, namespace) == len(TAGS)
    port = host.rsplit(":", 1)[1]
    carried = http_proxy.requests()[before:]
    assert carried and all(line.startswith("CONNECT ") and f":{port} " in line for line in carried)
    assert_no_canary(env, namespace, database, result)


def test_wrong_proxy_credentials_refuse_the_tunnel(
    env: Environment, tls_basic: tuple[str, bytes], http_proxy: HttpProxy, reconcile: Any, namespace: str,
    database: Path
) -> None:
    host, ca_pem = tls_basic
    apply(env, pull_secret_manifest(namespace, "pull", host),
          secret_manifest(namespace, "ca", {"ca.crt": ca_pem}),
          proxy_secret(namespace, http_proxy.url, password=WRONG))
    create(env, image_repository(namespace, "app", f"{host}/{REPOSITORY}", secretRef={"name": "pull"},
                                 certSecretRef={"name": "ca"}, proxySecretRef={"name": "proxy"}))

    result = reconcile("app")

    assert result.code == 1
    assert ready_message(env, namespace, "ReadOperationFailed") == (
        f"scan failed: GET https://{host}{FIRST_PAGE}: Unauthorized")
    assert_no_canary(env, namespace, database, result)


# -- the environment's proxies, without a Secret ------------------------------------------------------------


@pytest.fixture
def named_registry(registry_host: str) -> Iterator[str]:
    """The harness registry reached by this machine's host name (not a loopback literal, so proxied)."""
    name = socket.gethostname()
    address = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    with FaultProxy(registry_host, listen=str(address)) as forwarder:
        yield f"{name}:{forwarder.host.rsplit(':', 1)[1]}"


def test_without_a_proxy_secret_the_environment_proxy_carries_the_scan(
    env: Environment, named_registry: str, http_proxy: HttpProxy, reconcile: Any, namespace: str,
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://{USER}:{CANARY}@{http_proxy.address}")
    create(env, image_repository(namespace, "app", f"{named_registry}/{REPOSITORY}", insecure=True))
    before = len(http_proxy.requests())

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert tag_count(env, namespace) == len(TAGS)
    assert http_proxy.requests()[before:][0] == f"GET http://{named_registry}{FIRST_PAGE} HTTP/1.1"
    assert_no_canary(env, namespace, database, result)


def test_no_proxy_sends_the_scan_straight_to_the_registry(
    env: Environment, named_registry: str, http_proxy: HttpProxy, reconcile: Any, namespace: str,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://{USER}:{CANARY}@{http_proxy.address}")
    monkeypatch.setenv("NO_PROXY", named_registry.rsplit(":", 1)[0])
    create(env, image_repository(namespace, "app", f"{named_registry}/{REPOSITORY}", insecure=True))
    before = len(http_proxy.requests())

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert http_proxy.requests()[before:] == []


def test_the_environment_proxy_is_never_used_for_a_loopback_registry(
    env: Environment, registry_host: str, http_proxy: HttpProxy, reconcile: Any, namespace: str,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://{USER}:{CANARY}@{http_proxy.address}")
    create(env, image_repository(namespace, "app", f"{registry_host}/{REPOSITORY}"))
    before = len(http_proxy.requests())

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert http_proxy.requests()[before:] == []


def test_a_proxy_secret_replaces_the_environment_proxy(
    env: Environment, named_registry: str, socks_proxy: SocksProxy, reconcile: Any, namespace: str,
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    apply(env, proxy_secret(namespace, f"socks5://{socks_proxy.address}"))
    create(env, image_repository(namespace, "app", f"{named_registry}/{REPOSITORY}", insecure=True,
                                 proxySecretRef={"name": "proxy"}))
    before = len(socks_proxy.tunnels())

    result = reconcile("app")

    assert result.code == 0, result.stderr
    assert set(socks_proxy.tunnels()[before:]) == {named_registry}  # the name went to the proxy unresolved
    assert_no_canary(env, namespace, database, result)
