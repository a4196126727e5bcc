"""YAML as kubectl writes it (sigs.k8s.io/yaml: Go's encoding/json, then go-yaml v2)."""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_imagerepo.output.goyaml import render_yaml, yaml_key_order


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("ok", "ok"),
        ("true", '"true"'),
        ("yes", '"yes"'),
        ("null", '"null"'),
        ("", '""'),
        ("1", '"1"'),
        ("1.5", '"1.5"'),
        ("0x1F", '"0x1F"'),
        ("1_000", '"1_000"'),
        ("1:30", '"1:30"'),
        ("2024-01-01", '"2024-01-01"'),
        ("2026-06-23T20:05:02Z", '"2026-06-23T20:05:02Z"'),
        ("- x", "'- x'"),
        ("a: b", "'a: b'"),
        ("#x", "'#x'"),
        ("trail ", "'trail '"),
        ("it's: here", "'it''s: here'"),
        ("tab\there", '"tab\\there"'),
        ("\U0001f600", '"\\U0001F600"'),
        ("caf\u00e9", "caf\u00e9"),
        ("sha256:3f9c", "sha256:3f9c"),
        ("^.*\\.sig$", "^.*\\.sig$"),
    ],
)
def test_yaml_quotes_strings_only_when_go_yaml_would_misread_them(value: str, written: str) -> None:
    assert render_yaml({"k": value}) == f"k: {written}\n"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (42, "42"),
        (-7, "-7"),
        (1.5, "1.5"),
        (100.0, "100"),
        (1e-7, "1e-07"),
        (1e21, "1e+21"),
        (True, "true"),
        (None, "null"),
    ],
)
def test_yaml_writes_numbers_booleans_and_null_as_kubectl_does(value: Any, written: str) -> None:
    assert render_yaml({"k": value}) == f"k: {written}\n"


def test_yaml_writes_multi_line_strings_as_literal_blocks() -> None:
    assert render_yaml({"notes": "first line\nsecond line\n", "x": "a\nb"}) == (
        "notes: |\n  first line\n  second line\nx: |-\n  a\n  b\n"
    )


def test_yaml_folds_long_strings_at_eighty_columns() -> None:
    assert render_yaml({"long": " ".join(["word"] * 30)}) == (
        "long: word word word word word word word word word word word word word word word word\n"
        "  word word word word word word word word word word word word word word\n"
    )


def test_yaml_puts_list_items_flush_under_their_key_and_nests_collections() -> None:
    assert render_yaml({"nested": [[1, 2], {"a": 1, "b": 2}], "empty": {}, "none": []}) == (
        "empty: {}\nnested:\n- - 1\n  - 2\n- a: 1\n  b: 2\nnone: []\n"
    )


def test_yaml_writes_keys_longer_than_128_bytes_as_complex_keys() -> None:
    key = "k" * 129
    assert render_yaml({key: "v"}) == f"? {key}\n: v\n"


@pytest.mark.parametrize(
    ("keys", "ordered"),
    [
        (["tier10", "tier2", "tier1"], ["tier1", "tier2", "tier10"]),
        (["b", "a", "B"], ["B", "a", "b"]),
        (["Zeta", "_x", "alpha"], ["_x", "Zeta", "alpha"]),
        (["a.b", "a-b", "a"], ["a", "a-b", "a.b"]),
    ],
)
def test_yaml_key_order_is_go_yamls_natural_order(keys: list[str], ordered: list[str]) -> None:
    assert yaml_key_order(keys) == ordered
