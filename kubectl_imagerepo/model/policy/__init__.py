"""An ImagePolicy's tag selection: pure functions over a repository's stored tags.

- inputs: the policy's settings as frozen data (`PolicyInputs`).
- errors: the controller's texts and reasons, and the errors carrying them.
- candidates: `filterTags` (RE2 pattern, Go `Expand` template) over tags in database order.
- policers: semver, alphabetical and numerical rankings.
- evaluation: `evaluate`, the controller's steps in its order.
- explain: why a tag is or is not the pick.
"""

from kubectl_imagerepo.model.policy.evaluation import Evaluation, evaluate
from kubectl_imagerepo.model.policy.explain import explain
from kubectl_imagerepo.model.policy.inputs import (
    AlphabeticalPolicy,
    NumericalPolicy,
    PolicyInputs,
    SemverPolicy,
    TagFilter,
)

__all__ = [
    "AlphabeticalPolicy",
    "Evaluation",
    "NumericalPolicy",
    "PolicyInputs",
    "SemverPolicy",
    "TagFilter",
    "evaluate",
    "explain",
]
