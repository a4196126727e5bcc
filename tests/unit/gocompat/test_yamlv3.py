"""yaml.v3 as kyaml reads and writes a file (the bytes image-automation-controller commits)."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.yamlv3.kyaml import derive_seq_indent_compact, read_documents, write_documents
from kubectl_imagerepo.gocompat.yamlv3.parse import YAMLSyntaxError
from kubectl_imagerepo.gocompat.yamlv3.resolve import is_yaml11_non_string, resolve_plain


def round_trip(text: str) -> str:
    return write_documents(read_documents(text))


def test_crlf_becomes_lf() -> None:
    assert round_trip("a: 1\r\nb: 2\r\n") == "a: 1\nb: 2\n"


def test_a_leading_document_marker_and_blank_lines_between_entries_are_dropped() -> None:
    assert round_trip("---\na: 1\n\n\nb: 2\n") == "a: 1\nb: 2\n"


def test_documents_are_separated_by_a_marker_and_empty_ones_dropped() -> None:
    assert round_trip("a: 1\n---\n---\nb: 2\n") == "a: 1\n---\nb: 2\n"


def test_flow_collections_and_line_comments_are_respaced() -> None:
    assert round_trip('a: [ "x",   y ]    # c\nb: { }\n') == 'a: ["x", y] # c\nb: {}\n'


def test_the_sequence_indent_of_the_first_sequence_sets_the_document_style() -> None:
    assert round_trip("a:\n  - x\nb:\n- y\n") == "a:\n  - x\nb:\n  - y\n"
    assert round_trip("a:\n- x\nb:\n  - y\n") == "a:\n- x\nb:\n- y\n"


def test_a_document_without_a_telling_sequence_is_compact() -> None:
    assert derive_seq_indent_compact("a: 1\n") is True


def test_a_folded_scalar_is_refolded_on_one_line() -> None:
    assert round_trip("a: >\n  one\n  two\nb: 1\n") == "a: >\n  one two\n\nb: 1\n"


def test_non_printable_characters_are_escaped_in_double_quotes() -> None:
    assert round_trip('a: "x\\x01y"\n') == 'a: "x\\x01y"\n'


def test_an_empty_annotations_map_and_empty_metadata_are_removed() -> None:
    assert round_trip("metadata:\n  annotations: {}\nkind: A\n") == "kind: A\n"


def test_text_that_does_not_parse_raises_with_its_line() -> None:
    with pytest.raises(YAMLSyntaxError) as raised:
        read_documents("a: 1\nb: [\n")
    assert raised.value.line >= 2


@pytest.mark.parametrize(
    ("value", "tag"),
    [("1", "!!int"), ("1.5", "!!float"), ("08", "!!float"), ("0x1F", "!!int"), ("yes", "!!str"),
     ("true", "!!bool"), ("~", "!!null"), ("2024-01-01", "!!timestamp"), ("6.7.1", "!!str")],
)
def test_plain_scalars_resolve_as_yaml_v3_resolves_them(value: str, tag: str) -> None:
    assert resolve_plain(value) == tag


@pytest.mark.parametrize(
    ("value", "non_string"),
    [("1.10", True), ("yes", True), ("on", True), ("20240115", True), ("6.7.1", False), ("v1", False),
     ("2024-01-01", False), ("a: b", True), ("", False)],
)
def test_yaml_1_1_reading_decides_whether_kyaml_quotes_a_value(value: str, non_string: bool) -> None:
    assert is_yaml11_non_string(value) is non_string
