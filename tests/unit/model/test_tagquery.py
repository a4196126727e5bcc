"""Filtering and ranking tags as a Flux ImagePolicy does: filterTags.pattern, semver range, policy, order.

Tags are listed latest first, so the first tag is the one an ImagePolicy with the same settings selects.
The tables use image-reflector-controller's policy test data.
"""

from __future__ import annotations

import random

import pytest

from kubectl_imagerepo.model.tagquery import NumericTagError, QueryError, compile_query


def run(tags: list[str], **options: object) -> list[str]:
    return list(compile_query(**options).select(tags))  # type: ignore[arg-type]


def shuffled(tags: list[str]) -> list[str]:
    copy = list(tags)
    random.Random(42).shuffle(copy)
    return copy


# (versions, order, expected latest): the Flux numerical policy examples.
NUMERICAL = [
    (["-62", "-88", "73", "72", "15", "16", "15", "29", "-33", "-91"], None, "73"),
    (["5", "-8", "-78", "25", "70", "-4", "80", "92", "-20", "-24"], "desc", "-78"),
    (
        ["47.40896403322944", "-27.8520927455902", "-31.352485948094568", "53.47333823144817", "3.2"],
        None,
        "53.47333823144817",
    ),
    (
        ["-65.27202780220686", "57.82948329142309", "-90.29082099756083", "16.06867070412028"],
        "desc",
        "-90.29082099756083",
    ),
    (["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"], None, "1606364286"),
    (["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"], "desc", "1606234201"),
    (["1"], None, "1"),
]


@pytest.mark.parametrize(("tags", "order", "latest"), NUMERICAL)
def test_numeric_sort_lists_flux_numerical_latest_first(
    tags: list[str], order: str | None, latest: str
) -> None:
    assert run(shuffled(tags), sort="numeric", order=order)[0] == latest


def test_numeric_sort_lists_every_tag_by_value_highest_first_by_default() -> None:
    assert run(["10", "9", "100", "-1", "1.5", "1e1"], sort="numeric") == [
        "100",
        "1e1",
        "10",
        "9",
        "1.5",
        "-1",
    ]


def test_numeric_sort_with_desc_order_lists_the_lowest_first() -> None:
    assert run(["10", "9", "100", "-1"], sort="numeric", order="desc") == ["-1", "9", "10", "100"]


def test_numeric_sort_fails_on_a_tag_that_is_no_number_as_flux_does() -> None:
    with pytest.raises(NumericTagError, match="failed to parse invalid numeric value '1a'"):
        run(["0", "1a", "b"], sort="numeric")


def test_numeric_sort_accepts_non_numbers_once_a_filter_removed_them() -> None:
    assert run(["0", "1a", "b", "7"], sort="numeric", pattern="^[0-9]+$") == ["7", "0"]


def test_equal_numbers_rank_by_their_bytes() -> None:
    assert run(["1.0", "1", "01"], sort="numeric") == ["1.0", "1", "01"]


ALPHA = ["1.0.0", "Z", "a", "aa", "ab", "b", "latest", "v1", "éclair"]


def test_alpha_sort_lists_the_highest_bytes_first_by_default() -> None:
    assert run(shuffled(ALPHA), sort="alpha") == sorted(ALPHA, reverse=True)


def test_alpha_sort_with_desc_order_lists_the_lowest_bytes_first() -> None:
    assert run(shuffled(ALPHA), sort="alpha", order="desc") == sorted(ALPHA)


def test_flux_alphabetical_examples_select_the_same_latest() -> None:
    tags = ["xenon", "argon", "helium", "radon", "neon", "krypton"]
    assert run(tags, sort="alpha")[0] == "xenon"
    assert run(tags, sort="alpha", order="desc")[0] == "argon"


SEMVER_TAGS = ["1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0", "v1.1.0", "2.0.0-rc.1", "latest"]


def test_semver_sort_skips_tags_that_are_no_version_and_lists_the_highest_first() -> None:
    assert run(SEMVER_TAGS, sort="semver") == ["2.0.0-rc.1", "1.2.0", "v1.1.0", "1.0.1", "1.0.0", "0.1.0"]


def test_semver_sort_with_desc_order_lists_the_lowest_first() -> None:
    assert run(SEMVER_TAGS, sort="semver", order="desc")[:2] == ["0.1.0", "1.0.0"]


def test_a_semver_range_keeps_what_it_allows_and_ranks_by_semver() -> None:
    assert run(SEMVER_TAGS, version_range="1.0.x") == ["1.0.1", "1.0.0"]


def test_a_semver_range_can_be_ranked_alphabetically() -> None:
    assert run(SEMVER_TAGS, version_range=">=1.0.0", sort="alpha") == ["v1.1.0", "1.2.0", "1.0.1", "1.0.0"]


def test_equal_versions_rank_by_their_bytes() -> None:
    assert run(["v1.0.0", "1.0.0+b", "1.0.0"], sort="semver") == ["v1.0.0", "1.0.0+b", "1.0.0"]


def test_filter_keeps_tags_the_pattern_matches_anywhere() -> None:
    assert run(["main-1", "feature-main", "dev-2"], pattern="main") == ["main-1", "feature-main"]


def test_filter_anchors_only_where_the_pattern_says() -> None:
    assert run(["main-1", "feature-main"], pattern="^main") == ["main-1"]


def test_without_a_sort_tags_keep_their_given_order() -> None:
    assert run(["b", "c", "a"]) == ["b", "c", "a"]


def test_limit_keeps_the_first_tags_of_the_listing() -> None:
    assert run(["1", "3", "2"], sort="numeric", limit=2) == ["3", "2"]
    assert run(["b", "c", "a"], limit=1) == ["b"]


def test_limit_zero_lists_nothing() -> None:
    assert run(["a"], limit=0) == []


def test_without_a_sort_tags_are_read_lazily() -> None:
    read: list[str] = []

    def source() -> object:
        for tag in ["a", "b", "c", "d"]:
            read.append(tag)
            yield tag

    selected = compile_query(limit=2).select(source())  # type: ignore[arg-type]
    assert list(selected) == ["a", "b"]
    assert read == ["a", "b"]


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        ({"pattern": "(?=x)"}, "--filter"),
        ({"pattern": "a("}, "--filter"),
        ({"version_range": ">=1.0 ||"}, "--semver"),
        ({"version_range": "banana"}, "--semver"),
        ({"sort": "random"}, "--sort"),
        ({"sort": "alpha", "order": "up"}, "--order"),
        ({"limit": -1}, "--limit"),
        ({"order": "asc"}, "--order"),
        ({"sort": "numeric", "version_range": "1.x"}, "--sort"),
    ],
)
def test_a_query_that_cannot_run_names_the_flag_at_fault(options: dict[str, object], flag: str) -> None:
    with pytest.raises(QueryError) as error:
        compile_query(**options)  # type: ignore[arg-type]
    assert error.value.flag == flag
    assert str(error.value).startswith(f"{flag}: ")
    assert "\n" not in str(error.value)


def test_a_bad_filter_reports_go_regexp_error() -> None:
    with pytest.raises(QueryError) as error:
        compile_query(pattern="a(")
    assert str(error.value) == (
        "--filter: invalid regular expression pattern 'a(': error parsing regexp: missing closing ): `a(`"
    )


def test_order_with_a_range_and_no_sort_is_allowed() -> None:
    assert run(["1.0.0", "1.1.0"], version_range="1.x", order="desc") == ["1.0.0", "1.1.0"]
