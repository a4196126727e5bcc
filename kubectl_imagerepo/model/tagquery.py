"""Which stored tags `kubectl imagerepo tags` prints, and in which order, as a Flux ImagePolicy ranks them.

The ranking is the ImagePolicy's own (model/policy): `--filter` is `filterTags.pattern` (RE2, kept where
it matches anywhere), `--semver` keeps the versions a `semver.range` allows, and `--sort` ranks as that
policy. Tags come out latest first, "latest" meaning what the policy would select: with Flux's default
order `asc` the highest tag is the latest, with `desc` the lowest, so `limit=1` gives the tag an
ImagePolicy with the same settings selects. Tags are ranked as a policy with `filterTags` ranks them
(its pattern being `""` without `--filter`), so equal versions or numbers come in database order,
descending bytes, whatever order they are given in (docs/behaviour.md, Decisions where neither kubectl
nor Flux says).

- alpha: byte-wise comparison (Go's `sort.Strings`), every tag takes part.
- numeric: every tag is parsed as Go's `strconv.ParseFloat` does; like Flux, a tag that does not parse
  is an error (filter such tags out first).
- semver: only tags Flux reads as versions take part (`1.2.3`, `v1.2.3-rc.1`, `2025.01.02`); others
  are skipped, as Flux does. Without `--semver` every version takes part, prereleases included. A
  semver policy has no order: `desc` lists the policy's ranking backwards, the lowest first.

Without a sort (and without a range) the tags keep the order given, lazily.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice

from kubectl_imagerepo.model import semver
from kubectl_imagerepo.model.policy.candidates import CompiledFilter, compile_filter, database_order
from kubectl_imagerepo.model.policy.errors import NotANumberError, PatternError
from kubectl_imagerepo.model.policy.inputs import TagFilter
from kubectl_imagerepo.model.policy.policers import (
    ALL_VERSIONS,
    Alphabetical,
    Numerical,
    Policer,
    Semver,
    compile_range,
)

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


@dataclass(frozen=True)
class TagQuery:
    """A compiled query; run it with `select`."""

    pattern: str | None
    version_range: semver.Range | None
    sort: str | None
    order: str
    limit: int | None
    _filter: CompiledFilter = field(repr=False, compare=False)
    _range: Semver | None = field(default=None, repr=False, compare=False)
    _ranking: Policer | None = field(default=None, repr=False, compare=False)

    def keeps(self, tag: str) -> bool:
        """Whether the tag passes the filter and the range."""
        if not self._filter.matches(tag):
            return False
        return self._range is None or self._range.rejects(tag) is None

    def select(self, tags: Iterable[str]) -> Iterator[str]:
        """The selected tags, latest first (or in input order without a sort).

        Raises:
            NumericTagError: with sort `numeric`, for the first kept tag that is no number.
        """
        if self._ranking is None:
            yield from islice((tag for tag in tags if self._filter.matches(tag)), self.limit)
            return
        listed = list(tags)
        places = {tag: place for place, tag in enumerate(database_order(listed))}
        candidates = tuple(
            replace(candidate, position=places[candidate.tag])
            for candidate in self._filter.apply(listed).candidates
        )
        if self._range is not None:
            candidates = tuple(c for c in candidates if self._range.rejects(c.value) is None)
        try:
            ranked = self._ranking.rank(candidates, filtered=True)
        except NotANumberError as error:
            raise NumericTagError(error.value) from None
        if isinstance(self._ranking, Semver) and self.order == "desc":
            ranked = ranked[::-1]
        yield from islice((candidate.tag for candidate in ranked), self.limit)


def _ranking(sort: str | None, ascending: bool, version_range: Semver | None) -> Policer | None:
    """The policy that ranks for this sort: a range without a sort ranks by its own versions."""
    if sort == "alpha":
        return Alphabetical(ascending)
    if sort == "numeric":
        return Numerical(ascending)
    if sort == "semver":
        return version_range or Semver(compile_range(ALL_VERSIONS))
    return version_range


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
    try:
        tag_filter = compile_filter(TagFilter(pattern or ""))
    except PatternError as error:
        raise QueryError("--filter", error.detail) from None
    parsed_range = None
    if version_range is not None:
        try:
            parsed_range = Semver(compile_range(version_range))
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
    ranking = _ranking(effective_sort, (order or "asc") == "asc", parsed_range)
    return TagQuery(
        pattern,
        None if parsed_range is None else parsed_range.range,
        effective_sort,
        order or "asc",
        limit,
        tag_filter,
        parsed_range,
        ranking,
    )
