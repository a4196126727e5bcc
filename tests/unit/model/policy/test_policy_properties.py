"""Hostile policies answer quickly: with a pick, or with a one-line PolicyError (hypothesis).

Generated: patterns built for catastrophic backtracking, ranges up to and past Masterminds' bounds with
huge numbers, extract templates naming groups that do not exist, and tags made to make them work hard.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kubectl_imagerepo.model.policy import (
    AlphabeticalPolicy,
    Evaluation,
    NumericalPolicy,
    PolicyInputs,
    SemverPolicy,
    TagFilter,
    evaluate,
    explain,
)
from kubectl_imagerepo.model.policy.errors import PolicyError

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each evaluation of a few dozen tags must answer within this (seconds), even on a machine loaded by other
# work: a backtracking engine takes exponential time on these inputs (far beyond it), RE2 milliseconds.
QUICK = 10.0

CATASTROPHIC = [
    "(a*)*b",
    "(a|aa)*c",
    "(x+x+)+y",
    "^(a+)+$",
    "(.*a){20}",
    "(a|a?)+$",
    r"(\w+\s?)+$",
    "a{1000}",
    "(a{1000}){1000}",
    r"\pL{1000}",
    "((((a*)*)*)*)*!",
]
_PATTERN = st.one_of(
    st.sampled_from(CATASTROPHIC),
    st.text(alphabet="a.*+?|()[]{}^$\\-:<>=!,0123PpQECdDwWsSxz_ ", max_size=24),
)
_TEMPLATE = st.text(alphabet="$${}0123456789abcnmx_ -.", max_size=16)
_RANGE = st.one_of(
    st.text(alphabet="0123456789.xX*^~<>=! ,|-vV+abrc", max_size=600),
    st.builds(lambda n: f">={n}.0.0", st.integers(min_value=0, max_value=10**40)),
    st.builds(
        lambda n, sep: sep.join(["1.x"] * n) + " ~", st.integers(0, 200), st.sampled_from([" ", ", ", "||"])
    ),
)
_TAG = st.one_of(
    st.text(alphabet="a0123456789.-+vx!_ \t", max_size=60),
    st.builds(lambda n: "a" * n + "!", st.integers(0, 200)),
    st.builds(lambda n: f"{n}.0.0", st.integers(min_value=0, max_value=10**30)),
)
_TAGS = st.lists(_TAG, max_size=40)
_FILTER = st.one_of(st.none(), st.builds(TagFilter, _PATTERN, _TEMPLATE))


def answered(inputs: PolicyInputs, tags: list[str]) -> Evaluation:
    started = time.perf_counter()
    evaluation = evaluate(inputs, tags)
    assert time.perf_counter() - started < QUICK
    if evaluation.error is None:
        assert evaluation.pick in tags
    else:
        assert isinstance(evaluation.error, PolicyError)
        assert evaluation.pick is None
        assert "\n" not in str(evaluation.error)
    return evaluation


@SETTINGS
@given(_PATTERN, _TAGS)
@example("(a*)*b", ["a" * 5000])
def test_a_catastrophic_pattern_answers_quickly(pattern: str, tags: list[str]) -> None:
    answered(PolicyInputs(alphabetical=AlphabeticalPolicy(), filter_tags=TagFilter(pattern)), tags)


@SETTINGS
@given(_RANGE, _TAGS)
@example("1.x " * 127 + "~", ["1.0.0"])
@example(f">={10**40}.0.0", ["1.0.0"])
def test_a_huge_or_malformed_range_answers_quickly(version_range: str, tags: list[str]) -> None:
    answered(PolicyInputs(semver=SemverPolicy(version_range)), tags)


@SETTINGS
@given(_PATTERN, _TEMPLATE, _TAGS, st.sampled_from(["semver", "alphabetical", "numerical"]))
@example(r"(?P<ts>\d+)", "$tz", ["build-1"], "numerical")
def test_an_extract_template_naming_missing_groups_answers(
    pattern: str, template: str, tags: list[str], kind: str
) -> None:
    choice = {
        "semver": PolicyInputs(semver=SemverPolicy(">=0.0.0-0"), filter_tags=TagFilter(pattern, template)),
        "alphabetical": PolicyInputs(
            alphabetical=AlphabeticalPolicy(), filter_tags=TagFilter(pattern, template)
        ),
        "numerical": PolicyInputs(numerical=NumericalPolicy(), filter_tags=TagFilter(pattern, template)),
    }[kind]
    answered(choice, tags)


@SETTINGS
@given(_RANGE, _FILTER, _TAGS, _TAG)
def test_explain_answers_in_one_line_for_any_tag(
    version_range: str, tag_filter: TagFilter | None, tags: list[str], tag: str
) -> None:
    evaluation = answered(PolicyInputs(semver=SemverPolicy(version_range), filter_tags=tag_filter), tags)
    for subject in [tag, *tags[:3]]:
        line = explain(evaluation, subject)
        assert line and "\n" not in line
