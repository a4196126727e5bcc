"""`describe`: each object found by name, by name prefix, or by listing."""

from __future__ import annotations

from typing import Any

from kubectl_imagerepo.commands.describe import DescribeOptions
from tests.unit.commands.fakes import FakeKube, captured, factory, repository


def describe(kube: FakeKube, **flags: Any) -> tuple[int, str, str]:
    options = DescribeOptions.complete(factory(kube), **flags)
    options.validate()
    streams, out, err = captured()
    return options.run(kube, streams), out.getvalue(), err.getvalue()


def names_in(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith("Name:")]


def test_names_and_a_selector_together_are_accepted_as_by_kubectl() -> None:
    DescribeOptions.complete(factory(FakeKube()), names=("a",), selector="x=y").validate()


def test_a_named_object_is_described_with_kubectl_s_layout() -> None:
    code, out, err = describe(FakeKube(repository("app")), names=("app",))
    assert (code, err) == (0, "")
    assert names_in(out) == ["app"]
    assert "Kind:         ImageRepository" in out


def test_a_name_matching_no_object_describes_the_objects_it_prefixes() -> None:
    kube = FakeKube(repository("app-a"), repository("app-b"), repository("web"))
    code, out, _ = describe(kube, names=("app",))
    assert code == 0
    assert names_in(out) == ["app-a", "app-b"]


def test_a_name_matching_nothing_is_kubectl_s_error_and_exit_code_1() -> None:
    code, out, err = describe(FakeKube(repository("web")), names=("app",))
    assert (code, out) == (1, "")
    assert err == 'Error from server (NotFound): imagerepositories.image.toolkit.fluxcd.io "app" not found\n'


def test_an_empty_namespace_says_no_resources_found() -> None:
    assert describe(FakeKube()) == (0, "", "No resources found in ns namespace.\n")
