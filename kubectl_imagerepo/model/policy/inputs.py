"""What an ImagePolicy asks for: the policy choice and `filterTags`, as plain frozen data.

These mirror the fields of `spec.policy` and `spec.filterTags` one for one, so a caller maps an
ImagePolicy object (or command-line flags) onto them; they hold text as written, unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AlphabeticalPolicy", "NumericalPolicy", "PolicyInputs", "SemverPolicy", "TagFilter"]


@dataclass(frozen=True)
class SemverPolicy:
    """`policy.semver`: `range` is a Masterminds/semver v3 constraint such as `>=1.0.0 <2.0.0`."""

    range: str


@dataclass(frozen=True)
class AlphabeticalPolicy:
    """`policy.alphabetical`: `asc` picks the highest tag in byte order, `desc` the lowest."""

    order: str = "asc"


@dataclass(frozen=True)
class NumericalPolicy:
    """`policy.numerical`: `asc` picks the highest number, `desc` the lowest."""

    order: str = "asc"


@dataclass(frozen=True)
class TagFilter:
    """`filterTags`: an unanchored RE2 `pattern` and a Go `Expand` template `extract` ("" keeps the tag)."""

    pattern: str = ""
    extract: str = ""


@dataclass(frozen=True)
class PolicyInputs:
    """An ImagePolicy's selection settings.

    Several choices may be set, as the API allows; the first of semver, alphabetical, numerical wins.
    `filter_tags` present, even empty, takes the filter path (see docs/behaviour.md, Decisions where
    neither kubectl nor Flux says).
    """

    semver: SemverPolicy | None = None
    alphabetical: AlphabeticalPolicy | None = None
    numerical: NumericalPolicy | None = None
    filter_tags: TagFilter | None = None
