"""`suspend`: options completed from the factory, validated, run against a fake cluster."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.commands.suspend import SuspendOptions
from kubectl_imagerepo.kube.client import ApiError
from kubectl_imagerepo.model.errors import InputError
from tests.unit.commands.fakes import FakeKube, captured, factory, repository


def suspend(kube: FakeKube, **flags: object) -> tuple[int, str, str]:
    options = SuspendOptions.complete(factory(kube), **flags)  # type: ignore[arg-type]
    options.validate()
    streams, out, err = captured()
    code = options.run(kube, streams)
    return code, out.getvalue(), err.getvalue()


def test_no_name_nor_all_nor_selector_is_a_usage_error() -> None:
    options = SuspendOptions.complete(factory(FakeKube()))
    with pytest.raises(InputError, match="name is required"):
        options.validate()


def test_names_with_all_is_a_usage_error() -> None:
    options = SuspendOptions.complete(factory(FakeKube()), names=("a",), all_objects=True)
    with pytest.raises(InputError, match="cannot be combined"):
        options.validate()


def test_the_namespace_comes_from_the_client() -> None:
    assert SuspendOptions.complete(factory(FakeKube(namespace="team"))).namespace == "team"


def test_suspending_a_named_object_sets_spec_suspend_and_says_so() -> None:
    kube = FakeKube(repository("app"))
    code, out, err = suspend(kube, names=("app",))
    assert code == 0
    assert out == ""
    assert err.splitlines() == [
        "► suspending image repository app in ns namespace",
        "✔ image repository suspended",
    ]
    assert kube.objects[("ns", "app")]["spec"]["suspend"] is True


def test_a_missing_name_fails_with_exit_code_1_after_suspending_the_others() -> None:
    kube = FakeKube(repository("app"))
    code, _, err = suspend(kube, names=("app", "gone"))
    assert code == 1
    assert err.splitlines()[0] == "✗ ImageRepository gone not found in ns namespace"
    assert kube.objects[("ns", "app")]["spec"]["suspend"] is True


def test_all_of_an_empty_namespace_finds_no_objects() -> None:
    code, _, err = suspend(FakeKube(), all_objects=True)
    assert (code, err) == (1, "✗ no objects found\n")


def test_a_rejected_patch_is_a_failure_line_and_exit_code_1() -> None:
    kube = FakeKube(repository("app"))
    kube.patch_failure = ApiError(403, "Forbidden", "denied")
    code, _, err = suspend(kube, names=("app",))
    assert code == 1
    assert err.splitlines()[-1] == "✗ failed suspending ImageRepository app in ns namespace: denied"


def test_a_selector_picks_the_matching_objects_only() -> None:
    kube = FakeKube(repository("a", labels={"team": "x"}), repository("b"))
    code, _, _ = suspend(kube, selector="team=x")
    assert code == 0
    assert kube.objects[("ns", "a")]["spec"].get("suspend") is True
    assert "suspend" not in kube.objects[("ns", "b")]["spec"]
