"""What `reconcile`, `suspend` and `resume` share: picking objects, the cluster sink, the cluster id."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.reconcile.events import EventRecord

CONTROLLER_MANAGER = "image-reflector-controller"


def select_objects(
    kube: Kube, namespace: str, names: Sequence[str], all_objects: bool, selector: str | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The objects named, or all of the namespace, or those matching `selector`; plus not-found names."""
    from kubectl_imagerepo.kube.client import ApiError

    if not names and not all_objects and not selector:
        raise InputError("ImageRepository name is required (or --all, or -l)")
    if names and (all_objects or selector):
        raise InputError("names cannot be combined with --all or -l")
    if not names:
        query = [("labelSelector", selector)] if selector else []
        return list(kube.list_all(kube.resource_path(namespace), query)["items"]), []
    found, missing = [], []
    for name in dict.fromkeys(names):
        try:
            found.append(kube.get(kube.resource_path(namespace, name)))
        except ApiError as failure:
            if not failure.not_found:
                raise
            missing.append(name)
    return found, missing


def cluster_id(kube: Kube) -> str:
    """The UID of `kube-system` when readable, else the API server's URL (spec 0.2 item 6)."""
    from kubectl_imagerepo.kube.client import ApiError

    try:
        return str(kube.get("/api/v1/namespaces/kube-system")["metadata"]["uid"])
    except (ApiError, KeyError, TypeError):
        return kube.cluster.server


def controller_also_writing(obj: Mapping[str, Any], now: datetime) -> bool:
    """The in-cluster controller wrote this status within its interval: it is alive (spec 0.1)."""
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
    """Statuses and events go to the API server; an event that cannot be written is a warning."""

    def __init__(self, kube: Kube) -> None:
        self.kube = kube
        self._warned = False
        self._lock = threading.Lock()

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        from kubectl_imagerepo.reconcile.status_patch import write_status

        return write_status(self.kube, obj, status)

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        from kubectl_imagerepo.kube.client import ApiError
        from kubectl_imagerepo.output.fluxlog import say
        from kubectl_imagerepo.reconcile.events import record_event

        try:
            record_event(self.kube, obj, event, datetime.now(UTC))
        except ApiError as failure:
            with self._lock:
                if not self._warned:
                    self._warned = True
                    say("warning", f"events not recorded: {failure.message}")


def requested_at_now() -> str:
    """A `reconcile.fluxcd.io/requestedAt` value: local time, RFC 3339 with nanoseconds, as Flux writes."""
    nanoseconds = time.time_ns()
    moment = datetime.fromtimestamp(nanoseconds // 1_000_000_000).astimezone()
    fraction = f"{nanoseconds % 1_000_000_000:09d}".rstrip("0")
    offset = moment.strftime("%z")
    zone = "Z" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + zone


def annotate_requested(kube: Kube, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Set the requestedAt annotation to now (a merge patch, as Flux sends it); return the object."""
    meta = obj["metadata"]
    updated: dict[str, Any] = kube.patch(
        kube.resource_path(meta["namespace"], meta["name"]),
        {"metadata": {"annotations": {api.REQUESTED_AT_ANNOTATION: requested_at_now()}}},
        query=[("fieldManager", api.FIELD_MANAGER)],
    )
    return updated


def set_suspend(
    kube: Kube, namespace: str, objects: Sequence[Mapping[str, Any]], suspend: bool
) -> tuple[list[dict[str, Any]], bool]:
    """Suspend (or resume: remove `spec.suspend`) each object with Flux's lines; (patched, any failed)."""
    from kubectl_imagerepo.model.errors import CommandError
    from kubectl_imagerepo.output.fluxlog import say

    doing, done = ("suspending", "suspended") if suspend else ("resuming", "resumed")
    patched: list[dict[str, Any]] = []
    failed = False
    for obj in objects:
        name = obj["metadata"]["name"]
        say("action", f"{doing} image repository {name} in {namespace} namespace")
        try:
            patched.append(
                kube.patch(
                    kube.resource_path(namespace, name),
                    {"spec": {"suspend": True if suspend else None}},
                    query=[("fieldManager", api.FIELD_MANAGER)],
                )
            )
        except CommandError as failure:
            reason = getattr(failure, "message", str(failure))
            say("failure", f"failed {doing} {api.KIND} {name} in {namespace} namespace: {reason}")
            failed = True
            continue
        say("success", f"image repository {done}")
    return patched, failed
