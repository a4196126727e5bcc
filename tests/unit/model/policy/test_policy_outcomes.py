"""The evaluation-level outcomes of image-reflector-controller's scenario matrix, with exact texts.

Each row names the error's condition reason and the message the controller writes into Ready or Stalled.
"""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.policy import (
    NumericalPolicy,
    PolicyInputs,
    SemverPolicy,
    TagFilter,
    evaluate,
)
from kubectl_imagerepo.model.policy.errors import RETRYING, InvalidPolicyError, NoTagsError, PolicyError

PODINFO = ["5.0.3", "5.1.4", "5.1.3", "latest", "6.0.0-rc.1"]


def failure(inputs: PolicyInputs, tags: list[str]) -> PolicyError:
    evaluation = evaluate(inputs, tags)
    assert evaluation.pick is None
    assert evaluation.error is not None
    with pytest.raises(PolicyError) as raised:
        evaluation.latest()
    assert raised.value is evaluation.error
    return evaluation.error


def test_first_success_picks_the_highest_version() -> None:
    assert evaluate(PolicyInputs(semver=SemverPolicy("5.x")), PODINFO).latest() == "5.1.4"


def test_invalid_semver_stalls_as_invalid_policy() -> None:
    error = failure(PolicyInputs(semver=SemverPolicy("*-*")), PODINFO)
    assert (error.reason, str(error)) == ("InvalidPolicy", 'invalid policy: improper constraint: "*-*"')


def test_an_empty_policy_stalls_as_invalid_policy() -> None:
    error = failure(PolicyInputs(), PODINFO)
    assert (error.reason, str(error)) == (
        "InvalidPolicy",
        "invalid policy: given ImagePolicyChoice object is invalid",
    )


def test_a_bad_regex_stalls_as_invalid_policy() -> None:
    error = failure(PolicyInputs(semver=SemverPolicy("*"), filter_tags=TagFilter("^test-(.*")), PODINFO)
    assert (error.reason, str(error)) == (
        "InvalidPolicy",
        "failed to filter tags: invalid regular expression pattern '^test-(.*': "
        "error parsing regexp: missing closing ): `^test-(.*`",
    )


def test_an_empty_database_is_dependency_not_ready() -> None:
    error = failure(PolicyInputs(semver=SemverPolicy("*")), [])
    assert (error.reason, str(error)) == ("DependencyNotReady", "no tags in database")
    assert RETRYING.format(interval="30s", error=error) == "retrying in 30s error: no tags in database"


def test_no_semver_match_is_a_failure() -> None:
    error = failure(PolicyInputs(semver=SemverPolicy(">=7.0.0")), PODINFO)
    assert (error.reason, str(error)) == ("Failure", "unable to determine latest version from provided list")


def test_a_filter_matching_nothing_is_a_failure() -> None:
    error = failure(PolicyInputs(semver=SemverPolicy("*"), filter_tags=TagFilter("^nothing$")), PODINFO)
    assert (error.reason, str(error)) == ("Failure", "version list argument cannot be empty")


def test_numerical_on_a_tag_that_is_no_number_is_a_failure() -> None:
    error = failure(PolicyInputs(numerical=NumericalPolicy()), ["main-abc-100", "7"])
    assert (error.reason, str(error)) == ("Failure", "failed to parse invalid numeric value 'main-abc-100'")


def test_an_extract_naming_a_mistyped_group_fails_numerical_on_the_empty_value() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy(), filter_tags=TagFilter(r"(?P<ts>\d+)", "$tz"))
    assert str(failure(inputs, ["build-1", "build-2"])) == "failed to parse invalid numeric value ''"


def test_an_invalid_policy_is_reported_before_an_empty_database() -> None:
    assert isinstance(failure(PolicyInputs(semver=SemverPolicy("*-*")), []), InvalidPolicyError)


def test_an_empty_database_is_reported_before_a_bad_regex() -> None:
    inputs = PolicyInputs(semver=SemverPolicy("*"), filter_tags=TagFilter("^test-(.*"))
    assert isinstance(failure(inputs, []), NoTagsError)


def test_semver_wins_over_the_other_choices_when_several_are_set() -> None:
    inputs = PolicyInputs(semver=SemverPolicy("<6"), numerical=NumericalPolicy())
    assert evaluate(inputs, ["5.0.0", "9"]).latest() == "5.0.0"


def test_tags_are_taken_in_database_order_whatever_order_they_come_in() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy())
    assert evaluate(inputs, ["1", "01", "1.0"]) == evaluate(inputs, ["1.0", "1", "01"])
