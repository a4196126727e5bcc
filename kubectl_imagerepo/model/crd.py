"""The CustomResourceDefinitions shipped with the plugin: ImageRepository and ImagePolicy."""

from __future__ import annotations

from importlib import resources
from typing import Any

IMAGE_REPOSITORY_CRD_FILE = "image.toolkit.fluxcd.io_imagerepositories.yaml"
IMAGE_POLICY_CRD_FILE = "image.toolkit.fluxcd.io_imagepolicies.yaml"
# The order in which `install` applies and prints them.
CRD_FILES = (IMAGE_REPOSITORY_CRD_FILE, IMAGE_POLICY_CRD_FILE)


def crd_text(file: str) -> str:
    """One CRD manifest, as shipped: a comment, then a single YAML document starting with `---`."""
    return resources.files("kubectl_imagerepo.crds").joinpath(file).read_text(encoding="utf-8")


def crds_text() -> str:
    """Every shipped CRD as one YAML stream, in `CRD_FILES` order."""
    return "".join(crd_text(file) for file in CRD_FILES)


def crd_objects() -> list[dict[str, Any]]:
    """Every shipped CRD as a dict, in `CRD_FILES` order."""
    import yaml

    loaded: list[dict[str, Any]] = [yaml.safe_load(crd_text(file)) for file in CRD_FILES]
    return loaded
