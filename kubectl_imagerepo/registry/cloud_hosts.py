"""Which registries each cloud provider serves, as fluxcd/pkg/auth checks them.

See docs/behaviour.md, Registry access.

Pure functions: the registry input derived from `spec.image`, the host check of each provider with the
controller's error text, the ECR region and the ACR token scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ACR_SCOPES",
    "AWS_PATTERN",
    "AZURE_PATTERN",
    "ECR_PUBLIC_HOST",
    "ECR_PUBLIC_HOSTS",
    "ECR_PUBLIC_REGION",
    "GCP_PATTERN",
    "HostMismatch",
    "RegistryTarget",
    "acr_scope",
    "check_registry",
    "provider_registry",
    "serves",
]

#: Matched in full (v1.2.4) and printed as is in the mismatch message; group 2 is the region.
AWS_PATTERN = (
    r"([0-9+]*).dkr[.-]ecr(?:-fips)?\.([^/.]*)\.(amazonaws\.com[.cn]*|amazonaws\.eu|sc2s\.sgov\.gov|"
    r"c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov|on\.aws)"
)
AZURE_PATTERN = r"^.+\.(azurecr\.io|azurecr\.cn|azurecr\.de|azurecr\.us)$"
GCP_PATTERN = r"^(((.+\.)?gcr\.io)|(.+-docker\.pkg\.dev)|(docker\.s3nsregistry\.fr))$"
ECR_PUBLIC_HOST = "public.ecr.aws"
#: Public ECR's hosts: the registry and its dual-stack name.
ECR_PUBLIC_HOSTS = frozenset({ECR_PUBLIC_HOST, "ecr-public.aws.com"})
ECR_PUBLIC_REGION = "us-east-1"

#: The ACR audience of each Azure cloud, chosen by the registry's suffix; Public otherwise.
ACR_SCOPES = {
    ".azurecr.cn": "https://containerregistry.azure.cn/.default",
    ".azurecr.us": "https://containerregistry.azure.us/.default",
}
ACR_PUBLIC_SCOPE = "https://containerregistry.azure.net/.default"

_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "GCP"}
_PATTERNS = {"aws": AWS_PATTERN, "azure": AZURE_PATTERN, "gcp": GCP_PATTERN}


class HostMismatch(ValueError):
    """The registry is not one the provider serves; str() is the controller's message."""


@dataclass(frozen=True)
class RegistryTarget:
    """A registry a provider accepted.

    Attributes:
        provider: `aws`, `azure` or `gcp`.
        registry: The registry input, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`.
        region: The ECR region (`us-east-1` for public ECR); empty for the other providers.
        public: Whether it is public ECR (`public.ecr.aws`).
    """

    provider: str
    registry: str
    region: str = ""
    public: bool = False


def provider_registry(image: str, parsed_registry: str) -> str:
    """The registry input of `spec.image`: one trailing `/` trimmed, then the parsed registry if a `/` is
    left, else the string itself.

    `parsed_registry` is what parsing `spec.image` gave (ggcr's `RegistryStr()`).
    """
    trimmed = image.removesuffix("/")
    return parsed_registry if "/" in trimmed else trimmed


def check_registry(provider: str, registry: str) -> RegistryTarget:
    """`registry` checked against `provider`'s hosts.

    Raises:
        HostMismatch: e.g. `invalid GCP registry: 'ghcr.io'. must match ^(((.+\\.)?gcr\\.io)|...)$`.
        ValueError: for a provider that is not a cloud provider.
    """
    if provider not in _PATTERNS:
        raise ValueError(f"provider '{provider}' not implemented")
    if provider == "aws" and registry in ECR_PUBLIC_HOSTS:
        return RegistryTarget(provider, registry, ECR_PUBLIC_REGION, public=True)
    found = re.fullmatch(_PATTERNS[provider], registry)
    if found is None:
        raise HostMismatch(
            f"invalid {_NAMES[provider]} registry: '{registry}'. must match {_PATTERNS[provider]}"
        )
    return RegistryTarget(provider, registry, found.group(2) if provider == "aws" else "")


def serves(provider: str, registry: str) -> bool:
    """Whether the cloud `provider` serves `registry` (the check `check_registry` makes, as a test)."""
    try:
        check_registry(provider, registry)
    except HostMismatch:
        return False
    return True


def acr_scope(registry: str) -> str:
    """The token scope for an ACR registry: its cloud's ACR audience plus `/.default`."""
    for suffix, scope in ACR_SCOPES.items():
        if registry.endswith(suffix):
            return scope
    return ACR_PUBLIC_SCOPE
