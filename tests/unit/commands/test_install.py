"""`install`: server-side apply of both CRDs, then waiting until they are established."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import yaml

from kubectl_imagerepo.commands.install import InstallOptions
from kubectl_imagerepo.kube.client import ApiError
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
    assert [verb for verb, _, _ in kube.requests] == ["PATCH"] * 4 + ["GET", "GET"]


def test_each_crd_is_applied_at_its_own_path_in_order() -> None:
    kube = FakeKube()
    streams, _, _ = captured()
    InstallOptions(wait=False).run(kube, streams)
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    applied = [
        (
            "PATCH",
            f"{crds}/imagerepositories.image.toolkit.fluxcd.io",
            "imagerepositories.image.toolkit.fluxcd.io",
        ),
        ("PATCH", f"{crds}/imagepolicies.image.toolkit.fluxcd.io", "imagepolicies.image.toolkit.fluxcd.io"),
    ]
    # The dry run of both, then the applies.
    assert [(verb, path, body["metadata"]["name"]) for verb, path, body in kube.requests] == applied * 2


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


REPOSITORY_CRD = "imagerepositories.image.toolkit.fluxcd.io"
POLICY_CRD = "imagepolicies.image.toolkit.fluxcd.io"


class FluxOwnsThePolicyCrd(FakeKube):
    """kustomize-controller holds a label of the ImagePolicy CRD, which serves `served`; applies are kept."""

    def __init__(self, served: tuple[str, ...] = ("v1",)) -> None:
        super().__init__()
        self.served = served
        self.applies: list[tuple[str, dict[str, str]]] = []

    def patch(
        self, path: str, body: Any, content_type: str = "", query: Sequence[tuple[str, str]] = ()
    ) -> Any:
        params = dict(query)
        self.applies.append((path.rsplit("/", 1)[1], params))
        if path.endswith(POLICY_CRD) and params.get("force") != "true":
            cause = {
                "reason": "FieldManagerConflict",
                "message": 'conflict with "kustomize-controller" using apiextensions.k8s.io/v1',
                "field": ".metadata.labels.app.kubernetes.io/part-of",
            }
            raise ApiError(409, "Conflict", "Apply failed with 1 conflict", {"causes": [cause]})
        return super().patch(path, body, content_type, query)

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        found = super().get(path, query)
        if path.endswith(POLICY_CRD):
            found["spec"] = {"versions": [{"name": v, "served": True} for v in self.served]}
        return found


def test_without_force_each_crd_is_first_applied_as_a_dry_run_and_never_forced() -> None:
    kube = FakeKube()
    requests: list[dict[str, str]] = []
    original = kube.patch

    def patch(path: str, body: Any, content_type: str = "", query: Sequence[tuple[str, str]] = ()) -> Any:
        requests.append(dict(query))
        return original(path, body, content_type, query)

    kube.patch = patch  # type: ignore[method-assign]
    streams, _, _ = captured()
    assert InstallOptions(wait=False).run(kube, streams) == 0
    manager = {"fieldManager": "kubectl-imagerepo"}
    assert requests == [{**manager, "dryRun": "All"}] * 2 + [manager] * 2


def test_a_crd_another_manager_holds_changes_nothing_and_exits_1_with_one_line() -> None:
    kube = FluxOwnsThePolicyCrd()
    streams, out, err = captured()
    assert InstallOptions(wait=False).run(kube, streams) == 1
    assert out.getvalue() == ""
    assert err.getvalue() == (
        f"error: customresourcedefinition.apiextensions.k8s.io/{POLICY_CRD}: 1 field "
        '(.metadata.labels.app.kubernetes.io/part-of) managed by "kustomize-controller" (Flux): the cluster '
        "already serves ImagePolicy v1, all the plugin needs; nothing was changed\n"
    )
    assert all(params.get("dryRun") == "All" for _, params in kube.applies)


def test_force_conflicts_takes_the_fields_over_without_a_dry_run() -> None:
    kube = FluxOwnsThePolicyCrd(served=())
    streams, out, _ = captured()
    assert InstallOptions(wait=False, force_conflicts=True).run(kube, streams) == 0
    assert [(name, params.get("force"), params.get("dryRun")) for name, params in kube.applies] == [
        (REPOSITORY_CRD, "true", None),
        (POLICY_CRD, "true", None),
    ]
    assert out.getvalue().count("serverside-applied") == 2


def test_a_conflict_that_is_not_about_field_managers_is_the_api_error() -> None:
    kube = FakeKube()
    kube.patch_failure = ApiError(409, "Conflict", "the object has been modified")
    streams, _, _ = captured()
    with pytest.raises(ApiError, match="the object has been modified"):
        InstallOptions(wait=False).run(kube, streams)
