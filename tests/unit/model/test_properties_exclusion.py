"""Properties of tag exclusion patterns, over generated patterns and tags (hypothesis)."""

from __future__ import annotations

import re
from random import Random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubectl_imagerepo.model.exclusion import ExclusionError, compile_exclusions, exclusion_lists_equal

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GO_REASON = re.compile(r"error parsing regexp: .+", re.DOTALL)

# Regexp syntax characters, so that generated patterns hit most of the parser's branches.
_SYNTAX = st.text(alphabet="ab.*+?|()[]{}^$\\-:<>=!,0123PpQECdDwWsSxz_ ", max_size=16)
_PATTERN = st.one_of(_SYNTAX, st.text(max_size=12))
_TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.-", max_size=20)


@SETTINGS
@given(_PATTERN)
def test_a_pattern_compiles_or_gives_the_controllers_go_worded_error(pattern: str) -> None:
    try:
        compile_exclusions([pattern])
    except ExclusionError as bad:
        assert str(bad) == f"failed to compile regex {pattern}: {bad.reason}"
        assert GO_REASON.fullmatch(bad.reason), bad.reason
        assert bad.pattern == pattern


@SETTINGS
@given(st.lists(_PATTERN, max_size=4))
def test_the_first_bad_pattern_of_a_list_is_the_one_reported(patterns: list[str]) -> None:
    first_bad = None
    for pattern in patterns:
        try:
            compile_exclusions([pattern])
        except ExclusionError as bad:
            first_bad = bad
            break
    try:
        compile_exclusions(patterns)
    except ExclusionError as bad:
        assert first_bad is not None and str(bad) == str(first_bad)
    else:
        assert first_bad is None


def _compiled(patterns: list[str]) -> list[str]:
    good = []
    for pattern in patterns:
        try:
            compile_exclusions([pattern])
        except ExclusionError:
            continue
        good.append(pattern)
    return good


@SETTINGS
@given(st.lists(_PATTERN, max_size=4), st.lists(_TAG, max_size=20))
def test_filtering_keeps_exactly_the_tags_no_pattern_matches_in_order(
    patterns: list[str], tags: list[str]
) -> None:
    exclusions = compile_exclusions(_compiled(patterns))
    kept = exclusions.filter(tags)
    assert kept == [tag for tag in tags if not exclusions.excludes(tag)]
    assert exclusions.filter(kept) == kept  # filtering twice changes nothing
    assert all(exclusions.excludes(tag) for tag in tags if tag not in kept)


@SETTINGS
@given(st.lists(_PATTERN, max_size=4), st.lists(_TAG, max_size=20))
def test_a_tag_is_excluded_by_a_list_when_one_of_its_patterns_excludes_it(
    patterns: list[str], tags: list[str]
) -> None:
    good = _compiled(patterns)
    whole = compile_exclusions(good)
    each = [compile_exclusions([pattern]) for pattern in good]
    for tag in tags:
        assert whole.excludes(tag) == any(one.excludes(tag) for one in each)


@SETTINGS
@given(st.lists(_TAG, max_size=6), st.randoms(use_true_random=False))
def test_list_equality_ignores_order(items: list[str], random: Random) -> None:
    shuffled = list(items)
    random.shuffle(shuffled)
    assert exclusion_lists_equal(items, shuffled)
    assert exclusion_lists_equal(shuffled, items)
    assert not exclusion_lists_equal(items, [*items, "extra"])
