"""One reconcile of one ImagePolicy, as the image-reflector-controller runs it.

The steps and their order are the controller's (see docs/behaviour.md, Reconciling an ImagePolicy):
an early patch on a new generation, the referenced ImageRepository and its `accessFrom`, its image,
the workload-identity gate, the policy over this machine's stored tags, the digest, then the one exit
that finalises the conditions, writes the status and records the event. As for ImageRepositories, a
failure of any kind ends as the object's failed status; only a status that cannot be written is
raised to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from kubectl_imagerepo.model import api
from kubectl_imagerepo.model import conditions as cond
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.model.fluxobject import READY, find_condition, is_ready, is_stalled
from kubectl_imagerepo.model.imagepolicy import (
    ALWAYS,
    INTERVAL_NOT_CONFIGURED_REASON,
    INTERVAL_REQUIRED_WITH_ALWAYS_MESSAGE,
    ImagePolicy,
    ImageRef,
)
from kubectl_imagerepo.model.imagerepository import ImageRepository
from kubectl_imagerepo.model.reference import ImageReference, ImageReferenceError, parse_image_reference
from kubectl_imagerepo.reconcile import decisions
from kubectl_imagerepo.reconcile import policy_decisions as decide
from kubectl_imagerepo.reconcile.events import EventRecord
from kubectl_imagerepo.reconcile.outcome import (
    SUSPENDED_RESULT_MESSAGE,
    Ending,
    ExitingReconcile,
    Failure,
    ImplicitFailure,
    StatusSink,
    describe_unexpected,
)
from kubectl_imagerepo.reconcile.policy_sources import RepositorySource, SourceError, repository_not_found
from kubectl_imagerepo.store.database import StoreError, TagStore, object_key

if TYPE_CHECKING:
    from kubectl_imagerepo.registry.access import RegistryAccess, SecretSource

NANOSECOND = 1e-9
SECOND_NS = 1_000_000_000
#: `--requeue-dependency`'s default: how soon a policy whose repository has no tags is tried again.
DEPENDENCY_REQUEUE_NS = 30 * SECOND_NS
#: The controller's waits between reads of an empty tag list (4 steps, 1s × 1.5ⁿ, without jitter).
EMPTY_TAG_RETRIES = (1.0, 1.5, 2.25)


class DigestFetcher(Protocol):
    """HEADs the manifest of `reference:tag` with `access` before `deadline`; returns `sha256:…`.

    `image` is `spec.image` as written, for the error texts (`podinfo:1.0`, not the canonical name).
    """

    def __call__(
        self,
        reference: ImageReference,
        tag: str,
        access: RegistryAccess,
        deadline: float,
        image: str | None = None,
    ) -> str: ...


@dataclass(frozen=True)
class PolicyOptions:
    """What stays the same across policy reconciles.

    `tag_retries` are the pauses between reads of an empty tag list: the controller's in `run`, where a
    scan may be writing the tags meanwhile; none for a command, which scans first.
    """

    scope: str | None = None
    as_caller: bool = False
    feature_gates: frozenset[str] = frozenset()
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    secrets: SecretSource | None = None
    no_cross_namespace_refs: bool = False
    dependency_requeue_ns: int = DEPENDENCY_REQUEUE_NS
    tag_retries: Sequence[float] = ()
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class PolicyResult:
    """How a policy reconcile ended; `latest` is `status.latestRef` as `name:tag[@digest]`."""

    obj: dict[str, Any]
    ready: bool
    stalled: bool
    suspended: bool
    message: str
    requeue_after_ns: int | None
    error: str | None
    latest: str | None
    no_tags: bool = False


def reconcile_policy(
    obj: Mapping[str, Any],
    *,
    sink: StatusSink,
    store: TagStore,
    sources: RepositorySource,
    fetch_digest: DigestFetcher,
    options: PolicyOptions,
) -> PolicyResult:
    """Reconcile an ImagePolicy once: pick its tag from the stored tags, write the status and the event."""
    return _PolicyReconcile(dict(obj), sink, store, sources, fetch_digest, options).run()


def _repository_failure(reason: str, error: object) -> Failure:
    return Failure(reason, decide.GET_REPOSITORY_FAILED.format(error=error))


class _PolicyReconcile(ExitingReconcile):
    def __init__(
        self,
        obj: dict[str, Any],
        sink: StatusSink,
        store: TagStore,
        sources: RepositorySource,
        fetch_digest: DigestFetcher,
        options: PolicyOptions,
    ) -> None:
        self.obj, self.sink, self.store, self.sources = obj, sink, store, sources
        self.fetch_digest, self.options = fetch_digest, options
        self.policy = ImagePolicy.from_dict(obj)
        self.conditions: cond.Conditions = self.policy.conditions
        self.status: dict[str, Any] = dict(obj.get("status") or {})
        self.ready_msg = ""
        self.no_tags = False

    def now(self) -> datetime:
        return self.options.clock()

    def run(self) -> PolicyResult:
        """The body, then the one exit: whatever happened, the exit writes the status."""
        if self.policy.suspend:
            return self._result(
                suspended=True, message=SUSPENDED_RESULT_MESSAGE, requeue_after_ns=None, error=None
            )
        if self.options.as_caller:
            self.hold_writes()
        return self.exit_through(
            self._body,
            failed=self.failed,
            ended=self.ended,
            unexpected=lambda error: self.failed(Failure(cond.FAILED_REASON, describe_unexpected(error))),
            finish=self._finish,
            where={"namespace": self.policy.namespace, "object_name": self.policy.name},
            subject=f"{api.POLICY_KIND} {self.policy.namespace}/{self.policy.name}",
        )

    # Endings -----------------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self.policy.generation

    def interval_ns(self) -> int:
        return self.policy.interval_ns()

    def _stalled(self, reason: str, message: str) -> Ending:
        self.conditions = cond.mark_stalled(
            self.conditions, reason, message, self.policy.generation, self.now()
        )
        return Ending(
            error=None, requeue_after_ns=None, success_after_ns=self.interval_or_zero(), next_msg=""
        )

    # The body ----------------------------------------------------------------------------------

    def _body(self) -> Ending:
        policy = self.policy
        gen = policy.generation
        if policy.effective_digest_reflection_policy() == ALWAYS and policy.interval is None:
            return self._stalled(INTERVAL_NOT_CONFIGURED_REASON, INTERVAL_REQUIRED_WITH_ALWAYS_MESSAGE)
        interval = policy.interval_ns()  # a bad duration is an InputError: the unexpected path
        self.conditions = cond.mark_progressing(
            self.conditions, decisions.RECONCILIATION_IN_PROGRESS, gen, self.now()
        )
        early = decide.new_generation_message(policy)
        if early is not None:
            self.conditions = cond.mark_progressing(self.conditions, early, gen, self.now())
            self.patch_midway()

        repo = self._repository()
        try:
            reference = parse_image_reference(repo.image, repo.insecure)
        except ImageReferenceError as invalid:
            return self._stalled(cond.IMAGE_URL_INVALID_REASON, str(invalid))
        stall = decisions.feature_gate_stall(
            repo,
            decisions.OBJECT_LEVEL_WORKLOAD_IDENTITY in self.options.feature_gates,
            decide.FEATURE_GATE_DISABLED_MESSAGE,
        )
        if stall is not None:
            return self._stalled(cond.FEATURE_GATE_DISABLED_REASON, stall)

        from kubectl_imagerepo.model.policy.errors import (
            READ_TAGS_FAILED,
            RETRYING,
            InvalidPolicyError,
            NoTagsError,
        )
        from kubectl_imagerepo.model.policy.evaluation import evaluate
        from kubectl_imagerepo.model.policy.policers import policer_for

        inputs = policy.inputs()
        try:
            policer_for(inputs)  # an invalid policy stalls before any tag is read
        except InvalidPolicyError as invalid:
            return self._stalled(invalid.reason, str(invalid))
        try:
            tags = self._tags(repo)
        except StoreError as failure:
            raise Failure(cond.STATUS_FAILURE, READ_TAGS_FAILED.format(error=failure)) from None
        evaluation = evaluate(inputs, tags)
        if isinstance(evaluation.error, NoTagsError):
            from kubectl_imagerepo.gocompat.durations import format_go_duration

            wait = self.options.dependency_requeue_ns
            rounded = (wait + SECOND_NS // 2) // SECOND_NS * SECOND_NS
            message = RETRYING.format(interval=format_go_duration(rounded), error=evaluation.error)
            self.set_ready_false(evaluation.error.reason, message)
            self.no_tags = True
            return Ending(error=None, requeue_after_ns=wait, success_after_ns=interval, next_msg="")
        if isinstance(evaluation.error, InvalidPolicyError):
            return self._stalled(evaluation.error.reason, str(evaluation.error))
        if evaluation.error is not None:
            raise Failure(evaluation.error.reason, str(evaluation.error))
        latest = self._with_digest(repo, reference, ImageRef(repo.image, evaluation.latest()))
        stored, previous = policy.latest_ref, policy.observed_previous_ref
        new_latest, new_previous = decide.updated_refs(stored, previous, latest)
        self.status["latestRef"] = decide.ref_json(new_latest)
        if new_previous is None:
            self.status.pop("observedPreviousRef", None)
        else:
            self.status["observedPreviousRef"] = decide.ref_json(new_previous)
        self.ready_msg = decide.ready_message(new_latest, new_previous)
        self.conditions = cond.delete_condition(self.conditions, READY)
        return Ending(
            error=None, requeue_after_ns=interval, success_after_ns=interval, next_msg=self.ready_msg
        )

    def _repository(self) -> ImageRepository:
        """The referenced ImageRepository, once `--no-cross-namespace-refs` and `accessFrom` allow it."""
        from kubectl_imagerepo.model.acl import access_denied_reason

        policy = self.policy
        namespace, name = decide.repository_key(policy)
        cross = namespace != policy.namespace
        if self.options.no_cross_namespace_refs and cross:
            blocked = decide.CROSS_NAMESPACE_BLOCKED.format(namespace=namespace, name=name)
            raise _repository_failure(cond.ACCESS_DENIED_REASON, blocked)
        try:
            found = self.sources.repository(namespace, name)
        except SourceError as failure:  # see docs/behaviour.md, Reconciling an ImagePolicy
            raise _repository_failure(cond.STATUS_FAILURE, failure) from None
        if found is None:
            missing = decide.REPOSITORY_MISSING.format(error=repository_not_found(name))
            raise _repository_failure(cond.DEPENDENCY_NOT_READY_REASON, missing)
        try:
            repo = ImageRepository.from_dict(found)
        except InputError as bad:
            raise _repository_failure(cond.STATUS_FAILURE, str(bad).removeprefix("error: ")) from None
        if cross and policy.image_repository_ref.namespace:
            try:
                labels = self.sources.namespace_labels(policy.namespace)
            except SourceError as failure:
                raise _repository_failure(
                    cond.ACCESS_DENIED_REASON, decide.ACCESS_DENIED.format(error=failure)
                ) from None
            denied = access_denied_reason(policy.namespace, repo, labels)
            if denied is not None:
                raise _repository_failure(
                    cond.ACCESS_DENIED_REASON, decide.ACCESS_DENIED.format(error=denied)
                )
        return repo

    def _tags(self, repo: ImageRepository) -> list[str]:
        """The repository's stored tags, read again after each pause while there are none."""
        key = object_key(self.options.scope, repo.uid, repo.namespace, repo.name)
        tags = list(self.store.tags(key))
        for pause in self.options.tag_retries:
            if tags:
                break
            self.options.sleep(pause)
            tags = list(self.store.tags(key))
        return tags

    def _with_digest(self, repo: ImageRepository, reference: ImageReference, latest: ImageRef) -> ImageRef:
        """`latest` with its digest as `digestReflectionPolicy` asks; a failed fetch ends as `Failed`."""
        from dataclasses import replace

        mode = self.policy.effective_digest_reflection_policy()
        stored = self.policy.latest_ref
        if not decide.should_fetch_digest(mode, stored, latest):
            return replace(latest, digest=decide.carried_digest(mode, stored, latest))
        shown = f"{latest.name}:{latest.tag}"
        try:
            digest = self._fetch(repo, reference, latest.tag)
        except _DigestFailed as failure:
            raise ImplicitFailure(decide.DIGEST_FAILED.format(ref=shown, error=failure)) from None
        return replace(latest, digest=digest)

    def _fetch(self, repo: ImageRepository, reference: ImageReference, tag: str) -> str:
        from kubectl_imagerepo.registry.access import ANONYMOUS, AuthError, resolve_access
        from kubectl_imagerepo.registry.errors import RegistryError

        deadline = time.monotonic() + repo.effective_timeout_ns() * NANOSECOND
        access = ANONYMOUS
        if self.options.secrets is not None:
            try:
                access = resolve_access(self.options.secrets, repo, reference)
            except AuthError as failure:
                raise _DigestFailed(decide.AUTH_OPTIONS_FAILED.format(error=failure)) from None
        with access:
            try:
                return self.fetch_digest(reference, tag, access, deadline, repo.image)
            except RegistryError as failure:
                raise _DigestFailed(str(failure)) from None

    # The exit ----------------------------------------------------------------------------------

    def _finish(self, ending: Ending) -> PolicyResult:
        policy = self.policy
        self.conditions = cond.finalize_result(
            self.conditions,
            error=ending.error,
            requeue=False,
            requeue_after_ns=ending.requeue_after_ns,
            success_after_ns=ending.success_after_ns,
            ready_message=self.ready_msg,
            generation=policy.generation,
            now=self.now(),
        )
        self.status["observedGeneration"] = cond.observed_generation_after(
            self.conditions, policy.generation, policy.observed_generation
        )
        if policy.requested_at is not None:
            self.status["lastHandledReconcileAt"] = policy.requested_at
        self.patch()
        event = decisions.event_for(policy.conditions, self.conditions, self.ready_msg)
        if event is not None and not self.superseded:
            self.sink.record(self.obj, EventRecord(event.type, event.reason, event.message))
        ready = find_condition(self.conditions, READY)
        return self._result(
            suspended=False,
            message=ready.message if ready else "",
            requeue_after_ns=ending.requeue_after_ns,
            error=ending.error,
        )

    def _result(
        self, *, suspended: bool, message: str, requeue_after_ns: int | None, error: str | None
    ) -> PolicyResult:
        latest = (self.obj.get("status") or {}).get("latestRef")
        shown = None
        if isinstance(latest, Mapping):
            shown = str(
                ImageRef(
                    str(latest.get("name") or ""),
                    str(latest.get("tag") or ""),
                    str(latest.get("digest") or ""),
                )
            )
        return PolicyResult(
            obj=self.obj,
            ready=is_ready(self.conditions) and not suspended,
            stalled=is_stalled(self.conditions),
            suspended=suspended,
            message=message,
            requeue_after_ns=requeue_after_ns,
            error=error,
            latest=shown,
            no_tags=self.no_tags,
        )


class _DigestFailed(Exception):
    """The digest could not be fetched; the text is the cause, without `failed fetching digest of …`."""
