"""kubectl ages: apimachinery's HumanDuration and ShortHumanDuration, and RFC 3339 timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kubectl_imagerepo.gocompat.ages import age, human_duration, parse_time, short_human_duration

MS = 0.001
MINUTE = 60
HOUR = 3600
DAY = 24 * HOUR
YEAR = 365 * DAY

# apimachinery duration_test.go (TestHumanDuration, TestHumanDurationBoundaries) and cli-conventions 2.4.
HUMAN = [
    (-2, "<invalid>"),
    (-2 + 1e-9, "0s"),
    (-1.5, "0s"),
    (0, "0s"),
    (1 - MS, "0s"),
    (1, "1s"),
    (59, "59s"),
    (70, "70s"),
    (2 * MINUTE - MS, "119s"),
    (119, "119s"),
    (2 * MINUTE, "2m"),
    (2 * MINUTE + 1, "2m1s"),
    (190, "3m10s"),
    (5 * MINUTE + 30, "5m30s"),
    (10 * MINUTE - MS, "9m59s"),
    (10 * MINUTE, "10m"),
    (10 * MINUTE + 1, "10m"),
    (70 * MINUTE, "70m"),
    (3 * HOUR - MS, "179m"),
    (3 * HOUR, "3h"),
    (3 * HOUR + MINUTE, "3h1m"),
    (4 * HOUR - MINUTE, "3h59m"),
    (8 * HOUR - MS, "7h59m"),
    (8 * HOUR, "8h"),
    (8 * HOUR + 59 * MINUTE, "8h"),
    (47 * HOUR, "47h"),
    (2 * DAY - MS, "47h"),
    (2 * DAY, "2d"),
    (49 * HOUR, "2d1h"),
    (2 * DAY + 3 * HOUR, "2d3h"),
    (8 * DAY - MS, "7d23h"),
    (8 * DAY, "8d"),
    (8 * DAY + 23 * HOUR, "8d"),
    ((8 * 24 + 2) * HOUR, "8d"),
    (367 * DAY, "367d"),
    (2 * YEAR - MS, "729d"),
    (2 * YEAR, "2y"),
    (2 * YEAR + 23 * HOUR + 59 * MINUTE, "2y"),
    (2 * YEAR + DAY - MS, "2y"),
    (2 * YEAR + DAY, "2y1d"),
    (2 * YEAR + 25 * HOUR, "2y1d"),
    (3 * YEAR + 40 * DAY, "3y40d"),
    (7 * YEAR, "7y"),
    (8 * YEAR - MS, "7y364d"),
    (8 * YEAR, "8y"),
    (8 * YEAR + 364 * DAY, "8y"),
    (8 * YEAR + 2 * HOUR, "8y"),
    (9 * YEAR, "9y"),
]


@pytest.mark.parametrize(("seconds", "text"), HUMAN, ids=[f"{s}s->{t}" for s, t in HUMAN])
def test_human_duration_prints_kubectls_age(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


# apimachinery duration_test.go (TestShortHumanDurationBoundaries).
SHORT = [
    (-2, "<invalid>"),
    (-2 + 1e-9, "0s"),
    (0, "0s"),
    (1 - MS, "0s"),
    (1, "1s"),
    (2 - MS, "1s"),
    (MINUTE - MS, "59s"),
    (MINUTE, "1m"),
    (2 * MINUTE - MS, "1m"),
    (HOUR - MS, "59m"),
    (HOUR, "1h"),
    (2 * HOUR - MS, "1h"),
    (DAY - MS, "23h"),
    (DAY, "1d"),
    (2 * DAY - MS, "1d"),
    (YEAR - MS, "364d"),
    (YEAR, "1y"),
    (2 * YEAR - MS, "1y"),
    (2 * YEAR, "2y"),
]


@pytest.mark.parametrize(("seconds", "text"), SHORT, ids=[f"{s}s->{t}" for s, t in SHORT])
def test_short_human_duration_prints_one_unit(seconds: float, text: str) -> None:
    assert short_human_duration(seconds) == text


NOW = datetime(2026, 6, 23, 20, 5, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timestamp", "text"),
    [
        ("2026-06-23T20:05:02Z", "0s"),
        ("2026-06-23T20:04:03Z", "59s"),
        ("2026-06-23T19:59:32Z", "5m30s"),
        ("2026-06-21T17:05:02Z", "2d3h"),
        ("2023-05-15T20:05:02Z", "3y40d"),
    ],
)
def test_age_is_the_human_duration_since_the_timestamp(timestamp: str, text: str) -> None:
    assert age(timestamp, NOW) == text


@pytest.mark.parametrize(
    ("timestamp", "text"),
    [
        ("2026-06-23T21:59:32+02:00", "5m30s"),
        ("2026-06-23T14:29:32-05:30", "5m30s"),
        ("2026-06-23T19:59:32.999999999Z", "5m29s"),
        ("2026-06-23T19:59:32,5Z", "5m29s"),
        ("2026-06-23T19:59:32.123456789123Z", "5m29s"),
        ("2026-06-23T19:59:31.999Z", "5m30s"),
    ],
)
def test_age_accepts_rfc3339_with_offset_or_fraction(timestamp: str, text: str) -> None:
    assert age(timestamp, NOW) == text


@pytest.mark.parametrize("timestamp", [None, "", "null", "0001-01-01T00:00:00Z", "0001-01-01T01:00:00+01:00"])
def test_age_of_a_missing_or_zero_timestamp_is_unknown(timestamp: str | None) -> None:
    assert age(timestamp, NOW) == "<unknown>"


@pytest.mark.parametrize(
    "timestamp",
    [
        "yesterday",
        "2026-06-23",
        "2026-06-23T20:05:02",
        "2026-06-23 20:05:02Z",
        "2026-06-23t20:05:02Z",
        "2026-06-23T20:05:02z",
        "2026-06-23T20:05:02+0100",
        "2026-02-30T00:00:00Z",
        "2026-06-23T24:00:00Z",
        "2026-06-23T20:05:02.Z",
        " 2026-06-23T20:05:02Z",
    ],
)
def test_age_of_text_that_is_not_rfc3339_is_invalid_as_the_api_server_prints_it(timestamp: str) -> None:
    assert age(timestamp, NOW) == "<invalid>"


def test_age_of_a_time_more_than_a_second_ahead_is_invalid() -> None:
    assert age("2026-06-23T20:05:04Z", NOW) == "<invalid>"


def test_age_of_a_time_less_than_two_seconds_ahead_is_zero() -> None:
    assert age("2026-06-23T20:05:03.5Z", NOW) == "0s"


def test_age_saturates_like_go_time_since_for_ancient_timestamps() -> None:
    assert age("0000-01-01T00:00:00Z", NOW) == "292y"


def test_age_takes_a_naive_now_as_utc() -> None:
    assert age("2026-06-23T19:59:32Z", NOW.replace(tzinfo=None)) == "5m30s"


def test_age_compares_instants_whatever_the_zone_of_now() -> None:
    assert age("2026-06-23T19:59:32Z", NOW.astimezone(timezone(timedelta(hours=-7)))) == "5m30s"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2026-06-23T20:05:02Z", datetime(2026, 6, 23, 20, 5, 2, tzinfo=UTC)),
        ("2026-06-23T22:05:02+02:00", datetime(2026, 6, 23, 20, 5, 2, tzinfo=UTC)),
        ("2026-06-23T20:05:02.123456789Z", datetime(2026, 6, 23, 20, 5, 2, 123456, tzinfo=UTC)),
        ("2026-06-23T5:05:02Z", datetime(2026, 6, 23, 5, 5, 2, tzinfo=UTC)),
        ("2024-02-29T00:00:00-00:30", datetime(2024, 2, 29, 0, 30, tzinfo=UTC)),
    ],
)
def test_parse_time_returns_an_aware_utc_datetime(timestamp: str, expected: datetime) -> None:
    parsed = parse_time(timestamp)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "timestamp", ["", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "0000-01-01T00:00:00Z"]
)
def test_parse_time_rejects_what_it_cannot_represent(timestamp: str) -> None:
    with pytest.raises(ValueError):
        parse_time(timestamp)
