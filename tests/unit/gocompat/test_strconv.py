"""Go's strconv: Quote, Unquote, FormatFloat, ParseInt and ParseFloat."""

from __future__ import annotations

import math

import pytest

from kubectl_imagerepo.gocompat import strconv
from kubectl_imagerepo.gocompat.strconv import format_float, quote


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("{.a}", '"{.a}"'), ('say "hi"\n', '"say \\"hi\\"\\n"'), ("\u00e9\x01\u00a0", '"\u00e9\\x01\\u00a0"')],
)
def test_quote_quotes_as_strconv_quote(text: str, quoted: str) -> None:
    assert quote(text) == quoted


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "0"), (1.0, "1"), (1e20, "1e+20"), (1.5e-7, "1.5e-07"), (float("inf"), "+Inf"), (-2.5, "-2.5")],
)
def test_format_float_uses_gos_shortest_g_format(value: float, text: str) -> None:
    assert format_float(value) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0.0),
        ("-62", -62.0),
        ("+3.5", 3.5),
        ("1.", 1.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("1E-2", 0.01),
        ("1_000", 1000.0),
        ("1_0.5_0e1_0", 10.5e10),
        ("0x1p-2", 0.25),
        ("0x_1.8p1", 3.0),
        ("-0X1P0", -1.0),
        ("inf", math.inf),
        ("-Infinity", -math.inf),
        ("+INF", math.inf),
        ("1e-400", 0.0),
    ],
)
def test_parse_float_reads_go_float_syntax(text: str, value: float) -> None:
    assert strconv.parse_float(text) == value


def test_parse_float_reads_nan() -> None:
    result = strconv.parse_float("NaN")
    assert result is not None and math.isnan(result)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1a",
        "b",
        "latest",
        "1.2.3",
        "v1",
        ".",
        "e5",
        "1e",
        "_1",
        "1_",
        "1__0",
        "1_.5",
        "0x1",
        "0x",
        "0x1.8",
        "1e400",
        "-1e400",
        "+nan",
        "infin",
        " 1",
        "1 ",
        "١",
        "0b101",
        "1,5",
    ],
)
def test_parse_float_rejects_what_go_rejects(text: str) -> None:
    assert strconv.parse_float(text) is None


# Go 1.26: fmt.Println(strconv.Quote("x\xffy")) prints "x\xffy"; the byte 0xff reaches Python as the
# surrogateescape character U+DCFF.
def test_quote_writes_an_invalid_byte_as_a_hex_escape() -> None:
    assert quote("x\udcffy") == '"x\\xffy"'


def test_quote_escapes_non_printable_characters_as_go_does() -> None:
    text = "a\u00a0b\u2028c\U0001f600d\x7f\t\u00e9"
    assert quote(text) == '"a\\u00a0b\\u2028c\U0001f600d\\x7f\\t\u00e9"'


def test_quote_writes_a_lone_high_surrogate_as_its_three_bytes() -> None:
    assert quote("\ud800") == '"\\xed\\xa0\\x80"'


@pytest.mark.parametrize(
    ("value", "verb", "text"),
    [
        (123456.0, "e", "1.23456e+05"),
        (0.1, "e", "1e-01"),
        (1.5, "e", "1.5e+00"),
        (1e21, "f", "1000000000000000000000"),
        (1e-5, "f", "0.00001"),
        (-0.0, "g", "-0"),
        (1e6, "g", "1e+06"),
        (0.0001, "g", "0.0001"),
    ],
)
def test_format_float_prints_what_go_format_float_prints(value: float, verb: str, text: str) -> None:
    assert format_float(value, verb) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0x_1f", 31),
        ("0755", 493),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("0", 0),
        ("+5", 5),
        ("-9223372036854775808", -(1 << 63)),
    ],
)
def test_parse_int_base_0_reads_go_prefixes_and_underscores(text: str, value: int) -> None:
    assert strconv.parse_int(text) == value


@pytest.mark.parametrize("text", ["0x", "_1", "1__0", "9223372036854775808", "", "1a", "٣"])
def test_parse_int_rejects_what_go_rejects(text: str) -> None:
    assert strconv.parse_int(text) is None


def test_parse_uint_reads_the_largest_uint64() -> None:
    assert strconv.parse_uint("18446744073709551615") == (1 << 64) - 1


@pytest.mark.parametrize("text", ["-1", "+1", "18446744073709551616"])
def test_parse_uint_rejects_signs_and_overflow(text: str) -> None:
    assert strconv.parse_uint(text) is None


@pytest.mark.parametrize(("text", "value"), [("42", 42), ("-7", -7), ("+3", 3)])
def test_atoi_reads_decimal_integers(text: str, value: int) -> None:
    assert strconv.atoi(text) == value


@pytest.mark.parametrize("text", ["0x10", "1_000", "1.5", ""])
def test_atoi_rejects_prefixes_underscores_and_fractions(text: str) -> None:
    assert strconv.atoi(text) is None


@pytest.mark.parametrize(
    ("quoted", "text"),
    [('"a\\x41\\u00e9\\101"', "aAéA"), ("'single'", "single"), ('"\\xff"', "\udcff"), ('"plain"', "plain")],
)
def test_unquote_extend_reads_go_escapes_and_single_quotes(quoted: str, text: str) -> None:
    assert strconv.unquote_extend(quoted) == text


@pytest.mark.parametrize("quoted", ['"\\q"', "'it''s'", '"open', "x"])
def test_unquote_extend_rejects_invalid_syntax(quoted: str) -> None:
    with pytest.raises(ValueError, match="invalid syntax"):
        strconv.unquote_extend(quoted)


@pytest.mark.parametrize(
    ("text", "ok"), [("1_000", True), ("0x_1f", True), ("_1", False), ("1_", False), ("1__0", False)]
)
def test_underscore_ok_allows_underscores_only_between_digits(text: str, ok: bool) -> None:
    assert strconv.underscore_ok(text) is ok
