"""The tags a policy compares: `filterTags` applied to the stored tags, in database order.

Database order is the order a scan stores tags in, descending by bytes (docs/behaviour.md, Exclusion
list and the tag database). With a filter each tag the pattern matches anywhere becomes the value
`extract` expands to (the tag itself without a template); tags expanding to the same value keep only
the last in database order, as the controller's map does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubectl_imagerepo.gocompat import regexp as goregexp
from kubectl_imagerepo.model.exclusion import ExclusionError, compile_regexp
from kubectl_imagerepo.model.policy.errors import PatternError
from kubectl_imagerepo.model.policy.inputs import TagFilter

__all__ = ["Candidate", "CompiledFilter", "Filtered", "compile_filter", "database_order", "unfiltered"]


@dataclass(frozen=True)
class Candidate:
    """A tag taking part in the selection: `value` is what the policy compares, `position` its place
    in database order."""

    tag: str
    value: str
    position: int


@dataclass(frozen=True)
class Filtered:
    """The filter's outcome: the candidates in database order, and which tag holds each value."""

    candidates: tuple[Candidate, ...]
    holders: Mapping[str, str] = field(compare=False)


@dataclass(frozen=True)
class CompiledFilter:
    """A compiled `filterTags`."""

    pattern: str
    extract: str
    _regexp: Any = field(repr=False, compare=False)
    _names: tuple[str, ...] = field(repr=False, compare=False)

    def matches(self, tag: str) -> bool:
        """Whether the pattern matches anywhere in the tag (Go's `MatchString`)."""
        return self._regexp.search(tag) is not None

    def value(self, tag: str) -> str | None:
        """What the tag becomes: the expanded template, the tag without one, None when it does not match."""
        match = self._regexp.search(tag)
        if match is None:
            return None
        if not self.extract:
            return tag
        indices = [index for group in range(len(self._names)) for index in match.span(group)]
        return goregexp.expand(self.extract, tag, indices, self._names)

    def apply(self, tags: Sequence[str]) -> Filtered:
        """The candidates of tags given in database order; a value's last tag holds it."""
        holders: dict[str, str] = {}
        values: list[str | None] = []
        for tag in tags:
            value = self.value(tag)
            values.append(value)
            if value is not None:
                holders[value] = tag
        candidates = tuple(
            Candidate(tag, value, position)
            for position, (tag, value) in enumerate(zip(tags, values, strict=True))
            if value is not None and holders[value] == tag
        )
        return Filtered(candidates, holders)


def compile_filter(tag_filter: TagFilter) -> CompiledFilter:
    """Compile the pattern as Go's `regexp.Compile` would.

    Raises:
        PatternError: `failed to filter tags: invalid regular expression pattern '<p>': <Go error>`.
    """
    try:
        compiled = compile_regexp(tag_filter.pattern)
    except ExclusionError as error:
        raise PatternError(tag_filter.pattern, error.reason) from None
    names = goregexp.subexp_names(tag_filter.pattern)
    if len(names) != compiled.groups + 1:
        # Only for a pattern this scanner misreads: fall back to RE2's names (one group per name).
        by_index = {index: name for name, index in compiled.groupindex.items()}
        names = tuple(by_index.get(index, "") for index in range(compiled.groups + 1))
    return CompiledFilter(tag_filter.pattern, tag_filter.extract, compiled, names)


def database_order(tags: Iterable[str]) -> tuple[str, ...]:
    """The tags as the database holds them: once each, descending by bytes.

    Python orders `str` by code point, which is the order of their UTF-8 bytes.
    """
    return tuple(sorted(set(tags), reverse=True))


def unfiltered(tags: Sequence[str]) -> Filtered:
    """Without `filterTags` every tag is a candidate, compared as itself."""
    candidates = tuple(Candidate(tag, tag, position) for position, tag in enumerate(tags))
    return Filtered(candidates, {tag: tag for tag in tags})
