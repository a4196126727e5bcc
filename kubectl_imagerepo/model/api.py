"""Names of the ImageRepository API and of this plugin's writes."""

from __future__ import annotations

GROUP = "image.toolkit.fluxcd.io"
KIND = "ImageRepository"
PLURAL = "imagerepositories"
# Preferred first: the order in which versions are tried when discovery is unavailable.
VERSIONS = ("v1", "v1beta2")
RESOURCE = f"{PLURAL}.{GROUP}"

POLICY_PLURAL = "imagepolicies"

FIELD_MANAGER = "kubectl-imagerepo"
REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt"
DEFAULT_EXCLUSION_LIST = ("^.*\\.sig$",)
