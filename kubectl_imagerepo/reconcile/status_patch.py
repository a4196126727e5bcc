"""Writing an ImageRepository's status without losing anyone else's change.

Every write is a JSON merge patch to the status subresource carrying the object's
`resourceVersion`, so a concurrent writer makes it fail with 409 instead of being overwritten.
On 409 the object is read again: when its generation or its `requestedAt` annotation moved on,
another reconcile of a newer request owns the status and this write is dropped; otherwise the
patch is rebuilt against what is there now, after a short random pause that grows with each
conflict, so that writers changing the object all the time (labels, say) do not starve it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import Kube

MAX_CONFLICT_RETRIES = 12
#: The longest pause before re-reading after a conflict, in seconds (10 ms doubling up to this).
MAX_CONFLICT_PAUSE = 1.0


def merge_patch(current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON merge patch (RFC 7386) that turns `current` into `desired`.

    Keys to drop are sent as null; lists are replaced whole, as merge patch does.
    """
    patch: dict[str, Any] = {}
    for key in current.keys() - desired.keys():
        patch[key] = None
    for key, value in desired.items():
        old = current.get(key)
        if isinstance(value, Mapping) and isinstance(old, Mapping):
            nested = merge_patch(old, value)
            if nested:
                patch[key] = nested
        elif old != value or key not in current:
            patch[key] = value
    return patch


def superseded(reconciled: Mapping[str, Any], fresh: Mapping[str, Any]) -> bool:
    """Whether `fresh` asks for a newer reconcile than the one that produced our status."""
    old, new = reconciled.get("metadata") or {}, fresh.get("metadata") or {}
    requested = api.REQUESTED_AT_ANNOTATION
    return old.get("generation") != new.get("generation") or (old.get("annotations") or {}).get(
        requested
    ) != (new.get("annotations") or {}).get(requested)


def write_status(kube: Kube, obj: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """Make the object's status equal `desired`; returns the object as stored afterwards.

    A write superseded by a newer request (see `superseded`) is dropped and the stored object
    returned as it is.
    """
    from kubectl_imagerepo.kube.client import ApiError

    meta = obj["metadata"]
    path = kube.resource_path(meta["namespace"], meta["name"], subresource="status")
    current = obj
    for attempt in range(MAX_CONFLICT_RETRIES):
        patch = merge_patch(current.get("status") or {}, desired)
        if not patch:
            return dict(current)
        body = {"metadata": {"resourceVersion": current["metadata"]["resourceVersion"]}, "status": patch}
        try:
            updated: dict[str, Any] = kube.patch(path, body, query=[("fieldManager", api.FIELD_MANAGER)])
            return updated
        except ApiError as failure:
            if not failure.conflict:
                raise
        time.sleep(random.uniform(0, min(MAX_CONFLICT_PAUSE, 0.01 * 2**attempt)))
        current = kube.get(kube.resource_path(meta["namespace"], meta["name"]))
        if superseded(obj, current):
            return dict(current)
    raise ApiError(409, "Conflict", f"status of {meta['namespace']}/{meta['name']} kept changing; gave up")
