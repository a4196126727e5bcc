"""`install`: server-side apply of the CRD, then waiting until it is established."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.commands.install import InstallOptions
from kubectl_imagerepo.model.errors import CommandError
from tests.unit.commands.fakes import FakeKube, captured


def test_dry_run_prints_the_crd_and_sends_nothing() -> None:
    kube = FakeKube()
    streams, out, _ = captured()
    assert InstallOptions(dry_run=True).run(kube, streams) == 0
    assert "kind: CustomResourceDefinition" in out.getvalue()
    assert kube.requests == []


def test_the_crd_is_applied_server_side_and_waited_for() -> None:
    kube = FakeKube()
    streams, out, _ = captured()
    options = InstallOptions()
    options.validate()
    assert options.run(kube, streams) == 0
    assert out.getvalue() == (
        "customresourcedefinition.apiextensions.k8s.io/imagerepositories.image.toolkit.fluxcd.io "
        "serverside-applied\n"
    )
    assert [verb for verb, _, _ in kube.requests] == ["PATCH", "GET"]


def test_a_crd_never_established_is_a_timeout_error() -> None:
    kube = FakeKube()
    kube.crd_established = False
    streams, _, _ = captured()
    with pytest.raises(CommandError, match="timed out waiting"):
        InstallOptions(timeout=0, sleep=lambda _: None).run(kube, streams)
