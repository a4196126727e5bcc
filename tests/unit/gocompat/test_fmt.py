"""Go's fmt verbs on decoded JSON values: %v, %#v and %#U."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.gocompat.fmt import format_unicode, sprint, sprint_any, sprint_go_syntax


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"b": [1, None], "a": {"x": "y z"}}, "map[a:map[x:y z] b:[1 <nil>]]"),
        (1234567.0, "1.234567e+06"),
        (123456.0, "123456"),
        (0.00001, "1e-05"),
        (0.0001, "0.0001"),
        (None, "<nil>"),
    ],
)
def test_sprint_prints_what_go_fmt_sprint_prints(value: Any, text: str) -> None:
    assert sprint(value) == text


def test_sprint_go_syntax_prints_what_go_prints_for_percent_sharp_v() -> None:
    value = {"a": [1, 1.5, "x", None, True], "b": {}}
    assert sprint_go_syntax(value) == (
        'map[string]interface {}{"a":[]interface {}{1, 1.5, "x", interface {}(nil), true}, '
        '"b":map[string]interface {}{}}'
    )




def test_sprint_any_prints_every_number_as_a_float64() -> None:
    value = {"b": [1, 2.5, "x", None, True], "a": {"c": 1000000}}
    assert sprint_any(value) == "map[a:map[c:1e+06] b:[1 2.5 x <nil> true]]"


def test_sprint_prints_integers_as_int64() -> None:
    assert sprint({"c": 1000000}) == "map[c:1000000]"


@pytest.mark.parametrize(("char", "text"), [("#", "U+0023 '#'"), ("\x01", "U+0001"), ("é", "U+00E9 'é'")])
def test_format_unicode_prints_what_go_prints_for_percent_sharp_u(char: str, text: str) -> None:
    assert format_unicode(char) == text
