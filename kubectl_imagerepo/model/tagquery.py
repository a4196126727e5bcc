"""Which stored tags `kubectl imagerepo tags` prints, and in which order, as a Flux ImagePolicy ranks them.

The steps follow the ImagePolicy: `filterTags.pattern` keeps the tags the pattern matches anywhere
(RE2, Go's `regexp`), a semver range keeps the versions it allows, then a policy ranks what is left.
Tags come out latest first, "latest" meaning what the policy would select: with Flux's default order
`asc` the highest tag is the latest, with `desc` the lowest. So `limit=1` gives the tag an ImagePolicy
with the same settings selects.

- alpha: byte-wise comparison (Go's `sort.Strings`), every tag takes part.
- numeric: every tag is parsed as Go's `strconv.ParseFloat` does; like Flux, a tag that does not parse
  is an error (filter such tags out first). NaN ranks below every number; equal numbers rank by bytes.
- semver: only tags Flux reads as versions take part (`1.2.3`, `v1.2.3-rc.1`); others are skipped, as
  Flux does. Equal versions (`1.0.0`, `v1.0.0`, `1.0.0+b`) rank by bytes.

Without a sort (and without a range) the tags keep the order given, lazily.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from kubectl_imagerepo.gocompat.strconv import parse_float
from kubectl_imagerepo.model import semver

__all__ = [
    "ORDERS",
    "SORTS",
    "NumericTagError",
    "QueryError",
    "TagQuery",
    "compile_query",
]

SORTS = ("alpha", "semver", "numeric")
ORDERS = ("asc", "desc")

class QueryError(ValueError):
    """A query that cannot run: `flag` names the option at fault."""

    def __init__(self, flag: str, message: str) -> None:
        super().__init__(f"{flag}: {message}")
        self.flag = flag
        self.message = message


class NumericTagError(ValueError):
    """A tag the numerical policy cannot parse; str() is Flux's message."""

    def __init__(self, tag: str) -> None:
        super().__init__(f"failed to parse invalid numeric value '{tag}'")
        self.tag = tag


def _numeric_key(tag: str) -> tuple[int, float, str]:
    value = parse_float(tag)
    if value is None:
        raise NumericTagError(tag)
    if math.isnan(value):
        return (0, 0.0, tag)
    return (1, value, tag)


@dataclass(frozen=True)
class TagQuery:
    """A compiled query; run it with `select`."""

    pattern: str | None
    version_range: semver.Range | None
    sort: str | None
    order: str
    limit: int | None
    _matcher: Any = None

    def keeps(self, tag: str) -> bool:
        """Whether the tag passes the filter and the range."""
        if self._matcher is not None and not self._matcher.excludes(tag):
            return False
        if self.version_range is not None:
            version = semver.parse_tag(tag)
            return version is not None and self.version_range.allows(version)
        return True

    def select(self, tags: Iterable[str]) -> Iterator[str]:
        """The selected tags, latest first (or in input order without a sort).

        Raises:
            NumericTagError: with sort `numeric`, for the first kept tag that is no number.
        """
        kept = (tag for tag in tags if self.keeps(tag))
        if self.sort is None:
            yield from islice(kept, self.limit)
            return
        ranked = _rank(kept, self.sort)
        if self.order == "asc":
            ranked.reverse()
        yield from islice(ranked, self.limit)


def _rank(tags: Iterable[str], sort: str) -> list[str]:
    """The tags this sort takes part with, lowest first."""
    if sort == "alpha":
        return sorted(tags)
    if sort == "numeric":
        return [tag for *_, tag in sorted(_numeric_key(tag) for tag in tags)]
    keyed = [(semver.precedence_key(v), v.original) for v in map(semver.parse_tag, tags) if v is not None]
    keyed.sort()
    return [tag for _, tag in keyed]


def compile_query(
    *,
    pattern: str | None = None,
    version_range: str | None = None,
    sort: str | None = None,
    order: str | None = None,
    limit: int | None = None,
) -> TagQuery:
    """Check and compile the options.

    A range without a sort ranks by semver. Raises QueryError for a pattern RE2 (Go) rejects, a range
    Masterminds/semver rejects, an unknown sort or order, a negative limit, `order` without a sort, or
    sort `numeric` with a range (a version such as `1.2.3` is never a number).
    """
    matcher = None
    if pattern is not None:
        from kubectl_imagerepo.model.exclusion import ExclusionError, compile_exclusions

        try:
            matcher = compile_exclusions([pattern])
        except ExclusionError as error:
            raise QueryError(
                "--filter", f"invalid regular expression pattern '{pattern}': {error.reason}"
            ) from None
    parsed_range = None
    if version_range is not None:
        try:
            parsed_range = semver.parse_range(version_range)
        except semver.SemverError as error:
            raise QueryError("--semver", f"invalid range '{version_range}': {error}") from None
    if sort is not None and sort not in SORTS:
        raise QueryError("--sort", f"must be one of {', '.join(SORTS)}, not '{sort}'")
    if order is not None and order not in ORDERS:
        raise QueryError("--order", f"must be one of {', '.join(ORDERS)}, not '{order}'")
    if limit is not None and limit < 0:
        raise QueryError("--limit", f"must not be negative, not {limit}")
    if sort == "numeric" and parsed_range is not None:
        raise QueryError("--sort", "numeric cannot be combined with --semver: no version is a number")
    effective_sort = sort or ("semver" if parsed_range is not None else None)
    if order is not None and effective_sort is None:
        raise QueryError("--order", "needs --sort (or --semver)")
    return TagQuery(pattern, parsed_range, effective_sort, order or "asc", limit, matcher)
