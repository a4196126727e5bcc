"""Unit tests for the accessFrom check and for finding the ImagePolicies that reference a repository."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.model.acl import access_denied_reason, policies_referencing, policy_allowed
from kubectl_imagerepo.model.imagerepository import ImageRepository


def repo(access_from: dict[str, Any] | None = None, namespace: str = "flux-system") -> ImageRepository:
    spec: dict[str, Any] = {"image": "ghcr.io/stefanprodan/podinfo", "interval": "5m"}
    if access_from is not None:
        spec["accessFrom"] = access_from
    return ImageRepository.from_dict({"metadata": {"name": "podinfo", "namespace": namespace}, "spec": spec})


def selectors(*match_labels: dict[str, str]) -> dict[str, Any]:
    return {"namespaceSelectors": [{"matchLabels": labels} for labels in match_labels]}


def policy(
    name: str,
    namespace: str,
    ref: dict[str, Any] | None,
    api_version: str | None = "image.toolkit.fluxcd.io/v1",
    kind: str | None = "ImagePolicy",
) -> dict[str, Any]:
    obj: dict[str, Any] = {"metadata": {"name": name, "namespace": namespace}, "spec": {}}
    if api_version is not None:
        obj["apiVersion"] = api_version
    if kind is not None:
        obj["kind"] = kind
    if ref is not None:
        obj["spec"]["imageRepositoryRef"] = ref
    return obj


@pytest.mark.parametrize(
    ("access_from", "policy_namespace", "labels", "allowed"),
    [
        (None, "flux-system", {}, True),
        (None, "apps", {"env": "prod"}, False),
        (selectors({"env": "prod"}), "apps", {"env": "prod", "team": "web"}, True),
        (selectors({"env": "prod"}), "apps", {"env": "dev"}, False),
        (selectors({"env": "prod", "team": "web"}), "apps", {"env": "prod"}, False),
        (selectors({"env": "dev"}, {"team": "web"}), "apps", {"team": "web"}, True),
        (selectors({}), "apps", {}, True),
        ({"namespaceSelectors": [{}]}, "apps", {}, True),
        ({"namespaceSelectors": []}, "apps", {"env": "prod"}, False),
        (
            selectors({"kubernetes.io/metadata.name": "apps"}),
            "apps",
            {"kubernetes.io/metadata.name": "apps"},
            True,
        ),
    ],
    ids=[
        "same-namespace",
        "no-accessFrom",
        "selector-matches",
        "selector-mismatch",
        "all-labels-must-match",
        "selectors-are-ored",
        "empty-matchLabels-matches-any",
        "absent-matchLabels-matches-any",
        "no-selectors",
        "namespace-name-label",
    ],
)
def test_policy_allowed(
    access_from: dict[str, Any] | None, policy_namespace: str, labels: dict[str, str], allowed: bool
) -> None:
    assert policy_allowed(policy_namespace, repo(access_from), labels) is allowed


def test_same_namespace_is_allowed_whatever_accessFrom_says() -> None:
    assert policy_allowed("flux-system", repo(selectors({"env": "prod"})), {"env": "dev"})


def test_denial_without_accessFrom_uses_the_controller_text() -> None:
    assert (
        access_denied_reason("apps", repo(), {})
        == "'flux-system/podinfo' can't be accessed due to missing ACL labels on 'accessFrom'"
    )


def test_denial_on_mismatch_uses_the_controller_text() -> None:
    assert (
        access_denied_reason("apps", repo(selectors({"env": "prod"})), {"env": "dev"})
        == "'flux-system/podinfo' can't be accessed due to ACL labels mismatch on namespace 'apps'"
    )


def test_allowed_access_has_no_denial_reason() -> None:
    assert access_denied_reason("apps", repo(selectors({})), {}) is None


def test_policies_referencing_defaults_the_ref_namespace_to_the_policy_namespace() -> None:
    same = policy("same", "flux-system", {"name": "podinfo"})
    elsewhere = policy("elsewhere", "apps", {"name": "podinfo"})

    assert policies_referencing(repo(), [same, elsewhere]) == [same]


def test_policies_referencing_follows_an_explicit_ref_namespace() -> None:
    cross = policy("cross", "apps", {"name": "podinfo", "namespace": "flux-system"})
    other = policy("other", "flux-system", {"name": "podinfo", "namespace": "apps"})

    assert policies_referencing(repo(), [cross, other]) == [cross]


def test_policies_referencing_matches_the_name_exactly() -> None:
    policies = [
        policy("a", "flux-system", {"name": "podinfo-dev"}),
        policy("b", "flux-system", {"name": "podinf"}),
    ]

    assert policies_referencing(repo(), policies) == []


@pytest.mark.parametrize(
    ("api_version", "kind", "selected"),
    [
        ("image.toolkit.fluxcd.io/v1", "ImagePolicy", True),
        ("image.toolkit.fluxcd.io/v1beta2", "ImagePolicy", True),
        (None, None, True),
        ("example.com/v1", "ImagePolicy", False),
        ("image.toolkit.fluxcd.io/v1", "ImageRepository", False),
    ],
)
def test_policies_referencing_selects_only_flux_image_policies(
    api_version: str | None, kind: str | None, selected: bool
) -> None:
    candidate = policy("p", "flux-system", {"name": "podinfo"}, api_version=api_version, kind=kind)

    assert policies_referencing(repo(), [candidate]) == ([candidate] if selected else [])


@pytest.mark.parametrize(
    "malformed",
    [
        {"metadata": {"name": "p", "namespace": "flux-system"}},
        {"metadata": {"name": "p", "namespace": "flux-system"}, "spec": "podinfo"},
        {"metadata": {"name": "p", "namespace": "flux-system"}, "spec": {"imageRepositoryRef": "podinfo"}},
        {"metadata": {"name": "p", "namespace": "flux-system"}, "spec": {"imageRepositoryRef": {"name": 1}}},
    ],
    ids=["no-spec", "spec-not-object", "ref-not-object", "ref-name-not-string"],
)
def test_policies_referencing_skips_malformed_policies(malformed: dict[str, Any]) -> None:
    assert policies_referencing(repo(), [malformed]) == []


def test_policies_referencing_keeps_the_given_order() -> None:
    first = policy("z", "flux-system", {"name": "podinfo"})
    second = policy("a", "apps", {"name": "podinfo", "namespace": "flux-system"})

    assert policies_referencing(repo(), [first, second]) == [first, second]
