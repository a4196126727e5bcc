"""Go's fmt verbs applied to decoded JSON values: `%v`, `%#v` and `%#U`.

kubectl's JSONPath and describe output, and ggcr's registry error texts, print values Go decoded from
JSON with these verbs. Two decodings exist: Kubernetes' unstructured objects hold integers as int64
(`sprint`), `json.Unmarshal` into `any` holds every number as float64 (`sprint_any`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubectl_imagerepo.gocompat.strconv import format_float, quote
from kubectl_imagerepo.gocompat.unicode import is_print

__all__ = ["format_unicode", "sprint", "sprint_any", "sprint_go_syntax"]


def _number_as_int64(value: int) -> str:
    return str(value)


def _number_as_float64(value: int) -> str:
    return format_float(float(value))


def _sprint(value: Any, integer: Callable[[int], str]) -> str:
    if value is None:
        return "<nil>"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return integer(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{key}:{_sprint(value[key], integer)}" for key in sorted(value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_sprint(item, integer) for item in value) + "]"
    return str(value)


def sprint(value: Any) -> str:
    """`%v` (fmt.Sprint) of an unstructured value: `map[a:1 b:[x y]]`, `<nil>`, `1e+06`; ints as int64."""
    return _sprint(value, _number_as_int64)


def sprint_any(value: Any) -> str:
    """`%v` of a value `json.Unmarshal` decoded into `any`: every number is a float64 (`1e+06`, not 1000000).

    Raises:
        OverflowError: an integer beyond float64's range (Go's decoder rejects such a document).
    """
    return _sprint(value, _number_as_float64)


def sprint_go_syntax(value: Any) -> str:
    """`%#v` of an unstructured value: `map[string]interface {}{"a":1}`, `interface {}(nil)`."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, Mapping):
        members = ", ".join(f"{quote(key)}:{sprint_go_syntax(value[key])}" for key in sorted(value))
        return "map[string]interface {}{" + members + "}"
    if isinstance(value, list | tuple):
        return "[]interface {}{" + ", ".join(sprint_go_syntax(item) for item in value) + "}"
    if isinstance(value, str):
        return quote(value)
    return sprint(value)


def format_unicode(char: str) -> str:
    """`%#U` of a rune: `U+0023 '#'`, the character left out when it is not printable."""
    text = f"U+{ord(char):04X}"
    return f"{text} '{char}'" if is_print(char) else text
