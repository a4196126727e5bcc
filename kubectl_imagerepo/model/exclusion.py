"""Tag exclusion patterns: RE2 compilation with Go's error messages, filtering and list equality."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from string import ascii_letters, digits
from typing import Any

import re2

from kubectl_imagerepo.gocompat import regexp as goregexp

__all__ = [
    "ExclusionError",
    "Exclusions",
    "compile_exclusions",
    "compile_regexp",
    "exclusion_lists_equal",
]

# Go's regexp/syntax caps a compiled program near 128 MiB; RE2's default of 8 MiB would reject
# patterns Go accepts, such as `\pL{1000}`.
_MAX_MEM = 128 << 20

# RE2's status texts (re2/regexp.cc kErrorStrings, and RE2::Init's size error), which come before any
# ": <offending text>", mapped to Go's regexp/syntax ErrorCode texts.
_RE2_TO_GO_CODES = {
    "unexpected error": goregexp.ERR_INTERNAL_ERROR,
    "invalid escape sequence": goregexp.ERR_INVALID_ESCAPE,
    "invalid character class": goregexp.ERR_INVALID_CHAR_CLASS,
    "invalid character class range": goregexp.ERR_INVALID_CHAR_RANGE,
    "missing ]": goregexp.ERR_MISSING_BRACKET,
    "missing )": goregexp.ERR_MISSING_PAREN,
    "unexpected )": goregexp.ERR_UNEXPECTED_PAREN,
    "trailing \\": goregexp.ERR_TRAILING_BACKSLASH,
    "no argument for repetition operator": goregexp.ERR_MISSING_REPEAT_ARGUMENT,
    "invalid repetition size": goregexp.ERR_INVALID_REPEAT_SIZE,
    "bad repetition operator": goregexp.ERR_INVALID_REPEAT_OP,
    "invalid perl operator": goregexp.ERR_INVALID_PERL_OP,
    "invalid UTF-8": goregexp.ERR_INVALID_UTF8,
    "invalid named capture group": goregexp.ERR_INVALID_NAMED_CAPTURE,
    "pattern too large - compile failed": goregexp.ERR_LARGE,
}
_GO_CAPTURE_NAME_CHARS = frozenset(ascii_letters + digits + "_")
_LOOKBEHINDS = ("(?<=", "(?<!")
_NAMED_GROUPS = ("(?P<", "(?<")
_CLASS_ESCAPES = frozenset("dDsSwWpP")


class ExclusionError(ValueError):
    """An exclusion pattern Go's regexp package rejects.

    str() is the controller's `failed to compile regex <pattern>: <reason>`.
    """

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"failed to compile regex {pattern}: {reason}")
        self.pattern = pattern
        self.reason = reason


@dataclass(frozen=True)
class Exclusions:
    """Compiled exclusion patterns; a tag is excluded when any pattern matches anywhere in it."""

    patterns: tuple[str, ...]
    _regexps: tuple[Any, ...] = field(repr=False, compare=False)

    def excludes(self, tag: str) -> bool:
        """Whether any pattern matches the tag (Go's `MatchString`: an unanchored search)."""
        return any(regexp.search(tag) is not None for regexp in self._regexps)

    def filter(self, tags: Iterable[str]) -> list[str]:
        """The tags no pattern matches, in input order."""
        return [tag for tag in tags if not self.excludes(tag)]


def compile_exclusions(patterns: Sequence[str]) -> Exclusions:
    """Compile every pattern with RE2, the engine behind Go's `regexp`.

    Raises:
        ExclusionError: for the first pattern Go would reject, with Go's error text as the reason.
    """
    return Exclusions(tuple(patterns), tuple(compile_regexp(pattern) for pattern in patterns))


def exclusion_lists_equal(a: Sequence[str], b: Sequence[str]) -> bool:
    """The controller's "content-equal": the same length, and every element of `a` is in `b`.

    Order is ignored and so is multiplicity beyond the length, so `[a, a]` equals `[a, b]`.
    """
    members = set(b)
    return len(a) == len(b) and all(item in members for item in a)


def compile_regexp(pattern: str) -> Any:
    """Compile as Go's `regexp.Compile` would: the RE2 regexp, or Go's error text.

    Any pattern Go takes, be it an exclusion or an ImagePolicy's `filterTags.pattern`, compiles here.

    Raises:
        ExclusionError: `reason` is Go's `*syntax.Error` text, e.g.
            `error parsing regexp: missing closing ): `(a``.
    """
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEM
    go_only = _go_only_error(pattern)
    try:
        regexp = re2.compile(pattern, options)
    except re2.error as error:
        # Both parsers stop at the first error from the left: Go's own error wins when Go meets it
        # before the construct RE2 stopped at.
        if go_only is not None and _parses_through(pattern[: go_only[0]], options):
            raise ExclusionError(pattern, go_only[1]) from None
        raise ExclusionError(pattern, _go_reason(pattern, _error_text(error))) from None
    if go_only is not None:
        raise ExclusionError(pattern, go_only[1])
    return regexp


def _parses_through(prefix: str, options: Any) -> bool:
    """Whether parsing gets to the end of `prefix` without an error (an unclosed group is not one yet)."""
    try:
        re2.compile(prefix, options)
    except re2.error as error:
        return _error_text(error).startswith("missing )")
    return True


def _error_text(error: Exception) -> str:
    """The RE2 status text carried by a `re2.error` (bytes in some releases of the bindings)."""
    text = error.args[0] if error.args else ""
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _go_reason(pattern: str, re2_text: str) -> str:
    """Translate an RE2 status text into Go's message for the same pattern.

    RE2 and Go name the same offending text except in four places, handled here: a too large
    pattern (Go quotes the whole pattern), a lookbehind (Go reads `(?<` as a named group and quotes up
    to the first '>' or the end), `\\x{` at the very end (RE2 reports invalid UTF-8) and a class
    ending in `\\p` or `\\P` (RE2 reports an escape, Go a class range).
    """
    re2_code, _, arg = re2_text.partition(": ")
    go_code = _RE2_TO_GO_CODES.get(re2_code)
    if go_code is None:
        return f"error parsing regexp: {re2_text}"
    if go_code == goregexp.ERR_LARGE:
        return goregexp.syntax_error_text(go_code, pattern)
    if go_code == goregexp.ERR_INVALID_PERL_OP and arg in _LOOKBEHINDS:
        start = _first_group(pattern, _LOOKBEHINDS)
        if start is not None:
            end = pattern.find(">", start)
            expr = pattern[start : end + 1] if end >= 0 else pattern[start:]
            return goregexp.syntax_error_text(goregexp.ERR_INVALID_NAMED_CAPTURE, expr)
    if go_code == goregexp.ERR_INVALID_UTF8 and not arg and pattern.endswith("\\x{"):
        return goregexp.syntax_error_text(goregexp.ERR_INVALID_ESCAPE, "\\x{")
    if arg in ("\\p", "\\P") and pattern.endswith(arg) and not pattern.endswith("-" + arg):
        # A class ending in a bare \p: Go takes it for a Unicode class with an empty name.
        return goregexp.syntax_error_text(goregexp.ERR_INVALID_CHAR_RANGE, arg)
    return goregexp.syntax_error_text(go_code, arg)


def _go_only_error(pattern: str) -> tuple[int, str] | None:
    """The position and Go message of the first construct Go rejects and RE2 accepts, or None.

    Go rejects the `\\C` escape and named groups whose name is not `[A-Za-z0-9_]+`. Go also rejects
    trees nested more than 1000 deep, which is not checked here.
    """
    for position, token in _tokens(pattern):
        if token == "\\C":
            return position, goregexp.syntax_error_text(goregexp.ERR_INVALID_ESCAPE, token)
        opening = next((prefix for prefix in _NAMED_GROUPS if token.startswith(prefix)), None)
        if opening is not None and (end := pattern.find(">", position)) >= 0:
            name = pattern[position + len(opening) : end]
            if not (name and _GO_CAPTURE_NAME_CHARS.issuperset(name)):
                group = pattern[position : end + 1]
                return position, goregexp.syntax_error_text(goregexp.ERR_INVALID_NAMED_CAPTURE, group)
    return None


def _first_group(pattern: str, openings: tuple[str, ...]) -> int | None:
    """The position of the first group opening with one of the given prefixes, outside classes."""
    for position, token in _tokens(pattern):
        if token.startswith(openings):
            return position
    return None


def _tokens(pattern: str) -> Iterator[tuple[int, str]]:
    """Yield (position, text) for each escape and each `(?…` as Go's parser meets them.

    An escape is yielded as its first two characters; a group opening as the rest of the pattern.
    `\\Q…\\E` text and group names are skipped, as they are not parsed as patterns.
    """
    position, length = 0, len(pattern)
    while position < length:
        if pattern.startswith("\\Q", position):
            end = pattern.find("\\E", position + 2)
            if end < 0:
                return
            position = end + 2
        elif pattern[position] == "\\":
            yield position, pattern[position : position + 2]
            position += 2
        elif pattern[position] == "[":
            position = yield from _class_tokens(pattern, position)
        elif pattern.startswith("(?", position):
            yield position, pattern[position:]
            end = pattern.find(">", position)
            lookbehind = pattern.startswith(_LOOKBEHINDS, position)
            named = pattern.startswith(_NAMED_GROUPS, position) and not lookbehind
            position = end + 1 if named and end >= 0 else position + 2
        else:
            position += 1


def _class_tokens(pattern: str, position: int) -> Generator[tuple[int, str], None, int]:
    """Yield the escapes of the class opening at `position`; return the position after the class.

    Follows Go's `parseClass`: a ']' first (after any '^') is a literal; each item is a `[:name:]`,
    a class escape such as `\\d` or `\\p{…}`, or a character optionally followed by `-` and a range end.
    """
    length = len(pattern)
    position += 2 if pattern.startswith("^", position + 1) else 1
    first = True
    while position < length and (first or pattern[position] != "]"):
        first = False
        if pattern.startswith("[:", position) and (end := pattern.find(":]", position + 2)) >= 0:
            position = end + 2
            continue
        if pattern[position] == "\\":
            yield position, pattern[position : position + 2]
            kind = pattern[position + 1 : position + 2]
            position += 2
            if kind in ("p", "P") and pattern.startswith("{", position):
                close = pattern.find("}", position)
                position = close + 1 if close >= 0 else length
            if kind in _CLASS_ESCAPES:
                continue
        else:
            position += 1
        if pattern.startswith("-", position) and position + 1 < length and pattern[position + 1] != "]":
            position += 1
            if pattern[position] == "\\":
                yield position, pattern[position : position + 2]
                position += 2
            else:
                position += 1
    return position + 1
