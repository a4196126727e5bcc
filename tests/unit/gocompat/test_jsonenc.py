"""Go's encoding/json output: json.Marshal and MarshalIndent."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.gocompat.jsonenc import encode_float, encode_string, marshal


@pytest.mark.parametrize(
    ("value", "compact"),
    [
        ({"b": 1, "a": [True, None]}, '{"a":[true,null],"b":1}'),
        ("<a href='x'>&</a>", "\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\""),
        ("tab\tnew\nline\x01\x7f\u2028\u00e9", '"tab\\tnew\\nline\\u0001\x7f\\u2028\u00e9"'),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (-0.0, "-0"),
        (2**63, "9223372036854776000"),
    ],
)
def test_marshal_writes_what_go_json_marshal_writes(value: Any, compact: str) -> None:
    assert marshal(value) == compact


def test_marshal_indents_like_go_marshal_indent() -> None:
    assert marshal({"a": [1, {}], "b": []}, indent="    ") == (
        '{\n    "a": [\n        1,\n        {}\n    ],\n    "b": []\n}'
    )


def test_marshal_refuses_nan_as_go_does() -> None:
    with pytest.raises(ValueError, match="json: unsupported value: NaN"):
        marshal(float("nan"))




def test_encode_string_escapes_html_controls_and_invalid_bytes_as_go_does() -> None:
    # Go 1.26: json.Marshal("<&>\u2028\b\f\x01\xff") is "\u003c\u0026\u003e\u2028\b\f\u0001\ufffd".
    text = "<&>\u2028\b\f\x01\udcff"
    assert encode_string(text) == '"\\u003c\\u0026\\u003e\\u2028\\b\\f\\u0001\\ufffd"'


def test_encode_string_leaves_other_characters_as_they_are() -> None:
    assert encode_string("é\x7f/'") == '"é\x7f/\'"'


@pytest.mark.parametrize(
    ("value", "text"), [(1e-7, "1e-7"), (1e-6, "0.000001"), (1e20, "100000000000000000000")]
)
def test_encode_float_switches_to_exponent_form_where_go_does(value: float, text: str) -> None:
    assert encode_float(value) == text


@pytest.mark.parametrize(("value", "shown"), [(float("inf"), "+Inf"), (float("-inf"), "-Inf")])
def test_encode_float_refuses_infinities(value: float, shown: str) -> None:
    with pytest.raises(ValueError, match=f"json: unsupported value: \\{shown}"):
        encode_float(value)
