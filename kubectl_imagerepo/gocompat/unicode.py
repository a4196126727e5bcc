"""Go's classification of characters (unicode.IsPrint, unicode.IsSpace) and its view of invalid UTF-8.

Python strings reach this package holding bytes Go would see as invalid UTF-8 as lone surrogates:
U+DC80..U+DCFF for a byte decoded with `surrogateescape`, other surrogates from `surrogatepass` or
JSON `\\ud800` escapes. Go keeps the bytes; these helpers turn the surrogates back into them.
"""

from __future__ import annotations

import unicodedata

__all__ = ["go_bytes", "is_print", "is_space", "replace_invalid", "trim_space"]

# unicode.IsSpace; Python's str.isspace also takes \x1c-\x1f, which Go does not.
_SPACES = (
    " \t\n\v\f\r\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


def is_print(char: str) -> bool:
    """unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    return char == " " or unicodedata.category(char)[0] in "LMNPS"


def is_space(char: str) -> bool:
    """unicode.IsSpace."""
    return char in _SPACES


def trim_space(text: str) -> str:
    """strings.TrimSpace: leading and trailing Unicode white space removed."""
    return text.strip(_SPACES)


def go_bytes(char: str) -> bytes:
    """The bytes Go holds for one character: an escaped byte (U+DC80..U+DCFF) as itself, else its UTF-8."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return bytes([code - 0xDC00])
    return char.encode("utf-8", "surrogatepass")


def replace_invalid(text: str) -> str:
    """Each lone surrogate replaced by U+FFFD, as Go's JSON decoder and encoder treat invalid UTF-8."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
