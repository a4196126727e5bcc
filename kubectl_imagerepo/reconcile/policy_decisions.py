"""The ImagePolicy reconciler's decisions as pure functions, with the controller's texts.

See docs/behaviour.md, Reconciling an ImagePolicy.
"""

from __future__ import annotations

from typing import Any

from kubectl_imagerepo.model.imagepolicy import ALWAYS, IF_NOT_PRESENT, ImagePolicy, ImageRef
from kubectl_imagerepo.reconcile.decisions import NEW_GENERATION_MESSAGE

GET_REPOSITORY_FAILED = "failed to get the referred ImageRepository: {error}"
REPOSITORY_MISSING = "referenced ImageRepository does not exist: {error}"
ACCESS_DENIED = "access denied: {error}"
CROSS_NAMESPACE_BLOCKED = (
    "cannot access 'ImageRepository/{namespace}/{name}', cross-namespace references have been blocked"
)
FEATURE_GATE_DISABLED_MESSAGE = (
    "to use spec.serviceAccountName in the ImageRepository for provider authentication please enable "
    "the ObjectLevelWorkloadIdentity feature gate in the controller"
)
DIGEST_FAILED = "failed fetching digest of {ref}: {error}"
AUTH_OPTIONS_FAILED = "failed to configure authentication options: {error}"
READY_MESSAGE = "Latest image tag for {name} resolved to {tag}"


def new_generation_message(policy: ImagePolicy) -> str | None:
    """`processing object: new generation X -> Y` when the generations differ, else None."""
    if policy.generation == policy.observed_generation:
        return None
    return NEW_GENERATION_MESSAGE.format(observed=policy.observed_generation, generation=policy.generation)


def should_fetch_digest(mode: str, stored: ImageRef | None, latest: ImageRef) -> bool:
    """Whether to HEAD the manifest: always for `Always`; for `IfNotPresent` unless the stored ref has it.

    `Never` never fetches (and drops any digest the status held).
    """
    if mode == ALWAYS:
        return True
    if mode == IF_NOT_PRESENT:
        return stored is None or stored.name != latest.name or stored.tag != latest.tag or not stored.digest
    return False


def carried_digest(mode: str, stored: ImageRef | None, latest: ImageRef) -> str:
    """The digest kept without a fetch: the stored one under `IfNotPresent` for the same image and tag."""
    if mode == IF_NOT_PRESENT and stored is not None and not should_fetch_digest(mode, stored, latest):
        return stored.digest
    return ""


def updated_refs(
    stored: ImageRef | None, previous: ImageRef | None, latest: ImageRef
) -> tuple[ImageRef, ImageRef | None]:
    """`(latestRef, observedPreviousRef)` after a pick: the previous ref moves only when the ref changed."""
    if stored is None or stored != latest:
        return latest, stored
    return stored, previous


def ready_message(latest: ImageRef, previous: ImageRef | None) -> str:
    """`Latest image tag for <name> resolved to <tag>[ with digest D][ (previously name:tag[@digest])]`."""
    message = READY_MESSAGE.format(name=latest.name, tag=latest.tag)
    if latest.digest:
        message += f" with digest {latest.digest}"
    if previous is not None and previous != latest:
        message += f" (previously {previous.name}:{previous.tag}"
        if previous.digest:
            message += f"@{previous.digest}"
        message += ")"
    return message


def ref_json(ref: ImageRef) -> dict[str, Any]:
    """An `ImageRef` as status JSON, in Go's field order; `digest` omitted when empty."""
    out: dict[str, Any] = {"name": ref.name, "tag": ref.tag}
    if ref.digest:
        out["digest"] = ref.digest
    return out


def repository_key(policy: ImagePolicy) -> tuple[str, str]:
    """The `(namespace, name)` of the referenced ImageRepository."""
    return policy.repository_namespace(), policy.image_repository_ref.name
