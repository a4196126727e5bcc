"""Go's regexp/syntax error texts: its ErrorCode strings and `syntax.Error.Error()`.

Exclusion patterns compile with RE2, whose messages differ from Go's; the controller reports Go's, so
the RE2 errors are translated into these (see model/exclusion.py).
"""

from __future__ import annotations

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
