"""Recording Kubernetes Events about an ImageRepository, as Flux's event recorder does.

Events are core/v1 Events (what `kubectl describe` and `flux events` read) from the component
`kubectl-imagerepo`. Flux's `Trace` type is recorded as `Normal`. A repeat of the same event bumps
the existing Event's count and last timestamp, as client-go's aggregation does.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube

ANNOTATION_PREFIX = "event.toolkit.fluxcd.io/"


@dataclass(frozen=True)
class EventRecord:
    """One event to record: type Normal, Warning or Trace; a reason; a message."""

    type: str
    reason: str
    message: str


def kubernetes_type(record: EventRecord) -> str:
    """The Event's `type`: Flux's Trace is recorded as Normal."""
    return "Normal" if record.type == "Trace" else record.type


def event_name(obj: Mapping[str, Any], record: EventRecord) -> str:
    """A stable name per (object, Event type, reason, message), so repeats aggregate into one Event.

    A Trace is recorded as Normal, so it aggregates with a Normal event of the same reason and message.
    """
    meta = obj.get("metadata") or {}
    kind = kubernetes_type(record)
    digest = hashlib.sha256(
        "\0".join([str(meta.get("uid") or ""), kind, record.reason, record.message]).encode()
    ).hexdigest()[:16]
    return f"{meta.get('name')}.{digest}"


def event_body(obj: Mapping[str, Any], record: EventRecord, now: datetime) -> dict[str, Any]:
    """The core/v1 Event for `record` about `obj`, first seen `now`."""
    meta = obj.get("metadata") or {}
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    annotations = {
        k: v for k, v in (meta.get("annotations") or {}).items() if k.startswith(ANNOTATION_PREFIX)
    }
    metadata: dict[str, Any] = {"name": event_name(obj, record), "namespace": meta.get("namespace")}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": metadata,
        "involvedObject": {
            "apiVersion": obj.get("apiVersion") or f"{api.GROUP}/{api.VERSIONS[0]}",
            "kind": api.kind_of(obj),
            "name": meta.get("name"),
            "namespace": meta.get("namespace"),
            "uid": meta.get("uid"),
            "resourceVersion": meta.get("resourceVersion"),
        },
        "reason": record.reason,
        "message": record.message,
        "type": kubernetes_type(record),
        "source": {"component": api.FIELD_MANAGER, "host": socket.gethostname()},
        "reportingComponent": api.FIELD_MANAGER,
        "reportingInstance": socket.gethostname()[:128],
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
    }


def record_event(kube: Kube, obj: Mapping[str, Any], record: EventRecord, now: datetime) -> None:
    """Create the Event, or count one more occurrence of an identical one."""
    from kubectl_imagerepo.kube.client import ApiError

    body = event_body(obj, record, now)
    namespace = body["metadata"]["namespace"]
    path = f"/api/v1/namespaces/{namespace}/events"
    try:
        kube.post(path, body)
        return
    except ApiError as failure:
        if failure.status != 409:
            raise
    existing = kube.get(f"{path}/{body['metadata']['name']}")
    kube.patch(
        f"{path}/{body['metadata']['name']}",
        {
            "count": int(existing.get("count") or 1) + 1,
            "lastTimestamp": body["lastTimestamp"],
            "metadata": {"resourceVersion": existing["metadata"]["resourceVersion"]},
        },
    )
