"""Go's strconv: quoting and unquoting strings, formatting and parsing numbers.

kubectl and Flux print Go strings with `%q` and float64 values with `%v`, and read numbers with
ParseInt/ParseFloat; their messages and orderings depend on the exact results, so one port of each
lives here.
"""

from __future__ import annotations

import math
import re

from kubectl_imagerepo.gocompat.unicode import go_bytes, is_print

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "UINT64_MAX",
    "atoi",
    "format_float",
    "parse_float",
    "parse_int",
    "parse_uint",
    "quote",
    "underscore_ok",
    "unquote_char",
    "unquote_extend",
]

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1

# -- Quote ------------------------------------------------------------------------------------------

_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def quote(text: str) -> str:
    """strconv.Quote (and `%q`): a double-quoted Go string literal.

    Printable characters stay as they are; invalid UTF-8 (a lone surrogate here) is written byte by
    byte as `\\xNN`, so the byte 0xff reads `\\xff`.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0xD800 <= code <= 0xDFFF:
            out.extend(f"\\x{byte:02x}" for byte in go_bytes(char))
        elif is_print(char):
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


# -- Unquote ----------------------------------------------------------------------------------------

_HEX_CHARS = "0123456789abcdefABCDEF"
_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_ESCAPE_SIZES = {"x": 2, "u": 4, "U": 8}


def unquote_char(text: str, pos: int, quote_mark: str) -> tuple[bytes, int]:
    """strconv.UnquoteChar: the bytes of the (possibly escaped) character at `pos` and the position after.

    Raises:
        ValueError: `invalid syntax`.
    """
    char = text[pos]
    if char == quote_mark:
        raise ValueError("invalid syntax")
    if char != "\\":
        return go_bytes(char), pos + 1
    if pos + 1 >= len(text):
        raise ValueError("invalid syntax")
    escape, pos = text[pos + 1], pos + 2
    if escape in _SIMPLE_ESCAPES:
        return bytes([_SIMPLE_ESCAPES[escape]]), pos
    if escape in _ESCAPE_SIZES:
        size = _ESCAPE_SIZES[escape]
        digits = text[pos : pos + size]
        if len(digits) < size or any(digit not in _HEX_CHARS for digit in digits):
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
    if escape in "'\"" and escape == quote_mark:
        return escape.encode(), pos
    raise ValueError("invalid syntax")


def unquote_extend(text: str) -> str:
    """client-go's UnquoteExtend: strconv.Unquote that also takes single-quoted strings of any length.

    Undecodable bytes come back as `surrogateescape` surrogates.

    Raises:
        ValueError: `invalid syntax`.
    """
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"'":
        raise ValueError("invalid syntax")
    quote_mark, inner = text[0], text[1:-1]
    if "\\" not in inner and quote_mark not in inner:
        return inner
    out = bytearray()
    pos = 0
    while pos < len(inner):
        chunk, pos = unquote_char(inner, pos, quote_mark)
        out += chunk
    return out.decode("utf-8", "surrogateescape")


# -- FormatFloat ------------------------------------------------------------------------------------


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest digits that read back as `abs(value)`, and the point: value = 0.DIGITS × 10**point."""
    if value == 0:
        return "0", 1
    from decimal import Decimal  # imported here: nothing else at start-up needs it

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


def _exponent(digits: str, point: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exponent = point - 1
    return f"{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def format_float(value: float, verb: str = "g") -> str:
    """strconv.FormatFloat(value, verb, -1, 64): the shortest digits that read back as `value`.

    `g` (what `%v` prints) takes the exponent form when the exponent is below -4 or from 6 on
    (`1e-05`, `123456`, `1e+06`); `e` always takes it (`1.5e+00`), `f` never does.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, point = _shortest_digits(value)
    if verb == "f" or (verb == "g" and -4 <= point - 1 < 6):
        return sign + _fixed(digits, point)
    return sign + _exponent(digits, point)


# -- ParseInt, ParseUint, ParseFloat ----------------------------------------------------------------

_DIGIT_VALUES = {char: value for value, char in enumerate("0123456789abcdefghijklmnopqrstuvwxyz")}
_PREFIX_BASES = {"b": 2, "o": 8, "x": 16}


def underscore_ok(text: str) -> bool:
    """strconv's underscoreOK: each `_` sits between digits, or between a base prefix and a digit."""
    body = text[1:] if text[:1] in ("+", "-") else text
    seen, start, hexadecimal = "^", 0, False
    if len(body) >= 2 and body[0] == "0" and body[1].lower() in _PREFIX_BASES:
        seen, start, hexadecimal = "0", 2, body[1].lower() == "x"
    for char in body[start:]:
        if "0" <= char <= "9" or (hexadecimal and "a" <= char.lower() <= "f"):
            seen = "0"
        elif char == "_":
            if seen != "0":
                return False
            seen = "_"
        elif seen == "_":
            return False
        else:
            seen = "!"
    return seen != "_"


def parse_uint(text: str, base: int = 0, bit_size: int = 64) -> int | None:
    """strconv.ParseUint; None where Go returns an error (syntax or range).

    Base 0 reads Go's prefixes (`0x`, `0o`, `0b`, a leading `0` for octal) and its `_` separators.
    """
    if not text:
        return None
    digits, radix = text, base
    if base == 0:
        radix = 10
        if text[0] == "0":
            if len(text) >= 3 and text[1].lower() in _PREFIX_BASES:
                radix, digits = _PREFIX_BASES[text[1].lower()], text[2:]
            else:
                radix, digits = 8, text[1:]
    value, underscores = 0, False
    for char in digits:
        if char == "_" and base == 0:
            underscores = True
            continue
        digit = _DIGIT_VALUES.get(char.lower(), radix) if char.isascii() else radix
        if digit >= radix:
            return None
        value = value * radix + digit
    if underscores and not underscore_ok(text):
        return None
    return value if value < 1 << bit_size else None


def parse_int(text: str, base: int = 0, bit_size: int = 64) -> int | None:
    """strconv.ParseInt; None where Go returns an error (syntax or range). Base 0 as in `parse_uint`."""
    if not text:
        return None
    sign, digits = 1, text
    if text[0] in "+-":
        sign, digits = (-1 if text[0] == "-" else 1), text[1:]
    magnitude = parse_uint(digits, base, bit_size)
    if magnitude is None:
        return None
    value = sign * magnitude
    limit = 1 << (bit_size - 1)
    return value if -limit <= value < limit else None


def atoi(text: str) -> int | None:
    """strconv.Atoi (a 64-bit `int`); None where Go returns an error."""
    return parse_int(text, 10)


_DEC_DIGITS = r"[0-9_]"
_HEX_DIGITS = r"[0-9a-fA-F_]"
# Patterns, not compiled objects: `re` compiles (and caches) them on the first parse, not at import.
_DECIMAL = rf"[+-]?(?:{_DEC_DIGITS}+\.?{_DEC_DIGITS}*|\.{_DEC_DIGITS}+)(?:[eE][+-]?{_DEC_DIGITS}+)?"
_HEXADECIMAL = rf"[+-]?0[xX](?:{_HEX_DIGITS}+\.?{_HEX_DIGITS}*|\.{_HEX_DIGITS}+)[pP][+-]?{_DEC_DIGITS}+"
_INFINITY = r"([+-]?)(?:inf|infinity)"


def parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64); None where Go returns an error.

    Decimal and hexadecimal (`0x1p-2`) literals with Go's underscore rules, `inf`/`infinity` with an
    optional sign and `nan`, in any case. A finite literal out of range is an error, as in Go.
    """
    if not text.isascii():
        return None
    special = re.fullmatch(_INFINITY, text, re.IGNORECASE)
    if special is not None:
        return -math.inf if special.group(1) == "-" else math.inf
    if text.lower() == "nan":
        return math.nan
    is_hex = re.fullmatch(_HEXADECIMAL, text, re.ASCII) is not None
    if not is_hex and re.fullmatch(_DECIMAL, text, re.ASCII) is None:
        return None
    if "_" in text and not underscore_ok(text):
        return None
    plain = text.replace("_", "")
    unsigned = plain.lstrip("+-")
    mantissa = re.split("[pP]", unsigned[2:])[0] if is_hex else re.split("[eE]", unsigned)[0]
    if mantissa.strip(".") == "":
        return None
    try:
        value = float.fromhex(plain) if is_hex else float(plain)
    except (OverflowError, ValueError):
        return None
    return None if math.isinf(value) else value
