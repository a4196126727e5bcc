"""Names of the ImageRepository and ImagePolicy APIs and of this plugin's writes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GROUP = "image.toolkit.fluxcd.io"
KIND = "ImageRepository"
PLURAL = "imagerepositories"
# Preferred first: the order in which versions are tried when discovery is unavailable.
VERSIONS = ("v1", "v1beta2")
RESOURCE = f"{PLURAL}.{GROUP}"

POLICY_KIND = "ImagePolicy"
POLICY_PLURAL = "imagepolicies"
POLICY_SINGULAR = "imagepolicy"
# Preferred first, as for ImageRepositories: v1 is stored, v1beta2 served as deprecated.
POLICY_VERSIONS = ("v1", "v1beta2")
POLICY_RESOURCE = f"{POLICY_PLURAL}.{GROUP}"

FIELD_MANAGER = "kubectl-imagerepo"
REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt"
DEFAULT_EXCLUSION_LIST = ("^.*\\.sig$",)


def kind_of(obj: Mapping[str, Any]) -> str:
    """The object's kind: ImagePolicy when it says so, else ImageRepository (manifests may omit `kind`)."""
    return POLICY_KIND if obj.get("kind") == POLICY_KIND else KIND


def plural_of(obj: Mapping[str, Any]) -> str:
    """The resource (plural) the API server serves the object's kind under."""
    return POLICY_PLURAL if kind_of(obj) == POLICY_KIND else PLURAL
