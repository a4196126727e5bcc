"""The conflicts `install` reads from a refused server-side apply, and the one line it prints per CRD."""

from __future__ import annotations

from typing import Any

from kubectl_imagerepo.model.crd import crd_objects
from kubectl_imagerepo.model.crd_ownership import (
    ApplyConflict,
    conflict_line,
    conflict_of,
    served_versions,
    storage_version,
)

CRD = "imagepolicies.image.toolkit.fluxcd.io"
LABEL = ".metadata.labels.app.kubernetes.io/part-of"
SCHEMA = '.spec.versions[name="v1"].schema.openAPIV3Schema.description'


def cause(manager: str, field: str) -> dict[str, Any]:
    """A cause as the API server writes it for a field another manager holds."""
    return {
        "reason": "FieldManagerConflict",
        "message": f'conflict with "{manager}" using apiextensions.k8s.io/v1',
        "field": field,
    }


def test_the_managers_and_fields_of_the_causes_are_read_once_each_in_order() -> None:
    details = {
        "causes": [
            cause("kustomize-controller", LABEL),
            cause("other", SCHEMA),
            cause("kustomize-controller", SCHEMA),
            {"reason": "FieldValueInvalid", "message": 'conflict with "ignored"', "field": ".x"},
        ]
    }
    assert conflict_of(CRD, details) == ApplyConflict(CRD, ("kustomize-controller", "other"), (LABEL, SCHEMA))


def test_a_conflict_is_flux_only_when_every_manager_is_one_of_flux() -> None:
    assert ApplyConflict(CRD, ("kustomize-controller", "helm-controller", "flux"), ()).flux
    assert not ApplyConflict(CRD, ("kustomize-controller", "argocd-controller"), ()).flux
    assert not ApplyConflict(CRD, (), ()).flux


def test_the_shipped_crds_store_v1_and_serve_v1_and_v1beta2() -> None:
    for crd in crd_objects():
        assert storage_version(crd) == "v1"
        assert served_versions(crd) == ("v1", "v1beta2")


def test_another_manager_is_named_with_the_fields_and_the_way_to_take_over() -> None:
    line = conflict_line(ApplyConflict(CRD, ("team-crds",), (LABEL, SCHEMA)), "ImagePolicy", "v1", ())
    assert line == (
        f"error: customresourcedefinition.apiextensions.k8s.io/{CRD}: 2 fields ({LABEL}, {SCHEMA}) "
        'managed by "team-crds": nothing was changed (--force-conflicts takes the fields over)'
    )


def test_past_three_fields_the_line_names_three_and_the_count() -> None:
    fields = tuple(f".spec.f{i}" for i in range(5))
    line = conflict_line(ApplyConflict(CRD, ("a", "b"), fields), "ImagePolicy", "v1", ())
    assert ': 5 fields (.spec.f0, .spec.f1, .spec.f2, …) managed by "a", "b": ' in line


def test_flux_serving_what_the_plugin_needs_is_said_to_be_enough() -> None:
    conflict = ApplyConflict(CRD, ("kustomize-controller",), (LABEL,))
    line = conflict_line(conflict, "ImagePolicy", "v1", ("v1",))
    assert line == (
        f'error: customresourcedefinition.apiextensions.k8s.io/{CRD}: 1 field ({LABEL}) managed by '
        '"kustomize-controller" (Flux): the cluster already serves ImagePolicy v1, all the plugin needs; '
        "nothing was changed"
    )


def test_flux_not_serving_what_the_plugin_needs_is_said_with_the_way_to_take_over() -> None:
    conflict = ApplyConflict(CRD, ("helm-controller",), (LABEL,))
    line = conflict_line(conflict, "ImagePolicy", "v1", ("v1beta2",))
    assert line.endswith(
        '"helm-controller" (Flux): the cluster serves ImagePolicy v1beta2, not v1, which the plugin needs; '
        "nothing was changed (--force-conflicts takes the fields over)"
    )
