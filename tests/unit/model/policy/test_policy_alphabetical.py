"""The alphabetical policy: byte order, `asc` picks the highest and `desc` the lowest."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.policy import AlphabeticalPolicy, PolicyInputs, evaluate
from kubectl_imagerepo.model.policy.errors import InvalidPolicyError


def pick(order: str, tags: list[str]) -> str:
    return evaluate(PolicyInputs(alphabetical=AlphabeticalPolicy(order)), tags).latest()


# (tags, asc pick, desc pick): image-reflector-controller's alphabetical policy test data.
VECTORS = [
    (["16.04", "16.04.1", "16.10", "20.04", "20.10"], "20.10", "16.04"),
    (["xenial", "yakkety", "zesty", "artful", "bionic"], "zesty", "artful"),
    (["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"], "1606364286", "1606234201"),
    (
        ["2023-05-08T00-20-00Z", "1990-01-08T00-20-00Z", "2000-11-08T00-20-00Z"],
        "2023-05-08T00-20-00Z",
        "1990-01-08T00-20-00Z",
    ),
]


@pytest.mark.parametrize(("tags", "highest", "lowest"), VECTORS)
def test_asc_picks_the_highest_and_desc_the_lowest(tags: list[str], highest: str, lowest: str) -> None:
    assert pick("asc", tags) == highest
    assert pick("desc", tags) == lowest


def test_an_empty_order_is_asc() -> None:
    assert pick("", ["a", "b"]) == "b"


def test_the_order_is_read_in_any_case() -> None:
    assert pick("DESC", ["a", "b"]) == "a"


def test_byte_order_has_no_notion_of_numbers() -> None:
    assert pick("asc", ["1.9", "1.10"]) == "1.9"
    assert pick("asc", ["20220209-22", "20220209-4"]) == "20220209-4"


def test_an_unknown_order_is_an_invalid_policy_named_in_upper_case() -> None:
    with pytest.raises(InvalidPolicyError) as error:
        pick("up", ["a"])
    assert (
        str(error.value) == "invalid policy: invalid order argument provided: 'UP', must be one of: ASC, DESC"
    )


def test_the_candidates_are_listed_in_the_policys_order() -> None:
    ranked = evaluate(PolicyInputs(alphabetical=AlphabeticalPolicy("desc")), ["b", "c", "a"]).ranked
    assert [candidate.tag for candidate in ranked] == ["a", "b", "c"]
