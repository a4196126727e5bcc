"""Cloud provider logins without the cloud: the cache, the missing-extra error and what fails before any
call to a cloud (docs/behaviour.md, Registry access)."""

from __future__ import annotations

import base64
import importlib.util
import json
import time
from collections.abc import Mapping
from typing import Any

import pytest

from kubectl_imagerepo.model.imagerepository import ImageRepository
from kubectl_imagerepo.model.reference import parse_image_reference
from kubectl_imagerepo.registry.access import AuthError, FileSecrets, resolve_access
from kubectl_imagerepo.registry.cloud import (
    CacheKey,
    CloudLogin,
    CloudTokenCache,
    Workload,
    jwt_expiry,
    missing_extra,
)
from kubectl_imagerepo.registry.credentials import Credentials
from kubectl_imagerepo.registry.errors import RegistryError

KEY = CacheKey("aws", "", "123456789012.dkr.ecr.us-east-1.amazonaws.com")
LOGIN = Credentials("AWS", "token")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> CloudTokenCache:
    return CloudTokenCache(clock)


# -- the cache ---------------------------------------------------------------------------------------


def test_cached_credentials_are_returned_until_80_percent_of_their_lifetime(
    cache: CloudTokenCache, clock: Clock
) -> None:
    cache.put(KEY, LOGIN, clock.now + 1000)
    clock.now += 799
    assert cache.get(KEY) == LOGIN
    clock.now += 1
    assert cache.get(KEY) is None


def test_credentials_are_cached_for_at_most_one_hour(cache: CloudTokenCache, clock: Clock) -> None:
    cache.put(KEY, LOGIN, clock.now + 12 * 3600)
    clock.now += 3599
    assert cache.get(KEY) == LOGIN
    clock.now += 1
    assert cache.get(KEY) is None


def test_credentials_already_expired_are_not_cached(cache: CloudTokenCache, clock: Clock) -> None:
    cache.put(KEY, LOGIN, clock.now - 1)
    assert cache.get(KEY) is None


def test_fetch_asks_the_cloud_once_while_the_entry_is_fresh(cache: CloudTokenCache, clock: Clock) -> None:
    calls = []

    def obtain() -> tuple[Credentials, float]:
        calls.append(1)
        return LOGIN, clock.now + 100

    assert cache.fetch(KEY, obtain) == LOGIN
    assert cache.fetch(KEY, obtain) == LOGIN
    assert len(calls) == 1


def test_fetch_asks_again_once_the_entry_is_stale(cache: CloudTokenCache, clock: Clock) -> None:
    answers = iter([Credentials("AWS", "first"), Credentials("AWS", "second")])
    cache.fetch(KEY, lambda: (next(answers), clock.now + 100))
    clock.now += 80
    assert cache.fetch(KEY, lambda: (next(answers), clock.now + 100)) == Credentials("AWS", "second")


def test_entries_are_kept_apart_by_identity(cache: CloudTokenCache, clock: Clock) -> None:
    cache.put(KEY, LOGIN, clock.now + 100)
    assert cache.get(CacheKey(KEY.provider, "team/sa", KEY.registry)) is None


def test_the_cache_repr_shows_no_credential(cache: CloudTokenCache, clock: Clock) -> None:
    cache.put(KEY, LOGIN, clock.now + 100)
    assert "token" not in repr(cache)


# -- missing extras --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "message"),
    [
        ("aws", "provider 'aws' needs boto3: pip install 'kubectl-imagerepo[aws]'"),
        ("azure", "provider 'azure' needs azure-identity: pip install 'kubectl-imagerepo[azure]'"),
        ("gcp", "provider 'gcp' needs google-auth: pip install 'kubectl-imagerepo[gcp]'"),
    ],
)
def test_a_missing_sdk_names_the_pip_install_to_run(
    provider: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)
    assert missing_extra(provider) == message


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
def test_an_installed_sdk_is_no_error(provider: str) -> None:
    assert missing_extra(provider) is None


def test_a_missing_sdk_fails_the_access_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)
    repo = repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/app", provider="aws")
    with pytest.raises(AuthError) as caught:
        resolve_access(FileSecrets([]), repo, parse_image_reference(repo.image))
    assert str(caught.value) == "provider 'aws' needs boto3: pip install 'kubectl-imagerepo[aws]'"


# -- the login built by resolve_access ----------------------------------------------------------------


def repository(image: str, **spec: Any) -> ImageRepository:
    return ImageRepository.from_dict({
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": "app", "namespace": "team", "generation": 1},
        "spec": {"image": image, "interval": "5m", **spec},
    })


def test_a_cloud_provider_gets_a_login_for_the_registry_of_its_image() -> None:
    repo = repository("x.azurecr.io/team/app", provider="azure", serviceAccountName="sa")
    with resolve_access(FileSecrets([]), repo, parse_image_reference(repo.image)) as access:
        assert access.credentials is None
        assert access.cloud is not None
        assert (access.cloud.provider, access.cloud.registry) == ("azure", "x.azurecr.io")
        assert access.cloud.workload == Workload("team", "sa")


def test_the_generic_provider_gets_no_login() -> None:
    repo = repository("ghcr.io/org/app")
    assert resolve_access(FileSecrets([]), repo, parse_image_reference(repo.image)).cloud is None


# -- failures before any call to a cloud: they fail the scan ------------------------------------------


def scan_error(login: CloudLogin) -> str:
    with pytest.raises(RegistryError) as caught:
        login.credentials()
    return str(caught.value)


def test_a_host_mismatch_fails_the_scan_with_the_controller_message(cache: CloudTokenCache) -> None:
    login = CloudLogin("gcp", "ghcr.io", cache=cache)
    assert scan_error(login).startswith("invalid GCP registry: 'ghcr.io'. must match ^(((.+")


def test_a_host_mismatch_fails_inside_the_request_it_was_for(cache: CloudTokenCache) -> None:
    login = CloudLogin("aws", "ghcr.io", cache=cache)
    with pytest.raises(RegistryError) as caught:
        login.credentials("https://ghcr.io/v2/org/app/tags/list?n=1000")
    assert str(caught.value).startswith(
        'Get "https://ghcr.io/v2/org/app/tags/list?n=1000": invalid AWS registry: \'ghcr.io\'. must match ')


def test_a_missing_sdk_does_not_hide_a_host_the_provider_does_not_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)
    repo = repository("ghcr.io/org/app", provider="aws")
    with resolve_access(FileSecrets([]), repo, parse_image_reference(repo.image)) as access:
        assert access.cloud is not None
        with pytest.raises(RegistryError, match=r"^invalid AWS registry: 'ghcr\.io'\. must match "):
            access.cloud.credentials()


def test_object_level_identity_needs_the_token_request_api(cache: CloudTokenCache) -> None:
    login = CloudLogin("aws", KEY.registry, FileSecrets([]), Workload("team", "sa"), cache=cache)
    assert scan_error(login) == (
        "object-level workload identity needs the cluster's TokenRequest API, "
        "which is not available when reconciling manifests from a file"
    )


class Accounts:
    """A TokenRequester with ServiceAccounts in memory; tokens are recorded, never real."""

    def __init__(self, *accounts: Mapping[str, Any]) -> None:
        self.accounts = {a["metadata"]["name"]: a for a in accounts}
        self.audiences: list[str] = []

    def secret(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return None

    def service_account(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self.accounts.get(name)

    def service_account_token(self, namespace: str, name: str, audience: str) -> str:
        self.audiences.append(audience)
        raise AuthError('serviceaccounts "sa" is forbidden')


def account(name: str, **annotations: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "team", "annotations": annotations}}


def test_a_missing_service_account_fails_the_scan(cache: CloudTokenCache) -> None:
    login = CloudLogin("aws", KEY.registry, Accounts(), Workload("team", "sa"), cache=cache)
    assert scan_error(login) == "serviceaccount 'team/sa' not found"


@pytest.mark.parametrize(
    ("provider", "registry", "annotation"),
    [
        ("aws", KEY.registry, "eks.amazonaws.com/role-arn"),
        ("azure", "x.azurecr.io", "azure.workload.identity/tenant-id"),
        ("gcp", "gcr.io", "gcp.auth.fluxcd.io/workload-identity-provider"),
    ],
)
def test_the_identity_annotation_is_required(
    provider: str, registry: str, annotation: str, cache: CloudTokenCache
) -> None:
    login = CloudLogin(provider, registry, Accounts(account("sa")), Workload("team", "sa"), cache=cache)
    assert scan_error(login).startswith(f"serviceaccount 'team/sa' has no '{annotation}' annotation")


def test_a_refused_token_request_fails_the_scan_with_the_api_message(cache: CloudTokenCache) -> None:
    accounts = Accounts(account("sa", **{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/r"}))
    login = CloudLogin("aws", KEY.registry, accounts, Workload("team", "sa"), cache=cache)
    assert scan_error(login) == (
        "failed to create token for serviceaccount 'team/sa': serviceaccounts \"sa\" is forbidden"
    )
    assert accounts.audiences == ["sts.amazonaws.com"]


def test_the_login_repr_names_the_identity_only() -> None:
    login = CloudLogin("aws", KEY.registry, Accounts(), Workload("team", "sa"))
    assert repr(login) == f"CloudLogin(provider='aws', registry='{KEY.registry}', workload='team/sa')"


def test_cached_credentials_are_used_without_asking_the_cloud() -> None:
    cache = CloudTokenCache()
    cache.put(KEY, LOGIN, time.time() + 600)
    assert CloudLogin("aws", KEY.registry, cache=cache).credentials() == LOGIN


# -- the expiry of an ACR refresh token -------------------------------------------------------------------


def jwt(claims: Mapping[str, Any]) -> str:
    def part(data: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def test_the_expiry_of_a_refresh_token_is_its_exp_claim() -> None:
    assert jwt_expiry(jwt({"exp": 1790000000})) == 1790000000.0


@pytest.mark.parametrize("token", ["opaque", jwt({"sub": "x"}), jwt({"exp": "soon"}), "a.%%%.c"])
def test_a_token_without_a_numeric_exp_has_no_expiry(token: str) -> None:
    assert jwt_expiry(token) is None
