"""What both reconcilers share about how a reconcile ends: where statuses go, failures, the exit's input.

A reconcile's body raises `Failure` (a reason and Ready's message) or `WriteFailed` (a status write in
the middle failed), or returns an `Ending`; the reconciler's one exit finalises the conditions from it.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from kubectl_imagerepo.model import conditions as cond
from kubectl_imagerepo.reconcile.events import EventRecord
from kubectl_imagerepo.reconcile.status_patch import superseded

T = TypeVar("T")
logger = logging.getLogger(__name__)

#: How an exception nobody raised on purpose is told in Ready's message: `<type>: <first line>`.
UNEXPECTED_ERROR = "{kind}: {detail}"
SUSPENDED_RESULT_MESSAGE = "resource is suspended"


class StatusSink(Protocol):
    """Where statuses and events go: the cluster, or the printed result of `reconcile -f`."""

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        """Make the object's status equal `status`; return the object as stored."""

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        """Record an event about the object."""


class Failure(Exception):
    """A reconcile error: the text becomes Ready's message with `reason`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class ImplicitFailure(Exception):
    """An error that leaves Ready to the exit, which makes it `Failed` with this text (Flux's finaliser)."""


class WriteFailed(Exception):
    """A status write in the middle of the reconcile failed with `error`."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Step:
    """A stretch of the reconcile, and what a failure in it sets Ready to: a reason, a message template."""

    reason: str
    message: str

    def failure(self, error: object) -> Failure:
        return Failure(self.reason, self.message.format(error=error))


#: Outside any named step: Flux's `ResultFinalizer` wording for an error no step names (`Failed`).
GENERAL = Step(cond.FAILED_REASON, "{error}")


@dataclass(frozen=True)
class Ending:
    """How the reconcile's body ended, for the exit: the error, the requeue, the Trace event's message."""

    error: str | None
    requeue_after_ns: int | None
    success_after_ns: int
    next_msg: str


def describe_unexpected(error: BaseException) -> str:
    """One line about an error nobody raised on purpose: the type and the first line of its text.

    The plugin's own errors (`CommandError`) are already worded for people: their text alone.
    """
    from kubectl_imagerepo.model.errors import CommandError

    lines = str(error).strip().splitlines()
    detail = lines[0] if lines else ""
    if isinstance(error, CommandError):
        return detail.removeprefix("error: ") or type(error).__name__
    kind = type(error).__name__
    return UNEXPECTED_ERROR.format(kind=kind, detail=detail) if detail else kind


class ExitingReconcile:
    """The status a reconcile builds, its writes, and its one exit.

    Subclasses set `obj`, `sink`, `status` and `conditions`, and run their body through `exit_through`.
    """

    obj: dict[str, Any]
    sink: StatusSink
    status: dict[str, Any]
    conditions: cond.Conditions
    superseded: bool = False

    @property
    def generation(self) -> int:
        """The object's `metadata.generation`."""
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    def interval_ns(self) -> int:
        """The interval a success requeues after (`InputError` when it cannot be read)."""
        raise NotImplementedError

    def interval_or_zero(self) -> int:
        """`interval_ns()`, or 0 when it cannot be read (the failure says why elsewhere)."""
        from kubectl_imagerepo.model.errors import InputError

        try:
            return self.interval_ns()
        except InputError:
            return 0

    def set_ready_false(self, reason: str, message: str) -> None:
        self.conditions = cond.set_condition(
            self.conditions, cond.READY, cond.FALSE, reason, message, self.generation, self.now()
        )

    def failed(self, failure: Failure) -> Ending:
        """Ready=False with the failure's reason and message; the error goes to the exit (a backoff)."""
        self.set_ready_false(failure.reason, failure.message)
        return self.ended(failure.message)

    def ended(self, error: str) -> Ending:
        """A failed ending, retried with backoff; a Ready not set False yet becomes `Failed` at the exit."""
        return Ending(
            error=error, requeue_after_ns=None, success_after_ns=self.interval_or_zero(), next_msg=""
        )

    #: Statuses written while held, in order; None when writes go straight to the sink.
    held: list[dict[str, Any]] | None = None

    def hold_writes(self) -> None:
        """Keep the statuses written from now on until the exit (see `exit_through`).

        A reconcile run as the caller holds them: a refusal of the caller's own reads must leave the
        object as it was (docs/behaviour.md, The caller's own rights).
        """
        self.held = []

    def release_writes(self) -> None:
        """Write the held statuses, in order, and stop holding."""
        held, self.held = self.held, None
        for status in held or ():
            self._write(status)

    def patch(self) -> None:
        """Write the status as it stands; nothing more once a newer request has taken the object over."""
        if self.superseded:
            return
        self.status["conditions"] = cond.to_json(self.conditions)
        if self.held is not None:
            self.held.append(copy.deepcopy(self.status))
            return
        self._write(self.status)

    def _write(self, status: Mapping[str, Any]) -> None:
        if self.superseded:
            return
        written = self.sink.write_status(self.obj, status)
        if superseded(self.obj, written):
            self.superseded = True
        else:
            self.obj = written

    def patch_midway(self) -> None:
        """An intermediate status write; its failure ends the reconcile (Flux returns the patch error)."""
        try:
            self.patch()
        except Exception as failure:
            raise WriteFailed(failure) from failure

    def exit_through(
        self,
        body: Callable[[], Ending],
        *,
        failed: Callable[[Failure], Ending],
        ended: Callable[[str], Ending],
        unexpected: Callable[[Exception], Ending],
        finish: Callable[[Ending], T],
        where: Mapping[str, str],
        subject: str,
    ) -> T:
        """Run `body`, turn however it ended into an `Ending`, and `finish` with it, whatever happened.

        Only a status that cannot be written is raised: the first write failure, else the final one;
        and `CallerForbidden`, naming `subject`, with the held writes dropped: nothing was written.
        """
        from kubectl_imagerepo.model.errors import CallerForbidden

        write_failure: Exception | None = None
        try:
            ending = body()
        except CallerForbidden as refused:
            self.held = None
            raise refused.about(subject) from None
        except WriteFailed as failed_write:
            write_failure = failed_write.error
            ending = ended(describe_unexpected(failed_write.error))
        except Failure as failure:
            ending = failed(failure)
        except ImplicitFailure as failure:
            ending = ended(str(failure))
        except Exception as error:  # see docs/behaviour.md, Status, conditions and events
            logger.debug("reconcile failed unexpectedly", exc_info=error, extra=dict(where))
            ending = unexpected(error)
        try:
            self.release_writes()
            return finish(ending)
        except Exception as final:
            raise (write_failure or final) from None
