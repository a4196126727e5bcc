"""Writing an ImageRepository's status without losing anyone else's change.

Every write is a JSON patch (RFC 6902) to the status subresource: `test` operations on what the
reconcile depended on (the status it read, `metadata.generation`, and the `requestedAt` annotation
when there is one), then one `add` of the whole new status. Labels, other annotations or anything else
of the object may change meanwhile without costing the write anything; a change of the status itself
(another reconcile) fails a `test`, which the API server answers with 422. Then the object is read
again: when its generation or its `requestedAt` annotation moved on, another reconcile of a newer
request owns the status and this write is dropped; otherwise the patch is rebuilt against what is
there now, after a short random pause that grows with each failure.

The API server compares a tested value with the object's JSON byte for byte, as Go's encoding/json
spells it, so the patch is sent spelled that way (`go_json`). A status Go would spell otherwise (a
float) is guarded by `resourceVersion` instead: a JSON merge patch, which any change of the object
makes a 409 conflict. See docs/behaviour.md, Status, conditions and events.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.gocompat.jsonenc import marshal
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.kube.client import ApiError, Kube

MAX_CONFLICT_RETRIES = 12
#: The longest pause before re-reading after a conflict, in seconds (10 ms doubling up to this).
MAX_CONFLICT_PAUSE = 1.0
JSON_PATCH = "application/json-patch+json"
#: What the API server says when a JSON patch does not apply (a failed `test`): 422, reason Invalid.
PATCH_NOT_APPLIED = "the server rejected our request due to an error in our request"
#: What Go's encoding/json escapes in strings beyond what JSON requires (HTML characters, JS line ends).


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


def pointer(*parts: str) -> str:
    """The JSON pointer (RFC 6901) to `parts`: `~` and `/` escaped."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def go_json(value: Any) -> str:
    """`value` as JSON spelled as Go's encoding/json spells it, which a JSON patch `test` compares.

    The one Go JSON encoder (`gocompat.jsonenc`) writes it. Raises ValueError for a float: the
    stored value may be spelled otherwise, so no `test` of it could be trusted.
    """
    _refuse_floats(value)
    return marshal(value)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError(f"a float ({value!r}) has no single JSON spelling")
    if isinstance(value, Mapping):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_floats(item)


def guarded_patch(read: Mapping[str, Any], desired: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The JSON patch that writes `desired` as the status only if what `read` showed is still there.

    It tests the status (null when `read` had none, which the API server takes for "absent"),
    `metadata.generation` and the `requestedAt` annotation when `read` has them, then adds the whole
    status.
    """
    meta = read.get("metadata") or {}
    checks: list[tuple[str, Any]] = []
    if "generation" in meta:
        checks.append((pointer("metadata", "generation"), meta["generation"]))
    requested = (meta.get("annotations") or {}).get(api.REQUESTED_AT_ANNOTATION)
    if requested is not None:
        checks.append((pointer("metadata", "annotations", api.REQUESTED_AT_ANNOTATION), requested))
    checks.append((pointer("status"), read.get("status")))
    operations = [{"op": "test", "path": path, "value": value} for path, value in checks]
    return [*operations, {"op": "add", "path": pointer("status"), "value": dict(desired)}]


def guard_failed(failure: ApiError) -> bool:
    """The write lost a race: a 409 conflict, or a 422 whose patch did not apply (a failed `test`)."""
    if failure.conflict:
        return True
    return failure.status == 422 and failure.message.startswith(PATCH_NOT_APPLIED)


def write_status(kube: Kube, obj: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """Make the object's status equal `desired`; returns the object as stored afterwards.

    A write superseded by a newer request (see `superseded`) is dropped and the stored object
    returned as it is.
    """
    from kubectl_imagerepo.kube.client import ApiError

    meta = obj["metadata"]
    plural = api.plural_of(obj)
    path = kube.resource_path(meta["namespace"], meta["name"], subresource="status", plural=plural)
    current = obj
    for attempt in range(MAX_CONFLICT_RETRIES):
        if not merge_patch(current.get("status") or {}, desired):
            return dict(current)
        try:
            return _patch(kube, path, current, desired)
        except ApiError as failure:
            if not guard_failed(failure):
                raise
        time.sleep(random.uniform(0, min(MAX_CONFLICT_PAUSE, 0.01 * 2**attempt)))
        current = kube.get(kube.resource_path(meta["namespace"], meta["name"], plural=plural))
        if superseded(obj, current):
            return dict(current)
    raise ApiError(409, "Conflict", f"status of {meta['namespace']}/{meta['name']} kept changing; gave up")


def _patch(kube: Kube, path: str, current: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """One guarded write: the JSON patch, or a merge patch carrying resourceVersion when it cannot be."""
    query = [("fieldManager", api.FIELD_MANAGER)]
    updated: dict[str, Any]
    try:
        body = go_json(guarded_patch(current, desired)).encode()
    except ValueError:  # a float, or text that is no UTF-8: see the module's docstring
        fallback = {
            "metadata": {"resourceVersion": current["metadata"]["resourceVersion"]},
            "status": merge_patch(current.get("status") or {}, desired),
        }
        updated = kube.patch(path, fallback, query=query)
    else:
        updated = kube.patch(path, body, content_type=JSON_PATCH, query=query)
    return updated
