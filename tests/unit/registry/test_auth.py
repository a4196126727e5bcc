"""Registry access options from an ImageRepository's Secrets (see docs/behaviour.md, Registry access)."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.model.imagerepository import ImageRepository
from kubectl_imagerepo.model.reference import parse_image_reference
from kubectl_imagerepo.registry.access import AuthError, FileSecrets, RegistryAccess, resolve_access
from kubectl_imagerepo.registry.credentials import Credentials
from tests.harness.pki import CertificateAuthority, Pair

NS = "team"
IMAGE = "ghcr.io/org/app"


def b64(data: str | bytes) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def secret(name: str, data: Mapping[str, str | bytes], kind: str = "Opaque") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": NS},
        "type": kind,
        "data": {key: b64(value) for key, value in data.items()},
    }


def pull_secret(
    name: str, auths: Mapping[str, Any], extra: Mapping[str, bytes] | None = None
) -> dict[str, Any]:
    data: dict[str, str | bytes] = {".dockerconfigjson": json.dumps({"auths": auths}), **(extra or {})}
    return secret(name, data, "kubernetes.io/dockerconfigjson")


def service_account(name: str, *pull_secrets: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": name, "namespace": NS},
        "imagePullSecrets": [{"name": n} for n in pull_secrets],
    }


def login(user: str, password: str) -> dict[str, str]:
    return {"username": user, "password": password}


class Source:
    """An in-memory SecretSource that counts reads and can fail a read as the API server would."""

    def __init__(self, *objects: dict[str, Any], failing: Mapping[str, str] | None = None) -> None:
        self.secrets = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Secret"}
        self.accounts = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ServiceAccount"}
        self.failing = dict(failing or {})
        self.reads: list[str] = []

    def secret(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        self.reads.append(name)
        if name in self.failing:
            raise AuthError(self.failing[name])
        assert namespace == NS
        return self.secrets.get(name)

    def service_account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        if name in self.failing:
            raise AuthError(self.failing[name])
        return self.accounts.get(name)


def repository(image: str = IMAGE, **spec: Any) -> ImageRepository:
    return ImageRepository.from_dict(
        {
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageRepository",
            "metadata": {"name": "app", "namespace": NS, "generation": 1},
            "spec": {"image": image, "interval": "5m", **spec},
        }
    )


def resolve(source: Source, image: str = IMAGE, **spec: Any) -> RegistryAccess:
    repo = repository(image, **spec)
    return resolve_access(source, repo, parse_image_reference(repo.image, repo.insecure))


def failure(source: Source, image: str = IMAGE, **spec: Any) -> str:
    with pytest.raises(AuthError) as caught:
        resolve(source, image, **spec)
    return str(caught.value)


def ref(name: str) -> dict[str, str]:
    return {"name": name}


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def client(ca: CertificateAuthority) -> Pair:
    return ca.issue("client", "robot", server=False)


# -- nothing referenced ---------------------------------------------------------------------------------


def test_no_references_give_anonymous_access_with_the_environment_proxies() -> None:
    access = resolve(Source())
    assert access == RegistryAccess()
    assert access.directory is None


# -- proxy ----------------------------------------------------------------------------------------------


def test_proxy_address_is_the_proxy_of_both_schemes() -> None:
    proxy = secret("proxy", {"address": "http://proxy.internal:3128"})
    access = resolve(Source(proxy), proxySecretRef=ref("proxy"))
    assert access.proxies == {"http": "http://proxy.internal:3128", "https": "http://proxy.internal:3128"}


def test_proxy_username_and_password_go_into_the_url_escaped() -> None:
    proxy = secret("proxy", {"address": "https://proxy:3128/", "username": "bob", "password": "p@ss:w/rd"})
    access = resolve(Source(proxy), proxySecretRef=ref("proxy"))
    assert access.proxies is not None
    assert access.proxies["https"] == "https://bob:p%40ss%3Aw%2Frd@proxy:3128/"


def test_proxy_username_without_password_gives_the_user_only_form() -> None:
    proxy = secret("proxy", {"address": "socks5://proxy:1080", "username": "bob"})
    access = resolve(Source(proxy), proxySecretRef=ref("proxy"))
    assert access.proxies is not None
    assert access.proxies["http"] == "socks5://bob@proxy:1080"


def test_proxy_password_without_username_is_not_used() -> None:
    proxy = secret("proxy", {"address": "http://proxy:3128", "password": "unused"})
    assert resolve(Source(proxy), proxySecretRef=ref("proxy")).proxies == {
        "http": "http://proxy:3128", "https": "http://proxy:3128"}


def test_missing_proxy_secret() -> None:
    assert failure(Source(), proxySecretRef=ref("proxy")) == "secret 'team/proxy' not found"


def test_proxy_secret_read_failure_is_wrapped() -> None:
    source = Source(failing={"proxy": 'secrets "proxy" is forbidden: User "u" cannot get resource "secrets"'})
    assert failure(source, proxySecretRef=ref("proxy")) == (
        "failed to get secret 'team/proxy': "
        'secrets "proxy" is forbidden: User "u" cannot get resource "secrets"'
    )


def test_proxy_secret_without_address() -> None:
    source = Source(secret("proxy", {"username": "bob"}))
    assert failure(source, proxySecretRef=ref("proxy")) == "secret 'team/proxy': key 'address' not found"


def test_proxy_address_that_is_empty() -> None:
    source = Source(secret("proxy", {"address": ""}))
    assert failure(source, proxySecretRef=ref("proxy")) == "secret 'team/proxy': proxy address is empty"


def test_proxy_address_with_an_unsupported_scheme() -> None:
    source = Source(secret("proxy", {"address": "ftp://proxy:21"}))
    assert failure(source, proxySecretRef=ref("proxy")) == (
        "secret 'team/proxy': proxy URL must use one of the supported schemes (http, https, socks5), "
        "got 'ftp'"
    )


def test_proxy_address_without_scheme_is_a_url_parse_error() -> None:
    source = Source(secret("proxy", {"address": "127.0.0.1:3128"}))
    assert failure(source, proxySecretRef=ref("proxy")) == (
        "secret 'team/proxy': failed to parse proxy address '127.0.0.1:3128': "
        'parse "127.0.0.1:3128": first path segment in URL cannot contain colon'
    )


def test_proxy_host_name_without_scheme_reads_as_a_scheme() -> None:
    source = Source(secret("proxy", {"address": "proxy.internal:3128"}))
    assert failure(source, proxySecretRef=ref("proxy")).endswith("got 'proxy.internal'")


def test_proxy_address_longer_than_2048_characters() -> None:
    source = Source(secret("proxy", {"address": "http://proxy/" + "a" * 2040}))
    assert failure(source, proxySecretRef=ref("proxy")) == (
        "secret 'team/proxy': proxy URL exceeds maximum length of 2048 characters"
    )


def test_proxy_parse_errors_never_show_the_password_in_the_address() -> None:
    source = Source(secret("proxy", {"address": "http://bob:hunter%zz2@proxy:bad"}))
    message = failure(source, proxySecretRef=ref("proxy"))
    assert message == (
        "secret 'team/proxy': failed to parse proxy address 'http://bob:xxxxx@proxy:bad': "
        'parse "http://bob:xxxxx@proxy:bad": invalid port ":bad" after host'
    )


def test_proxy_escape_errors_never_quote_the_password() -> None:
    source = Source(secret("proxy", {"address": "http://bob:hunter%zz2@proxy:3128"}))
    message = failure(source, proxySecretRef=ref("proxy"))
    assert "hunter" not in message
    assert "%zz" not in message


def test_the_access_repr_hides_the_proxy_password() -> None:
    proxy = secret("proxy", {"address": "http://proxy:3128", "username": "bob", "password": "hunter22"})
    assert "hunter22" not in repr(resolve(Source(proxy), proxySecretRef=ref("proxy")))


# -- provider -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
def test_cloud_providers_ignore_secret_ref_and_service_account_pull_secrets(provider: str) -> None:
    source = Source()
    access = resolve(source, provider=provider, secretRef=ref("missing"))
    assert access.credentials is None
    assert source.reads == []


def test_cloud_providers_still_use_the_proxy_and_the_certificates(ca: CertificateAuthority) -> None:
    proxy, certs = secret("proxy", {"address": "http://proxy:3128"}), secret("certs", {"ca.crt": ca.cert_pem})
    source = Source(proxy, certs)
    with resolve(source, provider="aws", proxySecretRef=ref("proxy"), certSecretRef=ref("certs")) as access:
        assert access.proxies is not None
        assert access.ca_file is not None


def test_an_unknown_provider_is_not_implemented() -> None:
    assert failure(Source(), provider="oci") == "provider 'oci' not implemented"


def test_an_empty_provider_means_generic() -> None:
    pull = pull_secret("pull", {"ghcr.io": login("robot", "pw")})
    assert resolve(Source(pull), provider="", secretRef=ref("pull")).credentials == Credentials("robot", "pw")


# -- TLS ------------------------------------------------------------------------------------------------


def test_ca_certificate_is_written_to_a_private_file(ca: CertificateAuthority) -> None:
    with resolve(Source(secret("certs", {"ca.crt": ca.cert_pem})), certSecretRef=ref("certs")) as access:
        assert access.ca_file is not None and access.client_cert is None
        assert Path(access.ca_file).read_bytes() == ca.cert_pem
        assert stat.S_IMODE(os.stat(access.ca_file).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(access.ca_file)).st_mode) == 0o700


def test_closing_the_access_removes_its_files(ca: CertificateAuthority) -> None:
    access = resolve(Source(secret("certs", {"ca.crt": ca.cert_pem})), certSecretRef=ref("certs"))
    assert access.directory is not None and os.path.isdir(access.directory)
    access.close()
    assert not os.path.exists(access.directory)


def test_client_certificate_pair_is_written_for_mutual_tls(client: Pair) -> None:
    certs = secret("certs", {"tls.crt": client.cert.read_bytes(), "tls.key": client.key.read_bytes()})
    with resolve(Source(certs), certSecretRef=ref("certs")) as access:
        assert access.client_cert is not None and access.ca_file is None
        cert_file, key_file = access.client_cert
        assert Path(cert_file).read_bytes() == client.cert.read_bytes()
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_certificate_without_key(client: Pair) -> None:
    source = Source(secret("certs", {"tls.crt": client.cert.read_bytes()}))
    assert failure(source, certSecretRef=ref("certs")) == (
        "secret 'team/certs' contains 'tls.crt' but missing 'tls.key'"
    )


def test_key_without_certificate(client: Pair) -> None:
    source = Source(secret("certs", {"tls.key": client.key.read_bytes()}))
    assert failure(source, certSecretRef=ref("certs")) == (
        "secret 'team/certs' contains 'tls.key' but missing 'tls.crt'"
    )


def test_neither_ca_nor_pair() -> None:
    source = Source(secret("certs", {"username": "nothing-useful"}))
    assert failure(source, certSecretRef=ref("certs")) == (
        "secret 'team/certs' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'"
    )


def test_empty_values_count_as_missing(client: Pair) -> None:
    source = Source(secret("certs", {"tls.crt": client.cert.read_bytes(), "tls.key": "", "ca.crt": ""}))
    assert failure(source, certSecretRef=ref("certs")) == (
        "secret 'team/certs' contains 'tls.crt' but missing 'tls.key'"
    )


def test_legacy_keys_are_used_with_a_warning(
    ca: CertificateAuthority, client: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    legacy = secret("certs", {
        "caFile": ca.cert_pem, "certFile": client.cert.read_bytes(), "keyFile": client.key.read_bytes()
    })
    with caplog.at_level(logging.WARNING, logger="kubectl_imagerepo.registry.access"), \
            resolve(Source(legacy), certSecretRef=ref("certs")) as access:
        assert access.ca_file is not None and access.client_cert is not None
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 3
    assert all(w.startswith("using legacy key in secret data (secret 'team/certs', key '") for w in warnings)


def test_a_standard_key_wins_over_its_legacy_key(
    ca: CertificateAuthority, caplog: pytest.LogCaptureFixture
) -> None:
    both = secret("certs", {"ca.crt": ca.cert_pem, "caFile": "not a certificate"})
    with caplog.at_level(logging.WARNING), resolve(Source(both), certSecretRef=ref("certs")) as access:
        assert access.ca_file is not None
    assert caplog.records == []


def test_a_ca_that_is_not_pem_fails_to_parse() -> None:
    source = Source(secret("certs", {"ca.crt": "not a certificate"}))
    assert failure(source, certSecretRef=ref("certs")) == "failed to parse CA certificate"


def test_a_ca_bundle_keeps_the_certificates_that_parse(ca: CertificateAuthority) -> None:
    broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    source = Source(secret("certs", {"ca.crt": broken + ca.cert_pem}))
    with resolve(source, certSecretRef=ref("certs")) as access:
        assert access.ca_file is not None
        assert Path(access.ca_file).read_bytes() == ca.cert_pem


def test_a_key_that_is_not_pem_fails_to_parse_the_pair(client: Pair) -> None:
    source = Source(secret("certs", {"tls.crt": client.cert.read_bytes(), "tls.key": "garbage"}))
    assert failure(source, certSecretRef=ref("certs")) == (
        "failed to parse TLS certificate and key: tls: failed to find any PEM data in key input"
    )


def test_swapped_certificate_and_key_are_reported_as_go_does(client: Pair) -> None:
    swapped = {"tls.crt": client.key.read_bytes(), "tls.key": client.cert.read_bytes()}
    source = Source(secret("certs", swapped))
    assert failure(source, certSecretRef=ref("certs")) == (
        "failed to parse TLS certificate and key: tls: failed to find certificate PEM data in certificate "
        "input, but did find a private key; PEM inputs may have been switched"
    )


def test_a_key_of_another_certificate_does_not_match(ca: CertificateAuthority, client: Pair) -> None:
    other = ca.issue("other", "other", server=False)
    source = Source(secret("certs", {"tls.crt": client.cert.read_bytes(), "tls.key": other.key.read_bytes()}))
    assert failure(source, certSecretRef=ref("certs")) == (
        "failed to parse TLS certificate and key: tls: private key does not match public key"
    )


def test_a_failed_pair_leaves_no_files_behind(
    client: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    other = CertificateAuthority(tmp_path / "other").issue("x", "x", server=False)
    source = Source(secret("certs", {"tls.crt": client.cert.read_bytes(), "tls.key": other.key.read_bytes()}))
    with pytest.raises(AuthError):
        resolve(source, certSecretRef=ref("certs"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("kubectl-imagerepo-")] == []


def test_missing_cert_secret_is_the_raw_not_found() -> None:
    assert failure(Source(), certSecretRef=ref("certs")) == 'secrets "certs" not found'


def test_the_cert_secret_type_is_not_checked(ca: CertificateAuthority) -> None:
    typed = pull_secret("certs", {}, extra={"ca.crt": ca.cert_pem})
    with resolve(Source(typed), certSecretRef=ref("certs")) as access:
        assert access.ca_file is not None


def test_the_same_secret_serves_secret_ref_and_cert_secret_ref(ca: CertificateAuthority) -> None:
    both = pull_secret("registry", {"ghcr.io": login("robot", "pw")}, extra={"ca.crt": ca.cert_pem})
    source = Source(both)
    with resolve(source, secretRef=ref("registry"), certSecretRef=ref("registry")) as access:
        assert access.credentials == Credentials("robot", "pw")
        assert access.ca_file is not None
    assert source.reads == ["registry"]


def test_tls_errors_come_before_credential_errors() -> None:
    source = Source(secret("certs", {}))
    message = failure(source, certSecretRef=ref("certs"), secretRef=ref("missing"))
    assert message.startswith("secret 'team/certs' must contain either")


def test_malformed_base64_in_a_file_secret_names_the_secret_and_key() -> None:
    certs = {"kind": "Secret", "metadata": {"name": "certs", "namespace": NS}, "data": {"ca.crt": "LS0t!"}}
    assert failure(Source(certs), certSecretRef=ref("certs")) == (
        "secret 'team/certs': key 'ca.crt': illegal base64 data at input byte 4"
    )


# -- static credentials ---------------------------------------------------------------------------------


def test_secret_ref_credentials_are_looked_up_for_the_canonical_name() -> None:
    pull = pull_secret("pull", {"https://index.docker.io/v1/": login("robot", "pw")})
    assert resolve(Source(pull), "alpine", secretRef=ref("pull")).credentials == Credentials("robot", "pw")


def test_missing_secret_ref_is_the_raw_not_found() -> None:
    assert failure(Source(), secretRef=ref("pull")) == 'secrets "pull" not found'


def test_secret_ref_read_failure_is_the_apis_message() -> None:
    source = Source(failing={"pull": 'secrets "pull" is forbidden: no'})
    assert failure(source, secretRef=ref("pull")) == 'secrets "pull" is forbidden: no'


def test_an_empty_secret_ref_name_is_rejected_like_the_client() -> None:
    assert failure(Source(), secretRef={"name": ""}) == "resource name may not be empty"


def test_an_opaque_secret_ref_gives_anonymous_access() -> None:
    opaque = secret("pull", {".dockerconfigjson": json.dumps({"auths": {"ghcr.io": login("robot", "pw")}})})
    assert resolve(Source(opaque), secretRef=ref("pull")).credentials is None


def test_service_account_pull_secrets_give_credentials() -> None:
    source = Source(service_account("robot", "pull"), pull_secret("pull", {"ghcr.io": login("robot", "pw")}))
    assert resolve(source, serviceAccountName="robot").credentials == Credentials("robot", "pw")


def test_secret_ref_comes_before_service_account_pull_secrets_for_one_key() -> None:
    source = Source(
        service_account("robot", "sa-pull"),
        pull_secret("sa-pull", {"ghcr.io": login("from-sa", "pw-sa")}),
        pull_secret("pull", {"ghcr.io": login("from-ref", "pw-ref")}),
    )
    found = resolve(source, secretRef=ref("pull"), serviceAccountName="robot").credentials
    assert found == Credentials("from-ref", "pw-ref")


def test_missing_service_account() -> None:
    assert failure(Source(), serviceAccountName="robot") == "serviceaccount 'team/robot' not found"


def test_service_account_read_failure_is_wrapped() -> None:
    source = Source(failing={"robot": "forbidden"})
    assert failure(source, serviceAccountName="robot") == (
        "failed to get serviceaccount 'team/robot': forbidden"
    )


def test_missing_pull_secret_of_the_service_account() -> None:
    source = Source(service_account("robot", "gone"))
    assert failure(source, serviceAccountName="robot") == (
        "failed to get image pull secret for serviceaccount 'team/robot': secret 'team/gone' not found"
    )


def test_pull_secret_read_failure_of_the_service_account_is_wrapped_twice() -> None:
    source = Source(service_account("robot", "locked"), failing={"locked": "forbidden"})
    assert failure(source, serviceAccountName="robot") == (
        "failed to get image pull secret for serviceaccount 'team/robot': "
        "failed to get secret 'team/locked': forbidden"
    )


def test_a_service_account_without_pull_secrets_gives_anonymous_access() -> None:
    assert resolve(Source(service_account("robot")), serviceAccountName="robot").credentials is None


def test_a_bad_auth_field_fails_authentication() -> None:
    source = Source(pull_secret("pull", {"ghcr.io": {"auth": "!!!!"}}))
    assert failure(source, secretRef=ref("pull")) == (
        "unable to decode auth field: illegal base64 data at input byte 0"
    )


def test_malformed_base64_in_a_pull_secret_names_the_secret_and_key() -> None:
    broken = {"kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
              "metadata": {"name": "pull", "namespace": NS}, "data": {".dockerconfigjson": "e30=e30="}}
    assert failure(Source(broken), secretRef=ref("pull")) == (
        "secret 'team/pull': key '.dockerconfigjson': illegal base64 data at input byte 4"
    )


def test_credential_errors_and_the_access_repr_never_show_the_password() -> None:
    pull = pull_secret("pull", {"ghcr.io": login("robot", "pw-never-shown")})
    access = resolve(Source(pull), secretRef=ref("pull"))
    assert "pw-never-shown" not in repr(access) + str(access)


# -- sources --------------------------------------------------------------------------------------------


def test_file_secrets_find_secrets_by_namespace_and_name() -> None:
    pull = pull_secret("pull", {"ghcr.io": login("robot", "pw")})
    files = FileSecrets([pull])
    assert files.secret(NS, "pull") is pull
    assert files.secret("other", "pull") is None
    assert files.service_account(NS, "robot") is None


def test_file_secrets_default_to_the_default_namespace() -> None:
    bare = {"kind": "Secret", "metadata": {"name": "pull"}}
    assert FileSecrets([bare]).secret("default", "pull") is bare


def test_file_secrets_resolve_like_the_cluster() -> None:
    files = FileSecrets([pull_secret("pull", {"ghcr.io": login("robot", "pw")})])
    repo = repository(secretRef=ref("pull"))
    access = resolve_access(files, repo, parse_image_reference(repo.image))
    assert access.credentials == Credentials("robot", "pw")
