"""Go's encoding/json input side: the syntax errors of json.Unmarshal and its type-error texts.

Secrets hold JSON documents that the controller decodes with encoding/json; the Ready condition then
carries Go's error text, which names the offending byte and what the scanner was looking for.
"""

from __future__ import annotations

from kubectl_imagerepo.gocompat.strconv import quote

__all__ = ["quote_char", "syntax_error", "unmarshal_type_error"]

_WHITESPACE = b" \t\r\n"
_OBJECT_KEY, _OBJECT_VALUE, _ARRAY = 0, 1, 2
_MAX_DEPTH = 10000


class _Syntax(Exception):
    pass


def syntax_error(data: bytes) -> str | None:
    """Go's `json.Unmarshal` syntax error for `data`, or None when it is valid JSON."""
    try:
        _JSONScanner(data).scan()
    except _Syntax as bad:
        return str(bad)
    return None


class _JSONScanner:
    """A port of the error behaviour of Go's `encoding/json` scanner (`checkValid`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.stack: list[int] = []

    def fail(self, context: str, char: int | None = None) -> _Syntax:
        byte = self.data[self.pos] if char is None else char
        return _Syntax(f"invalid character {quote_char(byte)} {context}")

    def skip_space(self) -> None:
        while self.pos < len(self.data) and self.data[self.pos] in _WHITESPACE:
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.data)

    def scan(self) -> None:
        expect = "value"
        while True:
            self.skip_space()
            if self.at_end():
                raise _Syntax("unexpected end of JSON input")
            char = self.data[self.pos]
            closer = {"array-first": ord("]"), "object-first": ord("}")}.get(expect)
            if char == closer:
                self.pos += 1
                self.stack.pop()
            elif expect in ("key", "object-first"):
                if char != ord('"'):
                    raise self.fail("looking for beginning of object key string")
                self.string()
            else:
                nested = self.value()
                if nested is not None:
                    expect = nested
                    continue
            expect = self.after_value()
            if expect == "done":
                return

    def value(self) -> str | None:
        """Scan one value; returns the next expectation when it opened an object or array."""
        char = self.data[self.pos]
        if char in b"{[":
            self.stack.append(_OBJECT_KEY if char == ord("{") else _ARRAY)
            if len(self.stack) > _MAX_DEPTH:
                raise self.fail("exceeded max depth")
            self.pos += 1
            return "object-first" if char == ord("{") else "array-first"
        if char == ord('"'):
            self.string()
        elif char == ord("-") or ord("0") <= char <= ord("9"):
            self.number()
        elif char in b"tfn":
            self.literal({ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}[char])
        else:
            raise self.fail("looking for beginning of value")
        return None

    def after_value(self) -> str:
        """Consume what follows a complete value; the next expectation, or `done` at the end."""
        while True:
            self.skip_space()
            if not self.stack:
                if not self.at_end():
                    raise self.fail("after top-level value")
                return "done"
            if self.at_end():
                raise _Syntax("unexpected end of JSON input")
            char, top = self.data[self.pos], self.stack[-1]
            self.pos += 1
            if top == _OBJECT_KEY:
                if char != ord(":"):
                    self.pos -= 1
                    raise self.fail("after object key")
                self.stack[-1] = _OBJECT_VALUE
                return "value"
            in_object = top == _OBJECT_VALUE
            if char == ord(","):
                if in_object:
                    self.stack[-1] = _OBJECT_KEY
                return "key" if in_object else "value"
            if char == ord("}" if in_object else "]"):
                self.stack.pop()
                continue
            self.pos -= 1
            raise self.fail("after object key:value pair" if in_object else "after array element")

    def next_char(self, eof_context: str | None) -> int:
        """The next byte; at the end, Go feeds a space: an error in `eof_context`, else end of input."""
        if self.at_end():
            if eof_context is None:
                raise _Syntax("unexpected end of JSON input")
            raise self.fail(eof_context, ord(" "))
        return self.data[self.pos]

    def string(self) -> None:
        self.pos += 1
        while True:
            char = self.next_char(None)
            self.pos += 1
            if char == ord('"'):
                return
            if char == ord("\\"):
                escape = self.next_char("in string escape code")
                if escape == ord("u"):
                    self.pos += 1
                    for _ in range(4):
                        digit = self.next_char("in \\u hexadecimal character escape")
                        if digit not in b"0123456789abcdefABCDEF":
                            raise self.fail("in \\u hexadecimal character escape")
                        self.pos += 1
                elif escape in b'bfnrt\\/"':
                    self.pos += 1
                else:
                    raise self.fail("in string escape code")
            elif char < 0x20:
                self.pos -= 1
                raise self.fail("in string literal")

    def digits(self) -> None:
        while not self.at_end() and ord("0") <= self.data[self.pos] <= ord("9"):
            self.pos += 1

    def number(self) -> None:
        if self.data[self.pos] == ord("-"):
            self.pos += 1
            char = self.next_char("in numeric literal")
            if not ord("0") <= char <= ord("9"):
                raise self.fail("in numeric literal")
        if self.data[self.pos] == ord("0"):
            self.pos += 1
        else:
            self.digits()
        if not self.at_end() and self.data[self.pos] == ord("."):
            self.pos += 1
            char = self.next_char("after decimal point in numeric literal")
            if not ord("0") <= char <= ord("9"):
                raise self.fail("after decimal point in numeric literal")
            self.digits()
        if not self.at_end() and self.data[self.pos] in b"eE":
            self.pos += 1
            char = self.next_char("in exponent of numeric literal")
            if char in b"+-":
                self.pos += 1
                char = self.next_char("in exponent of numeric literal")
            if not ord("0") <= char <= ord("9"):
                raise self.fail("in exponent of numeric literal")
            self.digits()

    def literal(self, word: bytes) -> None:
        name = word.decode()
        self.pos += 1
        for expected in word[1:]:
            context = f"in literal {name} (expecting {quote_char(expected)})"
            if self.next_char(context) != expected:
                raise self.fail(context)
            self.pos += 1


def quote_char(byte: int) -> str:
    """encoding/json's `quoteChar`: a byte (read as a rune) as a single-quoted Go character literal."""
    if byte == ord("'"):
        return "'\\''"
    if byte == ord('"'):
        return "'\"'"
    return "'" + quote(chr(byte))[1:-1] + "'"


def unmarshal_type_error(kind: str, type_name: str, field: str | None = None) -> str:
    """json.UnmarshalTypeError's text; `kind` is the JSON value's (`string`, `number`, `object`, ...).

    `field` is the Go struct field path (`dockerConfigJSON.Auths`), None for a top-level value.
    """
    where = f"Go struct field {field}" if field else "Go value"
    return f"json: cannot unmarshal {kind} into {where} of type {type_name}"
