"""Go's json.Decoder errors when it reads one value from a body."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.jsonstream import decoder_error


@pytest.mark.parametrize("data", [b"", b" \t\r\n"])
def test_an_empty_body_is_eof(data: bytes) -> None:
    assert decoder_error(data) == "EOF"


@pytest.mark.parametrize("data", [b'{"tags":["a"', b"{", b"-", b"tru", b'"abc', b'{"a":1.', b'"\\u12'])
def test_a_body_cut_anywhere_is_unexpected_eof(data: bytes) -> None:
    assert decoder_error(data) == "unexpected EOF"


@pytest.mark.parametrize("data", [b'{"tags":[]} trailing', b"0123", b"[1] ]", b"null x"])
def test_what_follows_the_first_value_is_left_unread(data: bytes) -> None:
    assert decoder_error(data) is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"hello", "invalid character 'h' looking for beginning of value"),
        (b"- 1", "invalid character ' ' in numeric literal"),
        (b'{"a" 1}', "invalid character '1' after object key"),
        (b'{"t":[1 2]}', "invalid character '2' after array element"),
        (b'"a\x01"', "invalid character '\\x01' in string literal"),
        (b"\xef\xbb\xbf{}", "invalid character '\xef' looking for beginning of value"),
    ],
)
def test_a_syntax_error_inside_the_value_is_the_scanners(data: bytes, error: str) -> None:
    assert decoder_error(data) == error


def test_a_valid_value_is_no_error() -> None:
    assert decoder_error(b'{"name":"app","tags":["a","b"]}') is None
