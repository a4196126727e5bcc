"""When `run` reconciles an object, and when it comes back to it (docs/behaviour.md, The controller: `run`).

Pure decisions: which watch events pass the controller's predicates, and what a reconcile's
result asks of the work queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kubectl_imagerepo.model import api

NANOSECONDS = 1_000_000_000


class Outcome(Protocol):
    """What the queue reads of a reconcile's result (an ImageRepository's or an ImagePolicy's)."""

    @property
    def error(self) -> str | None: ...

    @property
    def requeue_after_ns(self) -> int | None: ...


def _requested_at(obj: Mapping[str, Any]) -> str | None:
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(api.REQUESTED_AT_ANNOTATION)
    return None if value is None else str(value)


def update_passes(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """`GenerationChanged OR ReconcileRequested`: status-only updates and resyncs do not pass.

    The requestedAt annotation appearing or changing counts as a request; its removal does not.
    """
    if (old.get("metadata") or {}).get("generation") != (new.get("metadata") or {}).get("generation"):
        return True
    requested = _requested_at(new)
    return requested is not None and requested != _requested_at(old)


@dataclass(frozen=True)
class Requeue:
    """What the work queue does with a key after its reconcile.

    `after` seconds when set; `backoff` for a rate-limited retry; neither means no requeue.
    """

    after: float | None = None
    backoff: bool = False

    @property
    def forget(self) -> bool:
        """The failure count is reset (anything but a retry)."""
        return not self.backoff


NO_REQUEUE = Requeue()
RETRY = Requeue(backoff=True)


def requeue_for(result: Outcome) -> Requeue:
    """An error backs off; a positive `RequeueAfter` is honoured exactly; zero, Stalled and suspended stop.

    (An ImagePolicy without `Always` succeeds with `RequeueAfter: 0`: controller-runtime's "no requeue".)
    """
    if result.error is not None:
        return RETRY
    if result.requeue_after_ns:
        return Requeue(after=result.requeue_after_ns / NANOSECONDS)
    return NO_REQUEUE


def referenced_repository(policy: Mapping[str, Any]) -> tuple[str, str]:
    """`(namespace, name)` of the ImageRepository a policy reads (the controller's `.spec.imageRepository`).

    The reference's namespace defaults to the policy's own; a policy without a usable reference refers
    to `(<its namespace>, "")`, which no repository is.
    """
    from kubectl_imagerepo.model.acl import referenced_repository as reference

    found = reference(policy)
    if found is None:
        return str((policy.get("metadata") or {}).get("namespace") or ""), ""
    return found


def _revision(repo: Mapping[str, Any]) -> str | None:
    scan = (repo.get("status") or {}).get("lastScanResult")
    if not isinstance(scan, Mapping):
        return None
    return str(scan.get("revision") or "")


def revision_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """An ImageRepository update that concerns its policies: a scan result, new or with another revision.

    Ready/Stalled transitions, spec changes and scans finding the same tags do not (the controller's
    `imageRepositoryPredicate`).
    """
    revision = _revision(new)
    return revision is not None and revision != _revision(old)
