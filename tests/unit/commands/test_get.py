"""`get`: kubectl's table and formats, named objects, and `-w` through the shared watch loop."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.commands.get import GetOptions
from kubectl_imagerepo.model.errors import InputError
from tests.unit.commands.fakes import Done, FakeKube, captured, factory, repository


def get(kube: FakeKube, **flags: Any) -> tuple[int, str, str]:
    options = GetOptions.complete(factory(kube), **flags)
    options.validate()
    streams, out, err = captured()
    return options.run(kube, streams), out.getvalue(), err.getvalue()


def test_an_unknown_output_format_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="error:"):
        GetOptions.complete(factory(FakeKube()), output="xml")


def test_a_malformed_status_selector_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="type=status"):
        GetOptions.complete(factory(FakeKube()), status_selector="Ready")


def test_watching_two_names_is_a_usage_error() -> None:
    options = GetOptions.complete(factory(FakeKube()), names=("a", "b"), watch=True)
    with pytest.raises(InputError, match="single resource type and name when watching"):
        options.validate()


def test_the_table_lists_the_namespace_s_objects() -> None:
    code, out, err = get(FakeKube(repository("a"), repository("b"), repository("c", namespace="other")))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "IMAGE", "TAGS", "READY", "STATUS", "LAST", "SCAN", "AGE"]
    assert [line.split()[0] for line in lines[1:]] == ["a", "b"]


def test_an_empty_namespace_says_no_resources_found_on_stderr() -> None:
    assert get(FakeKube()) == (0, "", "No resources found in ns namespace.\n")


def test_a_missing_name_is_kubectl_s_error_and_exit_code_1() -> None:
    code, out, err = get(FakeKube(repository("a")), names=("a", "gone"), output="name")
    assert code == 1
    assert out == "imagerepository.image.toolkit.fluxcd.io/a\n"
    assert err == 'Error from server (NotFound): imagerepositories.image.toolkit.fluxcd.io "gone" not found\n'


def test_ignore_not_found_makes_a_missing_name_succeed() -> None:
    assert get(FakeKube(), names=("gone",), ignore_not_found=True) == (0, "", "")


def test_watch_prints_a_row_for_each_change_after_the_list() -> None:
    kube = FakeKube(repository("a"))
    changed = repository("b")
    changed["metadata"]["resourceVersion"] = "9"
    kube.watches = [[{"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "8"}}},
                     {"type": "ADDED", "object": changed}]]
    options = GetOptions.complete(factory(kube), watch=True, no_headers=True)
    streams, out, _ = captured()
    with pytest.raises(Done):
        options.run(kube, streams)
    assert [line.split()[0] for line in out.getvalue().splitlines()] == ["a", "b"]
    watched = [query for verb, _, query in kube.requests if verb == "WATCH"]
    assert ("resourceVersion", "7") in watched[0]
    assert ("resourceVersion", "9") in watched[1]
