"""What `policy describe` prints: kubectl's describe layout, the conditions, then how the policy evaluates.

The `Evaluation` section replays the controller's choice over the tags this machine's database holds
for the referenced ImageRepository (model/policy/evaluation.py), so that a person can see why a tag
was or was not picked: the repository and whether the policy may use it, the policy in words, how
many tags each step left out, the pick and its digest, and the first candidates in the policy's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubectl_imagerepo.model.imagepolicy import ImagePolicy
from kubectl_imagerepo.model.policy.candidates import Candidate
from kubectl_imagerepo.model.policy.evaluation import Evaluation
from kubectl_imagerepo.model.policy.policers import (
    NOT_A_NUMBER,
    NOT_A_VERSION,
    OUTSIDE_RANGE,
    Numerical,
    Semver,
)
from kubectl_imagerepo.output.describe import PrefixWriter, write_conditions, write_events, write_object
from kubectl_imagerepo.output.policy_listing import policy_words

NONE = "<none>"
#: How many candidates the section lists.
SHOWN_CANDIDATES = 10
ALLOWED = "allowed"


@dataclass(frozen=True)
class RepositoryLookup:
    """The referenced ImageRepository as describe found it.

    `image` is its `spec.image` (None when it was not read); `verdict` is `allowed`, `denied: <the
    controller's text>`, `not found: <text>` or `unreadable: <error>`; `uid` keys its stored tags.
    """

    namespace: str
    name: str
    image: str | None
    verdict: str
    uid: str | None = None


@dataclass(frozen=True)
class Counts:
    """How many stored tags each step of the evaluation left out (None: the step did not run)."""

    stored: int
    dropped_by_filter: int | None = None
    same_value: int | None = None
    not_versions: int | None = None
    outside_range: int | None = None
    not_numbers: int | None = None


def counts(evaluation: Evaluation) -> Counts:
    """Count what the filter and the policy left out of the evaluation's stored tags.

    `same_value` (Duplicate Values) are tags that matched the filter but extract to a value a tag later
    in database order also extracts to (that later tag holds it, as in the controller's map).
    """
    stored = len(evaluation.tags)
    tag_filter, filtered, policer = evaluation.tag_filter, evaluation.filtered, evaluation.policer
    if filtered is None or policer is None:
        return Counts(stored)
    dropped = same = None
    if tag_filter is not None:
        matched = sum(1 for tag in evaluation.tags if tag_filter.matches(tag))
        dropped, same = stored - matched, matched - len(filtered.candidates)
    reasons = [policer.rejects(candidate.value) for candidate in filtered.candidates]
    if isinstance(policer, Semver):
        return Counts(stored, dropped, same, reasons.count(NOT_A_VERSION), reasons.count(OUTSIDE_RANGE))
    if isinstance(policer, Numerical):
        return Counts(stored, dropped, same, not_numbers=reasons.count(NOT_A_NUMBER))
    return Counts(stored, dropped, same)


def pick_digest(policy: ImagePolicy, evaluation: Evaluation) -> str:
    """The digest of the pick: `status.latestRef`'s when its tag is the pick, else `<none>`."""
    latest = policy.latest_ref
    if evaluation.pick is None or latest is None or latest.tag != evaluation.pick:
        return NONE
    return latest.digest or NONE


def render_policy_describe(
    policy: ImagePolicy,
    *,
    repository: RepositoryLookup,
    evaluation: Evaluation,
    events: Sequence[Mapping[str, Any]],
    now: datetime,
) -> str:
    """Render one ImagePolicy as `kubectl describe` does, with the `Evaluation` section before `Events`.

    Args:
        policy: The object.
        repository: The referenced ImageRepository and the access verdict.
        evaluation: The policy evaluated over the repository's stored tags.
        events: The object's events, core/v1 or events.k8s.io/v1 shaped, in any order.
        now: The time event ages are computed against (timezone-aware).

    Returns:
        The text, ending with a newline.
    """
    w = PrefixWriter()
    write_object(w, policy.name, policy.namespace, policy.labels, policy.annotations, policy.raw)
    write_conditions(w, policy.conditions)
    _write_evaluation(w, policy, repository, evaluation)
    write_events(w, events, now)
    return w.text()


def _write_evaluation(
    w: PrefixWriter, policy: ImagePolicy, repository: RepositoryLookup, evaluation: Evaluation
) -> None:
    w.flush()
    w.write(0, "Evaluation:\n")
    w.write(1, f"Repository:\t{repository.namespace}/{repository.name}\n")
    w.write(1, f"Image:\t{repository.image or NONE}\n")
    w.write(1, f"Access:\t{repository.verdict}\n")
    policer = evaluation.policer
    w.write(1, f"Policy:\t{policer.words if policer is not None else policy_words(policy)}\n")
    tag_filter = evaluation.inputs.filter_tags
    if tag_filter is None:
        w.write(1, f"Filter Tags:\t{NONE}\n")
    else:
        shown = f"pattern {_quoted(tag_filter.pattern)}, extract {_quoted(tag_filter.extract)}"
        w.write(1, f"Filter Tags:\t{shown}\n")
    found = counts(evaluation)
    w.write(1, f"Stored Tags:\t{found.stored}\n")
    for label, count in (
        ("Dropped By Filter", found.dropped_by_filter),
        ("Duplicate Values", found.same_value),
        ("Not Versions", found.not_versions),
        ("Outside Range", found.outside_range),
        ("Not Numbers", found.not_numbers),
    ):
        if count is not None:
            w.write(1, f"{label}:\t{count}\n")
    w.write(1, f"Pick:\t{evaluation.pick if evaluation.pick is not None else NONE}\n")
    w.write(1, f"Digest:\t{pick_digest(policy, evaluation)}\n")
    if evaluation.error is not None:
        w.write(1, f"Error:\t{_one_line(str(evaluation.error))}\n")
    _write_candidates(w, evaluation.ranked)


def _write_candidates(w: PrefixWriter, ranked: Sequence[Candidate]) -> None:
    """The count, then the first candidates in the policy's order (the pick first)."""
    if not ranked:
        w.write(1, f"Candidates:\t{NONE}\n")
        return
    w.write(1, f"Candidates:\t{len(ranked)}\n")
    for candidate in ranked[:SHOWN_CANDIDATES]:
        extracted = "" if candidate.value == candidate.tag else f" (extracted {candidate.value})"
        w.write(2, f"{candidate.tag}{extracted}\n")
    if len(ranked) > SHOWN_CANDIDATES:
        w.write(2, f"... {len(ranked) - SHOWN_CANDIDATES} more\n")


def _quoted(text: str) -> str:
    return f"'{text}'"


def _one_line(text: str) -> str:
    first, newline, _ = text.strip().partition("\n")
    return first + "..." if newline else first
