"""The numerical policy: Go's ParseFloat, `asc` the highest and `desc` the lowest, ties and NaN."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.policy import NumericalPolicy, PolicyInputs, TagFilter, evaluate
from kubectl_imagerepo.model.policy.errors import NotANumberError


def pick(order: str, tags: list[str], tag_filter: TagFilter | None = None) -> str:
    return evaluate(PolicyInputs(numerical=NumericalPolicy(order), filter_tags=tag_filter), tags).latest()


# image-reflector-controller's numerical policy test data.
VECTORS = [
    (["-62", "-88", "73", "72", "15", "16", "15", "29", "-33", "-91"], "asc", "73"),
    (["5", "-8", "-78", "25", "70", "-4", "80", "92", "-20", "-24"], "desc", "-78"),
    (["47.40896403322944", "-27.8520927455902", "53.47333823144817", "3.2"], "asc", "53.47333823144817"),
    (["-65.27202780220686", "57.82948329142309", "-90.29082099756083"], "desc", "-90.29082099756083"),
    (["1606234201", "1606364286", "1606334092"], "asc", "1606364286"),
    (["1606234201", "1606364286", "1606334092"], "desc", "1606234201"),
]


@pytest.mark.parametrize(("tags", "order", "latest"), VECTORS)
def test_asc_picks_the_highest_number_and_desc_the_lowest(tags: list[str], order: str, latest: str) -> None:
    assert pick(order, tags) == latest


@pytest.mark.parametrize("tag", ["1e3", "+5", "1.", ".5", "00012", "1_000", "Inf", "-inf", "NaN"])
def test_values_are_what_go_parsefloat_accepts(tag: str) -> None:
    assert pick("asc", [tag]) == tag


@pytest.mark.parametrize("tag", ["0x10", " 5", "latest", "1e400"])
def test_a_value_go_parsefloat_rejects_fails_the_policy(tag: str) -> None:
    with pytest.raises(NotANumberError) as error:
        pick("asc", ["7", tag])
    assert str(error.value) == f"failed to parse invalid numeric value '{tag}'"
    assert error.value.reason == "Failure"


def test_the_first_value_that_is_no_number_in_database_order_is_named() -> None:
    with pytest.raises(NotANumberError, match="'b'"):
        pick("asc", ["0", "1a", "b"])


def test_without_a_filter_equal_numbers_pick_the_last_in_database_order() -> None:
    # Database order is descending bytes: 1.0, 1, 01.
    assert pick("asc", ["01", "1", "1.0"]) == "01"


def test_with_a_filter_equal_numbers_pick_the_first_in_database_order() -> None:
    assert pick("asc", ["01", "1", "1.0"], TagFilter()) == "1.0"


def test_a_nan_is_replaced_by_the_next_value_whatever_it_is() -> None:
    # Database order: NaN, 9, 1; the controller keeps 9 over 1, NaN never survives a successor.
    assert pick("asc", ["9", "NaN", "1"]) == "9"
    assert pick("desc", ["9", "NaN", "1"]) == "1"


def test_a_nan_last_in_database_order_is_the_pick() -> None:
    assert pick("asc", ["nan", "NaN", "5"], TagFilter("^[nN]")) == "NaN"


def test_the_candidates_are_listed_highest_first_after_the_pick() -> None:
    ranked = evaluate(PolicyInputs(numerical=NumericalPolicy()), ["10", "9", "100", "-1", "1.5"]).ranked
    assert [candidate.tag for candidate in ranked] == ["100", "10", "9", "1.5", "-1"]
