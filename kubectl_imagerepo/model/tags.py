"""The pure part of a scan: dedupe, exclude, sort, latest tags, count and revision."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from kubectl_imagerepo.gocompat.jsonenc import encode_string
from kubectl_imagerepo.model.exclusion import Exclusions

__all__ = [
    "LATEST_TAGS_COUNT",
    "REVISION_CHUNK",
    "ScanOutcome",
    "dedupe",
    "latest_tags",
    "marshal_tags",
    "process_scan",
    "revision",
    "sort_tags",
]

LATEST_TAGS_COUNT = 10
REVISION_CHUNK = 4096


@dataclass(frozen=True)
class ScanOutcome:
    """What a scan stores and reports: the stored tags, and `status.lastScanResult` without `scanTime`."""

    tags: tuple[str, ...]
    latest_tags: tuple[str, ...]
    tag_count: int
    revision: str


def sort_tags(tags: Iterable[str]) -> list[str]:
    """Sort descending by UTF-8 bytes, as Go's `strings.Compare` does.

    Python compares `str` by code point, which is the same order as UTF-8 bytes.
    """
    return sorted(tags, reverse=True)


def dedupe(tags: Iterable[str]) -> list[str]:
    """Drop repeated tags, keeping each first occurrence in place (docs/behaviour.md, Scanning)."""
    return list(dict.fromkeys(tags))


def latest_tags(sorted_tags: Sequence[str]) -> tuple[str, ...]:
    """The first ten of the sorted tags, for `status.lastScanResult.latestTags`.

    Empty for no tags, where the controller leaves the field out.
    """
    return tuple(sorted_tags[:LATEST_TAGS_COUNT])


def marshal_tags(tags: Iterable[str]) -> bytes:
    """Go's `json.Marshal` of a string slice: compact, `[]` when empty.

    Go's escaping differs from Python's `json.dumps`: `<`, `>`, `&`, U+2028 and U+2029 are written as
    `\\u003c`-style escapes, and other characters outside ASCII are written as they are. A lone
    surrogate, which Go cannot hold, is written as `\\ufffd`, as Go does for invalid UTF-8.
    """
    return ("[" + ",".join(encode_string(tag) for tag in tags) + "]").encode("utf-8")


def revision(sorted_tags: Iterable[str]) -> str:
    """The Badger backend's revision: the decimal Adler-32 of `marshal_tags(sorted_tags)`.

    The checksum runs over the marshalled list a slice at a time, so a million tags are never held
    marshalled all at once (the same value: Adler-32 is computed as a stream).
    """
    tags = iter(sorted_tags)
    checksum = zlib.adler32(b"[")
    separator = ""
    while chunk := list(islice(tags, REVISION_CHUNK)):
        marshalled = separator + ",".join(encode_string(tag) for tag in chunk)
        checksum = zlib.adler32(marshalled.encode("utf-8"), checksum)
        separator = ","
    return str(zlib.adler32(b"]", checksum))


def process_scan(raw_tags: Iterable[str], exclusions: Exclusions) -> ScanOutcome:
    """Turn the registry's tag list into what the scan stores and reports.

    Duplicates go first, so `tag_count` counts distinct tags; the exclusions then drop tags in
    registry order, and the rest are sorted before the latest tags and the revision are taken.
    """
    kept = sort_tags(exclusions.filter(dedupe(raw_tags)))
    return ScanOutcome(
        tags=tuple(kept),
        latest_tags=latest_tags(kept),
        tag_count=len(kept),
        revision=revision(kept),
    )
