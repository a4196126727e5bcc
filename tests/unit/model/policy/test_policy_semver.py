"""The semver policy: Flux's tag parsing, Masterminds ranges, the highest version, ties.

Expected values are image-reflector-controller v1.2.4's (its policy tests and observed results).
"""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.policy import PolicyInputs, SemverPolicy, TagFilter, evaluate
from kubectl_imagerepo.model.policy.errors import InvalidPolicyError, SelectionError
from kubectl_imagerepo.model.policy.policers import flux_version


def pick(version_range: str, tags: list[str], tag_filter: TagFilter | None = None) -> str:
    return evaluate(PolicyInputs(semver=SemverPolicy(version_range), filter_tags=tag_filter), tags).latest()


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("v1.2.3", (1, 2, 3, "")),
        ("01.02.03", (1, 2, 3, "")),
        ("2025.01.02", (2025, 1, 2, "")),
        ("1.2-rc.1", (1, 2, 0, "rc.1")),
        ("1.2+b.5", (1, 2, 0, "")),
    ],
)
def test_flux_reads_loose_versions_with_two_dots(tag: str, version: tuple[int, int, int, str]) -> None:
    parsed = flux_version(tag)
    assert parsed is not None
    assert (parsed.major, parsed.minor, parsed.patch, parsed.prerelease) == version
    assert parsed.original == tag


@pytest.mark.parametrize(
    "tag",
    [
        "V1.2.3",
        "1.2",
        "latest",
        "1.2.3.4",
        "1..2",
        "v1.2.3-alpha_1",
        "1.0.0-rc.01",
        "18446744073709551616.0.0",
    ],
)
def test_flux_skips_tags_that_are_no_version(tag: str) -> None:
    assert flux_version(tag) is None


def test_a_version_longer_than_256_bytes_is_no_version() -> None:
    assert flux_version("1.0.0-" + "a" * 251) is None
    assert flux_version("1.0.0-" + "a" * 250) is not None


def test_the_highest_version_in_range_is_picked() -> None:
    assert pick("1.0.x", ["1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0"]) == "1.0.1"


def test_the_pick_is_the_tag_as_stored() -> None:
    assert pick("1.0.x", ["v1.2.3", "v1.0.0", "v0.1.0"]) == "v1.0.0"


@pytest.mark.parametrize(
    ("version_range", "tags", "latest"), [("v1.0.x", ["1.0.1"], "1.0.1"), ("1.0.x", ["v1.0.1"], "v1.0.1")]
)
def test_a_v_prefix_in_range_or_tag_is_interchangeable(
    version_range: str, tags: list[str], latest: str
) -> None:
    assert pick(version_range, tags) == latest


def test_equal_versions_pick_the_first_in_database_order() -> None:
    assert pick(">=1.0.0", ["1.0.0", "v1.0.0"]) == "v1.0.0"
    assert pick(">=1.0.0", ["1.0.0+b1", "1.0.0+b2"]) == "1.0.0+b2"


def test_equal_extracted_versions_pick_the_first_in_database_order() -> None:
    # Database order: y-1.0.0, x-v1.0.0, w-0.9.0; 1.0.0 and v1.0.0 are equal versions.
    tags = ["x-v1.0.0", "y-1.0.0", "w-0.9.0"]
    assert pick(">=0.1.0", tags, TagFilter(r"-(.*)$", "$1")) == "y-1.0.0"


@pytest.mark.parametrize(
    ("version_range", "matches"),
    [
        (">1.2", ["1.3.0", "2.0.0"]),
        (">=1.2", ["1.2.0", "1.2.5", "1.3.0", "2.0.0"]),
        ("1.2", ["1.2.0", "1.2.5"]),
        ("~1.2.3", ["1.2.5"]),
        ("^1.2", ["1.2.0", "1.2.5", "1.3.0"]),
        ("^0.0", ["0.0.3", "0.0.4"]),
        ("^0.0.3", ["0.0.3"]),
    ],
)
def test_ranges_allow_what_masterminds_allows(version_range: str, matches: list[str]) -> None:
    tags = ["0.0.3", "0.0.4", "0.1.0", "0.2.3", "0.3.0", "1.1.9", "1.2.0", "1.2.5", "1.3.0", "2.0.0"]
    ranked = evaluate(PolicyInputs(semver=SemverPolicy(version_range)), tags).ranked
    assert sorted(candidate.tag for candidate in ranked) == matches


def test_a_prerelease_only_satisfies_a_range_naming_one() -> None:
    tags = ["1.0.0", "1.0.1-rc.1", "2.0.0-rc.1"]
    assert pick("1.0.x", tags) == "1.0.0"
    assert pick("^1.x-0", tags) == "1.0.1-rc.1"
    assert pick(">=1.0.0-0", tags) == "2.0.0-rc.1"


def test_prerelease_identifiers_compare_numerically_when_numbers() -> None:
    assert pick(">=1.0.0-0", ["1.0.0-rc.9", "1.0.0-rc.10"]) == "1.0.0-rc.10"
    assert pick(">=1.0.0-0", ["1.0.0-rc9", "1.0.0-rc10"]) == "1.0.0-rc9"


@pytest.mark.parametrize(
    ("version_range", "message"),
    [
        ("*-*", 'invalid policy: improper constraint: "*-*"'),
        ("", 'invalid policy: improper constraint: ""'),
        ("latest", 'invalid policy: improper constraint: "latest"'),
        ("1x", "invalid policy: constraint parser error"),
        ("x1", "invalid policy: constraint parser error"),
        ("1" * 513, "invalid policy: constraint string is too long (max 512 bytes)"),
        ("||".join(["1.x"] * 33), "invalid policy: too many constraint groups (max 32)"),
    ],
)
def test_a_range_masterminds_rejects_is_an_invalid_policy(version_range: str, message: str) -> None:
    with pytest.raises(InvalidPolicyError) as error:
        pick(version_range, ["1.0.0"])
    assert str(error.value) == message
    assert error.value.reason == "InvalidPolicy"


def test_no_version_in_range_fails_with_the_controllers_message() -> None:
    with pytest.raises(SelectionError) as error:
        pick(">=2.0.0", ["1.0.0", "latest"])
    assert str(error.value) == "unable to determine latest version from provided list"
    assert error.value.reason == "Failure"
