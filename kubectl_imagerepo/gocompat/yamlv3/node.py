"""yaml.v3's Node: kind, style bits, tag, value, anchor, comments and children."""

from __future__ import annotations

from dataclasses import dataclass, field

DOCUMENT, SEQUENCE, MAPPING, SCALAR, ALIAS = 1, 2, 4, 8, 16

TAGGED, DOUBLE_QUOTED, SINGLE_QUOTED, LITERAL, FOLDED, FLOW = 1, 2, 4, 8, 16, 32

STR, NULL, BOOL, INT, FLOAT, TIMESTAMP, MAP, SEQ, MERGE, BINARY = (
    "!!str", "!!null", "!!bool", "!!int", "!!float", "!!timestamp", "!!map", "!!seq", "!!merge",
    "!!binary",
)

LONG_TAG_PREFIX = "tag:yaml.org,2002:"


def short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:str` as `!!str`; other tags unchanged."""
    if tag.startswith(LONG_TAG_PREFIX):
        return "!!" + tag[len(LONG_TAG_PREFIX) :]
    return tag


def long_tag(tag: str) -> str:
    """`!!str` as `tag:yaml.org,2002:str`; other tags unchanged."""
    if tag.startswith("!!"):
        return LONG_TAG_PREFIX + tag[2:]
    return tag


@dataclass(eq=False)
class Node:
    """One node, mutable as yaml.v3's is (setters change values in place)."""

    kind: int
    style: int = 0
    tag: str = ""
    value: str = ""
    anchor: str = ""
    head_comment: str = ""
    line_comment: str = ""
    foot_comment: str = ""
    content: list[Node] = field(default_factory=list)
    line: int = 0
    column: int = 0
