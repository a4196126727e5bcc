"""Go's encoding/json output: json.Marshal and json.MarshalIndent of decoded values.

kubectl's `-o json` and jsonpath output, and the tag list whose Adler-32 is the controller's revision,
must be the bytes Go writes, which differ from Python's json module in escaping and number format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kubectl_imagerepo.gocompat.strconv import INT64_MAX, INT64_MIN, format_float

__all__ = ["encode_float", "encode_string", "marshal"]

_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
# What Go escapes: JSON's needs, plus <, > and & (its HTML-safe default) and U+2028/U+2029; a lone
# surrogate stands for invalid UTF-8, which Go writes as U+FFFD.
_NEEDS_ESCAPE = re.compile(r'["\\<>&\u2028\u2029\x00-\x1f\ud800-\udfff]')


def _escape(char: str) -> str:
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    if "\ud800" <= char <= "\udfff":
        return "\\ufffd"
    if _NEEDS_ESCAPE.match(char):
        return f"\\u{ord(char):04x}"
    return char


def encode_string(text: str) -> str:
    """One string as encoding/json writes it, quotes included: `"\\u003cb\\u003e"` for `<b>`."""
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    return '"' + "".join(_escape(char) for char in text) + '"'


def encode_float(value: float) -> str:
    """A float64 as encoding/json writes it: fixed notation from 1e-6 to below 1e21, else `1e-7`/`1e+21`.

    Raises:
        ValueError: `json: unsupported value: NaN` (or `+Inf`, `-Inf`).
    """
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"json: unsupported value: {format_float(value)}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = format_float(value, "e")
        # Go trims a two-digit negative exponent: 1e-07 becomes 1e-7.
        if re.search(r"e-0[0-9]$", text):
            text = text[:-2] + text[-1]
        return text
    return format_float(value, "f")


def _encode_int(value: int) -> str:
    # Go's unstructured objects hold int64; a larger JSON integer arrives as a float64.
    if INT64_MIN <= value <= INT64_MAX:
        return str(value)
    return encode_float(float(value))


def _encode(value: Any, out: list[str], indent: str | None, prefix: str) -> None:
    if value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, str):
        out.append(encode_string(value))
    elif isinstance(value, int):
        out.append(_encode_int(value))
    elif isinstance(value, float):
        out.append(encode_float(value))
    elif isinstance(value, Mapping):
        members: list[tuple[str | None, Any]] = [(encode_string(key), value[key]) for key in sorted(value)]
        _encode_members(members, "{}", out, indent, prefix)
    elif isinstance(value, list | tuple):
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
        _encode(item, out, indent, inner)
    if members and indent is not None:
        out.append("\n" + prefix)
    out.append(brackets[1])


def marshal(value: Any, *, indent: str | None = None) -> str:
    """JSON exactly as Go's json.Marshal (or MarshalIndent with `indent`) writes a decoded object.

    Keys sorted, HTML characters escaped, numbers as Go prints int64 and float64.

    Raises:
        ValueError: NaN and infinities.
        TypeError: a value JSON cannot hold.
    """
    out: list[str] = []
    _encode(value, out, indent, "")
    return "".join(out)
