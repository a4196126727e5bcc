"""A tag-list page decoded as ggcr decodes it: Go's `json.Decoder` into `remote.Tags`.

Decoding happens after the request, so its errors carry no URL: `EOF` for an empty body, `unexpected
EOF` for a cut one, `invalid character 'h' looking for beginning of value`, or Go's type error
(`json: cannot unmarshal number into Go struct field Tags.tags of type string`). As in Go, a `null`
list holds no tags, a `null` tag is the empty tag, field names match in any case, anything after the
first JSON value is ignored, and each byte of invalid UTF-8 reads as U+FFFD (docs/behaviour.md, Scanning).
"""

from __future__ import annotations

import json
from typing import Any

from kubectl_imagerepo.gocompat.jsondecode import unmarshal_type_error
from kubectl_imagerepo.gocompat.jsonstream import decoder_error
from kubectl_imagerepo.gocompat.unicode import replace_invalid

__all__ = ["TagListError", "body_text", "decode_tag_list"]

#: ggcr's tag-list struct, as Go names it in type errors.
GO_TYPE = "remote.Tags"
GO_STRUCT = "Tags"
_STRING_FIELDS = ("name", "next")
_WHITESPACE = " \t\r\n"


class TagListError(ValueError):
    """The body is not a tag list; str() is Go's decoder error."""


class _Object(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs in document order (Go assigns duplicates in order)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_Object, parse_constant=_reject_constant)


def _kind(value: Any) -> str:
    """The JSON kind Go names in a type error."""
    if isinstance(value, _Object):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    return "number"


def body_text(body: bytes) -> str:
    """A body as `decode_tag_list` takes it: UTF-8, each invalid byte kept as a lone surrogate."""
    return body.decode("utf-8", "surrogateescape")


def decode_tag_list(text: str) -> list[str]:
    """The `tags` of one tag-list page (its `body_text`), in the page's order.

    Raises:
        TagListError: Go's decoder error for a body that is not a tag list.
    """
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        payload, _ = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        error = decoder_error(text.encode("utf-8", "surrogateescape"))
        raise TagListError(error or "invalid JSON") from None
    if payload is None:
        return []
    if not isinstance(payload, _Object):
        raise TagListError(unmarshal_type_error(_kind(payload), GO_TYPE))
    tags: list[str] = []
    first_error: str | None = None
    for key, value in payload:
        name = key.lower()
        if name == "tags":
            tags, error = _tags(value)
        elif name in _STRING_FIELDS and value is not None and not isinstance(value, str):
            error = unmarshal_type_error(_kind(value), "string", f"{GO_STRUCT}.{name}")
        else:
            error = None
        first_error = first_error or error
    if first_error is not None:
        raise TagListError(first_error)
    if not all(tag.isascii() for tag in tags):
        tags = [replace_invalid(tag) for tag in tags]  # lone surrogates from `\ud800` escapes
    return tags


def _tags(value: Any) -> tuple[list[str], str | None]:
    """The tags of a `tags` value, and Go's first type error in it (the rest is still decoded)."""
    field = f"{GO_STRUCT}.tags"
    if value is None:
        return [], None
    if not isinstance(value, list) or isinstance(value, _Object):
        return [], unmarshal_type_error(_kind(value), "[]string", field)
    if all(isinstance(tag, str) for tag in value):
        return value, None
    tags, error = [], None
    for tag in value:
        if isinstance(tag, str):
            tags.append(tag)
        elif tag is None:
            tags.append("")
        else:
            tags.append("")
            error = error or unmarshal_type_error(_kind(tag), "string", field)
    return tags, error
