"""What the views of Flux objects share: conditions, their kstatus reading, naming, the field reader.

model/imagerepository.py and model/imagepolicy.py each hold their kind; both read their JSON with
`FieldReader`, so a wrong field type is the same one-line error naming the object and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError

READY = "Ready"
RECONCILING = "Reconciling"
STALLED = "Stalled"


@dataclass(frozen=True)
class Condition:
    """One entry of `status.conditions` (a `metav1.Condition`).

    Missing string fields read as `""`; the timestamp stays the API server's RFC 3339 text.
    """

    type: str
    status: str
    reason: str
    message: str
    last_transition_time: str | None = None
    observed_generation: int | None = None


class ConditionedObject:
    """What the views of Flux objects share: conditions and the requested-reconcile annotation."""

    annotations: Mapping[str, str]
    conditions: tuple[Condition, ...]

    def condition(self, type: str) -> Condition | None:
        """The condition of that type, or None when the status has none."""
        return find_condition(self.conditions, type)

    @property
    def ready(self) -> Condition | None:
        """The `Ready` condition, or None."""
        return self.condition(READY)

    @property
    def requested_at(self) -> str | None:
        """The `reconcile.fluxcd.io/requestedAt` annotation's value, or None."""
        return self.annotations.get(api.REQUESTED_AT_ANNOTATION)


def find_condition(conditions: Iterable[Condition], type: str) -> Condition | None:
    """The first condition of that type, or None."""
    return next((c for c in conditions if c.type == type), None)


def _status_of(conditions: Iterable[Condition], type: str) -> str:
    found = find_condition(conditions, type)
    return found.status if found is not None else "Unknown"


def is_ready(conditions: Iterable[Condition]) -> bool:
    """kstatus `IsReady`: Ready=True while neither Stalled nor Reconciling is True."""
    conditions = tuple(conditions)
    return (
        _status_of(conditions, READY) == "True"
        and _status_of(conditions, STALLED) != "True"
        and _status_of(conditions, RECONCILING) != "True"
    )


def is_stalled(conditions: Iterable[Condition]) -> bool:
    """kstatus `IsStalled`: Stalled=True and Reconciling not True."""
    conditions = tuple(conditions)
    return _status_of(conditions, STALLED) == "True" and _status_of(conditions, RECONCILING) != "True"


def is_reconciling(conditions: Iterable[Condition]) -> bool:
    """kstatus `IsReconciling`: Reconciling=True and Stalled not True."""
    conditions = tuple(conditions)
    return _status_of(conditions, RECONCILING) == "True" and _status_of(conditions, STALLED) != "True"


def qualified(namespace: str, name: str) -> str:
    """`namespace/name`, or the bare name outside a namespace."""
    return f"{namespace}/{name}" if namespace else name


def object_label(obj: object, kind: str = api.KIND) -> str:
    """Name the object for error messages from whatever of its metadata is readable."""
    name = namespace = ""
    metadata = obj.get("metadata") if isinstance(obj, Mapping) else None
    if isinstance(metadata, Mapping):
        raw_name, raw_namespace = metadata.get("name"), metadata.get("namespace")
        name = raw_name if isinstance(raw_name, str) else ""
        namespace = raw_namespace if isinstance(raw_namespace, str) else ""
    return f"{kind} {qualified(namespace, name or '<unnamed>')}"


def _shown(value: object) -> str:
    """A JSON value as the error message shows it: compact and on one line."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=repr)
    except ValueError:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _key(path: str) -> str:
    """The last key of a dotted field path: `spec.secretRef.name` -> `name`."""
    return path.rpartition(".")[2]


class FieldReader:
    """Reads typed fields out of JSON objects; wrong types become `InputError`s naming the field."""

    def __init__(self, label: str) -> None:
        self.label = label

    def wrong(self, path: str, expected: str, value: object) -> InputError:
        where = f"{path}: " if path else ""
        return InputError(f"{self.label}: {where}expected {expected}, got {_shown(value)}")

    def optional_mapping(self, parent: Mapping[str, Any], path: str) -> Mapping[str, Any] | None:
        value = parent.get(_key(path))
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.wrong(path, "an object", value)
        return value

    def mapping(self, parent: Mapping[str, Any], path: str) -> Mapping[str, Any]:
        found = self.optional_mapping(parent, path)
        return {} if found is None else found

    def string(self, parent: Mapping[str, Any], path: str) -> str | None:
        value = parent.get(_key(path))
        if value is not None and not isinstance(value, str):
            raise self.wrong(path, "a string", value)
        return value

    def integer(self, parent: Mapping[str, Any], path: str) -> int | None:
        value = parent.get(_key(path))
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.wrong(path, "an integer", value)
        return value

    def boolean(self, parent: Mapping[str, Any], path: str) -> bool | None:
        value = parent.get(_key(path))
        if value is not None and not isinstance(value, bool):
            raise self.wrong(path, "a boolean", value)
        return value

    def sequence(self, parent: Mapping[str, Any], path: str) -> list[Any] | None:
        value = parent.get(_key(path))
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            raise self.wrong(path, "a list", value)
        return list(value)

    def string_list(self, parent: Mapping[str, Any], path: str) -> tuple[str, ...] | None:
        items = self.sequence(parent, path)
        if items is None:
            return None
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise self.wrong(f"{path}[{index}]", "a string", item)
        return tuple(items)

    def object_meta(self, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """The metadata fields both views hold, by their field names, with Go's zero values."""
        return {
            "name": self.string(metadata, "metadata.name") or "",
            "namespace": self.string(metadata, "metadata.namespace") or "",
            "uid": self.string(metadata, "metadata.uid"),
            "generation": self.integer(metadata, "metadata.generation") or 0,
            "creation_timestamp": self.string(metadata, "metadata.creationTimestamp"),
            "labels": self.string_map(metadata, "metadata.labels"),
            "annotations": self.string_map(metadata, "metadata.annotations"),
        }

    def string_map(self, parent: Mapping[str, Any], path: str) -> dict[str, str]:
        found = self.mapping(parent, path)
        for name, value in found.items():
            if not isinstance(value, str):
                raise self.wrong(f"{path}[{_shown(name)}]", "a string", value)
        return dict(found)

    def reference(self, parent: Mapping[str, Any], path: str) -> str | None:
        found = self.optional_mapping(parent, path)
        if found is None:
            return None
        return self.string(found, f"{path}.name") or ""

    def conditions(self, status: Mapping[str, Any]) -> tuple[Condition, ...]:
        items = self.sequence(status, "status.conditions") or []
        result = []
        for index, item in enumerate(items):
            path = f"status.conditions[{index}]"
            if not isinstance(item, Mapping):
                raise self.wrong(path, "an object", item)
            result.append(
                Condition(
                    type=self.string(item, f"{path}.type") or "",
                    status=self.string(item, f"{path}.status") or "",
                    reason=self.string(item, f"{path}.reason") or "",
                    message=self.string(item, f"{path}.message") or "",
                    last_transition_time=self.string(item, f"{path}.lastTransitionTime"),
                    observed_generation=self.integer(item, f"{path}.observedGeneration"),
                )
            )
        return tuple(result)
