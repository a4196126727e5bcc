"""Go's regexp/syntax error texts (observed with Go 1.26's regexp.Compile)."""

from __future__ import annotations

import pytest
import re2

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


# (pattern, template, input, Regexp.ExpandString's result): observed with Go 1.26.
EXPAND = [
    (r"ver(\d+)", "$1", "ver42", "42"),
    (r"ver(\d+)", "${1}x", "ver42", "42x"),
    (r"ver(\d+)", "$1$1", "ver42", "4242"),
    (r"ver(\d+)", "$0", "ver42", "ver42"),
    (r"(?P<tag>[a-z]+)-(\d+)", "$tag.$2", "main-17", "main.17"),
    (r"(?P<tag>[a-z]+)-(\d+)", "${tag}_$2", "main-17", "main_17"),
    (r"(?<n>\d+)", "n=$n", "rc-7", "n=7"),
    (r"(?P<x1>\d)", "$x1", "5", "5"),
    (r"(\d)", "${1}٣", "5", "5٣"),
]


@pytest.mark.parametrize(("pattern", "template", "source", "expanded"), EXPAND)
def test_expand_inserts_the_groups_a_template_names(
    pattern: str, template: str, source: str, expanded: str
) -> None:
    assert go_expand(pattern, template, source) == expanded


@pytest.mark.parametrize(("template", "expanded"), [("$$1", "$1"), ("$$$1", "$42"), ("a$$", "a$")])
def test_expand_writes_a_doubled_dollar_as_one(template: str, expanded: str) -> None:
    assert go_expand(r"ver(\d+)", template, "ver42") == expanded


@pytest.mark.parametrize("template", ["${", "${1", "$ 1", "$", "a$-b", "${}"])
def test_expand_keeps_a_malformed_reference_as_text(template: str) -> None:
    assert go_expand(r"ver(\d+)", template, "ver42") == template


@pytest.mark.parametrize("template", ["$2", "$nope", "${nope}", "$123456789", "$1234567890"])
def test_expand_inserts_nothing_for_a_group_that_does_not_exist(template: str) -> None:
    assert go_expand(r"ver(\d+)", template, "ver42") == ""


def test_expand_reads_letters_and_digits_after_a_number_as_one_name() -> None:
    assert go_expand(r"ver(\d+)", "$1x", "ver42") == ""
    assert go_expand(r"(\d)", "$é1", "5") == ""


@pytest.mark.parametrize("template", ["$01", "$00"])
def test_expand_reads_a_number_with_a_leading_zero_as_a_name(template: str) -> None:
    assert go_expand(r"ver(\d+)", template, "ver42") == ""


def test_expand_inserts_nothing_for_a_group_that_took_no_part() -> None:
    assert go_expand(r"(a)|(b)", "[$1|$2]", "b") == "[|b]"


def test_expand_takes_the_first_participating_group_of_a_repeated_name() -> None:
    assert go_expand(r"(?P<a>x)?(?P<a>y)", "[$a]", "y") == "[y]"
    assert go_expand(r"(?P<a>x)?(?P<a>y)", "[$a]", "xy") == "[x]"


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        (r"ver(\d+)", ("", "")),
        (r"(?P<tag>[a-z]+)-(\d+)", ("", "tag", "")),
        (r"(?P<a>x)?(?P<a>y)", ("", "a", "a")),
        (r"(?P<n>\d)(?:x)(\w)", ("", "n", "")),
        (r"(?i)(?:a)(\d)(?s:.)", ("", "")),
        (r"(?<n>\d+)", ("", "n")),
    ],
)
def test_subexp_names_lists_a_name_per_group(pattern: str, names: tuple[str, ...]) -> None:
    assert regexp.subexp_names(pattern) == names


@pytest.mark.parametrize(
    "pattern",
    [
        r"[(](\d)",
        r"\((\d)",
        r"\Q(\E(\d)",
        r"[[:alpha:](](\d)",
        r"[]()](\d)",
        r"[^]()](\d)",
        r"[\]](\d)",
        r"[\p{Greek}(](\d)",
    ],
)
def test_subexp_names_counts_no_group_in_classes_escapes_or_quoted_text(pattern: str) -> None:
    assert regexp.subexp_names(pattern) == ("", "")


def go_expand(pattern: str, template: str, source: str) -> str:
    """ExpandString over the leftmost match of `pattern`, as Go's FindStringSubmatchIndex finds it."""
    compiled = re2.compile(pattern)
    match = compiled.search(source)
    assert match is not None
    indices = [index for group in range(compiled.groups + 1) for index in match.span(group)]
    return regexp.expand(template, source, indices, regexp.subexp_names(pattern))
