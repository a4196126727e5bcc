"""An ImagePolicy's tag selection over stored tags, as image-reflector-controller's `applyPolicy` does it.

The steps and their order are the controller's: build the policy (an invalid one fails before any tag
is read), require tags, compile `filterTags`, filter and extract, then rank. Where the controller leaves
the outcome to Go's map order the pick is taken in database order (see docs/behaviour.md, Decisions
where neither kubectl nor Flux says).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kubectl_imagerepo.model.policy.candidates import (
    Candidate,
    CompiledFilter,
    Filtered,
    compile_filter,
    database_order,
    unfiltered,
)
from kubectl_imagerepo.model.policy.errors import (
    EMPTY_VERSION_LIST,
    NO_LATEST_VERSION,
    NoTagsError,
    PolicyError,
    SelectionError,
)
from kubectl_imagerepo.model.policy.inputs import PolicyInputs
from kubectl_imagerepo.model.policy.policers import Policer, policer_for

__all__ = ["Evaluation", "evaluate"]


@dataclass(frozen=True)
class Evaluation:
    """The outcome of a policy over a repository's tags.

    `tags` are in database order; `ranked` holds the candidates in the policy's order, the pick first,
    and is empty when `error` says why nothing is picked. `policer` and `tag_filter` are None when the
    policy or its pattern did not compile, `filtered` when the steps stopped before filtering.
    """

    inputs: PolicyInputs
    tags: tuple[str, ...]
    ranked: tuple[Candidate, ...]
    error: PolicyError | None = None
    policer: Policer | None = field(default=None, compare=False)
    tag_filter: CompiledFilter | None = field(default=None, compare=False)
    filtered: Filtered | None = field(default=None, compare=False)

    @property
    def pick(self) -> str | None:
        """The tag the policy selects, None when it selects none."""
        return self.ranked[0].tag if self.ranked else None

    def latest(self) -> str:
        """The tag the policy selects.

        Raises:
            PolicyError: the controller's error (its `reason` is the condition reason).
        """
        if self.error is not None:
            raise self.error
        return self.ranked[0].tag


def evaluate(inputs: PolicyInputs, tags: Iterable[str]) -> Evaluation:
    """Run the policy over a repository's stored tags (taken in database order whatever order they come in).

    Never raises for the policy's sake: a policy that picks nothing says why in `error`.
    """
    ordered = database_order(tags)
    try:
        policer = policer_for(inputs)
    except PolicyError as error:
        return Evaluation(inputs, ordered, (), error)
    if not ordered:
        return Evaluation(inputs, ordered, (), NoTagsError(), policer)
    tag_filter = None
    if inputs.filter_tags is not None:
        try:
            tag_filter = compile_filter(inputs.filter_tags)
        except PolicyError as error:
            return Evaluation(inputs, ordered, (), error, policer)
    filtered = unfiltered(ordered) if tag_filter is None else tag_filter.apply(ordered)
    if not filtered.candidates:
        failure: PolicyError | None = SelectionError(EMPTY_VERSION_LIST)
        return Evaluation(inputs, ordered, (), failure, policer, tag_filter, filtered)
    try:
        ranked = policer.rank(filtered.candidates, filtered=tag_filter is not None)
    except PolicyError as error:
        return Evaluation(inputs, ordered, (), error, policer, tag_filter, filtered)
    # Only semver skips values; alphabetical and numerical rank every candidate.
    failure = SelectionError(NO_LATEST_VERSION) if not ranked else None
    return Evaluation(inputs, ordered, ranked, failure, policer, tag_filter, filtered)
