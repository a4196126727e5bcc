"""A typed, read-only view of an ImagePolicy object as the API server returns it.

The fields, their defaults and the API's constants; `inputs()` hands the selection settings to the
pure evaluation of model/policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubectl_imagerepo.gocompat.durations import parse_go_duration
from kubectl_imagerepo.model import api
from kubectl_imagerepo.model.conditions import (
    ACCESS_DENIED_REASON,
    DEPENDENCY_NOT_READY_REASON,
    FAILED_REASON,
    FEATURE_GATE_DISABLED_REASON,
    IMAGE_URL_INVALID_REASON,
    INTERVAL_NOT_CONFIGURED_REASON,
    PROGRESSING_REASON,
    PROGRESSING_WITH_RETRY_REASON,
    STATUS_FAILURE,
    SUCCEEDED_REASON,
)
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.fluxobject import (
    READY,
    RECONCILING,
    STALLED,
    Condition,
    ConditionedObject,
    FieldReader,
    object_label,
    qualified,
)
from kubectl_imagerepo.model.policy import inputs as policy_inputs

__all__ = [
    "ACCESS_DENIED_REASON",
    "ALWAYS",
    "DEFAULT_DIGEST_INTERVAL_NS",
    "DEFAULT_ORDER",
    "DEPENDENCY_NOT_READY_REASON",
    "DIGEST_REFLECTION_POLICIES",
    "FAILED_REASON",
    "FEATURE_GATE_DISABLED_REASON",
    "FINALIZER",
    "IF_NOT_PRESENT",
    "IMAGE_URL_INVALID_REASON",
    "INTERVAL_NOT_CONFIGURED_REASON",
    "INTERVAL_ONLY_WITH_ALWAYS_MESSAGE",
    "INTERVAL_REQUIRED_WITH_ALWAYS_MESSAGE",
    "INVALID_POLICY_REASON",
    "NEVER",
    "ORDERS",
    "ORDER_ASC",
    "ORDER_DESC",
    "OWNED_CONDITIONS",
    "PROGRESSING_REASON",
    "PROGRESSING_WITH_RETRY_REASON",
    "STATUS_FAILURE",
    "SUCCEEDED_REASON",
    "ImagePolicy",
    "ImageRef",
    "ObjectReference",
    "OrderPolicy",
    "PolicyChoice",
    "SemVerPolicy",
    "TagFilter",
]

# The finalizer the controller adds to every object it reconciles.
FINALIZER = "finalizers.fluxcd.io"
# The condition types the ImagePolicy reconciler owns, in the order the status lists them.
OWNED_CONDITIONS = (STALLED, RECONCILING, READY)
# A string literal in the controller, not one of the API's constants.
INVALID_POLICY_REASON = "InvalidPolicy"

# spec.digestReflectionPolicy
ALWAYS = "Always"
IF_NOT_PRESENT = "IfNotPresent"
NEVER = "Never"
DIGEST_REFLECTION_POLICIES = (ALWAYS, IF_NOT_PRESENT, NEVER)
# `GetInterval()` of an `Always` policy whose interval is missing or zero.
DEFAULT_DIGEST_INTERVAL_NS = 10 * 60 * 1_000_000_000

# spec.policy.alphabetical.order and spec.policy.numerical.order
ORDER_ASC = "asc"
ORDER_DESC = "desc"
ORDERS = (ORDER_ASC, ORDER_DESC)
DEFAULT_ORDER = ORDER_ASC

# The messages of the CRD's two validation rules on `spec`; the second is also the Stalled message
# when the rule was bypassed (reason IntervalNotConfigured).
INTERVAL_ONLY_WITH_ALWAYS_MESSAGE = (
    "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'"
)
INTERVAL_REQUIRED_WITH_ALWAYS_MESSAGE = (
    "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'"
)


@dataclass(frozen=True)
class ObjectReference:
    """`spec.imageRepositoryRef`: the ImageRepository's name, and its namespace when given."""

    name: str
    namespace: str | None = None


@dataclass(frozen=True)
class SemVerPolicy:
    """`spec.policy.semver`: pick the highest version within `range` (a Masterminds constraint)."""

    range: str


@dataclass(frozen=True)
class OrderPolicy:
    """`spec.policy.alphabetical` or `spec.policy.numerical`: `order` as written, `""` when missing."""

    order: str = ""

    def effective_order(self) -> str:
        """The CRD default: `order`, or `asc` when empty."""
        return self.order or DEFAULT_ORDER


@dataclass(frozen=True)
class PolicyChoice:
    """`spec.policy`: a union in which any number of members may be set, none included.

    Which one applies is the evaluation's decision, not the view's.
    """

    semver: SemVerPolicy | None = None
    alphabetical: OrderPolicy | None = None
    numerical: OrderPolicy | None = None


@dataclass(frozen=True)
class TagFilter:
    """`spec.filterTags`: the RE2 `pattern` a tag must match and the `extract` template, `""` when missing."""

    pattern: str = ""
    extract: str = ""


@dataclass(frozen=True)
class ImageRef:
    """`status.latestRef` or `status.observedPreviousRef`: the image as the repository names it, and a tag."""

    name: str
    tag: str
    digest: str = ""

    def __str__(self) -> str:
        """`ImageRef.String()`: `name:tag`, then `@digest` when there is one."""
        text = f"{self.name}:{self.tag}"
        return f"{text}@{self.digest}" if self.digest else text


@dataclass(frozen=True)
class ImagePolicy(ConditionedObject):
    """An ImagePolicy object, with its spec and status fields typed but not interpreted.

    Spec values are kept raw (`digest_reflection_policy` may be `""`, `interval` is the string the
    user wrote); the `effective_*` methods and `interval_ns()` apply the controller's defaults.
    Build one with `from_dict()`.
    """

    name: str
    namespace: str
    uid: str | None
    generation: int
    creation_timestamp: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    # spec
    image_repository_ref: ObjectReference
    policy: PolicyChoice
    filter_tags: TagFilter | None
    digest_reflection_policy: str
    interval: str | None
    suspend: bool
    # status
    observed_generation: int
    latest_ref: ImageRef | None
    observed_previous_ref: ImageRef | None
    last_handled_reconcile_at: str | None
    conditions: tuple[Condition, ...]
    raw: Mapping[str, Any]

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> ImagePolicy:
        """Read an object as returned by the API server (or loaded from a manifest).

        Missing fields take their Go zero values, as for ImageRepositories: no conditions, no refs,
        `status.observedGeneration` 0. JSON `null` counts as missing. `filterTags: {}` is kept as an
        empty filter, distinct from no filter: the controller takes the filter path for it.

        Args:
            obj: The decoded JSON object.

        Returns:
            The typed view; `raw` is `obj` itself.

        Raises:
            InputError: A field has the wrong JSON type. The one-line message names the object and
                the field, e.g. `ImagePolicy ns/name: spec.policy.semver.range: expected a string, got 1`.
        """
        reader = FieldReader(object_label(obj, api.POLICY_KIND))
        if not isinstance(obj, Mapping):
            raise reader.wrong("", "an object", obj)
        metadata = reader.mapping(obj, "metadata")
        spec = reader.mapping(obj, "spec")
        status = reader.mapping(obj, "status")
        return cls(
            **reader.object_meta(metadata),
            image_repository_ref=_repository_ref(reader, spec),
            policy=_policy_choice(reader, spec),
            filter_tags=_tag_filter(reader, spec),
            digest_reflection_policy=reader.string(spec, "spec.digestReflectionPolicy") or "",
            interval=reader.string(spec, "spec.interval"),
            suspend=reader.boolean(spec, "spec.suspend") or False,
            observed_generation=reader.integer(status, "status.observedGeneration") or 0,
            latest_ref=_image_ref(reader, status, "status.latestRef"),
            observed_previous_ref=_image_ref(reader, status, "status.observedPreviousRef"),
            last_handled_reconcile_at=reader.string(status, "status.lastHandledReconcileAt"),
            conditions=reader.conditions(status),
            raw=obj,
        )

    @property
    def title(self) -> str:
        """`ImagePolicy <namespace>/<name>`, as error messages name the object."""
        return f"{api.POLICY_KIND} {qualified(self.namespace, self.name)}"

    def inputs(self) -> policy_inputs.PolicyInputs:
        """The selection settings as the evaluation takes them: choices and `filterTags` as written."""
        choice = self.policy
        return policy_inputs.PolicyInputs(
            semver=None if choice.semver is None else policy_inputs.SemverPolicy(choice.semver.range),
            alphabetical=None
            if choice.alphabetical is None
            else policy_inputs.AlphabeticalPolicy(choice.alphabetical.order),
            numerical=None
            if choice.numerical is None
            else policy_inputs.NumericalPolicy(choice.numerical.order),
            filter_tags=None
            if self.filter_tags is None
            else policy_inputs.TagFilter(self.filter_tags.pattern, self.filter_tags.extract),
        )

    def repository_namespace(self) -> str:
        """The namespace of the referenced ImageRepository: the reference's, else the policy's own."""
        return self.image_repository_ref.namespace or self.namespace

    def effective_digest_reflection_policy(self) -> str:
        """`GetDigestReflectionPolicy()`: `spec.digestReflectionPolicy`, or `Never` when empty."""
        return self.digest_reflection_policy or NEVER

    def interval_ns(self) -> int:
        """`GetInterval()` in nanoseconds: 0 unless the policy is `Always`, then `spec.interval` or 10m.

        An `Always` policy without an interval, or with a zero one (`0s` passes validation),
        gets 10 minutes.

        Raises:
            InputError: `spec.interval` is not a Go duration (`time: invalid duration "5x"`).
        """
        if self.effective_digest_reflection_policy() != ALWAYS:
            return 0
        if self.interval is None:
            return DEFAULT_DIGEST_INTERVAL_NS
        try:
            interval = parse_go_duration(self.interval)
        except ValueError as error:
            raise InputError(f"{self.title}: spec.interval: {error}") from None
        return interval or DEFAULT_DIGEST_INTERVAL_NS


def _repository_ref(reader: FieldReader, spec: Mapping[str, Any]) -> ObjectReference:
    path = "spec.imageRepositoryRef"
    found = reader.mapping(spec, path)
    return ObjectReference(
        name=reader.string(found, f"{path}.name") or "",
        namespace=reader.string(found, f"{path}.namespace"),
    )


def _policy_choice(reader: FieldReader, spec: Mapping[str, Any]) -> PolicyChoice:
    choice = reader.mapping(spec, "spec.policy")
    semver = reader.optional_mapping(choice, "spec.policy.semver")
    return PolicyChoice(
        semver=None
        if semver is None
        else SemVerPolicy(range=reader.string(semver, "spec.policy.semver.range") or ""),
        alphabetical=_order_policy(reader, choice, "spec.policy.alphabetical"),
        numerical=_order_policy(reader, choice, "spec.policy.numerical"),
    )


def _order_policy(reader: FieldReader, choice: Mapping[str, Any], path: str) -> OrderPolicy | None:
    found = reader.optional_mapping(choice, path)
    if found is None:
        return None
    return OrderPolicy(order=reader.string(found, f"{path}.order") or "")


def _tag_filter(reader: FieldReader, spec: Mapping[str, Any]) -> TagFilter | None:
    path = "spec.filterTags"
    found = reader.optional_mapping(spec, path)
    if found is None:
        return None
    return TagFilter(
        pattern=reader.string(found, f"{path}.pattern") or "",
        extract=reader.string(found, f"{path}.extract") or "",
    )


def _image_ref(reader: FieldReader, status: Mapping[str, Any], path: str) -> ImageRef | None:
    found = reader.optional_mapping(status, path)
    if found is None:
        return None
    return ImageRef(
        name=reader.string(found, f"{path}.name") or "",
        tag=reader.string(found, f"{path}.tag") or "",
        digest=reader.string(found, f"{path}.digest") or "",
    )
