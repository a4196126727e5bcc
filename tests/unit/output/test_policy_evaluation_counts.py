"""What `policy describe` counts of an evaluation: the tags each step of the policy left out."""

from __future__ import annotations

from kubectl_imagerepo.model.policy import AlphabeticalPolicy, PolicyInputs, SemverPolicy, TagFilter, evaluate
from kubectl_imagerepo.output.policy_describe import Counts, counts


def test_semver_counts_non_versions_and_versions_outside_the_range() -> None:
    found = counts(evaluate(PolicyInputs(semver=SemverPolicy("^1.0")), ["1.0.0", "2.0.0", "latest"]))
    assert found == Counts(stored=3, not_versions=1, outside_range=1)


def test_a_filter_counts_the_tags_it_drops_and_the_values_a_later_tag_holds() -> None:
    inputs = PolicyInputs(alphabetical=AlphabeticalPolicy(), filter_tags=TagFilter("^(a|b)-(?P<v>.*)$", "$v"))
    found = counts(evaluate(inputs, ["a-1", "b-1", "c-1", "a-2"]))
    assert found == Counts(stored=4, dropped_by_filter=1, same_value=1)


def test_an_invalid_policy_counts_only_the_stored_tags() -> None:
    assert counts(evaluate(PolicyInputs(), ["1.0.0"])) == Counts(stored=1)
