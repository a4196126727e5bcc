"""The three ways an ImagePolicy ranks candidates: semver range, alphabetical and numerical.

Each ranks candidates best first, so the first is the pick. Ties follow docs/behaviour.md, Decisions
where neither kubectl nor Flux says: equal versions go in database order (the controller keeps the first
it meets); equal numbers too on the filter path, where the controller iterates a Go map, and in reverse
database order without a filter, where it keeps the last it meets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kubectl_imagerepo.gocompat.strconv import parse_float
from kubectl_imagerepo.model import semver
from kubectl_imagerepo.model.policy.candidates import Candidate
from kubectl_imagerepo.model.policy.errors import (
    CONSTRAINT_TOO_LONG,
    INVALID_CHOICE,
    INVALID_ORDER,
    INVALID_POLICY,
    TOO_MANY_CONSTRAINT_GROUPS,
    InvalidPolicyError,
    NotANumberError,
)
from kubectl_imagerepo.model.policy.inputs import PolicyInputs

__all__ = [
    "ALL_VERSIONS",
    "NOT_A_NUMBER",
    "NOT_A_VERSION",
    "OUTSIDE_RANGE",
    "Alphabetical",
    "Numerical",
    "Policer",
    "Semver",
    "compile_range",
    "flux_version",
    "policer_for",
]

# A range every version satisfies, prereleases included (0.0.0-0 is the lowest version there is).
ALL_VERSIONS = ">=0.0.0-0"

# Why a value takes no part in a ranking (`Policer.rejects`).
NOT_A_VERSION = "not a version"
OUTSIDE_RANGE = "outside the range"
NOT_A_NUMBER = "not a number"

_MAX_CONSTRAINT_BYTES = 512
_MAX_CONSTRAINT_GROUPS = 32


class Policer(Protocol):
    """A ranking of candidates by their values."""

    @property
    def words(self) -> str:
        """The policy in a few words, e.g. `semver range '^1.2'`."""
        ...

    def rejects(self, value: str) -> str | None:
        """Why the value takes no part (NOT_A_VERSION, OUTSIDE_RANGE, NOT_A_NUMBER), None when it does."""
        ...

    def rank(self, candidates: Sequence[Candidate], *, filtered: bool) -> tuple[Candidate, ...]:
        """The candidates taking part, best first; `filtered` tells the filter path (for ties).

        Raises:
            NotANumberError: numerical only, for the first candidate in database order that is no number.
        """
        ...

    def ties(self, a: str, b: str) -> bool:
        """Whether two values rank equal."""
        ...


def flux_version(value: str) -> semver.Version | None:
    """The version Flux's `version.ParseVersion` reads in a tag, or None (see `semver.parse_tag`)."""
    return semver.parse_tag(value)


@dataclass(frozen=True)
class Semver:
    """`policy.semver`: the highest version the range allows."""

    range: semver.Range

    @property
    def words(self) -> str:
        return f"semver range '{self.range.text}' (the highest version in range)"

    def rejects(self, value: str) -> str | None:
        version = flux_version(value)
        if version is None:
            return NOT_A_VERSION
        return None if self.range.allows(version) else OUTSIDE_RANGE

    def rank(self, candidates: Sequence[Candidate], *, filtered: bool) -> tuple[Candidate, ...]:
        kept = []
        for candidate in candidates:
            version = flux_version(candidate.value)
            if version is not None and self.range.allows(version):
                kept.append((semver.precedence_key(version), candidate))
        # Equal versions in database order, the first being the controller's pick (both sorts are stable).
        kept.sort(key=lambda pair: pair[1].position)
        kept.sort(key=lambda pair: pair[0], reverse=True)
        return tuple(candidate for _, candidate in kept)

    def ties(self, a: str, b: str) -> bool:
        version_a, version_b = flux_version(a), flux_version(b)
        return version_a is not None and version_b is not None and semver.compare(version_a, version_b) == 0


@dataclass(frozen=True)
class Alphabetical:
    """`policy.alphabetical`: byte order; `ascending` (ASC) picks the highest, DESC the lowest."""

    ascending: bool

    @property
    def words(self) -> str:
        if self.ascending:
            return "alphabetical asc (the highest in byte order)"
        return "alphabetical desc (the lowest in byte order)"

    def rejects(self, value: str) -> str | None:
        return None

    def rank(self, candidates: Sequence[Candidate], *, filtered: bool) -> tuple[Candidate, ...]:
        return tuple(sorted(candidates, key=lambda candidate: candidate.value, reverse=self.ascending))

    def ties(self, a: str, b: str) -> bool:
        return a == b


@dataclass(frozen=True)
class Numerical:
    """`policy.numerical`: values read by `strconv.ParseFloat`; ASC picks the highest, DESC the lowest."""

    ascending: bool

    @property
    def words(self) -> str:
        if self.ascending:
            return "numerical asc (the highest number)"
        return "numerical desc (the lowest number)"

    def rejects(self, value: str) -> str | None:
        return NOT_A_NUMBER if parse_float(value) is None else None

    def rank(self, candidates: Sequence[Candidate], *, filtered: bool) -> tuple[Candidate, ...]:
        """The controller's pick first, then the rest by value (NaN last).

        The pick is the controller's loop over the candidates as given: a value replaces the kept one
        unless it ranks below it; of equal values the one database order prefers stays. A NaN compares
        false both ways, so it replaces the kept value and the next value replaces it.
        """
        numbers = []
        for candidate in candidates:
            number = parse_float(candidate.value)
            if number is None:
                raise NotANumberError(candidate.value)
            numbers.append((number, candidate))
        if not numbers:
            return ()
        pick_index = 0
        for index, pair in enumerate(numbers[1:], start=1):
            if not self._keeps(numbers[pick_index], pair, filtered=filtered):
                pick_index = index
        # Ties: database order on the filter path, reverse database order without.
        tie_sign = 1 if filtered else -1
        direction = -1 if self.ascending else 1
        rest = sorted(
            (pair for index, pair in enumerate(numbers) if index != pick_index),
            key=lambda pair: (
                math.isnan(pair[0]),
                0.0 if math.isnan(pair[0]) else direction * pair[0],
                tie_sign * pair[1].position,
            ),
        )
        return (numbers[pick_index][1], *(candidate for _, candidate in rest))

    def _keeps(self, kept: tuple[float, Candidate], met: tuple[float, Candidate], *, filtered: bool) -> bool:
        """Whether the controller's loop keeps `kept` over `met`, the next value it meets."""
        if met[0] == kept[0]:
            first = kept[1].position < met[1].position
            return first if filtered else not first
        return met[0] < kept[0] if self.ascending else met[0] > kept[0]

    def ties(self, a: str, b: str) -> bool:
        number_a, number_b = parse_float(a), parse_float(b)
        return number_a is not None and number_a == number_b


def _order(order: str) -> bool:
    """Whether the order is ascending: `strings.ToUpper`, then "" or ASC, or DESC.

    Go upper-cases one character at a time (`ß` stays), so Python's longer mappings are not taken.

    Raises:
        InvalidPolicyError: for any other order.
    """
    upper = "".join(char.upper() if len(char.upper()) == 1 else char for char in order)
    if upper in ("", "ASC"):
        return True
    if upper == "DESC":
        return False
    raise InvalidPolicyError(INVALID_POLICY.format(error=INVALID_ORDER.format(order=upper)))


def compile_range(text: str) -> semver.Range:
    """Masterminds' `NewConstraint`, with the bounds v3.5.0 puts on length and OR groups first.

    Raises:
        semver.SemverError: with Masterminds' message.
    """
    if len(text.encode("utf-8", "surrogatepass")) > _MAX_CONSTRAINT_BYTES:
        raise semver.SemverError(CONSTRAINT_TOO_LONG)
    if len(text.split("||")) > _MAX_CONSTRAINT_GROUPS:
        raise semver.SemverError(TOO_MANY_CONSTRAINT_GROUPS)
    return semver.parse_range(text)


def policer_for(inputs: PolicyInputs) -> Policer:
    """The policer of the first choice set, semver before alphabetical before numerical.

    Raises:
        InvalidPolicyError: no choice set, a range Masterminds rejects, or an unknown order.
    """
    if inputs.semver is not None:
        try:
            return Semver(compile_range(inputs.semver.range))
        except semver.SemverError as error:
            raise InvalidPolicyError(INVALID_POLICY.format(error=error)) from None
    if inputs.alphabetical is not None:
        return Alphabetical(_order(inputs.alphabetical.order))
    if inputs.numerical is not None:
        return Numerical(_order(inputs.numerical.order))
    raise InvalidPolicyError(INVALID_POLICY.format(error=INVALID_CHOICE))
