"""`install`: server-side apply of both CRDs, then waiting until they are established."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import yaml

from kubectl_imagerepo.commands.install import InstallOptions
from kubectl_imagerepo.model.errors import CommandError
from tests.unit.commands.fakes import FakeKube, captured


def test_dry_run_prints_the_crd_and_sends_nothing() -> None:
    kube = FakeKube()
    streams, out, _ = captured()
    assert InstallOptions(dry_run=True).run(kube, streams) == 0
    assert "kind: CustomResourceDefinition" in out.getvalue()
    assert kube.requests == []


def test_dry_run_prints_both_crds_as_one_yaml_stream() -> None:
    streams, out, _ = captured()
    InstallOptions(dry_run=True).run(FakeKube(), streams)
    documents = [d for d in yaml.safe_load_all(out.getvalue()) if d]
    assert [d["metadata"]["name"] for d in documents] == [
        "imagerepositories.image.toolkit.fluxcd.io",
        "imagepolicies.image.toolkit.fluxcd.io",
    ]


def test_both_crds_are_applied_server_side_and_waited_for() -> None:
    kube = FakeKube()
    streams, out, _ = captured()
    options = InstallOptions()
    options.validate()
    assert options.run(kube, streams) == 0
    assert out.getvalue() == (
        "customresourcedefinition.apiextensions.k8s.io/imagerepositories.image.toolkit.fluxcd.io "
        "serverside-applied\n"
        "customresourcedefinition.apiextensions.k8s.io/imagepolicies.image.toolkit.fluxcd.io "
        "serverside-applied\n"
    )
    assert [verb for verb, _, _ in kube.requests] == ["PATCH", "PATCH", "GET", "GET"]


def test_each_crd_is_applied_at_its_own_path_in_order() -> None:
    kube = FakeKube()
    streams, _, _ = captured()
    InstallOptions(wait=False).run(kube, streams)
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    assert [(verb, path, body["metadata"]["name"]) for verb, path, body in kube.requests] == [
        (
            "PATCH",
            f"{crds}/imagerepositories.image.toolkit.fluxcd.io",
            "imagerepositories.image.toolkit.fluxcd.io",
        ),
        ("PATCH", f"{crds}/imagepolicies.image.toolkit.fluxcd.io", "imagepolicies.image.toolkit.fluxcd.io"),
    ]


def test_a_crd_never_established_is_a_timeout_error() -> None:
    kube = FakeKube()
    kube.crd_established = False
    streams, _, _ = captured()
    with pytest.raises(CommandError, match="timed out waiting"):
        InstallOptions(timeout=0, sleep=lambda _: None).run(kube, streams)


class PolicyCrdNeverEstablished(FakeKube):
    """The ImageRepository CRD is established at once; the ImagePolicy CRD never is."""

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        found = super().get(path, query)
        if path.endswith("/imagepolicies.image.toolkit.fluxcd.io"):
            return {"status": {"conditions": [{"type": "Established", "status": "False"}]}}
        return found


def test_the_timeout_names_the_crd_that_was_not_established() -> None:
    kube = PolicyCrdNeverEstablished()
    streams, _, _ = captured()
    with pytest.raises(CommandError) as raised:
        InstallOptions(timeout=0, sleep=lambda _: None).run(kube, streams)
    assert str(raised.value) == (
        "error: timed out waiting for imagepolicies.image.toolkit.fluxcd.io to be established"
    )
