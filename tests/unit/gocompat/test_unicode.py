"""Go's unicode.IsPrint and IsSpace, strings.TrimSpace, and Go's view of invalid UTF-8."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.gocompat.unicode import go_bytes, is_print, is_space, replace_invalid, trim_space


def test_trim_space_keeps_separators_go_does_not_call_space() -> None:
    # Go 1.26: strings.TrimSpace("\u00a0\x1c x \u3000\n") is "\x1c x".
    assert trim_space("\u00a0\x1c x \u3000\n") == "\x1c x"


@pytest.mark.parametrize(
    ("char", "space"), [("\x85", True), ("\u2028", True), ("\x1c", False), ("\u200b", False)]
)
def test_is_space_follows_go(char: str, space: bool) -> None:
    assert is_space(char) is space


@pytest.mark.parametrize(
    ("char", "printable"), [(" ", True), ("é", True), ("\u00a0", False), ("\x7f", False)]
)
def test_is_print_takes_the_ascii_space_only(char: str, printable: bool) -> None:
    assert is_print(char) is printable


@pytest.mark.parametrize(
    ("char", "raw"), [("\udcff", b"\xff"), ("é", b"\xc3\xa9"), ("\ud800", b"\xed\xa0\x80")]
)
def test_go_bytes_turns_escaped_bytes_back_into_bytes(char: str, raw: bytes) -> None:
    assert go_bytes(char) == raw


def test_replace_invalid_writes_u_fffd_for_each_invalid_byte() -> None:
    assert replace_invalid("a\udcff\udcfeb") == "a\ufffd\ufffdb"
