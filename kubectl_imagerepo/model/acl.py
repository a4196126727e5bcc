"""Which ImagePolicies reference an ImageRepository, and whether its `accessFrom` lets them in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.imagerepository import ImageRepository


def access_denied_reason(
    policy_namespace: str, repo: ImageRepository, namespace_labels: Mapping[str, str]
) -> str | None:
    """Apply the ACL check of Flux's ImagePolicy reconciler (`acl.HasAccessToRef`).

    A policy in the repository's own namespace is always let in. Otherwise `spec.accessFrom`
    must be set and one of its `namespaceSelectors` must match the policy's namespace labels:
    every `matchLabels` entry equal, so an empty `matchLabels` matches any namespace.

    Args:
        policy_namespace: The namespace of the ImagePolicy.
        repo: The ImageRepository it references.
        namespace_labels: The labels of the policy's Namespace object.

    Returns:
        None when access is allowed, else the controller's denial text, e.g.
        `'ns/name' can't be accessed due to ACL labels mismatch on namespace 'other'`.
    """
    if not repo.namespace or policy_namespace == repo.namespace:
        return None
    reference = f"'{repo.namespace}/{repo.name}'"
    if repo.access_from is None:
        return f"{reference} can't be accessed due to missing ACL labels on 'accessFrom'"
    for selector in repo.access_from.get("namespaceSelectors") or ():
        match_labels: Mapping[str, str] = selector.get("matchLabels") or {}
        if all(namespace_labels.get(key) == value for key, value in match_labels.items()):
            return None
    return f"{reference} can't be accessed due to ACL labels mismatch on namespace '{policy_namespace}'"


def policy_allowed(policy_namespace: str, repo: ImageRepository, namespace_labels: Mapping[str, str]) -> bool:
    """Whether an ImagePolicy in `policy_namespace` may use `repo` (see `access_denied_reason`).

    Args:
        policy_namespace: The namespace of the ImagePolicy.
        repo: The ImageRepository it references.
        namespace_labels: The labels of the policy's Namespace object.
    """
    return access_denied_reason(policy_namespace, repo, namespace_labels) is None


def referenced_repository(policy: Mapping[str, Any]) -> tuple[str, str] | None:
    """The `(namespace, name)` an ImagePolicy's `spec.imageRepositoryRef` points at.

    The namespace defaults to the policy's own. Returns None when the policy has no usable
    reference (a malformed object is skipped rather than reported).
    """
    spec = policy.get("spec")
    metadata = policy.get("metadata")
    ref = spec.get("imageRepositoryRef") if isinstance(spec, Mapping) else None
    if not isinstance(ref, Mapping) or not isinstance(ref.get("name"), str):
        return None
    own_namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    namespace = ref.get("namespace") or own_namespace or ""
    return (namespace if isinstance(namespace, str) else "", ref["name"])


def _is_image_policy(obj: Mapping[str, Any]) -> bool:
    """Whether `obj` is an ImagePolicy of the Flux image group; absent `kind`/`apiVersion` pass."""
    kind = obj.get("kind")
    api_version = obj.get("apiVersion")
    if kind is not None and kind != api.POLICY_KIND:
        return False
    return api_version is None or (isinstance(api_version, str) and api_version.split("/")[0] == api.GROUP)


def policies_referencing(
    repo: ImageRepository, policies: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Select the ImagePolicies whose `spec.imageRepositoryRef` points at `repo`.

    Args:
        repo: The ImageRepository.
        policies: ImagePolicy objects, e.g. the items of a cluster-wide list. Objects of another
            kind or group, and policies without a reference, are skipped.

    Returns:
        The matching policies, in the order given.
    """
    wanted = (repo.namespace, repo.name)
    return [
        policy
        for policy in policies
        if isinstance(policy, Mapping)
        and _is_image_policy(policy)
        and referenced_repository(policy) == wanted
    ]
