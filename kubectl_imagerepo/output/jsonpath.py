"""kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath) and Go's ways of printing JSON values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias

__all__ = [
    "JSONPathError",
    "Template",
    "format_go_float",
    "format_value",
    "format_value_go_syntax",
    "go_quote",
    "marshal_json",
    "parse",
]

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


class JSONPathError(ValueError):
    """A template that cannot be parsed or executed; the message is client-go's."""


# -- Go's printing of JSON-like values -------------------------------------------------------------


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest digits that read back as ``abs(value)``, and the point: value = 0.DIGITS × 10**point."""
    if value == 0:
        return "0", 1
    decimal = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, decimal.digits))
    point = len(digits) + int(decimal.exponent)
    return digits.rstrip("0"), point


def _fixed(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def _scientific(digits: str, point: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exponent = point - 1
    return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def _check_finite(value: float) -> None:
    if value != value or value in (float("inf"), float("-inf")):
        text = "NaN" if value != value else ("+Inf" if value > 0 else "-Inf")
        raise ValueError(f"json: unsupported value: {text}")


def format_go_float(value: float) -> str:
    """A float64 as Go's ``%v`` and ``strconv.FormatFloat(f, 'g', -1, 64)`` print it: ``1.5``, ``1e+06``."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if str(value).startswith("-") else ""
    digits, point = _shortest_digits(value)
    if not -4 <= point - 1 < 6:  # the exponent limits strconv uses for the shortest 'g' form
        return sign + _scientific(digits, point)
    return sign + _fixed(digits, point)


def _json_float(value: float) -> str:
    """A float64 as encoding/json writes it: fixed notation between 1e-6 and 1e21, else ``1e-7``/``1e+21``."""
    _check_finite(value)
    sign = "-" if str(value).startswith("-") else ""
    digits, point = _shortest_digits(value)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = _scientific(digits, point)
        if re.search(r"e-0[0-9]$", text):
            text = text[:-2] + text[-1]
        return sign + text
    return sign + _fixed(digits, point)


def _json_int(value: int) -> str:
    # Go's unstructured objects hold int64; a larger JSON integer arrives as a float64.
    if _INT64_MIN <= value <= _INT64_MAX:
        return str(value)
    return _json_float(float(value))


def _json_string(text: str) -> str:
    """A JSON string as encoding/json writes it, HTML-safe: ``<``, ``>`` and ``&`` become ``\\u003c`` etc."""
    out = ['"']
    for char in text:
        code = ord(char)
        if code < 0x80:
            if char in '"\\':
                out.append("\\" + char)
            elif char in _JSON_SHORT_ESCAPES:
                out.append(_JSON_SHORT_ESCAPES[char])
            elif code < 0x20 or char in "<>&":
                out.append(f"\\u{code:04x}")
            else:
                out.append(char)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")  # not valid UTF-8, as Go replaces it
        elif code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


_JSON_SHORT_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _encode_json(value: Any, out: list[str], indent: str | None, prefix: str) -> None:
    if value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, str):
        out.append(_json_string(value))
    elif isinstance(value, int):
        out.append(_json_int(value))
    elif isinstance(value, float):
        out.append(_json_float(value))
    elif isinstance(value, Mapping):
        _encode_members([(_json_string(key), value[key]) for key in sorted(value)], "{}", out, indent, prefix)
    elif isinstance(value, (list, tuple)):
        _encode_members([(None, item) for item in value], "[]", out, indent, prefix)
    else:
        raise TypeError(f"json: unsupported type: {type(value).__name__}")


def _encode_members(
    members: list[tuple[str | None, Any]], brackets: str, out: list[str], indent: str | None, prefix: str
) -> None:
    out.append(brackets[0])
    inner = prefix + (indent or "")
    for index, (key, item) in enumerate(members):
        if index:
            out.append(",")
        if indent is not None:
            out.append("\n" + inner)
        if key is not None:
            out.append(key + (": " if indent is not None else ":"))
        _encode_json(item, out, indent, inner)
    if members and indent is not None:
        out.append("\n" + prefix)
    out.append(brackets[1])


def marshal_json(value: Any, *, indent: str | None = None) -> str:
    """JSON exactly as Go's json.Marshal (or MarshalIndent with ``indent``) writes a decoded object.

    Keys sorted, HTML characters escaped, numbers as Go prints int64 and float64. Raises ValueError for
    NaN and infinities and TypeError for values JSON cannot hold.
    """
    out: list[str] = []
    _encode_json(value, out, indent, "")
    return "".join(out)


def format_value(value: Any) -> str:
    """A decoded JSON value as Go's ``fmt.Sprint`` prints it: ``map[a:1 b:[x y]]``, ``<nil>``, ``1e+06``."""
    if value is None:
        return "<nil>"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_go_float(value)
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{key}:{format_value(value[key])}" for key in sorted(value)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(format_value(item) for item in value) + "]"
    return str(value)


def format_value_go_syntax(value: Any) -> str:
    """A decoded JSON value as Go's ``%#v`` prints it: ``map[string]interface {}{"a":1}``."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, Mapping):
        members = ", ".join(f"{go_quote(key)}:{format_value_go_syntax(value[key])}" for key in sorted(value))
        return "map[string]interface {}{" + members + "}"
    if isinstance(value, (list, tuple)):
        return "[]interface {}{" + ", ".join(format_value_go_syntax(item) for item in value) + "}"
    if isinstance(value, str):
        return go_quote(value)
    return format_value(value)


def _go_is_print(char: str) -> bool:
    return char == " " or unicodedata.category(char)[0] in "LMNPS"


_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """``text`` as Go's ``strconv.Quote`` (and ``%q``) writes it."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0xD800 <= code <= 0xDFFF:
            raw = bytes([code - 0xDC00]) if code >= 0xDC80 else char.encode("utf-8", "surrogatepass")
            out.extend(f"\\x{byte:02x}" for byte in raw)
        elif _go_is_print(char):
            out.append(char)
        elif char in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


class _GoInt(int):
    """An integer literal of a template, which Go holds as ``int`` where decoded JSON has ``int64``."""


class _Nothing:
    """What client-go evaluates a range body on when the range is empty: an invalid reflect.Value."""

    def __repr__(self) -> str:
        return "<invalid reflect.Value>"


_NOTHING = _Nothing()


def _go_type(value: Any) -> str:
    """The Go type name an unstructured value has, for client-go's error messages."""
    if value is True or value is False:
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _GoInt):
        return "int"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    return "[]interface {}"


# -- Parse tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListNode:
    """The nodes of one ``{...}`` action, evaluated left to right (filled while parsing)."""

    nodes: list[Node] = field(default_factory=list)


@dataclass(frozen=True)
class TextNode:
    """Literal text, outside braces or quoted inside them."""

    text: str


@dataclass(frozen=True)
class FieldNode:
    """``.name``: a map key."""

    name: str


@dataclass(frozen=True)
class IdentifierNode:
    """A bare word: ``range`` and ``end`` mean something, anything else fails when run."""

    name: str


@dataclass(frozen=True)
class Param:
    """One part of ``[start:end:step]``; ``derived`` marks an end computed as start + 1."""

    value: int
    known: bool
    derived: bool = False


@dataclass(frozen=True)
class ArrayNode:
    """``[i]``, ``[start:end:step]`` or ``[*]``."""

    params: tuple[Param, Param, Param]


@dataclass(frozen=True)
class FilterNode:
    """``[?(left op right)]``; the operator ``exists`` for ``[?(@.x)]``."""

    left: ListNode
    right: ListNode
    operator: str


@dataclass(frozen=True)
class IntNode:
    """An integer literal."""

    value: int


@dataclass(frozen=True)
class FloatNode:
    """A float literal."""

    value: float


@dataclass(frozen=True)
class BoolNode:
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True)
class WildcardNode:
    """``.*``: every value of a map or list."""


@dataclass(frozen=True)
class RecursiveNode:
    """``..``: a value and everything inside it."""


@dataclass(frozen=True)
class UnionNode:
    """``[a,b]``: the results of each branch, one after the other."""

    branches: tuple[ListNode, ...]


Node: TypeAlias = (
    ListNode
    | TextNode
    | FieldNode
    | IdentifierNode
    | ArrayNode
    | FilterNode
    | IntNode
    | FloatNode
    | BoolNode
    | WildcardNode
    | RecursiveNode
    | UnionNode
)


# -- Parser ----------------------------------------------------------------------------------------

_DICT_KEY = re.compile(r"'([^']*)'")
_SLICE = re.compile(r"(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?")
_FILTER = re.compile(r"([^!<>=]+)([!<>=]+)(.+?)")
_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_HEX_DIGITS = "0123456789abcdefABCDEF"
_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _is_digit(char: str | None) -> bool:
    return char is not None and char.isdecimal()


def _is_alphanumeric(char: str | None) -> bool:
    return char is not None and (char == "_" or char.isalpha() or char.isdecimal())


def _is_terminator(char: str | None) -> bool:
    return char is None or char in " \t\r\n.,[]$@{}"


def _go_atoi(text: str) -> int | None:
    if not _GO_INT.fullmatch(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def _unicode_verb(char: str) -> str:
    """Go's ``%#U``: ``U+0023 '#'``."""
    text = f"U+{ord(char):04X}"
    return f"{text} '{char}'" if _go_is_print(char) else text


def _utf8(char: str) -> bytes:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return bytes([code - 0xDC00])
    return char.encode("utf-8", "surrogatepass")


def _unquote_char(text: str, pos: int, quote: str) -> tuple[bytes, int]:
    """strconv.UnquoteChar: the bytes of one (possibly escaped) character and the position after it."""
    char = text[pos]
    if char == quote:
        raise ValueError("invalid syntax")
    if char != "\\":
        return _utf8(char), pos + 1
    if pos + 1 >= len(text):
        raise ValueError("invalid syntax")
    escape, pos = text[pos + 1], pos + 2
    if escape in _SIMPLE_ESCAPES:
        return bytes([_SIMPLE_ESCAPES[escape]]), pos
    if escape in "xuU":
        size = {"x": 2, "u": 4, "U": 8}[escape]
        digits = text[pos : pos + size]
        if len(digits) < size or any(digit not in _HEX_DIGITS for digit in digits):
            raise ValueError("invalid syntax")
        value = int(digits, 16)
        if escape == "x":
            return bytes([value]), pos + size
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise ValueError("invalid syntax")
        return chr(value).encode("utf-8"), pos + size
    if escape in "01234567":
        digits = escape + text[pos : pos + 2]
        if len(digits) < 3 or any(digit not in "01234567" for digit in digits):
            raise ValueError("invalid syntax")
        value = int(digits, 8)
        if value > 255:
            raise ValueError("invalid syntax")
        return bytes([value]), pos + 2
    if escape in "'\"" and escape == quote:
        return escape.encode(), pos
    raise ValueError("invalid syntax")


def _unquote_extend(text: str) -> str:
    """client-go's UnquoteExtend: strconv.Unquote that also takes single-quoted strings."""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"'":
        raise ValueError("invalid syntax")
    quote, inner = text[0], text[1:-1]
    if "\\" not in inner and quote not in inner:
        return inner
    out = bytearray()
    pos = 0
    while pos < len(inner):
        chunk, pos = _unquote_char(inner, pos, quote)
        out += chunk
    return out.decode("utf-8", "surrogateescape")


class _Parser:
    """client-go's jsonpath parser, with its recursion turned into loops."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.width = 0
        self.root: list[Node] = []

    # -- scanning
    def _next(self) -> str | None:
        if self.pos >= len(self.input):
            self.width = 0
            return None
        self.width = 1
        self.pos += 1
        return self.input[self.pos - 1]

    def _peek(self) -> str | None:
        char = self._next()
        self._backup()
        return char

    def _backup(self) -> None:
        self.pos -= self.width

    def _consume(self) -> str:
        value = self.input[self.start : self.pos]
        self.start = self.pos
        return value

    # -- grammar
    def parse(self) -> list[Node]:
        while self._text():
            action = ListNode()
            self.root.append(action)
            while not self._inside_action(action.nodes):
                pass
        return self.root

    def _text(self) -> bool:
        """Literal text up to the next ``{``; True when an action starts there."""
        while self.pos < len(self.input):
            if self.input[self.pos] == "{":
                if self.pos > self.start:
                    self.root.append(TextNode(self._consume()))
                self.pos += 1
                self._consume()
                return True
            self.pos += 1
        if self.pos > self.start:
            self.root.append(TextNode(self._consume()))
        return False

    def _inside_action(self, current: list[Node]) -> bool:
        """One step inside ``{...}``; True once the closing brace is consumed."""
        rest = self.input[self.pos :]
        if rest.startswith("}"):
            self.pos += 1
            self._consume()
            return True
        if rest.startswith("[?("):
            self._filter(current)
            return False
        if rest.startswith(".."):
            self._recursive(current)
            return False
        char = self._next()
        if char is None or char in "\r\n":
            raise JSONPathError("unclosed action")
        if char in " @$":
            self._consume()
        elif char == "[":
            self._array(current)
        elif char in "\"'":
            self._quote(current, char)
        elif char == ".":
            self._field(current)
        elif char in "+-" or _is_digit(char):
            self._backup()
            self._number(current)
        elif _is_alphanumeric(char):
            self._backup()
            self._identifier(current)
        else:
            raise JSONPathError(f"unrecognized character in action: {_unicode_verb(char)}")
        return False

    def _identifier(self, current: list[Node]) -> None:
        while not _is_terminator(self._next()):
            pass
        self._backup()
        value = self._consume()
        current.append(BoolNode(value == "true") if value in ("true", "false") else IdentifierNode(value))

    def _recursive(self, current: list[Node]) -> None:
        if current and isinstance(current[-1], RecursiveNode):
            raise JSONPathError("invalid multiple recursive descent")
        self.pos += 2
        self._consume()
        current.append(RecursiveNode())
        if _is_alphanumeric(self._peek()):
            self._field(current)

    def _number(self, current: list[Node]) -> None:
        if self._peek() in ("+", "-"):
            self._next()
        while True:
            char = self._next()
            if char != "." and not _is_digit(char):
                self._backup()
                break
        value = self._consume()
        integer = _go_atoi(value)
        if integer is not None:
            current.append(IntNode(integer))
            return
        if _GO_FLOAT.fullmatch(value) and abs(float(value)) != float("inf"):
            current.append(FloatNode(float(value)))
            return
        raise JSONPathError(f"cannot parse number {value}")

    def _array(self, current: list[Node]) -> None:
        while True:
            char = self._next()
            if char is None or char == "\n":
                raise JSONPathError("unterminated array")
            if char == "]":
                break
        text = self._consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            branches = tuple(_parse_action(f"[{part.strip(' ')}]") for part in parts)
            current.append(UnionNode(branches))
            return
        key = _DICT_KEY.fullmatch(text)
        if key:
            current.extend(_parse_action("." + key[1]).nodes)
            return
        current.append(ArrayNode(_slice_params(text)))

    def _filter(self, current: list[Node]) -> None:
        self.pos += len("[?(")
        self._consume()
        begin = end = False
        pair = ""
        while True:
            char = self._next()
            if char is None or char == "\n":
                raise JSONPathError("unterminated filter")
            if char in "\"'":
                if not begin:
                    begin, pair = True, char
                    continue
                if self.input[self.pos - 2] != "\\" and char == pair:
                    end = True
            elif char == ")" and begin == end:
                break
        if self._next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self._consume()[:-2]
        match = _FILTER.fullmatch(text)
        if match is None:
            current.append(FilterNode(_parse_action(text), ListNode(), "exists"))
        else:
            current.append(FilterNode(_parse_action(match[1]), _parse_action(match[3]), match[2]))

    def _quote(self, current: list[Node], end: str) -> None:
        while True:
            char = self._next()
            if char is None or char == "\n":
                raise JSONPathError("unterminated quoted string")
            if char == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        try:
            current.append(TextNode(_unquote_extend(value)))
        except ValueError as error:
            raise JSONPathError(f"unquote string {value} error {error}") from None

    def _field(self, current: list[Node]) -> None:
        self._consume()
        while self._advance():
            pass
        value = self._consume()
        current.append(WildcardNode() if value == "*" else FieldNode(value.replace("\\", "")))

    def _advance(self) -> bool:
        """Step over one character of a field name (a backslash escapes the next); False at its end."""
        char = self._next()
        if char == "\\":
            self._next()
        elif _is_terminator(char):
            self._backup()
            return False
        return True


def _slice_params(text: str) -> tuple[Param, Param, Param]:
    match = _SLICE.fullmatch(text)
    if match is None:
        raise JSONPathError(f"invalid array index {text}")
    parts = [match[1], match[2] or "", match[3] or ""]
    params: list[Param] = []
    for index, part in enumerate(parts):
        if part:
            number = part[1:] if index > 0 else part
            if index > 0 and not number:
                params.append(Param(0, known=False))
                continue
            value = _go_atoi(number)
            if value is None:
                raise JSONPathError(f"array index {number} is not a number")
            params.append(Param(value, known=True))
        elif index == 1:
            params.append(Param(params[0].value + 1, known=True, derived=True))
        else:
            params.append(Param(0, known=False))
    return params[0], params[1], params[2]


def _parse_action(text: str) -> ListNode:
    """A nested expression (union branch, bracketed key, filter side) parsed as one action."""
    node = _Parser("{" + text + "}").parse()[0]
    assert isinstance(node, ListNode)
    return node


# -- Evaluation ------------------------------------------------------------------------------------

_Result: TypeAlias = tuple[list[Any], str | None]


def _children(value: Any) -> list[Any]:
    """What ``*`` and ``..`` step into. Map values come in key order (Go's order is random)."""
    if isinstance(value, Mapping):
        return [value[key] for key in sorted(value)]
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return list(value.encode("utf-8", "surrogateescape"))  # Go indexes a string's bytes
    return []


def _kind(value: Any) -> str | None:
    """text/template's basicKind, as far as decoded JSON goes; None for what cannot be compared."""
    if value is True or value is False:
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


def _compare_kinds(left: Any, right: Any) -> str:
    left_kind, right_kind = _kind(left), _kind(right)
    if left_kind is None or right_kind is None:
        raise ValueError("invalid type for comparison")
    if left_kind != right_kind:
        raise ValueError("incompatible types for comparison")
    return left_kind


def _less(left: Any, right: Any) -> bool:
    if _compare_kinds(left, right) == "bool":
        raise ValueError("invalid type for comparison")
    return bool(left < right)


def _equal(left: Any, right: Any) -> bool:
    _compare_kinds(left, right)
    return bool(left == right)


def _compare(operator: str, left: Any, right: Any) -> bool:
    if operator == "<":
        return _less(left, right)
    if operator == ">":
        return not (_less(left, right) or _equal(left, right))
    if operator == "==":
        return _equal(left, right)
    if operator == "!=":
        return not _equal(left, right)
    if operator == "<=":
        return _less(left, right) or _equal(left, right)
    if operator == ">=":
        return not _less(left, right)
    raise ValueError(f"unrecognized filter operator {operator}")


class _Executor:
    """client-go's JSONPath.FindResults: evaluation with its range/end bookkeeping.

    Every step returns (values, error) rather than raising, because client-go keeps using the values
    of a failed step in one place (an ``exists`` filter).
    """

    def __init__(self, nodes: Sequence[Node], *, allow_missing_keys: bool) -> None:
        self.nodes = nodes
        self.allow_missing_keys = allow_missing_keys
        self.begin_range = 0
        self.in_range = 0
        self.end_range = 0
        self.last_end: int | None = None

    def find_results(self, data: Any, start: int = 0) -> list[list[Any]]:
        """The results of the nodes from ``start``; a range body stops at its ``{end}``."""
        current = [data]
        full: list[list[Any]] = []
        index = start
        while index < len(self.nodes):
            results, error = self.walk(current, self.nodes[index])
            if error is not None:
                raise JSONPathError(error)
            if 0 < self.end_range <= self.in_range:
                self.end_range -= 1
                self.last_end = index
                break
            if self.begin_range > 0:
                full.extend(self._range(results, index))
                # Resume after the {end} met last, if it lies ahead (client-go compares node addresses).
                if self.last_end is not None and index < self.last_end:
                    index = self.last_end
                index += 1
                continue
            full.append(results)
            index += 1
        return full

    def _range(self, results: list[Any], index: int) -> list[list[Any]]:
        """Run the body after ``{range}`` once per result (once with nothing, only to find ``{end}``)."""
        self.begin_range -= 1
        self.in_range += 1
        body: list[list[Any]] = []
        if results:
            for value in results:
                body.extend(self.find_results(value, index + 1))
        else:
            self.find_results(_NOTHING, index + 1)
        self.in_range -= 1
        return body

    def walk(self, values: list[Any], node: Node) -> _Result:
        if isinstance(node, ListNode):
            return self.eval_list(values, node)
        if isinstance(node, TextNode):
            return [node.text], None
        if isinstance(node, FieldNode):
            return self._field(values, node.name)
        if isinstance(node, ArrayNode):
            return self._array(values, node.params)
        if isinstance(node, FilterNode):
            return self._filter(values, node)
        if isinstance(node, IntNode):
            return [_GoInt(node.value) for _ in values], None
        if isinstance(node, (FloatNode, BoolNode)):
            return [node.value for _ in values], None
        if isinstance(node, WildcardNode):
            return [child for value in values if value is not None for child in _children(value)], None
        if isinstance(node, RecursiveNode):
            return self._recursive(values), None
        if isinstance(node, UnionNode):
            return self._union(values, node)
        return self._identifier(values, node.name)

    def eval_list(self, values: list[Any], node: ListNode) -> _Result:
        current = values
        for child in node.nodes:
            current, error = self.walk(current, child)
            if error is not None:
                return current, error
        return current, None

    def _identifier(self, values: list[Any], name: str) -> _Result:
        if name == "range":
            self.begin_range += 1
            return values, None
        if name == "end":
            if self.in_range > 0:
                self.end_range += 1
                return [], None
            return [], "not in range, nothing to end"
        return values, f"unrecognized identifier {name}"

    def _field(self, values: list[Any], name: str) -> _Result:
        results = [value[name] for value in values if isinstance(value, Mapping) and name in value]
        if not results and values and not self.allow_missing_keys:
            return [], f"{name} is not found"
        return results, None

    def _array(self, values: list[Any], params: tuple[Param, Param, Param]) -> _Result:
        results: list[Any] = []
        for value in values:
            if value is None:
                continue
            if value is _NOTHING:
                return values, "<invalid Value> is not array or slice"  # client-go panics here
            if not isinstance(value, (list, tuple)):
                return values, f"{_go_type(value)} is not array or slice"
            length = len(value)
            start = params[0].value if params[0].known else 0
            if start < 0:
                start += length
            end = params[1].value if params[1].known else length
            if end < 0 or (end == 0 and params[1].derived):
                end += length
            if end == start:
                return results, None
            if start >= length or start < 0:
                return values, f"array index out of bounds: index {start}, length {length}"
            if end > length or end < 0:
                return values, f"array index out of bounds: index {end - 1}, length {length}"
            if start > end:
                return values, f"starting index {start} is greater than ending index {end}"
            step = 1
            if params[2].known:
                if params[2].value <= 0:
                    return values, "step must be > 0"
                step = params[2].value
            results.extend(value[start:end:step])
        return results, None

    def _union(self, values: list[Any], node: UnionNode) -> _Result:
        results: list[Any] = []
        for branch in node.branches:
            found, error = self.eval_list(values, branch)
            if error is not None:
                return values, error
            results.extend(found)
        return results, None

    def _recursive(self, values: list[Any]) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if value is None:
                continue
            children = _children(value)
            if children:
                results.append(value)
                results.extend(self._recursive(children))
        return results

    def _filter(self, values: list[Any], node: FilterNode) -> _Result:
        results: list[Any] = []
        for value in values:
            if not isinstance(value, (list, tuple)):
                shown = repr(value) if value is _NOTHING else format_value(value)
                return values, f"{shown} is not array or slice and cannot be filtered"
            for item in value:
                lefts, error = self.eval_list([item], node.left)
                if node.operator == "exists":
                    if lefts:
                        results.append(item)
                    continue
                if error is not None:
                    return values, error
                if not lefts:
                    continue
                if len(lefts) > 1:
                    return values, "can only compare one element at a time"
                rights, error = self.eval_list([item], node.right)
                if error is not None:
                    return values, error
                if not rights:
                    continue
                if len(rights) > 1:
                    return values, "can only compare one element at a time"
                try:
                    passed = _compare(node.operator, lefts[0], rights[0])
                except ValueError as failure:
                    return results, str(failure)
                if passed:
                    results.append(item)
        return results, None


def _text(value: Any) -> str:
    """One result as kubectl prints it: maps and lists as compact JSON, strings raw, null as ``null``."""
    if isinstance(value, (Mapping, list, tuple)):
        return marshal_json(value)
    if value is None:
        return "null"
    return format_value(value)


@dataclass(frozen=True)
class Template:
    """A parsed kubectl JSONPath template; render it with ``render``."""

    source: str
    nodes: tuple[Node, ...]

    def find_results(self, data: Any, *, allow_missing_keys: bool = True) -> list[list[Any]]:
        """The values each top-level piece of the template produces (client-go's FindResults)."""
        return _Executor(self.nodes, allow_missing_keys=allow_missing_keys).find_results(data)

    def render(self, data: Any, *, allow_missing_keys: bool = True, as_json: bool = False) -> str:
        """The template's output for ``data`` (decoded JSON), as ``kubectl -o jsonpath=...`` prints it.

        Results of one expression are joined by single spaces; maps and lists print as compact JSON,
        strings raw, numbers as Go prints int64 and float64. With ``allow_missing_keys`` (kubectl's
        default, ``--allow-missing-template-keys=true``) a missing key yields nothing; otherwise it is
        the error ``<key> is not found``. ``as_json`` is ``-o jsonpath-as-json``: each expression's results
        as an indented JSON array. Map values reached by ``*`` and ``..`` come in key order, where Go's
        order is random. Raises JSONPathError with client-go's message when the template fails.
        """
        pieces: list[str] = []
        for results in self.find_results(data, allow_missing_keys=allow_missing_keys):
            if as_json:
                pieces.append(marshal_json(list(results), indent="    ") + "\n")
            else:
                pieces.append(" ".join(_text(value) for value in results))
        return "".join(pieces)


def parse(template: str) -> Template:
    """Parse a kubectl JSONPath template such as ``{range .items[*]}{.metadata.name}{"\\n"}{end}``.

    Text outside braces is printed as is; kubectl neither strips quotes around the template nor adds
    braces, so ``.metadata.name`` prints those characters. Note that ``['a.b']`` means ``.a.b`` (key ``a``,
    then ``b``), as in client-go; a key containing dots is written ``.a\\.b`` or ``['a\\.b']``. Raises
    JSONPathError (a ValueError) with client-go's message, e.g. ``unclosed action``.
    """
    return Template(template, tuple(_Parser(template).parse()))
