"""Go's regexp: its syntax error texts, `Regexp.Expand` templates and `SubexpNames`.

Exclusion patterns compile with RE2, whose messages differ from Go's; the controller reports Go's, so
the RE2 errors are translated into these (see model/exclusion.py). An ImagePolicy's `filterTags.extract`
is a Go `Expand` template over the match RE2 found; RE2 numbers groups as Go does but keeps one index per
name, where Go looks a name up among every group carrying it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = [
    "ERR_INTERNAL_ERROR",
    "ERR_INVALID_CHAR_CLASS",
    "ERR_INVALID_CHAR_RANGE",
    "ERR_INVALID_ESCAPE",
    "ERR_INVALID_NAMED_CAPTURE",
    "ERR_INVALID_PERL_OP",
    "ERR_INVALID_REPEAT_OP",
    "ERR_INVALID_REPEAT_SIZE",
    "ERR_INVALID_UTF8",
    "ERR_LARGE",
    "ERR_MISSING_BRACKET",
    "ERR_MISSING_PAREN",
    "ERR_MISSING_REPEAT_ARGUMENT",
    "ERR_TRAILING_BACKSLASH",
    "ERR_UNEXPECTED_PAREN",
    "expand",
    "subexp_names",
    "syntax_error_text",
]

ERR_INTERNAL_ERROR = "regexp/syntax: internal error"
ERR_INVALID_CHAR_CLASS = "invalid character class"
ERR_INVALID_CHAR_RANGE = "invalid character class range"
ERR_INVALID_ESCAPE = "invalid escape sequence"
ERR_INVALID_NAMED_CAPTURE = "invalid named capture"
ERR_INVALID_PERL_OP = "invalid or unsupported Perl syntax"
ERR_INVALID_REPEAT_OP = "invalid nested repetition operator"
ERR_INVALID_REPEAT_SIZE = "invalid repeat count"
ERR_INVALID_UTF8 = "invalid UTF-8"
ERR_MISSING_BRACKET = "missing closing ]"
ERR_MISSING_PAREN = "missing closing )"
ERR_MISSING_REPEAT_ARGUMENT = "missing argument to repetition operator"
ERR_TRAILING_BACKSLASH = "trailing backslash at end of expression"
ERR_UNEXPECTED_PAREN = "unexpected )"
ERR_LARGE = "expression too large"


def syntax_error_text(code: str, expr: str) -> str:
    """`syntax.Error.Error()`: ``error parsing regexp: <code>: `<expr>` ``."""
    return f"error parsing regexp: {code}: `{expr}`"


_LETTER_CATEGORIES = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo"))
# Go's extract stops reading a group number at 1e8: a longer run of digits is looked up as a name.
_MAX_GROUP_NUMBER = 100_000_000


def _is_name_char(char: str) -> bool:
    """unicode.IsLetter, unicode.IsDigit or '_': what a template's group reference is made of."""
    if char == "_":
        return True
    category = unicodedata.category(char)
    return category in _LETTER_CATEGORIES or category == "Nd"


def _reference(template: str) -> tuple[str, int, str] | None:
    """Go's `extract`: (name, number or -1, rest) of the reference after a `$`, or None when malformed.

    A reference is a run of letters, digits and '_', optionally in braces. It is a group number when it
    is at most nine ASCII digits without a leading zero (`0` alone is the whole match); else a name.
    """
    braced = template.startswith("{")
    text = template[1:] if braced else template
    end = 0
    while end < len(text) and _is_name_char(text[end]):
        end += 1
    if end == 0:
        return None
    name = text[:end]
    if braced:
        if end >= len(text) or text[end] != "}":
            return None
        end += 1
    number = 0
    for char in name:
        if not "0" <= char <= "9" or number >= _MAX_GROUP_NUMBER:
            number = -1
            break
        number = number * 10 + ord(char) - ord("0")
    if name[0] == "0" and len(name) > 1:
        number = -1
    return name, number, text[end:]


def expand(template: str, source: str, match: Sequence[int], names: Sequence[str]) -> str:
    """`Regexp.ExpandString(nil, template, source, match)`.

    `match` is Go's flat index list (start and end of the whole match, then of each group, -1 for a group
    that took no part); `names` is `SubexpNames()` (`""` first and for unnamed groups). `$1`, `${1}`,
    `$name` and `${name}` insert a group, `$$` a dollar; a group that does not exist or took no part
    inserts nothing, and a malformed reference keeps its `$` as text. `$1x` names the group `1x`.
    """
    out: list[str] = []
    rest = template
    while rest:
        before, dollar, after = rest.partition("$")
        if not dollar:
            break
        out.append(before)
        rest = after
        if rest.startswith("$"):
            out.append("$")
            rest = rest[1:]
            continue
        reference = _reference(rest)
        if reference is None:
            out.append("$")
            continue
        name, number, rest = reference
        if number >= 0:
            out.append(_group(source, match, number))
            continue
        for index, group_name in enumerate(names):
            if group_name == name and 2 * index + 1 < len(match) and match[2 * index] >= 0:
                out.append(_group(source, match, index))
                break
    out.append(rest)
    return "".join(out)


def _group(source: str, match: Sequence[int], index: int) -> str:
    """The text of group `index`, or "" when there is no such group or it took no part."""
    if 2 * index + 1 < len(match) and match[2 * index] >= 0:
        return source[match[2 * index] : match[2 * index + 1]]
    return ""


def subexp_names(pattern: str) -> tuple[str, ...]:
    """`Regexp.SubexpNames()` of a pattern Go compiles: `""` for the whole match and each unnamed group.

    Groups are counted as Go's parser meets them: `(` opens a group unless `(?` follows, where only
    `(?P<name>` and `(?<name>` capture; text inside `[...]` classes and `\\Q...\\E` never opens one.
    A pattern Go rejects gives no meaningful answer.
    """
    names = [""]
    position, length = 0, len(pattern)
    while position < length:
        char = pattern[position]
        if pattern.startswith("\\Q", position):
            end = pattern.find("\\E", position + 2)
            position = length if end < 0 else end + 2
        elif char == "\\":
            position += 2
        elif char == "[":
            position = _class_end(pattern, position)
        elif char == "(" and pattern.startswith("(?", position):
            opening = "(?P<" if pattern.startswith("(?P<", position) else "(?<"
            end = pattern.find(">", position)
            if pattern.startswith(opening, position) and end >= 0:
                names.append(pattern[position + len(opening) : end])
                position = end + 1
            else:
                position += 2
        else:
            if char == "(":
                names.append("")
            position += 1
    return tuple(names)


def _class_end(pattern: str, position: int) -> int:
    """The position after the class opening at `position`, read as Go's `parseClass` reads it.

    A ']' right after the '[' (and any '^') is a literal; `[:name:]` is a named class; an escape takes
    the next character, and `\\p{...}` or `\\x{...}` everything up to its '}'.
    """
    length = len(pattern)
    position += 2 if pattern.startswith("^", position + 1) else 1
    first = True
    while position < length and (first or pattern[position] != "]"):
        first = False
        if pattern.startswith("[:", position) and (end := pattern.find(":]", position + 2)) >= 0:
            position = end + 2
        elif pattern[position] == "\\":
            position += 2
            if pattern.startswith("{", position) and pattern[position - 1] in "pPx":
                close = pattern.find("}", position)
                position = length if close < 0 else close + 1
        else:
            position += 1
    return position + 1
