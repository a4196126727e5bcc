"""YAML exactly as kubectl writes it: sigs.k8s.io/yaml, i.e. Go's encoding/json, then go-yaml v2.

Numbers and strings go through Go's JSON and strconv first (gocompat), then go-yaml's resolver decides
the quoting and its emitter the layout.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from kubectl_imagerepo.gocompat import jsonenc, strconv
from kubectl_imagerepo.gocompat.ages import days_in_month
from kubectl_imagerepo.gocompat.unicode import replace_invalid

__all__ = ["render_yaml", "yaml_key_order"]


def render_yaml(obj: Any) -> str:
    """``-o yaml``: exactly what kubectl's sigs.k8s.io/yaml (go-yaml v2) writes for a decoded object.

    Keys in go-yaml's order (numbers inside keys compare as numbers), 2-space indent with list items
    flush under their key, strings quoted only when they would read back as something else, multi-line
    strings as ``|`` blocks, long strings folded at 80 columns. Written here rather than with PyYAML,
    whose choices of quoting, escaping and folding differ from go-yaml's in many small ways.
    """
    emitter = _YamlEmitter()
    emitter.node(obj)
    return emitter.finish()


# go-yaml v2's resolve table: plain scalars that read back as booleans, null or special floats.
_YAML_WORDS = ("y", "yes", "true", "on", "n", "no", "false", "off", "null")
_YAML_BOOL_NULL = frozenset(
    {case(word) for word in _YAML_WORDS for case in (str.lower, str.capitalize, str.upper)}
    | {"~", ".nan", ".NaN", ".NAN"}
    | {sign + inf for sign in ("", "+", "-") for inf in (".inf", ".Inf", ".INF")}
)
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_TIMESTAMPS = (
    re.compile(
        r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})"
        r"(?:[.,][0-9]+)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))"
    ),
    re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?"),
    re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"),
)


def _is_yaml_timestamp(text: str) -> bool:
    """go-yaml v2's parseTimestamp: the few layouts it tries with time.Parse."""
    if not re.match(r"[0-9]{4}-", text):
        return False
    for layout in _TIMESTAMPS:
        match = layout.fullmatch(text)
        if match is None:
            continue
        year, month, day, *clock = (int(part) if part else 0 for part in match.groups())
        if not (1 <= month <= 12 and 1 <= day <= days_in_month(month, year)):
            continue
        if clock and not (clock[0] < 24 and clock[1] < 60 and clock[2] < 60):
            continue
        if len(clock) > 3 and not (clock[3] <= 24 and clock[4] <= 60):
            continue
        return True
    return False


def _resolves_to_string(text: str) -> bool:
    """Whether go-yaml v2 reads ``text`` back as a string when written plain (its ``resolve``)."""
    if not text or text in _YAML_BOOL_NULL:
        return False
    first = text[0]
    if first == ".":
        return strconv.parse_float(text) is None
    if first not in "+-0123456789":
        return True
    if _is_yaml_timestamp(text):
        return False
    plain = text.replace("_", "")
    if strconv.parse_int(plain) is not None or strconv.parse_uint(plain) is not None:
        return False
    if _YAML_FLOAT.fullmatch(plain) and strconv.parse_float(plain) is not None:
        return False
    if plain.startswith("0b"):
        binary = plain[2:]
        if re.fullmatch(r"[+-]?[01]+", binary) and strconv.INT64_MIN <= int(binary, 2) <= strconv.INT64_MAX:
            return False
        if re.fullmatch(r"[01]+", binary) and int(binary, 2) < 1 << 64:
            return False
    elif plain.startswith("-0b"):
        binary = plain[3:]
        if re.fullmatch(r"[01]+", binary) and strconv.INT64_MIN <= -int(binary, 2) <= strconv.INT64_MAX:
            return False
    return True


def _yaml_number(value: int | float) -> str:
    """A number as it comes out of sigs.k8s.io/yaml: through Go's JSON, then read back by go-yaml."""
    text = jsonenc.marshal(value)
    as_int = strconv.parse_int(text) if re.fullmatch(r"-?[0-9]+", text) else None
    if as_int is not None:
        return str(as_int)
    if re.fullmatch(r"[0-9]+", text) and int(text) < 1 << 64:
        return text
    return strconv.format_float(float(text))


def _is_digit(char: str) -> bool:
    return unicodedata.category(char) == "Nd"


def _wrap_int64(value: int) -> int:
    return (value + (1 << 63)) % (1 << 64) - (1 << 63)


def _key_less(left: str, right: str) -> bool:
    """go-yaml v2's key order for strings: letters after other characters, digit runs as numbers."""
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        if a == b:
            continue
        a_letter, b_letter = a.isalpha(), b.isalpha()  # unicode.IsLetter
        if a_letter and b_letter:
            return a < b
        if a_letter or b_letter:
            return b_letter
        a_number = b_number = 0
        if a == "0" or b == "0":
            back = index - 1
            while back >= 0 and _is_digit(left[back]):
                if left[back] != "0":
                    a_number = b_number = 1
                    break
                back -= 1
        a_end, b_end = index, index
        while a_end < len(left) and _is_digit(left[a_end]):
            a_number = _wrap_int64(a_number * 10 + ord(left[a_end]) - ord("0"))
            a_end += 1
        while b_end < len(right) and _is_digit(right[b_end]):
            b_number = _wrap_int64(b_number * 10 + ord(right[b_end]) - ord("0"))
            b_end += 1
        if a_number != b_number:
            return a_number < b_number
        if a_end != b_end:
            return a_end < b_end
        return a < b
    return len(left) < len(right)


def _key_order(left: str, right: str) -> int:
    return -1 if _key_less(left, right) else (1 if _key_less(right, left) else 0)


def yaml_key_order(keys: Sequence[str]) -> list[str]:
    """Map keys in the order go-yaml v2 writes them (``a2`` before ``a10``, ``_x`` before ``Z``)."""
    return sorted(keys, key=cmp_to_key(_key_order))


_BREAKS = "\r\n\x85\u2028\u2029"
_YAML_ESCAPES = {
    "\x00": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f", "\r": "r",
    "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}  # fmt: skip


def _printable(char: str) -> bool:
    """libyaml's is_printable (as go-yaml v2 has it): no C0/C1 controls, no characters beyond the BMP."""
    code = ord(char)
    return (
        code == 0x0A
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


@dataclass(frozen=True)
class _ScalarAnalysis:
    multiline: bool
    block_plain: bool
    single_quoted: bool
    block: bool


def _analyze(text: str) -> _ScalarAnalysis:
    """libyaml's yaml_emitter_analyze_scalar, for block context: which styles can hold ``text``."""
    if not text:
        return _ScalarAnalysis(multiline=False, block_plain=True, single_quoted=True, block=False)
    indicators = text.startswith(("---", "..."))
    line_breaks = special = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = previous_space = previous_break = False
    preceded_by_whitespace = True
    for index, char in enumerate(text):
        followed_by_whitespace = index + 1 >= len(text) or text[index + 1] in " \t"
        if index == 0:
            if char in "#,[]{}&*!|>'\"%@`" or (char in "?:-" and followed_by_whitespace):
                indicators = True
        elif (char == ":" and followed_by_whitespace) or (char == "#" and preceded_by_whitespace):
            indicators = True
        if not _printable(char):
            special = True
        if char == " ":
            leading_space = leading_space or index == 0
            trailing_space = trailing_space or index == len(text) - 1
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif char in _BREAKS:
            line_breaks = True
            leading_break = leading_break or index == 0
            trailing_break = trailing_break or index == len(text) - 1
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_whitespace = char in " \t\0" or char in _BREAKS
    plain = not (leading_space or leading_break or trailing_space or trailing_break or break_space)
    plain = plain and not (space_break or special or line_breaks or indicators)
    return _ScalarAnalysis(
        multiline=line_breaks,
        block_plain=plain,
        single_quoted=not (break_space or space_break or special),
        block=not (trailing_space or space_break or special),
    )


class _YamlEmitter:
    """The parts of go-yaml v2's emitter that a decoded JSON object exercises, state for state.

    Block mappings and sequences (a sequence under a key is not indented), ``{}`` and ``[]`` for empty
    ones, complex keys (``? key``) for keys over 128 bytes or with line breaks, and the four scalar styles
    with libyaml's folding at 80 columns.
    """

    best_width = 80
    best_indent = 2

    def __init__(self) -> None:
        self.out: list[str] = []
        self.column = 0
        self.indent = -1
        self.indents: list[int] = []
        self.whitespace = True
        self.indention = True
        self.mapping_context = False
        self.simple_key_context = False

    def finish(self) -> str:
        self._write_indent()
        return "".join(self.out)

    # -- output primitives
    def _put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def _put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def _write_break(self, char: str) -> None:
        if char == "\n":
            self._put_break()
        else:
            self.out.append(char)
            self.column = 0

    def _write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self._put_break()
        if self.column < indent:
            self._put(" " * (indent - self.column))
        self.whitespace = True
        self.indention = True

    def _write_indicator(
        self, indicator: str, need_whitespace: bool, whitespace: bool, indention: bool
    ) -> None:
        if need_whitespace and not self.whitespace:
            self._put(" ")
        self._put(indicator)
        self.whitespace = whitespace
        self.indention = self.indention and indention

    def _past_width(self) -> bool:
        return self.column > self.best_width

    def _increase_indent(self, *, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = self.best_indent if flow else 0
        elif not indentless:
            self.indent += self.best_indent

    def _restore_indent(self) -> None:
        self.indent = self.indents.pop()

    # -- nodes
    def node(self, value: Any, *, mapping: bool = False, simple_key: bool = False) -> None:
        self.mapping_context = mapping
        self.simple_key_context = simple_key
        if isinstance(value, Mapping):
            self._mapping(value)
        elif isinstance(value, (list, tuple)):
            self._sequence(value)
        else:
            self._scalar(*_scalar_text(value))

    def _empty(self, brackets: str) -> None:
        self._write_indicator(brackets[0], True, True, False)
        self._increase_indent(flow=True, indentless=False)
        self._restore_indent()
        self._write_indicator(brackets[1], False, False, False)

    def _sequence(self, items: Sequence[Any]) -> None:
        if not items:
            self._empty("[]")
            return
        self._increase_indent(flow=False, indentless=self.mapping_context and not self.indention)
        for item in items:
            self._write_indent()
            self._write_indicator("-", True, False, True)
            self.node(item)
        self._restore_indent()

    def _mapping(self, mapping: Mapping[str, Any]) -> None:
        if not mapping:
            self._empty("{}")
            return
        self._increase_indent(flow=False, indentless=False)
        folded = {_through_json(key): mapping[key] for key in sorted(mapping)}
        for key in yaml_key_order(list(folded)):
            self._write_indent()
            if not _analyze(key).multiline and len(key.encode("utf-8", "surrogatepass")) <= 128:
                self.node(key, mapping=True, simple_key=True)
                self._write_indicator(":", False, False, False)
            else:
                self._write_indicator("?", True, False, True)
                self.node(key, mapping=True)
                self._write_indent()
                self._write_indicator(":", True, False, True)
            self.node(folded[key], mapping=True)
        self._restore_indent()

    def _scalar(self, text: str, style: str) -> None:
        style = self._select_style(text, style)
        self._increase_indent(flow=True, indentless=False)
        allow_breaks = not self.simple_key_context
        if style == "plain":
            self._plain(text, allow_breaks)
        elif style == "single":
            self._single_quoted(text, allow_breaks)
        elif style == "double":
            self._double_quoted(text, allow_breaks)
        else:
            self._literal(text)
        self._restore_indent()

    def _select_style(self, text: str, style: str) -> str:
        analysis = _analyze(text)
        if self.simple_key_context and analysis.multiline:
            style = "double"
        if style == "plain" and (not analysis.block_plain or (not text and self.simple_key_context)):
            style = "single"
        if style == "single" and not analysis.single_quoted:
            style = "double"
        if style == "literal" and (not analysis.block or self.simple_key_context):
            style = "double"
        return style

    # -- scalar writers
    def _plain(self, text: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self._put(" ")
        self._flowing(text, allow_breaks, quote="")
        self.whitespace = False
        self.indention = False

    def _single_quoted(self, text: str, allow_breaks: bool) -> None:
        self._write_indicator("'", True, False, False)
        self._flowing(text, allow_breaks, quote="'")
        self._write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def _flowing(self, text: str, allow_breaks: bool, quote: str) -> None:
        """Plain and single-quoted text: fold at a single space past the width, keep line breaks."""
        spaces = breaks = False
        for index, char in enumerate(text):
            if char == " ":
                next_is_space = index + 1 < len(text) and text[index + 1] == " "
                inside = not quote or 0 < index < len(text) - 1
                if allow_breaks and not spaces and self._past_width() and inside and not next_is_space:
                    self._write_indent()
                else:
                    self._put(char)
                spaces = True
            elif char in _BREAKS:
                if not breaks and char == "\n":
                    self._put_break()
                self._line_break(char)
                breaks = True
            else:
                self._content(quote + char if char == quote else char, after_break=breaks)
                spaces = breaks = False

    def _line_break(self, char: str) -> None:
        """A line break inside a scalar; the next line starts indented."""
        self._write_break(char)
        self.indention = True

    def _content(self, text: str, *, after_break: bool) -> None:
        """Scalar text, indented first when it follows a line break."""
        if after_break:
            self._write_indent()
        self._put(text)
        self.indention = False

    def _double_quoted(self, text: str, allow_breaks: bool) -> None:
        self._write_indicator('"', True, False, False)
        bom = text.startswith("\ufeff")  # libyaml's is_bom looks at the start of the value every time
        spaces = False
        for index, char in enumerate(text):
            if bom or not _printable(char) or char in _BREAKS or char in '"\\':
                self._put("\\" + _yaml_escape(char))
                spaces = False
            elif char == " ":
                if allow_breaks and not spaces and self._past_width() and 0 < index < len(text) - 1:
                    self._write_indent()
                    if text[index + 1] == " ":
                        self._put("\\")
                else:
                    self._put(char)
                spaces = True
            else:
                self._put(char)
                spaces = False
        self._write_indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def _literal(self, text: str) -> None:
        self._write_indicator("|", True, False, False)
        if text[0] == " " or text[0] in _BREAKS:
            self._write_indicator(str(self.best_indent), False, False, False)
        if text[-1] not in _BREAKS:
            self._write_indicator("-", False, False, False)
        elif len(text) == 1 or text[-2] in _BREAKS:
            self._write_indicator("+", False, False, False)
        self._put_break()
        self.indention = True
        self.whitespace = True
        breaks = True
        for char in text:
            if char in _BREAKS:
                self._line_break(char)
                breaks = True
            else:
                self._content(char, after_break=breaks)
                breaks = False


def _yaml_escape(char: str) -> str:
    if char in _YAML_ESCAPES:
        return _YAML_ESCAPES[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD  # Go's JSON step already replaced invalid UTF-8
    if code <= 0xFF:
        return f"x{code:02X}"
    if code <= 0xFFFF:
        return f"u{code:04X}"
    return f"U{code:08X}"


def _through_json(text: str) -> str:
    """A string after sigs.k8s.io/yaml's trip through JSON: what go-yaml reads back from the JSON text.

    Invalid UTF-8 became U+FFFD, and NEL (U+0085), which Go's JSON leaves unescaped, is a line break to
    YAML: spaces around it are dropped and it folds into a space, or into newlines when repeated.
    """
    text = replace_invalid(text)
    if "\x85" not in text:
        return text
    out: list[str] = []
    spaces = ""
    breaks = 0
    for char in text:
        if char == "\x85":
            spaces = ""
            breaks += 1
        elif char == " ":
            if not breaks:
                spaces += " "
        else:
            out.append((" " if breaks == 1 else "\n" * (breaks - 1)) if breaks else spaces)
            out.append(char)
            spaces, breaks = "", 0
    out.append((" " if breaks == 1 else "\n" * (breaks - 1)) if breaks else spaces)
    return "".join(out)


def _scalar_text(value: Any) -> tuple[str, str]:
    """A scalar's text and the style go-yaml's encoder asks for (the emitter may still change it)."""
    if value is None:
        return "null", "plain"
    if value is True or value is False:
        return ("true" if value else "false"), "plain"
    if isinstance(value, (int, float)):
        return _yaml_number(value), "plain"
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} as YAML")
    text = _through_json(value)
    if "\n" in text:
        return text, "literal"
    if _resolves_to_string(text) and not _BASE60_FLOAT.fullmatch(text):
        return text, "plain"
    return text, "double"
