"""A typed, read-only view of an ImageRepository object as the API server returns it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kubectl_imagerepo.gocompat.ages import parse_time
from kubectl_imagerepo.gocompat.durations import parse_go_duration
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError

GENERIC_PROVIDER = "generic"
CLOUD_PROVIDERS = ("aws", "azure", "gcp")
MIN_TIMEOUT_NS = 1_000_000_000

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


@dataclass(frozen=True)
class ScanResult:
    """`status.lastScanResult`: what the last successful scan found."""

    tag_count: int
    scan_time: str | None
    latest_tags: tuple[str, ...] = ()
    revision: str = ""


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


@dataclass(frozen=True)
class ImageRepository(ConditionedObject):
    """An ImageRepository object, with its spec and status fields typed but not interpreted.

    Spec values are kept raw (`interval` is the string the user wrote, `provider` may be `""`);
    the `effective_*` methods apply the controller's defaults. Build one with `from_dict()`.
    """

    name: str
    namespace: str
    uid: str | None
    generation: int
    creation_timestamp: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    # spec
    image: str
    interval: str
    timeout: str | None
    suspend: bool
    exclusion_list: tuple[str, ...] | None
    provider: str
    secret_ref: str | None
    cert_secret_ref: str | None
    proxy_secret_ref: str | None
    service_account_name: str | None
    insecure: bool
    access_from: Mapping[str, Any] | None
    # status
    observed_generation: int
    canonical_image_name: str | None
    last_scan_result: ScanResult | None
    observed_exclusion_list: tuple[str, ...] | None
    last_handled_reconcile_at: str | None
    conditions: tuple[Condition, ...]
    raw: Mapping[str, Any]

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> ImageRepository:
        """Read an object as returned by the API server (or loaded from a manifest).

        Missing fields take their Go zero values: a missing `status` (or the CRD default
        `{"observedGeneration": -1}`) gives no conditions and no scan result, and a missing
        `status.observedGeneration` reads as 0. JSON `null` counts as missing.

        Args:
            obj: The decoded JSON object.

        Returns:
            The typed view; `raw` is `obj` itself.

        Raises:
            InputError: A field has the wrong JSON type. The one-line message names the object and
                the field, e.g. `ImageRepository ns/name: spec.interval: expected a string, got 5`.
        """
        reader = FieldReader(object_label(obj))
        if not isinstance(obj, Mapping):
            raise reader.wrong("", "an object", obj)
        metadata = reader.mapping(obj, "metadata")
        spec = reader.mapping(obj, "spec")
        status = reader.mapping(obj, "status")
        scan = reader.optional_mapping(status, "status.lastScanResult")
        return cls(
            **reader.object_meta(metadata),
            image=reader.string(spec, "spec.image") or "",
            interval=reader.string(spec, "spec.interval") or "",
            timeout=reader.string(spec, "spec.timeout"),
            suspend=reader.boolean(spec, "spec.suspend") or False,
            exclusion_list=reader.string_list(spec, "spec.exclusionList"),
            provider=reader.string(spec, "spec.provider") or "",
            secret_ref=reader.reference(spec, "spec.secretRef"),
            cert_secret_ref=reader.reference(spec, "spec.certSecretRef"),
            proxy_secret_ref=reader.reference(spec, "spec.proxySecretRef"),
            service_account_name=reader.string(spec, "spec.serviceAccountName"),
            insecure=reader.boolean(spec, "spec.insecure") or False,
            access_from=reader.access_from(spec),
            observed_generation=reader.integer(status, "status.observedGeneration") or 0,
            canonical_image_name=reader.string(status, "status.canonicalImageName"),
            last_scan_result=None if scan is None else reader.scan_result(scan),
            observed_exclusion_list=reader.string_list(status, "status.observedExclusionList"),
            last_handled_reconcile_at=reader.string(status, "status.lastHandledReconcileAt"),
            conditions=reader.conditions(status),
            raw=obj,
        )

    @property
    def title(self) -> str:
        """`ImageRepository <namespace>/<name>`, as error messages name the object."""
        return f"{api.KIND} {qualified(self.namespace, self.name)}"

    def effective_exclusion_list(self) -> tuple[str, ...]:
        """`GetExclusionList()`: `spec.exclusionList` when non-empty, else `^.*\\.sig$`."""
        return self.exclusion_list if self.exclusion_list else api.DEFAULT_EXCLUSION_LIST

    def effective_provider(self) -> str:
        """`GetProvider()`: `spec.provider`, or `generic` when empty."""
        return self.provider or GENERIC_PROVIDER

    def interval_ns(self) -> int:
        """`spec.interval` in nanoseconds.

        Raises:
            InputError: The interval is not a Go duration (`time: invalid duration "5x"`).
        """
        return self._duration(self.interval, "spec.interval")

    def effective_timeout_ns(self) -> int:
        """`GetTimeout()`: `spec.timeout`, else `spec.interval`, but at least 1s; in nanoseconds.

        Raises:
            InputError: The duration used is not a Go duration; the message names its field.
        """
        if self.timeout is not None:
            timeout = self._duration(self.timeout, "spec.timeout")
        else:
            timeout = self.interval_ns()
        return max(timeout, MIN_TIMEOUT_NS)

    def next_scan_time(self) -> datetime | None:
        """When the interval since the last scan elapses: `scanTime + interval`.

        Returns:
            The time, or None when the object never scanned or is suspended.

        Raises:
            InputError: `spec.interval` or `status.lastScanResult.scanTime` cannot be parsed.
        """
        if self.suspend:
            return None
        scanned = self.last_scan_time()
        if scanned is None:
            return None
        return scanned + timedelta(microseconds=self.interval_ns() // 1000)

    def last_scan_time(self) -> datetime | None:
        """`status.lastScanResult.scanTime` as a datetime, or None when never scanned.

        Raises:
            InputError: The timestamp is not RFC 3339.
        """
        scan = self.last_scan_result
        if scan is None or not scan.scan_time:
            return None
        try:
            scanned = parse_time(scan.scan_time)
        except ValueError as error:
            raise InputError(f"{self.title}: status.lastScanResult.scanTime: {error}") from None
        return scanned if scanned.tzinfo else scanned.replace(tzinfo=UTC)

    def _duration(self, text: str, field: str) -> int:
        try:
            return parse_go_duration(text)
        except ValueError as error:
            raise InputError(f"{self.title}: {field}: {error}") from None


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


def credentials_source(repo: ImageRepository) -> str:
    """Name the registry credentials a scan of `repo` would use, never their content.

    The order is the controller's: a cloud provider wins over everything else (then `secretRef`
    and the ServiceAccount's pull secrets are ignored); otherwise the `secretRef` Secret and the
    `serviceAccountName`'s `imagePullSecrets`, in that order; otherwise anonymous access.

    Returns:
        For instance `provider aws (ambient credentials)`,
        `provider gcp (workload identity of ServiceAccount ns/sa)`, `Secret ns/regcred`,
        `Secret ns/regcred, then imagePullSecrets of ServiceAccount ns/sa`, or `anonymous`.
    """
    ns = repo.namespace
    provider = repo.effective_provider()
    if provider != GENERIC_PROVIDER:
        if provider not in CLOUD_PROVIDERS:
            return f"provider '{provider}' not implemented"
        if repo.service_account_name:
            identity = f"workload identity of ServiceAccount {qualified(ns, repo.service_account_name)}"
        else:
            identity = "ambient credentials"
        ignored = "; spec.secretRef is ignored" if repo.secret_ref is not None else ""
        return f"provider {provider} ({identity}{ignored})"
    sources = []
    if repo.secret_ref is not None:
        sources.append(f"Secret {qualified(ns, repo.secret_ref)}")
    if repo.service_account_name:
        sources.append(f"imagePullSecrets of ServiceAccount {qualified(ns, repo.service_account_name)}")
    return ", then ".join(sources) if sources else "anonymous"


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

    def access_from(self, spec: Mapping[str, Any]) -> dict[str, Any] | None:
        found = self.optional_mapping(spec, "spec.accessFrom")
        if found is None:
            return None
        path = "spec.accessFrom.namespaceSelectors"
        selectors = self.sequence(found, path) or []
        for index, selector in enumerate(selectors):
            if not isinstance(selector, Mapping):
                raise self.wrong(f"{path}[{index}]", "an object", selector)
            self.string_map(selector, f"{path}[{index}].matchLabels")
        return dict(found)

    def scan_result(self, scan: Mapping[str, Any]) -> ScanResult:
        path = "status.lastScanResult"
        return ScanResult(
            tag_count=self.integer(scan, f"{path}.tagCount") or 0,
            scan_time=self.string(scan, f"{path}.scanTime"),
            latest_tags=self.string_list(scan, f"{path}.latestTags") or (),
            revision=self.string(scan, f"{path}.revision") or "",
        )

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
