"""The ImagePolicy controller of `run`: watch policies, follow their repositories, reconcile with workers.

As the controller's manager wires it (docs/behaviour.md, The controller: `run`): policies pass
`GenerationChanged OR ReconcileRequested`; an ImageRepository created, deleted, or given a scan result
with a new revision enqueues the policies referring to it; a result's `RequeueAfter` (the `Always`
interval, `--requeue-dependency`) is honoured; errors back off as for repositories. The repository a
policy reads comes from the ImageRepository controller's cache, as the controller's cached client
reads it: outside the watched namespaces or label selector it does not exist.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.controller.informer import Informer, Key, key_of
from kubectl_imagerepo.controller.manager import LoggingSink, with_default_service_account
from kubectl_imagerepo.controller.metrics import POLICY_CONTROLLER
from kubectl_imagerepo.controller.policy_index import PolicyIndex
from kubectl_imagerepo.controller.triggers import (
    referenced_repository,
    requeue_for,
    revision_changed,
    update_passes,
)
from kubectl_imagerepo.controller.workers import Settlement, Workers
from kubectl_imagerepo.controller.workqueue import WorkQueue
from kubectl_imagerepo.model import api

if TYPE_CHECKING:
    from kubectl_imagerepo.controller.logs import Logger
    from kubectl_imagerepo.controller.manager import ControllerConfig
    from kubectl_imagerepo.controller.metrics import Metrics
    from kubectl_imagerepo.controller.notification import EventPoster
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.model.reference import ImageReference
    from kubectl_imagerepo.reconcile.policy_reconciler import DigestFetcher, PolicyOptions
    from kubectl_imagerepo.reconcile.policy_sources import RepositorySource
    from kubectl_imagerepo.registry.access import RegistryAccess
    from kubectl_imagerepo.store.database import TagStore

#: The one line `run` logs when it reconciles ImageRepositories only.
SKIPPED_NOT_INSTALLED = "ImagePolicy CRD not installed; ImagePolicies are not reconciled"
SKIPPED_FORBIDDEN = "ImagePolicies cannot be listed; ImagePolicies are not reconciled"


def policies_unavailable(kube: Kube, namespace: str | None) -> tuple[str, str] | None:
    """Why `run` cannot reconcile ImagePolicies, as `(message, error)`; None when it can list them.

    The CRD not served (404) or listing refused (403) skip policies; any other failure does not (the
    watch retries it as it retries a lost connection).
    """
    from kubectl_imagerepo.kube.client import ApiError
    from kubectl_imagerepo.model.errors import CommandError

    try:
        kube.get(kube.resource_path(namespace, plural=api.POLICY_PLURAL), [("limit", "1")])
    except ApiError as failure:
        if failure.not_found:
            return SKIPPED_NOT_INSTALLED, failure.message
        if failure.status == 403:
            return SKIPPED_FORBIDDEN, failure.message
    except CommandError:
        return None
    return None


class CachedRepositories:
    """A policy's ImageRepository as the repository informer last saw it; namespace labels from `cluster`.

    The repository carries `--default-service-account` as the repository's own reconcile sees it.
    """

    def __init__(
        self, cache: Informer, cluster: RepositorySource, default_service_account: str | None
    ) -> None:
        self.cache, self.cluster, self.default_service_account = cache, cluster, default_service_account

    def repository(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        found = self.cache.get((namespace, name))
        return None if found is None else with_default_service_account(found, self.default_service_account)

    def namespace_labels(self, namespace: str) -> Mapping[str, str]:
        return self.cluster.namespace_labels(namespace)


class RepositoryEvents:
    """The secondary watch: ImageRepository events that enqueue the policies referring to the object."""

    def __init__(self, index: PolicyIndex, queue: WorkQueue[Key]) -> None:
        self.index, self.queue = index, queue

    def _enqueue(self, repo: dict[str, Any]) -> None:
        for policy in self.index.policies(key_of(repo)):
            self.queue.add(policy)

    def on_add(self, obj: dict[str, Any]) -> None:
        self._enqueue(obj)

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if revision_changed(old, new):
            self._enqueue(new)

    def on_delete(self, obj: dict[str, Any]) -> None:
        self._enqueue(obj)


def _fetch_digest(
    reference: ImageReference, tag: str, access: RegistryAccess, deadline: float, image: str | None = None
) -> str:
    from kubectl_imagerepo.registry.access import fetch_digest

    return fetch_digest(reference, tag, access, deadline, image)


class PolicyController:
    """Watches, queues and reconciles ImagePolicies; `start` it, then `stop` it.

    `repositories` is the ImageRepository controller's informer: its cache is what policies read, and
    the workers wait until it has listed, as controller-runtime waits for the caches to sync.
    """

    def __init__(
        self,
        kube: Kube,
        config: ControllerConfig,
        options: PolicyOptions,
        log: Logger,
        repositories: Informer,
        metrics: Metrics | None = None,
        poster: EventPoster | None = None,
    ) -> None:
        from kubectl_imagerepo.reconcile.cluster import ClusterSink
        from kubectl_imagerepo.reconcile.policy_sources import ClusterRepositories

        self.config, self.log, self.metrics, self.repositories = config, log, metrics, repositories
        self.halt = threading.Event()
        self.options = _interruptible(options, self.halt)
        self.queue: WorkQueue[Key] = WorkQueue(
            min_delay=config.min_retry_delay, max_delay=config.max_retry_delay
        )
        self.informer = Informer(
            kube, config.namespace, config.selector, self, log, self.halt,
            plural=api.POLICY_PLURAL, kind=api.POLICY_KIND,
        )
        self.index = PolicyIndex()
        self.repository_events = RepositoryEvents(self.index, self.queue)
        self.sources = CachedRepositories(
            repositories, ClusterRepositories(kube), config.default_service_account
        )
        self.sink = LoggingSink(
            ClusterSink(kube, lambda message: log("error", message)), log, poster, POLICY_CONTROLLER
        )
        self.fetch_digest: DigestFetcher = _fetch_digest
        self.workers = Workers(
            "policy-worker", self.queue, config.concurrent, config.database, self._process,
            before=self._repositories_listed,
        )
        self.settlement = Settlement(POLICY_CONTROLLER, self.queue, metrics, log)

    @property
    def in_flight(self) -> int:
        return self.workers.in_flight

    # -- policy events ---------------------------------------------------------------------------
    def on_add(self, obj: dict[str, Any]) -> None:
        key = key_of(obj)
        self.index.put(key, referenced_repository(obj))
        self.queue.add(key)

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        key = key_of(new)
        self.index.put(key, referenced_repository(new))
        if update_passes(old, new):
            self.queue.add(key)

    def on_delete(self, obj: dict[str, Any]) -> None:
        key = key_of(obj)
        self.index.remove(key)
        self.queue.discard(key)
        self.log("debug", "object deleted", controller=POLICY_CONTROLLER, namespace=key[0], name=key[1])

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start watching and the workers; returns at once."""
        threading.Thread(target=self.informer.run, name="policy-informer", daemon=True).start()
        self.workers.start()
        self.log("info", "starting workers", controller=POLICY_CONTROLLER, workerCount=self.config.concurrent)

    def halt_work(self) -> None:
        """Stop watching and hand out no more keys (the reconciles in flight go on)."""
        self.halt.set()
        self.queue.shut_down()

    def stop(self, timeout: float) -> bool:
        """Take no more work and wait up to `timeout` for reconciles in flight; True if they all ended."""
        self.halt_work()
        return self.workers.join(time.monotonic() + timeout)

    def _repositories_listed(self) -> bool:
        while not self.repositories.synced.wait(0.1):
            if self.halt.is_set():
                return False
        return True

    # -- workers ---------------------------------------------------------------------------------
    def _process(self, key: Key, store: Callable[[], TagStore]) -> None:
        from kubectl_imagerepo.reconcile.policy_reconciler import reconcile_policy

        namespace, name = key
        obj = self.informer.get(key)
        if obj is None:
            self.queue.forget(key)
            return
        started = time.monotonic()
        fields = {"controller": POLICY_CONTROLLER, "namespace": namespace, "name": name,
                  "reconcileID": str(uuid.uuid4())}
        result = self.settlement.attempt(
            key,
            started,
            fields,
            lambda: reconcile_policy(
                obj,
                sink=self.sink,
                store=store(),
                sources=self.sources,
                fetch_digest=self.fetch_digest,
                options=self.options,
            ),
        )
        if result is None:
            return
        requeue = requeue_for(result)
        elapsed = time.monotonic() - started
        if not self.settlement.settle(key, started, fields, requeue, result.error or result.message):
            return
        self.log(
            "debug",
            "reconciled",
            **fields,
            ready=result.ready,
            stalled=result.stalled,
            suspended=result.suspended,
            latest=result.latest,
            requeueAfter=None if requeue.after is None else f"{requeue.after:.3f}s",
            duration=f"{elapsed:.3f}s",
        )


def _interruptible(options: PolicyOptions, halt: threading.Event) -> PolicyOptions:
    """`options` whose pauses between reads of an empty tag list end early when `run` stops."""
    import dataclasses

    def pause(seconds: float) -> None:
        halt.wait(seconds)

    return dataclasses.replace(options, sleep=pause)
