"""A typed, read-only view of an ImageRepository object as the API server returns it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.fluxobject import (
    Condition,
    ConditionedObject,
    FieldReader,
    object_label,
    qualified,
)

GENERIC_PROVIDER = "generic"
CLOUD_PROVIDERS = ("aws", "azure", "gcp")
MIN_TIMEOUT_NS = 1_000_000_000


@dataclass(frozen=True)
class ScanResult:
    """`status.lastScanResult`: what the last successful scan found."""

    tag_count: int
    scan_time: str | None
    latest_tags: tuple[str, ...] = ()
    revision: str = ""


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
            access_from=_access_from(reader, spec),
            observed_generation=reader.integer(status, "status.observedGeneration") or 0,
            canonical_image_name=reader.string(status, "status.canonicalImageName"),
            last_scan_result=None if scan is None else _scan_result(reader, scan),
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
        from kubectl_imagerepo.gocompat.ages import parse_time

        try:
            scanned = parse_time(scan.scan_time)
        except ValueError as error:
            raise InputError(f"{self.title}: status.lastScanResult.scanTime: {error}") from None
        return scanned if scanned.tzinfo else scanned.replace(tzinfo=UTC)

    def _duration(self, text: str, field: str) -> int:
        from kubectl_imagerepo.gocompat.durations import parse_go_duration

        try:
            return parse_go_duration(text)
        except ValueError as error:
            raise InputError(f"{self.title}: {field}: {error}") from None


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


def _access_from(reader: FieldReader, spec: Mapping[str, Any]) -> dict[str, Any] | None:
    found = reader.optional_mapping(spec, "spec.accessFrom")
    if found is None:
        return None
    path = "spec.accessFrom.namespaceSelectors"
    selectors = reader.sequence(found, path) or []
    for index, selector in enumerate(selectors):
        if not isinstance(selector, Mapping):
            raise reader.wrong(f"{path}[{index}]", "an object", selector)
        reader.string_map(selector, f"{path}[{index}].matchLabels")
    return dict(found)


def _scan_result(reader: FieldReader, scan: Mapping[str, Any]) -> ScanResult:
    path = "status.lastScanResult"
    return ScanResult(
        tag_count=reader.integer(scan, f"{path}.tagCount") or 0,
        scan_time=reader.string(scan, f"{path}.scanTime"),
        latest_tags=reader.string_list(scan, f"{path}.latestTags") or (),
        revision=reader.string(scan, f"{path}.revision") or "",
    )
