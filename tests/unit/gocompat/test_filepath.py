"""Go's path/filepath.Match on Unix (results observed with Go 1.26)."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.filepath import BadPatternError, match


@pytest.mark.parametrize(
    ("pattern", "name", "matched"),
    [
        ("*", "abc", True),
        ("*.io", "r.io", True),
        ("a?c", "abc", True),
        ("[a-c]x", "bx", True),
        ("[^a-c]x", "bx", False),
        ("\\*", "*", True),
        ("*", "a/b", False),
        ("x*", "y", False),
    ],
)
def test_match_answers_as_go_filepath_match(pattern: str, name: str, matched: bool) -> None:
    assert match(pattern, name) is matched


@pytest.mark.parametrize(("pattern", "name"), [("[", "a"), ("a[", "b"), ("[a-", "a")])
def test_match_rejects_a_malformed_pattern_with_err_bad_pattern(pattern: str, name: str) -> None:
    with pytest.raises(BadPatternError, match=r"^syntax error in pattern$"):
        match(pattern, name)
