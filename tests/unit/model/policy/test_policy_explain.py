"""`--explain TAG`: one line on why a tag is or is not the pick."""

from __future__ import annotations

from kubectl_imagerepo.model.exclusion import compile_exclusions
from kubectl_imagerepo.model.policy import (
    AlphabeticalPolicy,
    NumericalPolicy,
    PolicyInputs,
    SemverPolicy,
    TagFilter,
    evaluate,
    explain,
)

SEMVER = PolicyInputs(semver=SemverPolicy(">=1.0.0 <2.0.0"), filter_tags=TagFilter("^v?[0-9]"))
TAGS = ["1.2.0", "1.1.0", "v1.2.0", "0.9.0", "2.0.0", "1.3.0-rc.1", "1.2", "latest"]


def why(tag: str, inputs: PolicyInputs = SEMVER, tags: list[str] = TAGS) -> str:
    return explain(evaluate(inputs, tags), tag, compile_exclusions(["^.*\\.sig$"]))


def test_the_pick_says_so() -> None:
    assert (
        why("v1.2.0") == "'v1.2.0' is the pick: semver range '>=1.0.0 <2.0.0' (the highest version in range)"
    )


def test_a_tag_the_exclusion_list_removed_names_the_pattern() -> None:
    assert why("1.2.0.sig") == "'1.2.0.sig' is excluded by the repository's exclusion list ('^.*\\.sig$')"


def test_a_tag_never_stored_is_not_in_the_repository() -> None:
    assert why("9.9.9") == "'9.9.9' is not in the repository: its last scan stored no such tag"


def test_a_tag_the_pattern_does_not_match_is_dropped() -> None:
    assert why("latest") == "'latest' is dropped by the pattern '^v?[0-9]'"


def test_a_tag_that_is_no_version_says_so() -> None:
    assert why("1.2") == "'1.2' is not a version"


def test_a_version_outside_the_range_says_so() -> None:
    assert why("2.0.0") == "'2.0.0' is outside the range '>=1.0.0 <2.0.0'"


def test_a_prerelease_outside_the_range_gets_the_prerelease_rule() -> None:
    assert why("1.3.0-rc.1") == (
        "'1.3.0-rc.1' is outside the range '>=1.0.0 <2.0.0' "
        "(a prerelease only satisfies a range group that names a prerelease)"
    )


def test_a_lower_version_ranks_below_the_pick() -> None:
    assert why("1.1.0") == (
        "'1.1.0' ranks below the pick 'v1.2.0' (candidate 3 of 3; "
        "semver range '>=1.0.0 <2.0.0' (the highest version in range))"
    )


def test_an_equal_version_ties_with_the_pick_first_in_database_order() -> None:
    assert (
        why("1.2.0")
        == "'1.2.0' ties with the pick 'v1.2.0', which comes first in database order (candidate 2 of 3)"
    )


def test_an_equal_number_without_a_filter_ties_with_the_last_in_database_order() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy())
    assert why("1.0", inputs, ["1.0", "01"]) == (
        "'1.0' ties with the pick '01', which comes last in database order (candidate 2 of 2)"
    )


def test_a_tag_whose_extracted_value_another_tag_holds_says_which() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy(), filter_tags=TagFilter(r"-(\d+)$", "$1"))
    assert why("main-abc-100", inputs, ["main-abc-100", "dev-fff-100"]) == (
        "'main-abc-100' extracts to '100', which 'dev-fff-100' (later in database order) "
        "also extracts to and holds"
    )


def test_an_extracted_value_is_shown_beside_its_tag() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy(), filter_tags=TagFilter(r"-(\d+)$", "$1"))
    assert why("b-2", inputs, ["b-2", "a-10"]) == (
        "'b-2' (extracted '2') ranks below the pick 'a-10' (extracted '10') "
        "(candidate 2 of 2; numerical asc (the highest number))"
    )


def test_a_value_that_is_no_number_fails_the_numerical_policy() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy())
    assert why("latest", inputs, ["latest", "7"]) == (
        "'latest' is not a number, which fails the whole numerical policy "
        "(failed to parse invalid numeric value 'latest')"
    )


def test_a_candidate_of_a_failing_policy_says_nothing_is_picked() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy())
    assert why("7", inputs, ["latest", "7"]) == (
        "'7' takes part, but the policy picks no tag (failed to parse invalid numeric value 'latest')"
    )


def test_an_invalid_policy_picks_no_tag() -> None:
    inputs = PolicyInputs(alphabetical=AlphabeticalPolicy("up"))
    assert why("a", inputs, ["a"]) == (
        "'a' is not the pick: the policy picks no tag "
        "(invalid policy: invalid order argument provided: 'UP', must be one of: ASC, DESC)"
    )


def test_a_tag_with_a_character_that_does_not_print_stays_on_one_line() -> None:
    assert why("bad\ntag") == '"bad\\ntag" is not in the repository: its last scan stored no such tag'
