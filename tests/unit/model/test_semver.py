"""Versions and ranges as a Flux ImagePolicy reads them (Masterminds/semver v3 and fluxcd/pkg/version).

The tables come from the examples of the Masterminds/semver README, the SemVer 2.0.0 specification and
image-reflector-controller's policy tests.
"""

from __future__ import annotations

import itertools
import random
import time

import pytest

from kubectl_imagerepo.model.semver import (
    SemverError,
    Version,
    compare,
    parse_range,
    parse_tag,
    precedence_key,
)


@pytest.mark.parametrize(
    ("tag", "parts"),
    [
        ("1.2.3", (1, 2, 3, "", "")),
        ("v1.2.3", (1, 2, 3, "", "")),
        ("0.0.0", (0, 0, 0, "", "")),
        ("1.0.0-alpha", (1, 0, 0, "alpha", "")),
        ("v2.0.0-rc.1", (2, 0, 0, "rc.1", "")),
        ("1.0.0-x-y-z.--", (1, 0, 0, "x-y-z.--", "")),
        ("1.0.0+20130313144700", (1, 0, 0, "", "20130313144700")),
        ("1.0.0-beta+exp.sha.5114f85", (1, 0, 0, "beta", "exp.sha.5114f85")),
        ("1.0.0+21AF26D3----117B344092BD", (1, 0, 0, "", "21AF26D3----117B344092BD")),
    ],
)
def test_a_tag_with_three_numbers_and_an_optional_v_is_a_version(
    tag: str, parts: tuple[int, int, int, str, str]
) -> None:
    version = parse_tag(tag)
    assert version is not None
    assert (version.major, version.minor, version.patch, version.prerelease, version.metadata) == parts
    assert version.original == tag


@pytest.mark.parametrize(
    "tag",
    [
        "1.2",
        "1",
        "1.0.0.1",
        "1.0.0p",
        "b1.2.3",
        "V1.2.3",
        "vv1.2.3",
        "1.2.3-01",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-a..b",
        "1.2.3-a_b",
        "1.2.3 ",
        "latest",
        "",
        "18446744073709551616.0.0",
    ],
)
def test_a_tag_flux_does_not_read_as_a_version_is_none(tag: str) -> None:
    assert parse_tag(tag) is None


@pytest.mark.parametrize(
    ("tag", "parts"),
    [
        ("01.02.03", (1, 2, 3, "")),
        ("2025.01.02", (2025, 1, 2, "")),
        ("1.2-rc.1", (1, 2, 0, "rc.1")),
    ],
)
def test_flux_coerces_leading_zeros_and_a_missing_patch_before_a_prerelease(
    tag: str, parts: tuple[int, int, int, str]
) -> None:
    version = parse_tag(tag)
    assert version is not None
    assert (version.major, version.minor, version.patch, version.prerelease) == parts


def test_versions_rank_by_semver_precedence() -> None:
    ranked = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "2.0.0",
        "2.1.0",
        "2.1.1",
        "10.0.0",
    ]
    versions = [parse_tag(tag) for tag in ranked]
    assert all(v is not None for v in versions)
    shuffled = list(ranked)
    random.Random(7).shuffle(shuffled)
    parsed = [v for v in map(parse_tag, shuffled) if v is not None]
    assert [v.original for v in sorted(parsed, key=precedence_key)] == ranked
    for lower, higher in itertools.pairwise(versions):
        assert lower is not None and higher is not None
        assert compare(lower, higher) == -1
        assert compare(higher, lower) == 1


def test_build_metadata_and_the_v_prefix_do_not_change_precedence() -> None:
    a, b, c = parse_tag("1.0.0+build.1"), parse_tag("v1.0.0"), parse_tag("1.0.0")
    assert a is not None and b is not None and c is not None
    assert compare(a, c) == 0 and compare(b, c) == 0
    assert precedence_key(a) == precedence_key(b) == precedence_key(c)


def test_a_version_compares_equal_to_itself_whatever_its_original_text() -> None:
    assert Version(1, 2, 3, original="1.2.3") == Version(1, 2, 3, original="v1.2.3")


# (range, version, allowed): Masterminds/semver README examples and its constraint checks.
ALLOWS = [
    # comparisons
    ("=2.0", "2.0.0", True),
    ("=2.0", "1.2.3", False),
    ("2.0.0", "2.0.0", True),
    ("!=4.1", "4.1.0", False),
    ("!=4.1", "5.1.0", True),
    (">1.1", "4.1.0", True),
    (">1.1", "1.1.1", False),
    (">11", "11.1.0", False),
    (">11", "12.0.0", True),
    (">1.1.0", "1.1.1", True),
    ("<1.1", "1.0.9", True),
    ("<1.1", "1.1.0", False),
    (">=1.1", "1.1.0", True),
    (">=1.1", "1.0.9", False),
    ("=>1.1", "1.1.0", True),
    ("<=1.1", "1.1.1", True),
    ("<=1.1", "1.2.0", False),
    ("=<1.1", "1.1.1", True),
    ("<=1.1.0", "1.1.1", False),
    # AND with spaces or commas, OR with ||
    (">= 1.2, < 3.0.0 || >= 4.2.3", "2.9.9", True),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "3.5.0", False),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "4.2.3", True),
    (">=1.0.0 <2.0.0", "1.9.9", True),
    (">=1.0.0 <2.0.0", "2.0.0", False),
    (">0,<2.0", "1.5.0", True),
    # hyphen ranges: inclusive, a partial upper bound covers its whole minor
    ("1.2 - 1.4.5", "1.2.0", True),
    ("1.2 - 1.4.5", "1.4.5", True),
    ("1.2 - 1.4.5", "1.4.6", False),
    ("2.3.4 - 4.5", "4.5.9", True),
    ("2.3.4 - 4.5", "4.6.0", False),
    ("2.3.4 - 4.5", "2.3.3", False),
    # wildcards
    ("1.2.x", "1.2.9", True),
    ("1.2.x", "1.3.0", False),
    ("1.x", "1.9.0", True),
    ("1.x", "2.0.0", False),
    ("2.X", "2.1.0", True),
    ("2.*", "2.1.0", True),
    (">= 1.2.x", "1.2.0", True),
    (">= 1.2.x", "9.0.0", True),
    ("<= 2.x", "2.9.9", True),
    ("<= 2.x", "3.0.0", False),
    ("*", "0.0.1", True),
    ("*", "9.9.9", True),
    ("!=4.x", "4.1.0", False),
    ("!=4.x", "5.1.0", True),
    ("1.0.x", "1.0.1", True),
    # tilde
    ("~1.2.3", "1.2.3", True),
    ("~1.2.3", "1.2.9", True),
    ("~1.2.3", "1.3.0", False),
    ("~1.2.3", "1.2.2", False),
    ("~1", "1.9.9", True),
    ("~1", "2.0.0", False),
    ("~2.3", "2.3.9", True),
    ("~2.3", "2.4.0", False),
    ("~1.2.x", "1.2.5", True),
    ("~1.x", "1.9.0", True),
    ("~>1.2", "1.2.9", True),
    ("~0.0.0", "5.0.0", True),
    # caret
    ("^1.2.3", "1.9.9", True),
    ("^1.2.3", "2.0.0", False),
    ("^1.2.3", "1.2.2", False),
    ("^1.2.x", "1.2.0", True),
    ("^2.3", "2.3.0", True),
    ("^2.3", "2.9.0", True),
    ("^2.3", "3.0.0", False),
    ("^2.x", "2.0.0", True),
    ("^0.2.3", "0.2.9", True),
    ("^0.2.3", "0.3.0", False),
    ("^0.2", "0.2.0", True),
    ("^0.2", "0.3.0", False),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^0.0", "0.0.9", True),
    ("^0.0", "0.1.0", False),
    ("^0", "0.9.9", True),
    ("^0", "1.0.0", False),
    ("^1.0", "1.0.0", True),
    # prereleases match only groups that name a prerelease
    (">= 1.2.3", "1.2.4-beta", False),
    (">=1.2.3-0", "1.2.4-beta", True),
    (">=1.2.3-0", "1.2.3-alpha", True),
    (">=1.2.3-alpha", "1.2.3-alpha.1", True),
    (">=1.2.3-beta", "1.2.3-alpha", False),
    ("^1.2.3-0", "1.5.0-rc.1", True),
    ("1.x", "1.2.0-rc.1", False),
    ("*", "1.0.0-alpha", False),
    (">=1.0.0-0 <2.0.0", "2.0.0-rc.1", True),
    (">=1.0.0 <2.0.0-0 || >=3.0.0-rc.1", "1.9.0-rc.1", True),
    (">=1.0.0 <2.0.0 || >=3.0.0-rc.1", "1.9.0-rc.1", False),
    (">=1.0.0 <2.0.0-0 || >=3.0.0-rc.1", "3.1.0-rc.1", True),
    # the v prefix is accepted in ranges too
    (">=v1.2.0", "1.3.0", True),
]


@pytest.mark.parametrize(("text", "tag", "allowed"), ALLOWS)
def test_a_range_allows_the_versions_masterminds_allows(text: str, tag: str, allowed: bool) -> None:
    version = parse_tag(tag)
    assert version is not None
    assert parse_range(text).allows(version) is allowed


@pytest.mark.parametrize(
    "text",
    ["1.0.x", "^1.0", "=1.0.0", "~1.0", ">=1.0", ">0,<2.0", " 1.2 ", "1.0\n", ">= 1.2 <3", "1.2 - 2 || 5.x"],
)
def test_a_range_flux_accepts_parses(text: str) -> None:
    parse_range(text)


@pytest.mark.parametrize("text", ["1.0.0p", "-1", "a", "", ">=1.0 ||", "1.2.3 -", ">>1", "1.2.3.4", "1.0\v"])
def test_a_range_flux_rejects_is_an_error(text: str) -> None:
    with pytest.raises(SemverError, match="improper constraint"):
        parse_range(text)


@pytest.mark.parametrize("text", ["1x", "x1", "1.2x", ">=1x", "^1.2.3x", "18446744073709551616"])
def test_a_version_part_that_is_no_number_is_masterminds_parser_error(text: str) -> None:
    with pytest.raises(SemverError) as error:
        parse_range(text)
    assert str(error.value) == "constraint parser error"


def test_the_validity_check_does_not_backtrack_on_many_wildcards() -> None:
    started = time.perf_counter()
    with pytest.raises(SemverError, match="improper constraint"):
        parse_range(" ".join(["1.x"] * 60) + " ~")
    assert time.perf_counter() - started < 1.0


def test_the_range_error_quotes_the_group_as_go_does() -> None:
    with pytest.raises(SemverError) as error:
        parse_range(">=1.0 || a")
    assert str(error.value) == 'improper constraint: " a"'


def test_flux_semver_policy_example_selects_the_highest_in_range() -> None:
    tags = ["1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0"]
    in_range = parse_range("1.0.x")
    versions = [v for v in map(parse_tag, tags) if v is not None and in_range.allows(v)]
    assert max(versions, key=precedence_key).original == "1.0.1"


def test_flux_semver_policy_example_keeps_the_v_of_the_tag() -> None:
    versions = [v for v in map(parse_tag, ["v1.2.3", "v1.0.0", "v0.1.0"]) if v is not None]
    in_range = parse_range("1.0.x")
    assert [v.original for v in versions if in_range.allows(v)] == ["v1.0.0"]
