"""An ImageUpdateAutomation object (image.toolkit.fluxcd.io/v1), typed for reading only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo.model.errors import CommandError
from kubectl_imagerepo.model.fluxobject import Condition, ConditionedObject, FieldReader, object_label

KIND = "ImageUpdateAutomation"
PLURAL = "imageupdateautomations"
SINGULAR = "imageupdateautomation"
VERSIONS = ("v1",)
SETTERS_STRATEGY = "Setters"

#: The controller's errors (internal/policy/applier.go) when `spec.update` cannot be applied.
NO_UPDATE_STRATEGY = "no update strategy"
UNSUPPORTED_UPDATE_STRATEGY = "unsupported update strategy: {strategy}"


@dataclass(frozen=True)
class ImageUpdateAutomation(ConditionedObject):
    """The fields the update step and `get`/`describe` read."""

    name: str
    namespace: str
    uid: str | None
    generation: int
    creation_timestamp: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    source_kind: str
    source_name: str
    source_namespace: str
    checkout_branch: str
    push_branch: str
    update_strategy: str | None
    update_path: str
    policy_selector: Mapping[str, Any] | None
    interval: str | None
    suspend: bool
    last_automation_run_time: str | None
    last_push_commit: str | None
    last_push_time: str | None
    observed_policies: Mapping[str, Any]
    conditions: tuple[Condition, ...]
    raw: Mapping[str, Any]

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> ImageUpdateAutomation:
        """Read an object from the API server or a manifest; a wrong field type is an InputError."""
        reader = FieldReader(object_label(obj, KIND))
        if not isinstance(obj, Mapping):
            raise reader.wrong("", "an object", obj)
        metadata = reader.mapping(obj, "metadata")
        spec = reader.mapping(obj, "spec")
        status = reader.mapping(obj, "status")
        source = reader.mapping(spec, "spec.sourceRef")
        git = reader.mapping(spec, "spec.git")
        checkout = reader.mapping(git, "spec.git.checkout")
        checkout_ref = reader.mapping(checkout, "spec.git.checkout.ref")
        push = reader.mapping(git, "spec.git.push")
        update = reader.optional_mapping(spec, "spec.update")
        meta = reader.object_meta(metadata)
        return cls(
            **meta,
            source_kind=reader.string(source, "spec.sourceRef.kind") or "",
            source_name=reader.string(source, "spec.sourceRef.name") or "",
            source_namespace=reader.string(source, "spec.sourceRef.namespace") or meta["namespace"],
            checkout_branch=reader.string(checkout_ref, "spec.git.checkout.ref.branch") or "",
            push_branch=reader.string(push, "spec.git.push.branch") or "",
            update_strategy=None if update is None else reader.string(update, "spec.update.strategy") or "",
            update_path="" if update is None else reader.string(update, "spec.update.path") or "",
            policy_selector=reader.optional_mapping(spec, "spec.policySelector"),
            interval=reader.string(spec, "spec.interval"),
            suspend=reader.boolean(spec, "spec.suspend") or False,
            last_automation_run_time=reader.string(status, "status.lastAutomationRunTime"),
            last_push_commit=reader.string(status, "status.lastPushCommit"),
            last_push_time=reader.string(status, "status.lastPushTime"),
            observed_policies=reader.optional_mapping(status, "status.observedPolicies") or {},
            conditions=reader.conditions(status),
            raw=obj,
        )

    @property
    def title(self) -> str:
        return f"{KIND} {self.namespace}/{self.name}"

    def check_update(self) -> None:
        """ApplyPolicies' first checks: `spec.update` present, with the Setters strategy."""
        if self.update_strategy is None:
            raise CommandError(f"error: {self.title}: {NO_UPDATE_STRATEGY}")
        if self.update_strategy != SETTERS_STRATEGY:
            message = UNSUPPORTED_UPDATE_STRATEGY.format(strategy=self.update_strategy)
            raise CommandError(f"error: {self.title}: {message}")
