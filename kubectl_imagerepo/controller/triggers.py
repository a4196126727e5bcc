"""When `run` reconciles an object, and when it comes back to it (docs/behaviour.md, The controller: `run`).

Pure decisions: which watch events pass the controller's predicates, and what a reconcile's
result asks of the work queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.reconcile.reconciler import Result

NANOSECONDS = 1_000_000_000


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


def requeue_for(result: Result) -> Requeue:
    """An error backs off; `RequeueAfter` is honoured exactly; Stalled and suspended stop."""
    if result.error is not None:
        return RETRY
    if result.requeue_after_ns is not None:
        return Requeue(after=result.requeue_after_ns / NANOSECONDS)
    return NO_REQUEUE
