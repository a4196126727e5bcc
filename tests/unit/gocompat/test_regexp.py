"""Go's regexp/syntax error texts (observed with Go 1.26's regexp.Compile)."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat import regexp


@pytest.mark.parametrize(
    ("code", "expr", "message"),
    [
        (regexp.ERR_MISSING_PAREN, "a(", "error parsing regexp: missing closing ): `a(`"),
        (regexp.ERR_UNEXPECTED_PAREN, "a)", "error parsing regexp: unexpected ): `a)`"),
        (regexp.ERR_INVALID_CHAR_RANGE, "z-a", "error parsing regexp: invalid character class range: `z-a`"),
        (regexp.ERR_INVALID_ESCAPE, "\\C", "error parsing regexp: invalid escape sequence: `\\C`"),
        (
            regexp.ERR_INVALID_REPEAT_OP,
            "**",
            "error parsing regexp: invalid nested repetition operator: `**`",
        ),
    ],
)
def test_syntax_error_text_is_gos_error_string(code: str, expr: str, message: str) -> None:
    assert regexp.syntax_error_text(code, expr) == message
