"""Go's path/filepath.Match on Unix: `*`, `?` and `[...]` classes with `^` negation and `\\` escapes.

The keychain matches each label of an `auths` host against the target's with it; a malformed pattern
is Go's ErrBadPattern, which may only surface after part of the name has matched.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["BadPatternError", "match"]


class BadPatternError(ValueError):
    """filepath.ErrBadPattern: `syntax error in pattern`."""

    def __init__(self) -> None:
        super().__init__("syntax error in pattern")


def match(pattern: str, name: str) -> bool:
    """filepath.Match: whether all of `name` matches `pattern` (`*` and `?` do not match `/`).

    Raises:
        BadPatternError: the pattern is malformed (Go may report it only after a mismatch was found).
    """
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            for index in _star_positions(name):
                rest = _match_chunk(chunk, name[index + 1 :])
                if rest is not None:
                    if not pattern and rest:
                        continue
                    name = rest
                    break
            else:
                _check_rest(pattern)
                return False
            continue
        _check_rest(pattern)
        return False
    return not name


def _star_positions(name: str) -> Iterator[int]:
    for index, char in enumerate(name):
        if char == "/":
            return
        yield index


def _check_rest(pattern: str) -> None:
    while pattern:
        _, chunk, pattern = _scan_chunk(pattern)
        _match_chunk(chunk, "")


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    star = False
    while pattern.startswith("*"):
        pattern, star = pattern[1:], True
    in_range = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 < len(pattern):
                index += 1
        elif char == "[":
            in_range = True
        elif char == "]":
            in_range = False
        elif char == "*" and not in_range:
            break
        index += 1
    return star, pattern[:index], pattern[index:]


def _match_chunk(chunk: str, name: str) -> str | None:
    """The rest of `name` after `chunk` matched its start, or None; raises BadPatternError."""
    failed = False
    while chunk:
        if not failed and not name:
            failed = True
        head = chunk[0]
        if head == "[":
            char = ""
            if not failed:
                char, name = name[0], name[1:]
            chunk = chunk[1:]
            negated = chunk.startswith("^")
            if negated:
                chunk = chunk[1:]
            matched, ranges = False, 0
            while True:
                if chunk.startswith("]") and ranges > 0:
                    chunk = chunk[1:]
                    break
                low, chunk = _get_escaped(chunk)
                high = low
                if chunk[0] == "-":
                    high, chunk = _get_escaped(chunk[1:])
                if not failed and low <= char <= high:
                    matched = True
                ranges += 1
            if matched == negated:
                failed = True
            continue
        if head == "?":
            if not failed:
                if name[0] == "/":
                    failed = True
                name = name[1:]
            chunk = chunk[1:]
            continue
        if head == "\\":
            chunk = chunk[1:]
            if not chunk:
                raise BadPatternError
        if not failed:
            if chunk[0] != name[0]:
                failed = True
            name = name[1:]
        chunk = chunk[1:]
    return None if failed else name


def _get_escaped(chunk: str) -> tuple[str, str]:
    if not chunk or chunk[0] in "-]":
        raise BadPatternError
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise BadPatternError
    char, rest = chunk[0], chunk[1:]
    if not rest:
        raise BadPatternError
    return char, rest
