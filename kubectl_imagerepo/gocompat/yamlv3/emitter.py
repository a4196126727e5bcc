"""yaml.v3's emitter (emitterc.go) and node encoder (encode.go), as kyaml's encoder configures them.

Indent 2, no line wrapping (kyaml's width is unlimited), Unicode written as is, and the sequence
indent compact or wide per document. Written from the library's behaviour, state for state, because
its spacing rules (blank lines after foot comments, `- ` against `key:`) are the bytes that count.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    long_tag,
    short_tag,
)
from kubectl_imagerepo.gocompat.yamlv3.resolve import resolve_plain

STREAM_START, STREAM_END, DOC_START, DOC_END, ALIAS_EV, SCALAR_EV = range(6)
SEQ_START, SEQ_END, MAP_START, MAP_END = range(6, 10)

PLAIN, SINGLE, DOUBLE, LITERAL_STYLE, FOLDED_STYLE = range(1, 6)
BLOCK_STYLE, FLOW_STYLE = 1, 2

_TAG_DIRECTIVES = (("!", "!"), ("!!", "tag:yaml.org,2002:"))
_BEST_WIDTH = (1 << 31) - 1
_BREAKS = "\r\n\x85\u2028\u2029"


@dataclass
class Event:
    """One emitter event."""

    typ: int
    anchor: str = ""
    tag: str = ""
    value: str = ""
    implicit: bool = False
    quoted_implicit: bool = False
    style: int = 0
    head: str = ""
    line: str = ""
    foot: str = ""
    tail: str = ""


def _printable(c: str) -> bool:
    o = ord(c)
    return (
        o == 0x0A
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
    )


def _is_break(s: str, i: int) -> bool:
    return i < len(s) and s[i] in _BREAKS


def _is_space(s: str, i: int) -> bool:
    return i < len(s) and s[i] == " "


def _is_blank(s: str, i: int) -> bool:
    return i < len(s) and s[i] in " \t"


def _is_blankz(s: str, i: int) -> bool:
    return i >= len(s) or s[i] in " \t\x00" or s[i] in _BREAKS


def _is_alpha(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "_-")


class Emitter:
    """The emitter's state machine over a buffered event queue."""

    def __init__(self, compact_seq: bool) -> None:
        self.out: list[str] = []
        self.compact = compact_seq
        self.best_indent = 2
        self.events: list[Event] = []
        self.head = 0
        self.state = "stream_start"
        self.states: list[str] = []
        self.indent = -1
        self.indents: list[int] = []
        self.flow_level = 0
        self.root = self.sequence_ctx = self.mapping_ctx = self.simple_key_ctx = False
        self.line = 0
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.open_ended = False
        self.space_above = True
        self.foot_indent = -1
        self.head_comment = ""
        self.line_comment = ""
        self.foot_comment = ""
        self.tail_comment = ""
        self.key_line_comment = ""
        self.anchor = ""
        self.anchor_alias = False
        self.tag_handle = ""
        self.tag_suffix = ""
        self.scalar_value = ""
        self.multiline = False
        self.flow_plain_allowed = False
        self.block_plain_allowed = False
        self.single_quoted_allowed = False
        self.block_allowed = False
        self.scalar_style = 0

    # -- output primitives ------------------------------------------------------------------
    def _put(self, c: str) -> None:
        self.out.append(c)
        self.column += 1

    def _put_break(self) -> None:
        self.out.append("\n")
        if self.column == 0:
            self.space_above = True
        self.column = 0
        self.line += 1
        self.indention = True

    def _write(self, c: str) -> None:
        self.out.append(c)
        self.column += 1

    def _write_all(self, s: str) -> None:
        for c in s:
            self._write(c)

    def _write_break(self, c: str) -> None:
        if c == "\n":
            self._put_break()
        else:
            self._write(c)
            if self.column == 0:
                self.space_above = True
            self.column = 0
            self.line += 1
            self.indention = True

    # -- event queue -----------------------------------------------------------------------
    def emit(self, event: Event) -> None:
        self.events.append(event)
        while not self._need_more():
            ev = self.events[self.head]
            self._analyze_event(ev)
            self._state_machine(ev)
            self.head += 1

    def _need_more(self) -> bool:
        if self.head == len(self.events):
            return True
        accumulate = {DOC_START: 1, SEQ_START: 2, MAP_START: 3}.get(self.events[self.head].typ)
        if accumulate is None:
            return False
        if len(self.events) - self.head > accumulate:
            return False
        level = 0
        for ev in self.events[self.head :]:
            if ev.typ in (STREAM_START, DOC_START, SEQ_START, MAP_START):
                level += 1
            elif ev.typ in (STREAM_END, DOC_END, SEQ_END, MAP_END):
                level -= 1
            if level == 0:
                return False
        return True

    def _state_machine(self, ev: Event) -> None:
        s = self.state
        if s == "stream_start":
            self.indent = -1
            self.state = "first_doc_start"
        elif s == "first_doc_start":
            self._doc_start(ev, True)
        elif s == "doc_start":
            self._doc_start(ev, False)
        elif s == "doc_content":
            self._doc_content(ev)
        elif s == "doc_end":
            self._doc_end(ev)
        elif s == "flow_seq_first":
            self._flow_seq_item(ev, True, False)
        elif s == "flow_seq_trail":
            self._flow_seq_item(ev, False, True)
        elif s == "flow_seq_item":
            self._flow_seq_item(ev, False, False)
        elif s == "flow_map_first":
            self._flow_map_key(ev, True, False)
        elif s == "flow_map_trail":
            self._flow_map_key(ev, False, True)
        elif s == "flow_map_key":
            self._flow_map_key(ev, False, False)
        elif s == "flow_map_simple_value":
            self._flow_map_value(ev, True)
        elif s == "flow_map_value":
            self._flow_map_value(ev, False)
        elif s == "block_seq_first":
            self._block_seq_item(ev, True)
        elif s == "block_seq_item":
            self._block_seq_item(ev, False)
        elif s == "block_map_first":
            self._block_map_key(ev, True)
        elif s == "block_map_key":
            self._block_map_key(ev, False)
        elif s == "block_map_simple_value":
            self._block_map_value(ev, True)
        elif s == "block_map_value":
            self._block_map_value(ev, False)
        else:  # pragma: no cover - the encoder never sends events after the end
            raise ValueError("expected nothing after STREAM-END")

    def _pop_state(self) -> None:
        self.state = self.states.pop()

    def _pop_indent(self) -> None:
        self.indent = self.indents.pop()

    def _increase_indent(self, flow: bool, indentless: bool, compact_seq: bool = False) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = self.best_indent if flow else 0
        elif not indentless:
            if self.states and self.states[-1] == "block_seq_item":
                self.indent += 2
            else:
                self.indent = self.best_indent * ((self.indent + self.best_indent) // self.best_indent)
                if compact_seq:
                    self.indent -= 2

    # -- documents -------------------------------------------------------------------------
    def _doc_start(self, ev: Event, first: bool) -> None:
        if ev.typ == DOC_START:
            implicit = ev.implicit and first
            if not implicit:
                self._write_indent()
                self._write_indicator("---", True, False, False)
                self._write_indent()
            if self.head_comment:
                self._process_head_comment()
                self._put_break()
            self.state = "doc_content"
            return
        # STREAM-END
        if self.open_ended:
            self._write_indicator("...", True, False, False)
            self._write_indent()
        self.state = "end"

    def _doc_content(self, ev: Event) -> None:
        self.states.append("doc_end")
        self._process_head_comment()
        self._emit_node(ev, True, False, False, False)
        self._process_line_comment()
        self._process_foot_comment()

    def _doc_end(self, ev: Event) -> None:
        self.foot_indent = 0
        self._process_foot_comment()
        self.foot_indent = -1
        self._write_indent()
        if not ev.implicit:
            self._write_indicator("...", True, False, False)
            self._write_indent()
        self.state = "doc_start"

    # -- flow collections ------------------------------------------------------------------
    def _pending_comments(self) -> bool:
        return bool(self.line_comment or self.foot_comment or self.tail_comment)

    def _flow_seq_item(self, ev: Event, first: bool, trail: bool) -> None:
        if first:
            self._write_indicator("[", True, True, False)
            self._increase_indent(True, False)
            self.flow_level += 1
        if ev.typ == SEQ_END:
            self.flow_level -= 1
            self._pop_indent()
            if self.column == 0:
                self._write_indent()
            self._write_indicator("]", False, False, False)
            self._process_line_comment()
            self._process_foot_comment()
            self._pop_state()
            return
        if not first and not trail:
            self._write_indicator(",", False, False, False)
        self._process_head_comment()
        if self.column == 0:
            self._write_indent()
        if self.column > _BEST_WIDTH:
            self._write_indent()
        self.states.append("flow_seq_trail" if self._pending_comments() else "flow_seq_item")
        self._emit_node(ev, False, True, False, False)
        if self._pending_comments():
            self._write_indicator(",", False, False, False)
        self._process_line_comment()
        self._process_foot_comment()

    def _flow_map_key(self, ev: Event, first: bool, trail: bool) -> None:
        if first:
            self._write_indicator("{", True, True, False)
            self._increase_indent(True, False)
            self.flow_level += 1
        if ev.typ == MAP_END:
            if (self.head_comment or self.foot_comment or self.tail_comment) and not first and not trail:
                self._write_indicator(",", False, False, False)
            self._process_head_comment()
            self.flow_level -= 1
            self._pop_indent()
            self._write_indicator("}", False, False, False)
            self._process_line_comment()
            self._process_foot_comment()
            self._pop_state()
            return
        if not first and not trail:
            self._write_indicator(",", False, False, False)
        self._process_head_comment()
        if self.column == 0:
            self._write_indent()
        if self._check_simple_key():
            self.states.append("flow_map_simple_value")
            self._emit_node(ev, False, False, True, True)
            return
        self._write_indicator("?", True, False, False)
        self.states.append("flow_map_value")
        self._emit_node(ev, False, False, True, False)

    def _flow_map_value(self, ev: Event, simple: bool) -> None:
        if simple:
            self._write_indicator(":", False, False, False)
        else:
            self._write_indicator(":", True, False, False)
        self.states.append("flow_map_trail" if self._pending_comments() else "flow_map_key")
        self._emit_node(ev, False, False, True, False)
        if self._pending_comments():
            self._write_indicator(",", False, False, False)
        self._process_line_comment()
        self._process_foot_comment()

    # -- block collections -----------------------------------------------------------------
    def _block_seq_item(self, ev: Event, first: bool) -> None:
        if first:
            seq = self.mapping_ctx and (self.column == 0 or not self.indention) and self.compact
            self._increase_indent(False, False, seq)
        if ev.typ == SEQ_END:
            self._pop_indent()
            self._pop_state()
            return
        self._process_head_comment()
        self._write_indent()
        self._write_indicator("-", True, False, True)
        self.states.append("block_seq_item")
        self._emit_node(ev, False, True, False, False)
        self._process_line_comment()
        self._process_foot_comment()

    def _block_map_key(self, ev: Event, first: bool) -> None:
        if first:
            self._increase_indent(False, False)
        self._process_head_comment()
        if ev.typ == MAP_END:
            self._pop_indent()
            self._pop_state()
            return
        self._write_indent()
        if self.line_comment:
            self.key_line_comment = self.line_comment
            self.line_comment = ""
        if self._check_simple_key():
            self.states.append("block_map_simple_value")
            self._emit_node(ev, False, False, True, True)
            return
        self._write_indicator("?", True, False, True)
        self.states.append("block_map_value")
        self._emit_node(ev, False, False, True, False)

    def _block_map_value(self, ev: Event, simple: bool) -> None:
        if simple:
            self._write_indicator(":", False, False, False)
        else:
            self._write_indent()
            self._write_indicator(":", True, False, True)
        if self.key_line_comment:
            if ev.typ == SCALAR_EV:
                if not self.line_comment:
                    self.line_comment = self.key_line_comment
                    self.key_line_comment = ""
            elif ev.style != FLOW_STYLE and ev.typ in (MAP_START, SEQ_START):
                self.line_comment, self.key_line_comment = self.key_line_comment, self.line_comment
                self._process_line_comment()
                self.line_comment, self.key_line_comment = self.key_line_comment, self.line_comment
        self.states.append("block_map_key")
        self._emit_node(ev, False, False, True, False)
        self._process_line_comment()
        self._process_foot_comment()

    # -- nodes -----------------------------------------------------------------------------
    def _emit_node(self, ev: Event, root: bool, sequence: bool, mapping: bool, simple_key: bool) -> None:
        self.root, self.sequence_ctx, self.mapping_ctx, self.simple_key_ctx = (
            root, sequence, mapping, simple_key,
        )
        if ev.typ == ALIAS_EV:
            self._process_anchor()
            self._pop_state()
        elif ev.typ == SCALAR_EV:
            self._select_scalar_style(ev)
            self._process_anchor()
            self._process_tag()
            self._increase_indent(True, False)
            self._process_scalar()
            self._pop_indent()
            self._pop_state()
        elif ev.typ == SEQ_START:
            self._process_anchor()
            self._process_tag()
            if self.flow_level > 0 or ev.style == FLOW_STYLE or self._check_empty(SEQ_START, SEQ_END):
                self.state = "flow_seq_first"
            else:
                self.state = "block_seq_first"
        elif ev.typ == MAP_START:
            self._process_anchor()
            self._process_tag()
            if self.flow_level > 0 or ev.style == FLOW_STYLE or self._check_empty(MAP_START, MAP_END):
                self.state = "flow_map_first"
            else:
                self.state = "block_map_first"
        else:
            raise ValueError("expected SCALAR, SEQUENCE-START, MAPPING-START, or ALIAS")

    def _check_empty(self, start: int, end: int) -> bool:
        if len(self.events) - self.head < 2:
            return False
        return self.events[self.head].typ == start and self.events[self.head + 1].typ == end

    def _check_simple_key(self) -> bool:
        ev = self.events[self.head]
        if ev.typ == ALIAS_EV:
            length = len(self.anchor)
        elif ev.typ == SCALAR_EV:
            if self.multiline:
                return False
            length = (
                len(self.anchor.encode()) + len(self.tag_handle) + len(self.tag_suffix)
                + len(self.scalar_value.encode())
            )
        elif ev.typ == SEQ_START:
            if not self._check_empty(SEQ_START, SEQ_END):
                return False
            length = len(self.anchor) + len(self.tag_handle) + len(self.tag_suffix)
        elif ev.typ == MAP_START:
            if not self._check_empty(MAP_START, MAP_END):
                return False
            length = len(self.anchor) + len(self.tag_handle) + len(self.tag_suffix)
        else:
            return False
        return length <= 128

    def _select_scalar_style(self, ev: Event) -> None:
        no_tag = not self.tag_handle and not self.tag_suffix
        style = ev.style or PLAIN
        if self.simple_key_ctx and self.multiline:
            style = DOUBLE
        if style == PLAIN:
            if (self.flow_level > 0 and not self.flow_plain_allowed) or (
                self.flow_level == 0 and not self.block_plain_allowed
            ):
                style = SINGLE
            if not self.scalar_value and (self.flow_level > 0 or self.simple_key_ctx):
                style = SINGLE
            if no_tag and not ev.implicit:
                style = SINGLE
        if style == SINGLE and not self.single_quoted_allowed:
            style = DOUBLE
        if style in (LITERAL_STYLE, FOLDED_STYLE) and (
            not self.block_allowed or self.flow_level > 0 or self.simple_key_ctx
        ):
            style = DOUBLE
        if no_tag and not ev.quoted_implicit and style != PLAIN:
            self.tag_handle = "!"
        self.scalar_style = style

    def _process_anchor(self) -> None:
        if not self.anchor:
            return
        self._write_indicator("*" if self.anchor_alias else "&", True, False, False)
        self._write_all(self.anchor)
        self.whitespace = False
        self.indention = False

    def _process_tag(self) -> None:
        if not self.tag_handle and not self.tag_suffix:
            return
        if self.tag_handle:
            if not self.whitespace:
                self._put(" ")
            self._write_all(self.tag_handle)
            self.whitespace = False
            self.indention = False
            if self.tag_suffix:
                self._write_tag_content(self.tag_suffix, False)
        else:
            self._write_indicator("!<", True, False, False)
            self._write_tag_content(self.tag_suffix, False)
            self._write_indicator(">", False, False, False)

    def _write_tag_content(self, value: str, need_whitespace: bool) -> None:
        if need_whitespace and not self.whitespace:
            self._put(" ")
        for c in value:
            if c in ";/?:@&=+$,_.~*'()[]" or _is_alpha(c):
                self._write(c)
            else:
                for octet in c.encode():
                    self._put("%")
                    self._put(f"{octet >> 4:X}")
                    self._put(f"{octet & 0x0F:X}")
        self.whitespace = False
        self.indention = False

    def _process_scalar(self) -> None:
        value = self.scalar_value
        style = self.scalar_style
        if style == PLAIN:
            self._write_plain(value, not self.simple_key_ctx)
        elif style == SINGLE:
            self._write_single(value, not self.simple_key_ctx)
        elif style == DOUBLE:
            self._write_double(value, not self.simple_key_ctx)
        elif style == LITERAL_STYLE:
            self._write_literal(value)
        else:
            self._write_folded(value)

    # -- comments --------------------------------------------------------------------------
    def _process_head_comment(self) -> None:
        if self.tail_comment:
            self._write_indent()
            self._write_comment(self.tail_comment)
            self.tail_comment = ""
            self.foot_indent = max(self.indent, 0)
        if not self.head_comment:
            return
        self._write_indent()
        self._write_comment(self.head_comment)
        self.head_comment = ""

    def _process_line_comment(self, linebreak: bool = False) -> None:
        if not self.line_comment:
            if linebreak:
                self._put_break()
            return
        if not self.whitespace:
            self._put(" ")
        self._write_comment(self.line_comment)
        self.line_comment = ""

    def _process_foot_comment(self) -> None:
        if not self.foot_comment:
            return
        self._write_indent()
        self._write_comment(self.foot_comment)
        self.foot_comment = ""
        self.foot_indent = max(self.indent, 0)

    def _write_comment(self, comment: str) -> None:
        breaks = False
        pound = False
        for c in comment:
            if c in _BREAKS:
                self._write_break(c)
                breaks = True
                pound = False
            else:
                if breaks:
                    self._write_indent()
                if not pound:
                    if c != "#":
                        self._put("#")
                        self._put(" ")
                    pound = True
                self._write(c)
                self.indention = False
                breaks = False
        if not breaks:
            self._put_break()
        self.whitespace = True

    # -- analysis --------------------------------------------------------------------------
    def _analyze_event(self, ev: Event) -> None:
        self.anchor = ""
        self.tag_handle = ""
        self.tag_suffix = ""
        self.scalar_value = ""
        if ev.head:
            self.head_comment = ev.head
        if ev.line:
            self.line_comment = ev.line
        if ev.foot:
            self.foot_comment = ev.foot
        if ev.tail:
            self.tail_comment = ev.tail
        if ev.typ == ALIAS_EV:
            self.anchor, self.anchor_alias = ev.anchor, True
        elif ev.typ == SCALAR_EV:
            if ev.anchor:
                self.anchor, self.anchor_alias = ev.anchor, False
            if ev.tag and not ev.implicit and not ev.quoted_implicit:
                self._analyze_tag(ev.tag)
            self._analyze_scalar(ev.value)
        elif ev.typ in (SEQ_START, MAP_START):
            if ev.anchor:
                self.anchor, self.anchor_alias = ev.anchor, False
            if ev.tag and not ev.implicit:
                self._analyze_tag(ev.tag)

    def _analyze_tag(self, tag: str) -> None:
        for handle, prefix in _TAG_DIRECTIVES:
            if tag.startswith(prefix):
                self.tag_handle, self.tag_suffix = handle, tag[len(prefix) :]
                return
        self.tag_suffix = tag

    def _analyze_scalar(self, value: str) -> None:
        self.scalar_value = value
        if not value:
            self.multiline = False
            self.flow_plain_allowed = False
            self.block_plain_allowed = True
            self.single_quoted_allowed = True
            self.block_allowed = False
            return
        block_ind = flow_ind = line_breaks = special = tabs = False
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = previous_space = previous_break = False
        if value.startswith(("---", "...")):
            block_ind = flow_ind = True
        preceded_by_ws = True
        n = len(value)
        for i, c in enumerate(value):
            followed_by_ws = i + 1 >= n or _is_blank(value, i + 1) or value[i + 1] in _BREAKS
            if i == 0:
                if c in "#,[]{}&*!|>'\"%@`":
                    flow_ind = block_ind = True
                elif c in "?:":
                    flow_ind = True
                    if followed_by_ws:
                        block_ind = True
                elif c == "-" and followed_by_ws:
                    flow_ind = block_ind = True
            else:
                if c in ",?[]{}":
                    flow_ind = True
                elif c == ":":
                    flow_ind = True
                    if followed_by_ws:
                        block_ind = True
                elif c == "#" and preceded_by_ws:
                    flow_ind = block_ind = True
            if c == "\t":
                tabs = True
            elif not _printable(c):
                special = True
            if c == " ":
                if i == 0:
                    leading_space = True
                if i + 1 == n:
                    trailing_space = True
                if previous_break:
                    break_space = True
                previous_space, previous_break = True, False
            elif c in _BREAKS:
                line_breaks = True
                if i == 0:
                    leading_break = True
                if i + 1 == n:
                    trailing_break = True
                if previous_space:
                    space_break = True
                previous_space, previous_break = False, True
            else:
                previous_space = previous_break = False
            preceded_by_ws = _is_blankz(value, i)
        self.multiline = line_breaks
        self.flow_plain_allowed = self.block_plain_allowed = True
        self.single_quoted_allowed = self.block_allowed = True
        if leading_space or leading_break or trailing_space or trailing_break:
            self.flow_plain_allowed = self.block_plain_allowed = False
        if trailing_space:
            self.block_allowed = False
        if break_space:
            self.flow_plain_allowed = self.block_plain_allowed = self.single_quoted_allowed = False
        if space_break or tabs or special:
            self.flow_plain_allowed = self.block_plain_allowed = self.single_quoted_allowed = False
        if space_break or special:
            self.block_allowed = False
        if line_breaks:
            self.flow_plain_allowed = self.block_plain_allowed = False
        if flow_ind:
            self.flow_plain_allowed = False
        if block_ind:
            self.block_plain_allowed = False

    # -- writers ---------------------------------------------------------------------------
    def _write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self._put_break()
        if self.foot_indent == indent:
            self._put_break()
        while self.column < indent:
            self._put(" ")
        self.whitespace = True
        self.space_above = False
        self.foot_indent = -1

    def _write_indicator(self, indicator: str, need_ws: bool, is_ws: bool, is_indention: bool) -> None:
        if need_ws and not self.whitespace:
            self._put(" ")
        self._write_all(indicator)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention
        self.open_ended = False

    def _write_plain(self, value: str, allow_breaks: bool) -> None:
        if value and not self.whitespace:
            self._put(" ")
        spaces = breaks = False
        for i, c in enumerate(value):
            if c == " ":
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and not _is_space(value, i + 1):
                    self._write_indent()
                else:
                    self._write(c)
                spaces = True
            elif c in _BREAKS:
                if not breaks and c == "\n":
                    self._put_break()
                self._write_break(c)
                breaks = True
            else:
                if breaks:
                    self._write_indent()
                self._write(c)
                self.indention = False
                spaces = breaks = False
        if value:
            self.whitespace = False
        self.indention = False
        if self.root:
            self.open_ended = True

    def _write_single(self, value: str, allow_breaks: bool) -> None:
        self._write_indicator("'", True, False, False)
        spaces = breaks = False
        n = len(value)
        for i, c in enumerate(value):
            if c == " ":
                if (
                    allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < n - 1
                    and not _is_space(value, i + 1)
                ):
                    self._write_indent()
                else:
                    self._write(c)
                spaces = True
            elif c in _BREAKS:
                if not breaks and c == "\n":
                    self._put_break()
                self._write_break(c)
                breaks = True
            else:
                if breaks:
                    self._write_indent()
                if c == "'":
                    self._put("'")
                self._write(c)
                self.indention = False
                spaces = breaks = False
        self._write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def _write_double(self, value: str, allow_breaks: bool) -> None:
        self._write_indicator('"', True, False, False)
        escapes = {
            0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r",
            0x1B: "e", 0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P",
        }
        for c in value:
            v = ord(c)
            if not _printable(c) or v == 0xFEFF or c in _BREAKS or c in '"\\':
                self._put("\\")
                if v in escapes:
                    self._put(escapes[v])
                elif v <= 0xFF:
                    self._write_all(f"x{v:02X}")
                elif v <= 0xFFFF:
                    self._write_all(f"u{v:04X}")
                else:
                    self._write_all(f"U{v:08X}")
            else:
                self._write(c)
        self._write_indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def _write_block_hints(self, value: str) -> None:
        if value and (value[0] == " " or value[0] in _BREAKS):
            self._write_indicator(str(self.best_indent), False, False, False)
        self.open_ended = False
        chomp = ""
        if not value or value[-1] not in _BREAKS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in _BREAKS:
            chomp = "+"
            self.open_ended = True
        if chomp:
            self._write_indicator(chomp, False, False, False)

    def _write_literal(self, value: str) -> None:
        self._write_indicator("|", True, False, False)
        self._write_block_hints(value)
        self._process_line_comment(linebreak=True)
        self.whitespace = True
        breaks = True
        for c in value:
            if c in _BREAKS:
                self._write_break(c)
                breaks = True
            else:
                if breaks:
                    self._write_indent()
                self._write(c)
                self.indention = False
                breaks = False

    def _write_folded(self, value: str) -> None:
        self._write_indicator(">", True, False, False)
        self._write_block_hints(value)
        self._process_line_comment(linebreak=True)
        self.whitespace = True
        breaks = True
        leading_spaces = True
        for i, c in enumerate(value):
            if c in _BREAKS:
                if not breaks and not leading_spaces and c == "\n":
                    # yaml.v3 looks from the start of the value here, not from i.
                    k = 0
                    while _is_break(value, k):
                        k += 1
                    if not _is_blankz(value, k):
                        self._put_break()
                self._write_break(c)
                breaks = True
            else:
                if breaks:
                    self._write_indent()
                    leading_spaces = _is_blank(value, i)
                self._write(c)
                self.indention = False
                breaks = False


def encode_documents(documents: list[tuple[Node, bool]]) -> str:
    """The bytes of one yaml.v3 Encoder given these documents, each with its compact-sequence flag."""
    emitter = Emitter(compact_seq=True)
    emitter.emit(Event(STREAM_START))
    for document, compact in documents:
        emitter.compact = compact
        _encode_node(emitter, document, "")
    emitter.open_ended = False
    emitter.emit(Event(STREAM_END))
    return "".join(emitter.out)


def _encode_node(e: Emitter, node: Node, tail: str) -> None:
    tag = node.tag
    stag = short_tag(tag)
    force_quoting = False
    if tag and not node.style & TAGGED:
        if node.kind == SCALAR:
            if stag == STR and node.style & (SINGLE_QUOTED | DOUBLE_QUOTED | LITERAL | FOLDED):
                tag = ""
            else:
                rtag = resolve_plain(node.value)
                if rtag == stag:
                    tag = ""
                elif stag == STR:
                    tag = ""
                    force_quoting = True
        else:
            rtag = MAP if node.kind == MAPPING else SEQ if node.kind == SEQUENCE else ""
            if rtag == stag:
                tag = ""
    if node.kind == DOCUMENT:
        e.emit(Event(DOC_START, implicit=True, head=node.head_comment))
        for child in node.content:
            _encode_node(e, child, "")
        e.emit(Event(DOC_END, implicit=True, foot=node.foot_comment))
    elif node.kind == SEQUENCE:
        e.emit(Event(
            SEQ_START, anchor=node.anchor, tag=long_tag(tag), implicit=not tag,
            style=FLOW_STYLE if node.style & FLOW else BLOCK_STYLE, head=node.head_comment,
        ))
        for child in node.content:
            _encode_node(e, child, "")
        e.emit(Event(SEQ_END, line=node.line_comment, foot=node.foot_comment))
    elif node.kind == MAPPING:
        e.emit(Event(
            MAP_START, anchor=node.anchor, tag=long_tag(tag), implicit=not tag,
            style=FLOW_STYLE if node.style & FLOW else BLOCK_STYLE, head=node.head_comment, tail=tail,
        ))
        pending = ""
        for i in range(0, len(node.content) - 1, 2):
            key = node.content[i]
            foot = key.foot_comment
            if foot:
                key = Node(**{**key.__dict__, "foot_comment": ""})
            _encode_node(e, key, pending)
            pending = foot
            _encode_node(e, node.content[i + 1], "")
        e.emit(Event(
            MAP_END, tail=pending, line=node.line_comment, foot=node.foot_comment,
        ))
    elif node.kind == ALIAS:
        e.emit(Event(
            ALIAS_EV, anchor=node.value, head=node.head_comment, line=node.line_comment,
            foot=node.foot_comment,
        ))
    else:
        if node.style & DOUBLE_QUOTED:
            style = DOUBLE
        elif node.style & SINGLE_QUOTED:
            style = SINGLE
        elif node.style & LITERAL:
            style = LITERAL_STYLE
        elif node.style & FOLDED:
            style = FOLDED_STYLE
        elif "\n" in node.value:
            style = LITERAL_STYLE
        elif force_quoting:
            style = DOUBLE
        else:
            style = PLAIN
        implicit = not tag
        e.emit(Event(
            SCALAR_EV, anchor=node.anchor, tag=long_tag(tag) if tag else "", value=node.value,
            implicit=implicit, quoted_implicit=implicit, style=style, head=node.head_comment,
            line=node.line_comment, foot=node.foot_comment, tail=tail,
        ))
