"""Reconciling against a cluster: the status and event sink, the in-cluster controller.

Nothing here prints: a sink reports an event it could not write through the `warn` it was given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.reconcile.events import EventRecord

CONTROLLER_MANAGER = "image-reflector-controller"


def controller_also_writing(obj: Mapping[str, Any], now: datetime) -> bool:
    """The in-cluster controller wrote this status within its interval: it is alive.

    See docs/behaviour.md, Deviations from the controller.
    """
    from kubectl_imagerepo.gocompat.ages import parse_time
    from kubectl_imagerepo.gocompat.durations import parse_go_duration

    try:
        interval = timedelta(microseconds=parse_go_duration(str(obj["spec"]["interval"])) / 1000)
    except (KeyError, ValueError, TypeError):
        return False
    for entry in (obj.get("metadata") or {}).get("managedFields") or []:
        if entry.get("manager") == CONTROLLER_MANAGER and entry.get("subresource") == "status":
            try:
                written = parse_time(str(entry.get("time")))
            except ValueError:
                continue
            if now - written <= max(interval, timedelta(seconds=1)):
                return True
    return False


class ClusterSink:
    """Statuses and events go to the API server; the first event that cannot be written is a warning.

    `warn` gets `events not recorded: <reason>`, once per sink.
    """

    def __init__(self, kube: Kube, warn: Callable[[str], None]) -> None:
        self.kube = kube
        self.warn = warn
        self._warned = False
        self._lock = threading.Lock()

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        from kubectl_imagerepo.reconcile.status_patch import write_status

        return write_status(self.kube, obj, status)

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.reconcile.events import record_event

        try:
            record_event(self.kube, obj, event, datetime.now(UTC))
        except ApiError as failure:
            with self._lock:
                first, self._warned = not self._warned, True
            if first:
                self.warn(f"events not recorded: {failure.message}")
