"""Names of the ImageRepository and ImagePolicy APIs and of this plugin's writes."""

from __future__ import annotations

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
