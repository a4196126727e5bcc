"""One YAML document read into yaml.v3 nodes, comments attached where yaml.v3 attaches them.

The structure, values and styles come from PyYAML's parser (the same libyaml lineage as yaml.v3);
comments are found in the text between tokens and given to nodes by yaml.v3's rules: a comment after
a value on its line is that value's (or that flow collection's) line comment; comment lines directly
above an entry are its head comment; comment lines followed by a blank line, or deeper than the entry
that follows, are the foot comment of the entry before; those opening or closing the document belong
to the document.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Any

from kubectl_imagerepo.gocompat.yamlv3.node import (
    ALIAS,
    DOCUMENT,
    DOUBLE_QUOTED,
    FLOW,
    FOLDED,
    LITERAL,
    MAP,
    MAPPING,
    SCALAR,
    SEQ,
    SEQUENCE,
    SINGLE_QUOTED,
    STR,
    TAGGED,
    Node,
    short_tag,
)
from kubectl_imagerepo.gocompat.yamlv3.resolve import resolve_plain


class YAMLSyntaxError(ValueError):
    """The document is not YAML the parser accepts; `line` is 1-based, 0 when unknown."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(eq=False)
class _Span:
    node: Node
    start: tuple[int, int]
    end: tuple[int, int]
    entries: list[tuple[Node, tuple[int, int]]] = field(default_factory=list)
    block: bool = False


def parse_document(text: str) -> Node | None:
    """The first document of `text` as yaml.v3's Decoder would give it; None when there is none."""
    import yaml

    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as bad:
        mark = bad.problem_mark or bad.context_mark
        raise YAMLSyntaxError(str(bad.problem or bad), mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as bad:
        raise YAMLSyntaxError(str(bad), 0) from None
    builder = _Builder(text)
    return builder.build(events)


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.spans: list[_Span] = []
        self.occupied: list[tuple[int, int]] = []
        self.anchors: dict[str, Node] = {}
        self.value_line: dict[int, int] = {}  # id of a key -> the line its value starts on
        self.owner_column: dict[int, int] = {}  # id of a value -> the column of its key
        self.offsets: list[int] = []
        self.occupied_sorted: list[tuple[int, int]] = []
        self.occupied_starts: list[int] = []
        self.entry_lines: list[int] = []
        self.ending_on: dict[int, list[_Span]] = {}  # line -> the scalars and flow collections ending there

    def build(self, events: list[Any]) -> Node | None:
        import yaml

        position = 0
        while position < len(events) and not isinstance(events[position], yaml.DocumentStartEvent):
            position += 1
        if position >= len(events):
            return None
        document = Node(DOCUMENT, line=events[position].start_mark.line + 1)
        root, _ = self._node(events, position + 1)
        document.content.append(root)
        self._comments(document)
        return document

    def _node(self, events: list[Any], i: int) -> tuple[Node, int]:
        import yaml

        event: Any = events[i]
        kind = type(event).__name__
        start = (event.start_mark.line, event.start_mark.column)
        if kind == "AliasEvent":
            node = Node(ALIAS, value=event.anchor, line=start[0] + 1, column=start[1] + 1)
            self.spans.append(_Span(node, start, (event.end_mark.line, event.end_mark.column)))
            self.occupied.append((event.start_mark.index, event.end_mark.index))
            return node, i + 1
        if kind == "ScalarEvent":
            node = self._scalar(event)
            node.line, node.column = start[0] + 1, start[1] + 1
            first = event.start_mark.index
            if event.style in ("|", ">"):
                newline = self.text.find("\n", first)
                first = newline if newline >= 0 else event.end_mark.index
            self.occupied.append((first, event.end_mark.index))
            span = _Span(node, start, (event.end_mark.line, event.end_mark.column))
            if event.style in ("|", ">"):
                span.end = (event.start_mark.line, event.start_mark.column + 1)
            self.spans.append(span)
            if event.anchor:
                self.anchors[event.anchor] = node
            return node, i + 1
        flow = bool(event.flow_style)
        is_map = kind == "MappingStartEvent"
        node = Node(MAPPING if is_map else SEQUENCE, line=start[0] + 1, column=start[1] + 1)
        node.style = FLOW if flow else 0
        if event.anchor:
            node.anchor = event.anchor
            self.anchors[event.anchor] = node
        explicit = event.tag is not None and event.tag != "!"
        node.tag = short_tag(event.tag) if explicit else (MAP if is_map else SEQ)
        if explicit and node.tag not in (MAP, SEQ):
            node.style |= TAGGED
        span = _Span(node, start, start, block=not flow)
        self.spans.append(span)
        i += 1
        end_type = yaml.MappingEndEvent if is_map else yaml.SequenceEndEvent
        while not isinstance(events[i], end_type):
            entry_start = (events[i].start_mark.line, events[i].start_mark.column)
            if not is_map and not flow:
                entry_start = self._dash(entry_start)
            child, i = self._node(events, i)
            if is_map and len(node.content) % 2 == 1:
                self.value_line[id(node.content[-1])] = entry_start[0]
                self.owner_column[id(child)] = node.content[-1].column - 1
            if not is_map or len(node.content) % 2 == 0:
                span.entries.append((child, entry_start))
            elif not flow and child.kind == SCALAR and entry_start[0] > node.content[-1].line - 1:
                # A scalar value on a line below its key takes the comment lines above it.
                span.entries.append((child, entry_start))
            node.content.append(child)
        span.end = (events[i].end_mark.line, events[i].end_mark.column)
        return node, i + 1

    def _dash(self, start: tuple[int, int]) -> tuple[int, int]:
        """Where the `-` of a block sequence item starting at `start` is (the item's own column)."""
        line_no, column = start
        while line_no >= 0:
            line = self.lines[line_no]
            column = min(column, len(line)) - 1
            while column >= 0 and line[column] in " \t":
                column -= 1
            if column >= 0:
                return (line_no, column) if line[column] == "-" else start
            line_no -= 1
            column = len(self.lines[line_no]) if line_no >= 0 else 0
        return start

    def _scalar(self, event: Any) -> Node:
        style = {"'": SINGLE_QUOTED, '"': DOUBLE_QUOTED, "|": LITERAL, ">": FOLDED}.get(event.style or "", 0)
        node = Node(SCALAR, value=event.value, anchor=event.anchor or "", style=style)
        if event.tag is not None and event.tag != "!":
            node.tag = short_tag(event.tag)
            node.style |= TAGGED
        elif style or event.tag == "!":
            node.tag = STR
        else:
            node.tag = resolve_plain(event.value)
        return node

    # -- comments ------------------------------------------------------------------------------
    def _comment_in(self, line_no: int) -> tuple[int, str] | None:
        """The column and text of the comment on a line, if any."""
        line = self.lines[line_no]
        offset = self.offsets[line_no]
        column = 0
        while True:
            column = line.find("#", column)
            if column < 0:
                return None
            index = offset + column
            if not self._occupied(index) and (column == 0 or line[column - 1] in " \t"):
                return column, line[column:]
            column += 1

    def _occupied(self, index: int) -> bool:
        """Whether `index` of the text is inside a scalar (the spans are sorted and disjoint)."""
        position = bisect.bisect_right(self.occupied_starts, index) - 1
        return position >= 0 and index < self.occupied_sorted[position][1]

    def _comments(self, document: Node) -> None:
        self.offsets = list(itertools.accumulate((len(x) + 1 for x in self.lines), initial=0))
        self.occupied_sorted = sorted(self.occupied)
        self.occupied_starts = [a for a, _ in self.occupied_sorted]
        for span in self.spans:
            if not span.block:
                self.ending_on.setdefault(span.end[0], []).append(span)
        content_lines: set[int] = set()
        for span in self.spans:
            content_lines.add(span.start[0])
            if not span.block:
                content_lines.add(span.end[0])
        for span in self.spans:
            if span.node.kind == SCALAR and span.node.style & (LITERAL | FOLDED):
                content_lines.update(range(span.start[0], span.end[0] + 1))
        full: list[tuple[int, int, str]] = []
        for number, line in enumerate(self.lines):
            found = self._comment_in(number)
            if found is None:
                continue
            column, text = found
            if line[:column].strip() == "":
                full.append((number, column, text))
            else:
                self._line_comment(number, column, text)
        runs: list[list[tuple[int, int, str]]] = []
        for entry in full:
            # A run is consecutive comment lines at one column (yaml.v3 splits a run where it dedents).
            if runs and runs[-1][-1][0] == entry[0] - 1 and runs[-1][0][1] == entry[1]:
                runs[-1].append(entry)
            else:
                runs.append([entry])
        first_content = min((s.start[0] for s in self.spans), default=len(self.lines))
        entries = [
            (entry_start, child, span)
            for span in self.spans
            if span.block
            for child, entry_start in span.entries
        ]
        entries.sort(key=lambda e: e[0])
        self.entry_lines = [e[0][0] for e in entries]
        opening: list[str] = []
        headed: Node | None = None  # the entry the previous run was the head comment of
        for run in runs:
            text = "\n".join(t for _, _, t in run)
            where, target = self._place(run, entries, first_content, headed)
            headed = target if where == "head" else None
            if where == "opening":
                opening.append(text)
            elif where == "document-foot":
                document.foot_comment = _join(document.foot_comment, text, "\n\n")
            elif target is None:
                document.foot_comment = _join(document.foot_comment, text)
            else:
                self._add(target, f"{where}_comment", text)
        if opening:
            document.head_comment = "\n\n".join(opening)

    def _place(
        self,
        run: list[tuple[int, int, str]],
        entries: list[tuple[tuple[int, int], Node, _Span]],
        first_content: int,
        headed: Node | None,
    ) -> tuple[str, Node | None]:
        """Where a run of comment lines goes: ("head"|"foot", entry), "opening" or "document-foot"."""
        first, last, column = run[0][0], run[-1][0], run[0][1]
        blank_after = last + 1 >= len(self.lines) or self.lines[last + 1].strip() == ""
        following = entries[bisect.bisect_right(self.entry_lines, last) :]
        before = entries[: bisect.bisect_left(self.entry_lines, first)]
        if first < first_content:
            if blank_after:
                return "opening", None
            return ("head", following[0][1]) if following else ("none", None)
        blank_before = first > 0 and self.lines[first - 1].strip() == ""
        opens_value = bool(before) and self.value_line.get(id(before[-1][1]), -1) > last
        direct = bool(following) and following[0][0][0] == self._next_content(last)
        above = column <= following[0][0][1] if following else False
        if direct and (opens_value or ((not blank_after or blank_before) and above)):
            return "head", following[0][1]  # directly above an entry, or first in a value `key:` opens
        if not following and blank_before:
            return "document-foot", None
        if direct and not blank_after and before and column > following[0][0][1]:
            split = self.lines[first - 1].strip().startswith("#")
            if before[-1][2] is following[0][2] or (split and headed is following[0][1]):
                return "head", following[0][1]  # between two siblings, or continuing their head
            if not split and self._after_content(first):
                return "foot", before[-1][1]  # right after the deeper entry
        if blank_before and blank_after and before and self._after_content(first):
            return "foot", before[-1][1]  # alone between blank lines: the foot of what ended above
        return "foot", self._previous_entry(before, column)

    def _after_content(self, line: int) -> bool:
        """Whether the nearest non-blank line above `line` is content rather than a comment."""
        for number in range(line - 1, -1, -1):
            stripped = self.lines[number].strip()
            if stripped:
                return not stripped.startswith("#")
        return False

    def _next_content(self, after: int) -> int:
        for number in range(after + 1, len(self.lines)):
            stripped = self.lines[number].strip()
            if stripped and not stripped.startswith("#"):
                return number
        return -1

    def _previous_entry(self, before: list[tuple[tuple[int, int], Node, _Span]], column: int) -> Node | None:
        """The latest entry at or left of `column`; a block item of a compact sequence yields to its key."""
        passed: _Span | None = None  # a compact sequence whose last block item yielded to its key
        for entry_start, child, span in reversed(before):
            if entry_start[1] > column or span is passed:
                continue
            block_item = child.kind in (MAPPING, SEQUENCE) and not child.style & FLOW
            compact = self.owner_column.get(id(span.node)) == entry_start[1]
            if span.node.kind == SEQUENCE and block_item and compact:
                passed = span
                continue
            return child
        return before[-1][1] if before else None

    def _line_comment(self, number: int, column: int, text: str) -> None:
        ending = [s for s in self.ending_on.get(number, ()) if s.end[1] <= column]
        flows = [s for s in ending if s.node.kind in (MAPPING, SEQUENCE)]
        if flows:
            target = min(flows, key=lambda s: s.start)
        elif ending:
            target = max(ending, key=lambda s: s.end[1])
        else:
            return
        self._add(target.node, "line_comment", text)

    @staticmethod
    def _add(node: Node, attribute: str, text: str) -> None:
        setattr(node, attribute, _join(getattr(node, attribute), text))


def _join(existing: str, text: str, separator: str = "\n") -> str:
    return f"{existing}{separator}{text}" if existing else text
