"""`tags REPO --policy NAME [--explain TAG]`: an ImagePolicy of the cluster over the locally stored tags.

The policy is read from the cluster in the command's namespace and must reference REPO there. Its
candidates are listed in the policy's order, the pick first; `--explain` says in one line why a tag is
or is not the pick.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import CommandError, InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.commands.cmdutil.command import KubeClient
    from kubectl_imagerepo.model.exclusion import Exclusions
    from kubectl_imagerepo.model.imagepolicy import ImagePolicy

# The `tags` flags an ImagePolicy decides itself, so they cannot come with --policy.
POLICY_DECIDES = ("--filter", "--semver", "--sort", "--order")
# What --explain prints instead of a list, so these cannot come with it.
LISTING_ONLY = ("--limit", "--output")


def check_flags(
    *, policy: str | None, explain: str | None, given: Iterable[str], listing: Iterable[str]
) -> None:
    """The combinations `tags` refuses with --policy and --explain.

    `given` are the ranking flags set (of POLICY_DECIDES), `listing` the listing flags (of LISTING_ONLY).

    Raises:
        InputError: `--explain` without `--policy`, a ranking flag with `--policy`, a listing flag with
            `--explain`.
    """
    if explain is not None and policy is None:
        raise InputError("error: --explain needs --policy: it explains that ImagePolicy's pick")
    if policy is None:
        return
    ranking = next(iter(given), None)
    if ranking is not None:
        raise InputError(f"error: {ranking} cannot be combined with --policy: the ImagePolicy ranks the tags")
    listed = next(iter(listing), None)
    if explain is not None and listed is not None:
        raise InputError(f"error: {listed} cannot be combined with --explain, which prints one line")


def read_policy(kube: KubeClient, namespace: str, name: str, repository: str) -> ImagePolicy:
    """The ImagePolicy `namespace/name`, checked to reference the ImageRepository `namespace/repository`.

    Raises:
        CommandError: the server's error (NotFound…), or a policy referencing another repository.
        InputError: a field of the policy has the wrong type.
    """
    from kubectl_imagerepo.model.imagepolicy import ImagePolicy

    policy = ImagePolicy.from_dict(kube.get(kube.resource_path(namespace, name, plural=api.POLICY_PLURAL)))
    ref = policy.image_repository_ref
    referenced = f"{policy.repository_namespace()}/{ref.name}"
    if referenced != f"{namespace}/{repository}":
        raise CommandError(
            f"error: {policy.title}: spec.imageRepositoryRef: references ImageRepository {referenced}, "
            f"not {namespace}/{repository}"
        )
    return policy


def repository_exclusions(kube: KubeClient, namespace: str, name: str) -> Exclusions | None:
    """The exclusion list of the repository's last scan (else its spec's), None when it cannot be had.

    Only `--explain` needs it, to tell a tag the scan excluded from one the registry never listed.
    """
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model.exclusion import ExclusionError, compile_exclusions
    from kubectl_imagerepo.model.imagerepository import ImageRepository

    try:
        repo = ImageRepository.from_dict(kube.get(kube.resource_path(namespace, name)))
    except (ApiError, InputError):
        return None
    patterns = repo.observed_exclusion_list or repo.effective_exclusion_list()
    try:
        return compile_exclusions(patterns)
    except ExclusionError:
        return None


@dataclass(frozen=True)
class PolicyRun:
    """One ImagePolicy over a repository's stored tags: its listing, or the answer to --explain."""

    policy: ImagePolicy

    def ranked(self, tags: Iterable[str], limit: int | None) -> Iterator[str]:
        """The candidates' tags in the policy's order, the pick first, at most `limit` of them.

        Raises:
            CommandError: the controller's message when the policy picks no tag.
        """
        from kubectl_imagerepo.model.policy import evaluate

        evaluation = evaluate(self.policy.inputs(), tags)
        if evaluation.error is not None:
            raise CommandError(f"error: {self.policy.title}: {evaluation.error}")
        return islice((candidate.tag for candidate in evaluation.ranked), limit)

    def explain(self, tags: Iterable[str], tag: str, exclusions: Exclusions | None) -> str:
        """Why `tag` is or is not the policy's pick, in one line."""
        from kubectl_imagerepo.model.policy import evaluate, explain

        return explain(evaluate(self.policy.inputs(), tags), tag, exclusions)
