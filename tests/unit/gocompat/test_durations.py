"""Go durations: ParseDuration, Duration.String and kubectl's --request-timeout."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.durations import (
    HOUR,
    MICROSECOND,
    MILLISECOND,
    MINUTE,
    SECOND,
    format_go_duration,
    parse_go_duration,
    parse_request_timeout,
)

MAX = (1 << 63) - 1
MIN = -(1 << 63)

# Go's own table (time_test.go parseDurationTests).
PARSED = [
    ("0", 0),
    ("5s", 5 * SECOND),
    ("30s", 30 * SECOND),
    ("1478s", 1478 * SECOND),
    ("-5s", -5 * SECOND),
    ("+5s", 5 * SECOND),
    ("-0", 0),
    ("+0", 0),
    ("5.0s", 5 * SECOND),
    ("5.6s", 5 * SECOND + 600 * MILLISECOND),
    ("5.s", 5 * SECOND),
    (".5s", 500 * MILLISECOND),
    ("1.0s", SECOND),
    ("1.00s", SECOND),
    ("1.004s", SECOND + 4 * MILLISECOND),
    ("1.0040s", SECOND + 4 * MILLISECOND),
    ("100.00100s", 100 * SECOND + MILLISECOND),
    ("10ns", 10),
    ("11us", 11 * MICROSECOND),
    ("12\u00b5s", 12 * MICROSECOND),
    ("12\u03bcs", 12 * MICROSECOND),
    ("13ms", 13 * MILLISECOND),
    ("14s", 14 * SECOND),
    ("15m", 15 * MINUTE),
    ("16h", 16 * HOUR),
    ("3h30m", 3 * HOUR + 30 * MINUTE),
    ("10.5s4m", 4 * MINUTE + 10 * SECOND + 500 * MILLISECOND),
    ("-2m3.4s", -(2 * MINUTE + 3 * SECOND + 400 * MILLISECOND)),
    ("1h2m3s4ms5us6ns", HOUR + 2 * MINUTE + 3 * SECOND + 4 * MILLISECOND + 5 * MICROSECOND + 6),
    ("39h9m14.425s", 39 * HOUR + 9 * MINUTE + 14 * SECOND + 425 * MILLISECOND),
    ("52763797000ns", 52763797000),
    ("0.3333333333333333333h", 20 * MINUTE),
    ("9007199254740993ns", (1 << 53) + 1),
    ("9223372036854775807ns", MAX),
    ("9223372036854775.807us", MAX),
    ("9223372036s854ms775us807ns", MAX),
    ("-9223372036854775808ns", MIN),
    ("-9223372036854775.808us", MIN),
    ("-9223372036s854ms775us808ns", MIN),
    ("-2562047h47m16.854775808s", MIN),
    ("0.100000000000000000000h", 6 * MINUTE),
    ("0.830103483285477580700h", 49 * MINUTE + 48 * SECOND + 372539827),
    ("1.5h", 90 * MINUTE),
    ("1h30m", 90 * MINUTE),
]


@pytest.mark.parametrize(("text", "nanoseconds"), PARSED, ids=[text for text, _ in PARSED])
def test_parse_go_duration_reads_what_go_reads(text: str, nanoseconds: int) -> None:
    assert parse_go_duration(text) == nanoseconds


INVALID = [
    ("", 'time: invalid duration ""'),
    ("-", 'time: invalid duration "-"'),
    ("s", 'time: invalid duration "s"'),
    (".", 'time: invalid duration "."'),
    ("-.", 'time: invalid duration "-."'),
    (".s", 'time: invalid duration ".s"'),
    ("+.s", 'time: invalid duration "+.s"'),
]


@pytest.mark.parametrize(("text", "message"), INVALID, ids=[repr(text) for text, _ in INVALID])
def test_parse_go_duration_rejects_malformed_text_as_invalid_duration(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_go_duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["3", "00", "1h30", "1.1.1s"])
def test_parse_go_duration_reports_a_number_without_unit_as_missing_unit(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_go_duration(text)
    assert str(caught.value) == f'time: missing unit in duration "{text}"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("1h 30m", 'time: unknown unit "h " in duration "1h 30m"'),
        ("5sec", 'time: unknown unit "sec" in duration "5sec"'),
        ("1S", 'time: unknown unit "S" in duration "1S"'),
        ("1h-30m", 'time: unknown unit "h-" in duration "1h-30m"'),
    ],
)
def test_parse_go_duration_names_an_unknown_unit(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_go_duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "9223372036854775810ns",
        "9223372036854775808ns",
        "-9223372036854775809ns",
        "9223372036854776us",
        "3000000h",
        "9223372036854775.808us",
        "9223372036854ms775us808ns",
    ],
)
def test_parse_go_duration_reports_overflow_as_invalid_duration(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_go_duration(text)
    assert str(caught.value) == f'time: invalid duration "{text}"'


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("1\u00fc", r'"1\xc3\xbc"'),
        ("\u0085\u0085", r'"\xc2\x85\xc2\x85"'),
        ("\ufffd", r'"\xef\xbf\xbd"'),
        ("\ufffd hello \ufffd world", r'"\xef\xbf\xbd hello \xef\xbf\xbd world"'),
        ('"5"', r'"\"5\""'),
        ("a\\b", r'"a\\b"'),
        ("\udcff", r'"\xff"'),
    ],
)
def test_parse_go_duration_quotes_input_bytes_as_go_time_does(text: str, quoted: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_go_duration(text)
    assert str(caught.value).endswith(f" {quoted}")


# Go's table (time_test.go durationTests) and the controller's next-scan messages.
FORMATTED = [
    (0, "0s"),
    (1, "1ns"),
    (1100, "1.1\u00b5s"),
    (MICROSECOND, "1\u00b5s"),
    (2200 * MICROSECOND, "2.2ms"),
    (1500 * MICROSECOND, "1.5ms"),
    (500 * MILLISECOND, "500ms"),
    (3300 * MILLISECOND, "3.3s"),
    (30 * SECOND, "30s"),
    (90 * SECOND, "1m30s"),
    (4 * MINUTE + 5 * SECOND, "4m5s"),
    (4 * MINUTE + 5001 * MILLISECOND, "4m5.001s"),
    (4 * MINUTE + 59 * SECOND + 123456789, "4m59.123456789s"),
    (10 * MINUTE, "10m0s"),
    (HOUR, "1h0m0s"),
    (HOUR + 500 * MILLISECOND, "1h0m0.5s"),
    (5 * HOUR + 6 * MINUTE + 7001 * MILLISECOND, "5h6m7.001s"),
    (8 * MINUTE + 1, "8m0.000000001s"),
    (MAX, "2562047h47m16.854775807s"),
    (MIN, "-2562047h47m16.854775808s"),
]


@pytest.mark.parametrize(("nanoseconds", "text"), FORMATTED, ids=[text for _, text in FORMATTED])
def test_format_go_duration_prints_what_go_prints(nanoseconds: int, text: str) -> None:
    assert format_go_duration(nanoseconds) == text


@pytest.mark.parametrize(("nanoseconds", "text"), FORMATTED[1:-1], ids=[text for _, text in FORMATTED[1:-1]])
def test_format_go_duration_prefixes_negative_values_with_a_minus(nanoseconds: int, text: str) -> None:
    assert format_go_duration(-nanoseconds) == "-" + text


@pytest.mark.parametrize("nanoseconds", [MAX, MIN, 0, 1, 90 * SECOND, 4 * MINUTE + 59 * SECOND + 123456789])
def test_format_and_parse_round_trip(nanoseconds: int) -> None:
    assert parse_go_duration(format_go_duration(nanoseconds)) == nanoseconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5", 5.0),
        ("+5", 5.0),
        ("007", 7.0),
        ("1s", 1.0),
        ("2m", 120.0),
        ("3h", 10800.0),
        ("1.5s", 1.5),
        ("250ms", 0.25),
    ],
)
def test_request_timeout_takes_bare_integers_as_seconds_and_otherwise_go_durations(
    text: str, seconds: float
) -> None:
    assert parse_request_timeout(text) == seconds


@pytest.mark.parametrize("text", ["0", "0s", "-0", "+0", "0h0m"])
def test_request_timeout_of_zero_means_no_timeout(text: str) -> None:
    assert parse_request_timeout(text) is None


@pytest.mark.parametrize("text", ["-1", "-5s", "1x", "", "abc", "1_000", " 5", "5 ", "9223372036854775808"])
def test_request_timeout_rejects_negative_and_malformed_values_with_kubectls_message(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_request_timeout(text)
    assert str(caught.value) == (
        "Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a "
        "corresponding time unit (e.g. 1s | 2m | 3h)"
    )
