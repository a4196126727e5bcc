"""One line on why a tag is or is not an ImagePolicy's pick, for `tags --policy NAME --explain TAG`.

The checks follow the tag through the controller's steps: stored by the scan (or excluded, or never
listed), kept by the pattern, holding its extracted value, a version or number at all, inside the range,
then ranked against the pick.
"""

from __future__ import annotations

from kubectl_imagerepo.gocompat.strconv import quote
from kubectl_imagerepo.gocompat.unicode import is_print
from kubectl_imagerepo.model.exclusion import Exclusions, compile_exclusions
from kubectl_imagerepo.model.policy.errors import InvalidPolicyError, NoTagsError
from kubectl_imagerepo.model.policy.evaluation import Evaluation
from kubectl_imagerepo.model.policy.policers import (
    NOT_A_NUMBER,
    OUTSIDE_RANGE,
    Numerical,
    Semver,
    flux_version,
)

__all__ = ["explain"]


def explain(evaluation: Evaluation, tag: str, exclusions: Exclusions | None = None) -> str:
    """Why `tag` is or is not the pick of `evaluation`, in one line.

    `exclusions` is the repository's exclusion list, to tell an excluded tag from one never listed.
    """
    shown = _shown(tag)
    if tag not in evaluation.tags:
        return _absent(shown, tag, exclusions)
    if isinstance(evaluation.error, InvalidPolicyError | NoTagsError) or evaluation.policer is None:
        return f"{shown} is not the pick: the policy picks no tag ({evaluation.error})"
    policer, tag_filter, filtered = evaluation.policer, evaluation.tag_filter, evaluation.filtered
    value = tag
    if tag_filter is not None and filtered is not None:
        extracted = tag_filter.value(tag)
        if extracted is None:
            return f"{shown} is dropped by the pattern {_shown(tag_filter.pattern)}"
        value = extracted
        holder = filtered.holders[value]
        if holder != tag:
            return (
                f"{shown} extracts to {_shown(value)}, which {_shown(holder)} (later in database order) "
                "also extracts to and holds"
            )
    subject = _described(tag, value)
    rejection = policer.rejects(value)
    if rejection == NOT_A_NUMBER:
        return f"{subject} is not a number, which fails the whole numerical policy ({evaluation.error})"
    if rejection == OUTSIDE_RANGE and isinstance(policer, Semver):
        note = _prerelease_note(policer, value)
        return f"{subject} is outside the range {_shown(policer.range.text)}{note}"
    if rejection is not None:
        return f"{subject} is {rejection}"
    if evaluation.error is not None or not evaluation.ranked:
        return f"{subject} takes part, but the policy picks no tag ({evaluation.error})"
    pick = evaluation.ranked[0]
    if pick.tag == tag:
        return f"{subject} is the pick: {policer.words}"
    pick_shown = _described(pick.tag, pick.value)
    place = next(index for index, candidate in enumerate(evaluation.ranked) if candidate.tag == tag) + 1
    of = f"candidate {place} of {len(evaluation.ranked)}"
    if policer.ties(value, pick.value):
        keeps = "last" if isinstance(policer, Numerical) and tag_filter is None else "first"
        return f"{subject} ties with the pick {pick_shown}, which comes {keeps} in database order ({of})"
    return f"{subject} ranks below the pick {pick_shown} ({of}; {policer.words})"


def _absent(shown: str, tag: str, exclusions: Exclusions | None) -> str:
    """Why a tag the database does not hold is not the pick."""
    if exclusions is not None:
        for pattern in exclusions.patterns:
            if compile_exclusions([pattern]).excludes(tag):
                return f"{shown} is excluded by the repository's exclusion list ({_shown(pattern)})"
    return f"{shown} is not in the repository: its last scan stored no such tag"


def _prerelease_note(policer: Semver, value: str) -> str:
    """A hint when a prerelease missed a range none of whose groups names a prerelease."""
    version = flux_version(value)
    if version is None or not version.prerelease:
        return ""
    if any(constraint.version.prerelease for group in policer.range.groups for constraint in group):
        return ""
    return " (a prerelease only satisfies a range group that names a prerelease)"


def _described(tag: str, value: str) -> str:
    """A tag, with what it extracts to when that differs."""
    return _shown(tag) if value == tag else f"{_shown(tag)} (extracted {_shown(value)})"


def _shown(text: str) -> str:
    """Text in single quotes, or Go-quoted when it holds a character that does not print."""
    if all(is_print(char) for char in text):
        return f"'{text}'"
    return quote(text)
