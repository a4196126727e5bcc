"""A 10k-tag repository against references computed here in the plainest way.

The tags are generated deterministically: `<branch>-<build>` build tags, `v<major>.<minor>.<patch>`
releases with some release candidates, and `<timestamp>` numbers, shuffled.
"""

from __future__ import annotations

import random
import time

from kubectl_imagerepo.model.policy import (
    AlphabeticalPolicy,
    NumericalPolicy,
    PolicyInputs,
    SemverPolicy,
    TagFilter,
    evaluate,
    explain,
)

BRANCHES = ("main", "dev", "feature")


def repository() -> list[str]:
    tags = [f"{branch}-{build}" for branch in BRANCHES for build in range(1, 2334)]
    tags += [f"v{major}.{minor}.{patch}" for major in range(4) for minor in range(20) for patch in range(25)]
    tags += [f"v3.19.{patch}-rc.{rc}" for patch in range(25, 35) for rc in range(1, 6)]
    tags += [str(1_700_000_000 + 37 * step) for step in range(951)]
    random.Random(13).shuffle(tags)
    assert len(tags) == 10_000
    return tags


TAGS = repository()


def test_semver_range_picks_the_highest_release_below_the_bound() -> None:
    inputs = PolicyInputs(semver=SemverPolicy(">=2.0.0 <3.5.0"))
    releases = [tag for tag in TAGS if tag.startswith("v") and "-" not in tag]
    expected = max(
        (tag for tag in releases if (2, 0, 0) <= tuple(map(int, tag[1:].split("."))) < (3, 5, 0)),
        key=lambda tag: tuple(map(int, tag[1:].split("."))),
    )
    assert expected == "v3.4.24"
    assert evaluate(inputs, TAGS).latest() == expected


def test_semver_with_a_prerelease_range_picks_the_highest_release_candidate() -> None:
    inputs = PolicyInputs(semver=SemverPolicy(">=3.19.25-0"))
    assert evaluate(inputs, TAGS).latest() == "v3.19.34-rc.5"


def test_numerical_over_an_extracted_build_number_picks_the_highest_build() -> None:
    inputs = PolicyInputs(
        numerical=NumericalPolicy(), filter_tags=TagFilter(r"^main-(?P<build>\d+)$", "$build")
    )
    assert evaluate(inputs, TAGS).latest() == "main-2333"


def test_numerical_desc_over_timestamps_picks_the_oldest() -> None:
    inputs = PolicyInputs(numerical=NumericalPolicy("desc"), filter_tags=TagFilter(r"^\d+$"))
    assert evaluate(inputs, TAGS).latest() == str(min(int(tag) for tag in TAGS if tag.isdigit()))


def test_alphabetical_lists_every_candidate_in_byte_order() -> None:
    inputs = PolicyInputs(alphabetical=AlphabeticalPolicy(), filter_tags=TagFilter("^dev-"))
    ranked = [candidate.tag for candidate in evaluate(inputs, TAGS).ranked]
    assert ranked == sorted((tag for tag in TAGS if tag.startswith("dev-")), reverse=True)
    assert ranked[0] == "dev-999"


def test_the_candidates_list_in_the_policys_order() -> None:
    inputs = PolicyInputs(semver=SemverPolicy("^1.0.0"))
    ranked = [candidate.tag for candidate in evaluate(inputs, TAGS).ranked]
    expected = [f"v1.{minor}.{patch}" for minor in reversed(range(20)) for patch in reversed(range(25))]
    assert ranked == expected


def test_explain_answers_for_a_tag_below_the_pick() -> None:
    inputs = PolicyInputs(semver=SemverPolicy("^1.0.0"))
    assert explain(evaluate(inputs, TAGS), "v1.0.0").startswith(
        "'v1.0.0' ranks below the pick 'v1.19.24' (candidate 500 of 500;"
    )


def test_ten_thousand_tags_evaluate_within_a_second() -> None:
    inputs = PolicyInputs(semver=SemverPolicy(">=0.0.0-0"), filter_tags=TagFilter(r"^v(.*)$", "$1"))
    started = time.perf_counter()
    evaluation = evaluate(inputs, TAGS)
    assert time.perf_counter() - started < 1.0
    assert evaluation.latest() == "v3.19.34-rc.5"
