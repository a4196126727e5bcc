"""The ImageRepository CRD shipped with the plugin."""

from __future__ import annotations

from importlib import resources
from typing import Any

CRD_FILE = "image.toolkit.fluxcd.io_imagerepositories.yaml"


def crd_text() -> str:
    """The CRD manifest, as shipped."""
    return resources.files("kubectl_imagerepo.crds").joinpath(CRD_FILE).read_text(encoding="utf-8")


def crd_object() -> dict[str, Any]:
    """The CRD manifest as a dict."""
    import yaml

    loaded: dict[str, Any] = yaml.safe_load(crd_text())
    return loaded
