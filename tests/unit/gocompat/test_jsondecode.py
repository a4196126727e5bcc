"""Go's encoding/json decoding errors (texts observed with Go 1.26's json.Unmarshal)."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.jsondecode import quote_char, syntax_error, unmarshal_type_error


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a":1,}', "invalid character '}' looking for beginning of object key string"),
        (b'{"a" 1}', "invalid character '1' after object key"),
        (b"[1,2", "unexpected end of JSON input"),
        (b"tru", "invalid character ' ' in literal true (expecting 'e')"),
        (b"nul x", "invalid character ' ' in literal null (expecting 'l')"),
        (b'{"a":-}', "invalid character '}' in numeric literal"),
        (b"1.e5", "invalid character 'e' after decimal point in numeric literal"),
        (b"{} x", "invalid character 'x' after top-level value"),
        (b"[\xff]", "invalid character 'ÿ' looking for beginning of value"),
    ],
)
def test_syntax_error_is_gos_text(data: bytes, message: str) -> None:
    assert syntax_error(data) == message


def test_syntax_error_is_none_for_valid_json() -> None:
    assert syntax_error(b'{"auths": {"r.io": {"auth": "eA=="}}, "n": [1.5e3, true, null]}') is None


@pytest.mark.parametrize(("byte", "text"), [(ord("'"), "'\\''"), (ord('"'), "'\"'"), (0x01, "'\\x01'")])
def test_quote_char_quotes_a_byte_as_a_go_rune_literal(byte: int, text: str) -> None:
    assert quote_char(byte) == text


def test_unmarshal_type_error_names_the_struct_field() -> None:
    text = unmarshal_type_error("string", "map[string]string", ".Auths")
    assert text == "json: cannot unmarshal string into Go struct field .Auths of type map[string]string"


def test_unmarshal_type_error_of_a_top_level_value() -> None:
    text = unmarshal_type_error("array", "map[string]string")
    assert text == "json: cannot unmarshal array into Go value of type map[string]string"
