"""The CRDs shipped with the plugin: what each serves, as spec section 1 of the ImagePolicy describes it."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from kubectl_imagerepo.model import api, imagepolicy
from kubectl_imagerepo.model.crd import CRD_FILES, crd_objects, crd_text, crds_text


def policy_crd() -> dict[str, Any]:
    return crd_objects()[1]


def version(crd: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [v for v in crd["spec"]["versions"] if v["name"] == name]
    assert len(found) == 1, name
    return found[0]


def spec_schema() -> dict[str, Any]:
    schema: dict[str, Any] = version(policy_crd(), "v1")["schema"]["openAPIV3Schema"]["properties"]["spec"]
    return schema


def test_each_shipped_file_holds_one_crd_document() -> None:
    for file in CRD_FILES:
        documents = [d for d in yaml.safe_load_all(crd_text(file)) if d]
        assert [d["kind"] for d in documents] == ["CustomResourceDefinition"]


def test_the_stream_is_every_file_in_order() -> None:
    assert crds_text() == "".join(crd_text(file) for file in CRD_FILES)
    assert [d["metadata"]["name"] for d in yaml.safe_load_all(crds_text()) if d] == [
        api.RESOURCE,
        api.POLICY_RESOURCE,
    ]


def test_the_imagepolicy_crd_names_match_the_api_constants() -> None:
    crd = policy_crd()
    names = crd["spec"]["names"]
    assert crd["metadata"]["name"] == api.POLICY_RESOURCE
    assert (crd["spec"]["group"], crd["spec"]["scope"]) == (api.GROUP, "Namespaced")
    assert (names["kind"], names["listKind"]) == (api.POLICY_KIND, "ImagePolicyList")
    assert (names["plural"], names["singular"]) == (api.POLICY_PLURAL, api.POLICY_SINGULAR)


def test_the_imagepolicy_crd_has_the_short_names_and_categories_of_the_controller() -> None:
    names = policy_crd()["spec"]["names"]
    assert names["shortNames"] == ["imgpol", "imagepol"]
    assert names["categories"] == ["all", "fluxcd", "fluxcd-images"]


def test_the_imagepolicy_crd_disables_kustomize_substitution() -> None:
    annotations = policy_crd()["metadata"]["annotations"]
    assert annotations["kustomize.toolkit.fluxcd.io/substitute"] == "disabled"


@pytest.mark.parametrize("index", [0, 1], ids=["imagerepositories", "imagepolicies"])
def test_v1_is_stored_and_v1beta2_served_as_deprecated(index: int) -> None:
    crd = crd_objects()[index]
    kind = crd["spec"]["names"]["kind"]
    versions = {v["name"]: v for v in crd["spec"]["versions"]}
    assert list(versions) == list(api.POLICY_VERSIONS) == list(api.VERSIONS)
    assert (versions["v1"]["served"], versions["v1"]["storage"]) == (True, True)
    assert "deprecated" not in versions["v1"]
    beta = versions["v1beta2"]
    assert (beta["served"], beta["storage"], beta["deprecated"]) == (True, False, True)
    assert beta["deprecationWarning"] == f"v1beta2 {kind} is deprecated, upgrade to v1"


def test_the_imagepolicy_v1beta2_schema_and_columns_are_those_of_v1() -> None:
    crd = policy_crd()
    v1, beta = version(crd, "v1"), version(crd, "v1beta2")
    for key in ("schema", "additionalPrinterColumns", "subresources"):
        assert beta[key] == v1[key]


def test_the_imagepolicy_printer_columns_are_the_controllers() -> None:
    columns = version(policy_crd(), "v1")["additionalPrinterColumns"]
    assert [(c["name"], c["type"], c["jsonPath"]) for c in columns] == [
        ("Image", "string", ".status.latestRef.name"),
        ("Tag", "string", ".status.latestRef.tag"),
        ("Ready", "string", '.status.conditions[?(@.type=="Ready")].status'),
        ("Status", "string", '.status.conditions[?(@.type=="Ready")].message'),
        ("Age", "date", ".metadata.creationTimestamp"),
    ]


def test_the_imagepolicy_status_is_a_subresource_defaulting_observed_generation_to_minus_one() -> None:
    v1 = version(policy_crd(), "v1")
    assert v1["subresources"] == {"status": {}}
    assert v1["schema"]["openAPIV3Schema"]["properties"]["status"]["default"] == {"observedGeneration": -1}


def test_the_imagepolicy_spec_requires_the_repository_reference_and_the_policy() -> None:
    spec = spec_schema()
    assert spec["required"] == ["imageRepositoryRef", "policy"]
    assert spec["properties"]["imageRepositoryRef"]["required"] == ["name"]
    assert spec["properties"]["policy"]["properties"]["semver"]["required"] == ["range"]


def test_the_imagepolicy_spec_defaults_and_enums_are_the_controllers() -> None:
    properties = spec_schema()["properties"]
    reflection = properties["digestReflectionPolicy"]
    assert (reflection["default"], reflection["enum"]) == (
        imagepolicy.NEVER,
        list(imagepolicy.DIGEST_REFLECTION_POLICIES),
    )
    for member in ("alphabetical", "numerical"):
        order = properties["policy"]["properties"][member]["properties"]["order"]
        assert (order["default"], order["enum"]) == (imagepolicy.DEFAULT_ORDER, list(imagepolicy.ORDERS))
    assert properties["interval"]["pattern"] == r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"


def test_the_imagepolicy_spec_carries_the_two_interval_rules() -> None:
    assert spec_schema()["x-kubernetes-validations"] == [
        {
            "rule": "!has(self.interval) || (has(self.digestReflectionPolicy) "
            "&& self.digestReflectionPolicy == 'Always')",
            "message": imagepolicy.INTERVAL_ONLY_WITH_ALWAYS_MESSAGE,
        },
        {
            "rule": "has(self.interval) || !has(self.digestReflectionPolicy) "
            "|| self.digestReflectionPolicy != 'Always'",
            "message": imagepolicy.INTERVAL_REQUIRED_WITH_ALWAYS_MESSAGE,
        },
    ]


def test_the_imagepolicy_status_holds_the_refs_with_name_and_tag_required() -> None:
    status = version(policy_crd(), "v1")["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    assert sorted(status) == [
        "conditions",
        "lastHandledReconcileAt",
        "latestRef",
        "observedGeneration",
        "observedPreviousRef",
    ]
    for ref in ("latestRef", "observedPreviousRef"):
        assert status[ref]["required"] == ["name", "tag"]
        assert sorted(status[ref]["properties"]) == ["digest", "name", "tag"]
