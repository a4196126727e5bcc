"""The registries each cloud provider accepts, and the controller's mismatch messages.

See docs/behaviour.md, Registry access.
"""

from __future__ import annotations

import pytest

from kubectl_imagerepo.registry.cloud_hosts import (
    AWS_PATTERN,
    AZURE_PATTERN,
    GCP_PATTERN,
    HostMismatch,
    RegistryTarget,
    acr_scope,
    check_registry,
    provider_registry,
)


def mismatch(provider: str, registry: str) -> str:
    with pytest.raises(HostMismatch) as caught:
        check_registry(provider, registry)
    return str(caught.value)


@pytest.mark.parametrize(
    ("registry", "region"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "us-east-1"),
        ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ("123456789012.dkr-ecr.eu-west-3.on.aws", "eu-west-3"),
        ("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"),
    ],
)
def test_aws_accepts_private_ecr_hosts_and_takes_the_region_from_them(registry: str, region: str) -> None:
    assert check_registry("aws", registry) == RegistryTarget("aws", registry, region)


def test_aws_accepts_public_ecr_in_us_east_1() -> None:
    expected = RegistryTarget("aws", "public.ecr.aws", "us-east-1", public=True)
    assert check_registry("aws", "public.ecr.aws") == expected


@pytest.mark.parametrize(
    "registry",
    ["proxy.example.com/123456789012.dkr.ecr.us-east-1.amazonaws.com",
     "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example"],
)
def test_the_aws_pattern_must_match_the_whole_host_as_in_controller_v1_2(registry: str) -> None:
    assert mismatch("aws", registry) == f"invalid AWS registry: '{registry}'. must match {AWS_PATTERN}"


def test_aws_accepts_the_dual_stack_public_ecr_host() -> None:
    expected = RegistryTarget("aws", "ecr-public.aws.com", "us-east-1", public=True)
    assert check_registry("aws", "ecr-public.aws.com") == expected


def test_aws_rejects_other_hosts_with_the_controller_message() -> None:
    assert mismatch("aws", "ghcr.io") == f"invalid AWS registry: 'ghcr.io'. must match {AWS_PATTERN}"


def test_the_aws_message_shows_the_pattern_verbatim() -> None:
    assert mismatch("aws", "gallery.ecr.aws").endswith(
        r"must match ([0-9+]*).dkr[.-]ecr(?:-fips)?\.([^/.]*)\.(amazonaws\.com[.cn]*|amazonaws\.eu|"
        r"sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov|on\.aws)"
    )


@pytest.mark.parametrize("registry", ["x.azurecr.io", "a.b.azurecr.cn", "x.azurecr.de", "x.azurecr.us"])
def test_azure_accepts_acr_hosts(registry: str) -> None:
    assert check_registry("azure", registry) == RegistryTarget("azure", registry)


@pytest.mark.parametrize("registry", ["azurecr.io", "x.azurecr.io.evil.com", "x.azurecr.io:443"])
def test_azure_rejects_other_hosts_with_the_controller_message(registry: str) -> None:
    assert mismatch("azure", registry) == f"invalid Azure registry: '{registry}'. must match {AZURE_PATTERN}"


@pytest.mark.parametrize(
    "registry", ["gcr.io", "eu.gcr.io", "europe-west1-docker.pkg.dev", "docker.s3nsregistry.fr"]
)
def test_gcp_accepts_gcr_artifact_registry_and_s3ns_hosts(registry: str) -> None:
    assert check_registry("gcp", registry) == RegistryTarget("gcp", registry)


@pytest.mark.parametrize("registry", ["ghcr.io", "docker.pkg.dev", "gcr.io.example.com"])
def test_gcp_rejects_other_hosts_with_the_controller_message(registry: str) -> None:
    assert mismatch("gcp", registry) == f"invalid GCP registry: '{registry}'. must match {GCP_PATTERN}"


def test_a_non_cloud_provider_is_not_implemented() -> None:
    with pytest.raises(ValueError, match="provider 'generic' not implemented"):
        check_registry("generic", "ghcr.io")


def test_the_registry_input_is_the_parsed_registry_when_the_image_has_a_path() -> None:
    assert provider_registry("gcr.io/project/app", "gcr.io") == "gcr.io"


def test_the_registry_input_is_the_image_itself_without_a_path() -> None:
    assert provider_registry("x.azurecr.io", "index.docker.io") == "x.azurecr.io"


def test_one_trailing_slash_is_trimmed_before_looking_for_a_path() -> None:
    assert provider_registry("x.azurecr.io/", "index.docker.io") == "x.azurecr.io"


@pytest.mark.parametrize(
    ("registry", "scope"),
    [
        ("x.azurecr.io", "https://containerregistry.azure.net/.default"),
        ("x.azurecr.de", "https://containerregistry.azure.net/.default"),
        ("x.azurecr.cn", "https://containerregistry.azure.cn/.default"),
        ("x.azurecr.us", "https://containerregistry.azure.us/.default"),
    ],
)
def test_the_acr_scope_is_chosen_by_the_registry_suffix(registry: str, scope: str) -> None:
    assert acr_scope(registry) == scope
