"""Scan results: sort order, deduplication, latest tags, the Badger revision (docs/behaviour.md, Scanning)."""

from __future__ import annotations

import dataclasses

import pytest

from kubectl_imagerepo.model.api import DEFAULT_EXCLUSION_LIST
from kubectl_imagerepo.model.exclusion import compile_exclusions
from kubectl_imagerepo.model.tags import (
    ScanOutcome,
    dedupe,
    latest_tags,
    marshal_tags,
    process_scan,
    revision,
    sort_tags,
)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["6.2.0", "latest"], ["latest", "6.2.0"]),
        (["-91", "100"], ["100", "-91"]),
        (
            ["15", "-88", "72", "100", "29", "-91", "16", "73", "101", "15"],
            ["73", "72", "29", "16", "15", "15", "101", "100", "-91", "-88"],
        ),
        (["v1.10.0", "v1.9.0", "v1.2.0"], ["v1.9.0", "v1.2.0", "v1.10.0"]),
        (["a", "B", "b", "A"], ["b", "a", "B", "A"]),
        ([], []),
    ],
)
def test_tags_sort_descending_bytewise(tags: list[str], expected: list[str]) -> None:
    assert sort_tags(tags) == expected


@pytest.mark.parametrize(
    "tags",
    [
        ["\uffff", "\U00010000", "z", "é", "\u00ff", "\u0100"],
        ["\ue000", "\U0001f600", "\u07ff", "\u0800", "~", "\x7f"],
    ],
)
def test_code_point_order_is_utf8_byte_order(tags: list[str]) -> None:
    # Python compares str by code point; UTF-8 preserves code point order, so this is Go's byte order.
    by_bytes = [tag.encode() for tag in sorted(tags, key=str.encode, reverse=True)]
    assert [tag.encode() for tag in sort_tags(tags)] == by_bytes


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["b", "a", "b", "c", "a"], ["b", "a", "c"]),
        (["x"], ["x"]),
        ([], []),
    ],
)
def test_dedupe_keeps_the_first_occurrence_of_each_tag(tags: list[str], expected: list[str]) -> None:
    assert dedupe(tags) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (3, 3), (10, 10), (11, 10), (1000, 10)],
)
def test_latest_tags_are_the_first_ten(count: int, expected: int) -> None:
    tags = [f"t{i:04d}" for i in range(count)]
    assert latest_tags(tags) == tuple(tags[:expected])


# Spec 5.1 verified examples.
@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["latest", "v0.0.1", "v0.0.2"], "1943865137"),
        (["latest", "v0.0.1", "v0.0.2", "v0.0.3"], "3168012550"),
        (["v0.0.3", "v0.0.4"], "728958008"),
        ([], "18153657"),
        (["d", "c", "b", "a"], "580584407"),
    ],
)
def test_revision_is_adler32_of_the_json_list(tags: list[str], expected: str) -> None:
    assert revision(tags) == expected


# Output of Go 1.26 encoding/json and hash/adler32 for the same lists.
@pytest.mark.parametrize(
    ("tags", "json", "expected"),
    [
        ([], b"[]", "18153657"),
        (["a<b>&c"], b'["a\\u003cb\\u003e\\u0026c"]', "1636435788"),
        (["x\u2028y\u2029z"], b'["x\\u2028y\\u2029z"]', "968885667"),
        (
            ["tab\there", "nul\x00", "bs\b", "ff\f", "del\x7f"],
            b'["tab\\there","nul\\u0000","bs\\b","ff\\f","del\x7f"]',
            "1441467933",
        ),
        (['quote"back\\slash'], b'["quote\\"back\\\\slash"]', "1552877581"),
        (["é€😀"], '["é€😀"]'.encode(), "858851104"),
    ],
)
def test_revision_uses_go_json_escaping(tags: list[str], json: bytes, expected: str) -> None:
    assert marshal_tags(tags) == json
    assert revision(tags) == expected


def test_lone_surrogate_is_written_as_the_replacement_character() -> None:
    assert marshal_tags(["a\ud800b"]) == b'["a\\ufffdb"]'


def test_process_scan_dedupes_excludes_sorts_and_summarises() -> None:
    raw = ["v0.0.1", "latest", "sha256-abc.sig", "v0.0.2", "v0.0.1", "latest"]
    outcome = process_scan(raw, compile_exclusions(DEFAULT_EXCLUSION_LIST))
    assert outcome == ScanOutcome(
        tags=("v0.0.2", "v0.0.1", "latest"),
        latest_tags=("v0.0.2", "v0.0.1", "latest"),
        tag_count=3,
        revision=revision(["v0.0.2", "v0.0.1", "latest"]),
    )


def test_process_scan_revision_does_not_depend_on_registry_order() -> None:
    exclusions = compile_exclusions([])
    assert (
        process_scan(["a", "b", "c"], exclusions).revision
        == process_scan(["c", "a", "b"], exclusions).revision
    )


def test_process_scan_counts_all_tags_but_keeps_ten_latest() -> None:
    outcome = process_scan([f"1.0.{i}" for i in range(25)], compile_exclusions([]))
    assert outcome.tag_count == 25
    assert len(outcome.tags) == 25
    assert outcome.latest_tags == tuple(outcome.tags[:10])


def test_process_scan_with_every_tag_excluded_is_empty() -> None:
    outcome = process_scan(["a.sig", "b.sig"], compile_exclusions(DEFAULT_EXCLUSION_LIST))
    assert outcome == ScanOutcome(tags=(), latest_tags=(), tag_count=0, revision="18153657")


def test_scan_outcome_is_immutable() -> None:
    outcome = process_scan(["a"], compile_exclusions([]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.tag_count = 2  # type: ignore[misc]
