"""The syntax of kubectl's JSONPath templates: client-go's parse tree and parser (util/jsonpath/parser.go).

Numbers and quoted strings in a template are read with Go's strconv (gocompat.strconv).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeAlias

from kubectl_imagerepo.gocompat.fmt import format_unicode
from kubectl_imagerepo.gocompat.strconv import atoi, parse_float, unquote_extend


class JSONPathError(ValueError):
    """A template that cannot be parsed or executed; the message is client-go's."""


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


def _is_digit(char: str | None) -> bool:
    return char is not None and char.isdecimal()


def _is_alphanumeric(char: str | None) -> bool:
    return char is not None and (char == "_" or char.isalpha() or char.isdecimal())


def _is_terminator(char: str | None) -> bool:
    return char is None or char in " \t\r\n.,[]$@{}"


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
            raise JSONPathError(f"unrecognized character in action: {format_unicode(char)}")
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
        integer = atoi(value)
        if integer is not None:
            current.append(IntNode(integer))
            return
        number = parse_float(value)
        if number is not None:
            current.append(FloatNode(number))
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
            current.append(TextNode(unquote_extend(value)))
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
            value = atoi(number)
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


def parse_nodes(template: str) -> list[Node]:
    """The top-level nodes of a template; raises JSONPathError with client-go's message."""
    return _Parser(template).parse()
