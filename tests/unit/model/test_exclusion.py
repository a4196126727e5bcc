"""Exclusion patterns: RE2 semantics, Go's error messages (checked against Go 1.26), content equality."""

from __future__ import annotations

import pytest

from kubectl_imagerepo.model.api import DEFAULT_EXCLUSION_LIST
from kubectl_imagerepo.model.exclusion import (
    ExclusionError,
    Exclusions,
    compile_exclusions,
    exclusion_lists_equal,
)


def compile_error(pattern: str) -> str:
    with pytest.raises(ExclusionError) as caught:
        compile_exclusions([pattern])
    return str(caught.value)


@pytest.mark.parametrize(
    ("tag", "excluded"),
    [
        ("sha256-0123abcd.sig", True),
        (".sig", True),
        ("v1.0.0", False),
        ("sha256-0123abcd.att", False),
        ("sha256-0123abcd.sbom", False),
        ("v1.sig.bak", False),
        ("v1sig", False),
    ],
)
def test_default_exclusion_list_drops_only_cosign_signature_tags(tag: str, excluded: bool) -> None:
    assert compile_exclusions(DEFAULT_EXCLUSION_LIST).excludes(tag) is excluded


@pytest.mark.parametrize(
    ("pattern", "tags", "kept"),
    [
        ("c", ["abc", "cde", "xyz", "c"], ["xyz"]),
        ("rc", ["1.0.0", "1.0.0-rc.1", "2.0.0-RC1"], ["1.0.0", "2.0.0-RC1"]),
        ("^v", ["v1", "1v", "latest"], ["1v", "latest"]),
        ("1$", ["v1", "v10", "1.1"], ["v10"]),
        ("(?i)rc", ["1.0.0-rc.1", "2.0.0-RC1", "3"], ["3"]),
    ],
)
def test_a_pattern_excludes_tags_it_matches_anywhere(pattern: str, tags: list[str], kept: list[str]) -> None:
    assert compile_exclusions([pattern]).filter(tags) == kept


def test_a_tag_is_dropped_when_any_pattern_matches() -> None:
    exclusions = compile_exclusions(["^.*\\.sig$", "-rc", "^sha256-"])
    tags = ["v1", "v2-rc.1", "sha256-abc.att", "v3", "x.sig"]
    assert exclusions.filter(tags) == ["v1", "v3"]


def test_filter_keeps_input_order_and_duplicates() -> None:
    assert compile_exclusions(["x"]).filter(["b", "a", "c", "a", "x1"]) == ["b", "a", "c", "a"]


def test_empty_exclusion_list_keeps_every_tag() -> None:
    assert compile_exclusions([]).filter(["a.sig", "b"]) == ["a.sig", "b"]


def test_exclusions_remember_their_patterns() -> None:
    exclusions = compile_exclusions(["a", "b"])
    assert isinstance(exclusions, Exclusions)
    assert exclusions.patterns == ("a", "b")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(abc", "error parsing regexp: missing closing ): `(abc`"),
        ("a(?=b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
        ("a(?!b)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"),
        ("(?<=a)b", "error parsing regexp: invalid named capture: `(?<=a)b`"),
        ("(?<!a)b", "error parsing regexp: invalid named capture: `(?<!a)b`"),
        ("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"),
        ("a++", "error parsing regexp: invalid nested repetition operator: `++`"),
        ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
        ("\\C", "error parsing regexp: invalid escape sequence: `\\C`"),
        ("(?P<é>a)", "error parsing regexp: invalid named capture: `(?P<é>`"),
        ("[a", "error parsing regexp: missing closing ]: `[a`"),
        ("*a", "error parsing regexp: missing argument to repetition operator: `*`"),
        ("x{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
        ("a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"),
        (")", "error parsing regexp: unexpected ): `)`"),
        ("a\\", "error parsing regexp: trailing backslash at end of expression: ``"),
        ("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
        ("(?i", "error parsing regexp: invalid or unsupported Perl syntax: `(?i`"),
        ("\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`"),
        ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
        ("\\x{", "error parsing regexp: invalid escape sequence: `\\x{`"),
        ("[a\\p", "error parsing regexp: invalid character class range: `\\p`"),
    ],
)
def test_pattern_go_rejects_fails_with_go_regexp_error(pattern: str, reason: str) -> None:
    assert compile_error(pattern) == f"failed to compile regex {pattern}: {reason}"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("x\\C(", "error parsing regexp: invalid escape sequence: `\\C`"),
        ("x)\\C", "error parsing regexp: unexpected ): `x)\\C`"),
        ("\\Q\\C\\E(", "error parsing regexp: missing closing ): `\\Q\\C\\E(`"),
    ],
)
def test_first_error_from_the_left_is_reported(pattern: str, reason: str) -> None:
    assert compile_error(pattern) == f"failed to compile regex {pattern}: {reason}"


@pytest.mark.parametrize(
    "pattern",
    ["^.*\\.sig$", "(?P<n>a)", "(?<n>a)", "\\z", "x{2}{,3}", "\\pL{1000}", "[]a]", "\\Qa\\Cb\\E", "(?U)a+"],
)
def test_pattern_go_accepts_compiles(pattern: str) -> None:
    compile_exclusions([pattern])


def test_first_bad_pattern_in_the_list_is_reported() -> None:
    with pytest.raises(ExclusionError) as caught:
        compile_exclusions(["ok", "(bad", "[worse"])
    assert caught.value.pattern == "(bad"
    assert caught.value.reason == "error parsing regexp: missing closing ): `(bad`"


def test_exclusion_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^failed to compile regex "):
        compile_exclusions(["("])


def test_bad_pattern_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ExclusionError):
        compile_exclusions(["(?=lookahead)", "(unclosed", "\\C"])
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["b", "a"], True),
        ([], [], True),
        (["a"], ["a", "a"], False),
        (["a", "b"], ["a"], False),
        (["a", "a"], ["a", "b"], True),
        (["a", "b"], ["a", "a"], False),
        (["a"], ["b"], False),
    ],
)
def test_exclusion_lists_are_content_equal_when_same_length_and_each_item_is_in_the_other(
    a: list[str], b: list[str], equal: bool
) -> None:
    assert exclusion_lists_equal(a, b) is equal
