"""filterTags: an unanchored RE2 pattern, an `extract` template, and what the policy then compares."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.policy import (
    AlphabeticalPolicy,
    NumericalPolicy,
    PolicyInputs,
    SemverPolicy,
    TagFilter,
    evaluate,
)
from kubectl_imagerepo.model.policy.candidates import compile_filter
from kubectl_imagerepo.model.policy.errors import PatternError


def values(pattern: str, extract: str, tags: list[str]) -> list[str]:
    filtered = compile_filter(TagFilter(pattern, extract)).apply(tags)
    return [candidate.value for candidate in filtered.candidates]


def test_the_pattern_keeps_tags_it_matches_anywhere() -> None:
    assert values("^ver", "", ["ver1", "ver2", "ver3", "rel1"]) == ["ver1", "ver2", "ver3"]
    assert values("1", "", ["ver1", "rel1", "x"]) == ["ver1", "rel1"]


def test_an_empty_pattern_keeps_every_tag() -> None:
    assert values("", "", ["a", "b"]) == ["a", "b"]


def test_extract_replaces_each_tag_by_the_expanded_template_only() -> None:
    assert values(r"ver(\d+)", "$1", ["ver1", "ver2", "ver3"]) == ["1", "2", "3"]
    assert values(r"(\d+)", "${1}x", ["v42-rc"]) == ["42x"]


def test_extract_naming_a_missing_group_gives_an_empty_value() -> None:
    assert values(r"(\d+)", "$2", ["v4"]) == [""]
    assert values(r"(?P<num>\d+)", "$nmu", ["v4"]) == [""]


def test_tags_extracting_the_same_value_keep_the_last_in_database_order() -> None:
    # The controller's map: dev-fff-100 comes after main-abc-100 in database order.
    filtered = compile_filter(TagFilter(r"-(\d+)$", "$1")).apply(["main-abc-100", "dev-fff-100"])
    assert [(candidate.tag, candidate.value) for candidate in filtered.candidates] == [("dev-fff-100", "100")]
    assert filtered.holders["100"] == "dev-fff-100"


def test_the_pick_is_the_original_tag_of_the_winning_value() -> None:
    tags = ["1.0.0", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.3", "1.0.1-rc.2"]
    inputs = PolicyInputs(
        numerical=NumericalPolicy("asc"), filter_tags=TagFilter(r"1.0.0-rc\.(?P<num>[0-9]+)", "$num")
    )
    assert evaluate(inputs, tags).latest() == "1.0.0-rc.3"


def test_a_named_group_extract_ranks_alphabetically() -> None:
    inputs = PolicyInputs(
        alphabetical=AlphabeticalPolicy("asc"), filter_tags=TagFilter("foo-(?P<word>[a-z]+)", "$word")
    )
    assert evaluate(inputs, ["foo-aaa", "foo-zzz", "foo-mmm", "bar-zzz"]).latest() == "foo-zzz"


def test_an_anchored_extract_feeds_the_semver_policy() -> None:
    inputs = PolicyInputs(semver=SemverPolicy(">=0.x"), filter_tags=TagFilter("^test-(.*)$", "$1"))
    assert evaluate(inputs, ["test-0.1.0", "test-0.1.1", "0.2.0", "test-latest"]).latest() == "test-0.1.1"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "^test-(.*",
            "failed to filter tags: invalid regular expression pattern '^test-(.*': "
            "error parsing regexp: missing closing ): `^test-(.*`",
        ),
        (
            "(?=x)",
            "failed to filter tags: invalid regular expression pattern '(?=x)': "
            "error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
        ),
    ],
)
def test_a_pattern_go_rejects_is_an_invalid_policy_with_gos_error(pattern: str, message: str) -> None:
    with pytest.raises(PatternError) as error:
        compile_filter(TagFilter(pattern))
    assert str(error.value) == message
    assert error.value.reason == "InvalidPolicy"
