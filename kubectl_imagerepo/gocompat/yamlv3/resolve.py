"""The tag a plain scalar resolves to: yaml.v3's rules, and yaml.v2's (YAML 1.1) that kyaml asks."""

from __future__ import annotations

import re

from kubectl_imagerepo.gocompat.yamlv3.node import BOOL, FLOAT, INT, MERGE, NULL, STR, TIMESTAMP

_V3_MAP = {
    "": NULL, "~": NULL, "null": NULL, "Null": NULL, "NULL": NULL,
    "true": BOOL, "True": BOOL, "TRUE": BOOL, "false": BOOL, "False": BOOL, "FALSE": BOOL,
    ".nan": FLOAT, ".NaN": FLOAT, ".NAN": FLOAT,
    ".inf": FLOAT, ".Inf": FLOAT, ".INF": FLOAT, "+.inf": FLOAT, "+.Inf": FLOAT, "+.INF": FLOAT,
    "-.inf": FLOAT, "-.Inf": FLOAT, "-.INF": FLOAT, "<<": MERGE,
}
_V2_EXTRA = {
    w: BOOL
    for w in (
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    )
}
_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_FLOAT = re.compile(
    r"[-+]?(([0-9](_?[0-9])*)?\.?[0-9](_?[0-9])*([eE][-+]?[0-9]+)?|"
    r"0[xX][0-9a-fA-F_.]+[pP][-+]?[0-9]+|inf|infinity|nan)",
    re.IGNORECASE,
)
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]{1,9})?(Z|[-+][0-9]{2}:[0-9]{2})?)?"
)
_HINTS = {
    **dict.fromkeys("+-", "S"), **dict.fromkeys("0123456789", "D"), **dict.fromkeys("yYnNtTfFoO~<", "M"),
    ".": ".",
}


def _go_parse_int(text: str) -> bool:
    """Whether Go's strconv.ParseInt(text, 0, 64) or ParseUint accepts the text."""
    body = text[1:] if text[:1] in "+-" else text
    lower = body.lower()
    try:
        if lower.startswith("0x"):
            value = int(body[2:], 16)
        elif lower.startswith("0o"):
            value = int(body[2:], 8)
        elif lower.startswith("0b"):
            value = int(body[2:], 2)
        elif len(body) > 1 and body[0] == "0":
            value = int(body[1:], 8)
        elif body.isascii() and body.isdigit():
            value = int(body)
        else:
            return False
    except ValueError:
        return False
    if "_" in body or not body:
        return False
    if text.startswith("-"):
        return value <= 1 << 63
    return value < 1 << 64


def _resolve(value: str, table: dict[str, str], timestamps: bool) -> str:
    hint = _HINTS.get(value[0], "") if value else "M"
    if not hint:
        return STR
    if value in table:
        return table[value]
    if hint == ".":
        return FLOAT if _GO_FLOAT.fullmatch(value) else STR
    if hint in "DS":
        if timestamps and _TIMESTAMP.fullmatch(value):
            return TIMESTAMP
        plain = value.replace("_", "")
        if _go_parse_int(plain):
            return INT
        if _STYLE_FLOAT.fullmatch(plain):
            return FLOAT
    return STR


def resolve_plain(value: str) -> str:
    """yaml.v3's resolve("", value): the short tag of a plain scalar."""
    return _resolve(value, _V3_MAP, timestamps=True)


def is_yaml11_non_string(value: str) -> bool:
    """kyaml's IsValueNonString: whether yaml.v2 would read the value as something not a string."""
    if not value or "\n" in value:
        return False
    import yaml

    try:
        node = yaml.compose(value, Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        return False
    if node is None:
        return True
    if not isinstance(node, yaml.ScalarNode):
        return True
    if node.style:
        return False
    return _resolve(node.value, {**_V3_MAP, **_V2_EXTRA}, timestamps=False) != STR
