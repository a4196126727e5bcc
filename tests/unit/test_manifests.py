"""Manifests read by `reconcile -f`: kept, defaulted and validated as the API server would."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.errors import InputError
from kubectl_imagerepo.manifests import load_manifests

REPO = """
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {name: app}
spec: {image: ghcr.io/x/y, interval: 5m}
"""


def test_crd_defaults_and_server_metadata_are_filled_in() -> None:
    repo = load_manifests(REPO, "f.yaml", "apps").repositories[0]
    assert repo["metadata"]["namespace"] == "apps"
    assert repo["metadata"]["generation"] == 1
    assert repo["spec"]["exclusionList"] == ["^.*\\.sig$"]
    assert repo["spec"]["provider"] == "generic"
    assert repo["status"] == {"observedGeneration": -1}


def test_secrets_and_service_accounts_are_kept_and_other_kinds_ignored() -> None:
    text = REPO + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\n"
    text += (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n---\napiVersion: v1\nkind: ConfigMap\n"
    )
    found = load_manifests(text, "f.yaml", "apps")
    assert [s["metadata"]["name"] for s in found.secrets] == ["s"]
    assert [a["metadata"]["name"] for a in found.service_accounts] == ["sa"]


def test_a_list_object_is_flattened() -> None:
    text = '{"apiVersion": "v1", "kind": "List", "items": [' + (
        '{"apiVersion": "image.toolkit.fluxcd.io/v1beta2", "kind": "ImageRepository", '
        '"metadata": {"name": "a"}, "spec": {"image": "x.io/a", "interval": "1m"}}]}'
    )
    assert [r["metadata"]["name"] for r in load_manifests(text, "f.json", "ns").repositories] == ["a"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{interval: 5m}", "ImageRepository apps/app: spec.image: Required value"),
        ("{image: x.io/a}", "ImageRepository apps/app: spec.interval: Required value"),
        ("{image: x.io/a, interval: 5x}", 'ImageRepository apps/app: spec.interval: Invalid value: "5x"'),
        (
            "{image: x.io/a, interval: 5m, timeout: 1h}",
            'ImageRepository apps/app: spec.timeout: Invalid value: "1h"',
        ),
        ("{image: x.io/a, interval: 5m, provider: ibm}", 'spec.provider: Unsupported value: "ibm"'),
    ],
)
def test_invalid_specs_are_one_line_errors_naming_object_and_field(spec: str, message: str) -> None:
    head = "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: {name: app}\n"
    text = f"{head}spec: {spec}\n"
    with pytest.raises(InputError) as raised:
        load_manifests(text, "f.yaml", "apps")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_too_many_exclusions_are_refused() -> None:
    patterns = ", ".join(f"p{i}" for i in range(26))
    text = REPO.replace("interval: 5m}", f"interval: 5m, exclusionList: [{patterns}]}}")
    with pytest.raises(InputError, match=r"spec\.exclusionList: Too many: 26: must have at most 25 items"):
        load_manifests(text, "f.yaml", "apps")


def test_invalid_yaml_names_the_file() -> None:
    with pytest.raises(InputError, match=r"f\.yaml"):
        load_manifests("a: [", "f.yaml", "apps")


def test_a_file_without_image_repositories_is_an_error() -> None:
    with pytest.raises(InputError, match="no ImageRepository objects found"):
        load_manifests("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", "f.yaml", "apps")
