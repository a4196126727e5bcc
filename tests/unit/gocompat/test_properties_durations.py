"""Properties of Go duration parsing and printing, over generated durations (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kubectl_imagerepo.gocompat.durations import format_go_duration, parse_go_duration, parse_request_timeout

SETTINGS = settings(max_examples=300, deadline=None)
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
GO_ERROR = re.compile(
    r'time: (invalid duration|missing unit in duration|unknown unit ".*" in duration) ".*"\Z'
)

# Every int64 the formatter prints: the whole range, with the edges and unit boundaries drawn often.
_INT64 = st.one_of(
    st.integers(INT64_MIN, INT64_MAX),
    st.sampled_from([INT64_MIN, INT64_MIN + 1, -1, 0, 1, 999, 1000, 999_999, 10**6, 10**9, INT64_MAX]),
    st.integers(-(10**12), 10**12),
)
_UNIT = st.sampled_from(["ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"])
_PART = st.builds(
    lambda whole, fraction, unit: f"{whole}{fraction}{unit}",
    st.integers(0, 10**6).map(str),
    st.one_of(st.just(""), st.integers(0, 10**9).map(lambda n: f".{n}")),
    _UNIT,
)
_DURATION_TEXT = st.builds(
    lambda sign, parts: sign + "".join(parts),
    st.sampled_from(["", "+", "-"]),
    st.lists(_PART, min_size=1, max_size=4),
)
_NEAR_MISS = st.text(alphabet="0123456789.+-nsuµμmh x", max_size=24)


@SETTINGS
@given(_INT64)
def test_parse_of_format_gives_the_same_nanoseconds(nanoseconds: int) -> None:
    assert parse_go_duration(format_go_duration(nanoseconds)) == nanoseconds


@SETTINGS
@given(_DURATION_TEXT)
def test_format_of_parse_is_stable(text: str) -> None:
    try:
        nanoseconds = parse_go_duration(text)
    except ValueError as bad:
        assert GO_ERROR.match(str(bad)), str(bad)  # overflow is Go's invalid duration
        return
    printed = format_go_duration(nanoseconds)
    assert parse_go_duration(printed) == nanoseconds
    assert format_go_duration(parse_go_duration(printed)) == printed


@SETTINGS
@given(st.one_of(st.text(), _NEAR_MISS, _DURATION_TEXT))
def test_parse_gives_an_int64_or_a_go_worded_value_error(text: str) -> None:
    try:
        nanoseconds = parse_go_duration(text)
    except ValueError as bad:
        assert GO_ERROR.match(str(bad)), str(bad)
        assert "\n" not in str(bad)
        return
    assert INT64_MIN <= nanoseconds <= INT64_MAX


@SETTINGS
@given(st.lists(_PART, min_size=1, max_size=4))
def test_a_sum_of_parts_parses_to_the_sum_of_each_part(parts: list[str]) -> None:
    try:
        each = [parse_go_duration(part) for part in parts]
        total = parse_go_duration("".join(parts))
    except ValueError:
        return  # one part or the sum is past int64
    assert total == sum(each)


@SETTINGS
@given(_INT64)
def test_negation_only_adds_a_minus(nanoseconds: int) -> None:
    if nanoseconds > 0:
        assert format_go_duration(-nanoseconds) == "-" + format_go_duration(nanoseconds)


@SETTINGS
@given(st.one_of(st.text(max_size=24), _NEAR_MISS, st.integers(-(10**20), 10**20).map(str)))
def test_request_timeout_is_none_positive_seconds_or_kubectls_error(text: str) -> None:
    try:
        seconds = parse_request_timeout(text)
    except ValueError as bad:
        assert str(bad).startswith("Invalid timeout value.")
        return
    assert seconds is None or seconds > 0
