"""The controller of `run`: watch ImageRepositories, reconcile them with workers, come back when due.

The informer feeds the work queue through the controller's predicates (`triggers`); each worker
takes a key, reconciles the object as the cache last saw it, and asks the queue for what the
result says: the interval or the remaining time, a backoff after a failure, or nothing.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kubectl_imagerepo.controller.informer import Handler, Informer, Key, key_of
from kubectl_imagerepo.controller.metrics import CONTROLLER
from kubectl_imagerepo.controller.triggers import requeue_for, update_passes
from kubectl_imagerepo.controller.workers import Settlement, Workers
from kubectl_imagerepo.controller.workqueue import WorkQueue

if TYPE_CHECKING:
    from kubectl_imagerepo.controller.logs import Logger
    from kubectl_imagerepo.controller.metrics import Metrics
    from kubectl_imagerepo.controller.notification import EventPoster
    from kubectl_imagerepo.kube.client import Kube
    from kubectl_imagerepo.model.reference import ImageReference
    from kubectl_imagerepo.reconcile.events import EventRecord
    from kubectl_imagerepo.reconcile.outcome import StatusSink
    from kubectl_imagerepo.reconcile.reconciler import Options, Progress
    from kubectl_imagerepo.registry.access import RegistryAccess
    from kubectl_imagerepo.store.database import TagStore


@dataclass(frozen=True)
class ControllerConfig:
    """What `run`'s flags decide about the controller."""

    namespace: str | None
    selector: str | None
    concurrent: int
    database: Path
    min_retry_delay: float = 0.75
    max_retry_delay: float = 900.0
    #: `--default-service-account`: the spec.serviceAccountName of objects without one (workload identity).
    default_service_account: str | None = None
    #: `--listing-reuse-window`, in seconds: how long a listing serves other objects of its identity.
    listing_reuse_window: float = 60.0


class LoggingSink:
    """Writes to the cluster and logs each event recorded, as the Flux controllers log theirs.

    With a `poster` (`--events-addr`), Normal and Warning events are also posted to it. With a
    `controller`, each line names it (the ImagePolicy controller's do).
    """

    def __init__(
        self, sink: StatusSink, log: Logger, poster: EventPoster | None = None, controller: str | None = None
    ) -> None:
        self.sink, self.log, self.poster = sink, log, poster
        self.extra = {} if controller is None else {"controller": controller}

    def write_status(self, obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
        return self.sink.write_status(obj, status)

    def record(self, obj: Mapping[str, Any], event: EventRecord) -> None:
        meta = obj.get("metadata") or {}
        level = "error" if event.type == "Warning" else "info"
        self.log(level, event.message, **self.extra, namespace=meta.get("namespace"), name=meta.get("name"),
                 reason=event.reason)
        self.sink.record(obj, event)
        if self.poster is not None:
            from kubectl_imagerepo.controller.notification import payload

            body = payload(obj, event.type, event.reason, event.message, datetime.now(UTC))
            if body is not None:
                self.poster.post(body)


class Controller:
    """Watches, queues and reconciles; `start` it, then `stop` it."""

    def __init__(
        self,
        kube: Kube,
        config: ControllerConfig,
        options: Options,
        log: Logger,
        metrics: Metrics | None = None,
        poster: EventPoster | None = None,
    ) -> None:
        from kubectl_imagerepo.reconcile.cluster import ClusterSink

        self.kube, self.config, self.options, self.log, self.metrics = kube, config, options, log, metrics
        self.queue: WorkQueue[Key] = WorkQueue(
            min_delay=config.min_retry_delay, max_delay=config.max_retry_delay
        )
        self.halt = threading.Event()
        self.informer = Informer(kube, config.namespace, config.selector, self, log, self.halt)
        self.sink = LoggingSink(
            ClusterSink(kube, lambda message: log("error", message)), log, poster
        )
        self.workers = Workers("worker", self.queue, config.concurrent, config.database, self._process)
        self.settlement = Settlement(CONTROLLER, self.queue, metrics, log)
        from kubectl_imagerepo.registry.sharedlistings import SharedListings

        self.listings = SharedListings(keep=max(config.listing_reuse_window, 1.0))
        if metrics is not None:
            from kubectl_imagerepo.registry.limiter import SHARED_LIMITER

            metrics.watch_listings(self.listings.stats)
            metrics.watch_registries(SHARED_LIMITER)
        self._warned: set[Key] = set()
        self._watcher: threading.Thread | None = None
        #: Also told of every ImageRepository event (the ImagePolicy controller's secondary watch).
        self.observers: list[Handler] = []

    @property
    def in_flight(self) -> int:
        return self.workers.in_flight

    # -- informer events -------------------------------------------------------------------------
    def on_add(self, obj: dict[str, Any]) -> None:
        self.queue.add(key_of(obj))
        for observer in self.observers:
            observer.on_add(obj)

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if update_passes(old, new):
            self.queue.add(key_of(new))
        for observer in self.observers:
            observer.on_update(old, new)

    def on_delete(self, obj: dict[str, Any]) -> None:
        """Forget the object: its queue entry, its metrics and its stored tags."""
        from kubectl_imagerepo.store.database import StoreError, TagStore, object_key

        for observer in self.observers:
            observer.on_delete(obj)
        namespace, name = key_of(obj)
        self.queue.discard((namespace, name))
        if self.metrics is not None:
            self.metrics.forget(namespace, name)
        try:
            with TagStore(self.config.database) as store:
                uid = (obj.get("metadata") or {}).get("uid")
                store.delete(object_key(self.options.scope, uid, namespace, name))
        except StoreError as failure:
            self.log("error", "could not delete stored tags", namespace=namespace, name=name,
                     error=str(failure))
        self.log("info", "object deleted; stored tags removed", namespace=namespace, name=name)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start watching and the workers; returns at once."""
        self._watcher = threading.Thread(target=self.informer.run, name="informer", daemon=True)
        self._watcher.start()
        self.workers.start()
        self.log("info", "starting workers", controller="imagerepository",
                 workerCount=self.config.concurrent)

    def halt_work(self) -> None:
        """Stop watching and hand out no more keys (the reconciles in flight go on)."""
        self.halt.set()
        self.queue.shut_down()

    def stop(self, timeout: float) -> bool:
        """Take no more work and wait up to `timeout` for reconciles in flight; True if they all ended."""
        self.halt_work()
        return self.workers.join(time.monotonic() + timeout)

    # -- workers ---------------------------------------------------------------------------------
    def _process(self, key: Key, store: Callable[[], TagStore]) -> None:
        from kubectl_imagerepo.reconcile.reconciler import reconcile

        namespace, name = key
        obj = self.informer.get(key)
        if obj is None:
            self.queue.forget(key)
            return
        self._warn_if_controller_alive(key, obj)
        obj = with_default_service_account(obj, self.config.default_service_account)
        started = time.monotonic()
        fields = {"namespace": namespace, "name": name, "reconcileID": str(uuid.uuid4())}
        result = self.settlement.attempt(
            key,
            started,
            fields,
            lambda: reconcile(
                obj,
                sink=self.sink,
                store=store(),
                list_tags=self._lister(obj),
                options=self.options,
            ),
        )
        if result is None:
            return
        requeue = requeue_for(result)
        elapsed = time.monotonic() - started
        if not self.settlement.settle(key, started, fields, requeue, result.error or result.message):
            return
        if self.metrics is not None and result.scanned and result.tag_count is not None:
            self.metrics.tags.labels(namespace, name).set(result.tag_count)
        self.log(
            "debug",
            "reconciled",
            **fields,
            ready=result.ready,
            stalled=result.stalled,
            suspended=result.suspended,
            scanned=result.scanned,
            requeueAfter=None if requeue.after is None else f"{requeue.after:.3f}s",
            duration=f"{elapsed:.3f}s",
        )

    def _lister(
        self, obj: dict[str, Any]
    ) -> Callable[[ImageReference, RegistryAccess, float, Progress | None], list[str]]:
        """The registry listing, shared by the objects of one identity, timed and counted into the metrics.

        An explicit request (a new `requestedAt`) lists afresh; otherwise a listing no older than the
        reuse window, and never older than the object's own interval, serves (docs/behaviour.md, Shared
        listings and registry limits).
        """
        from kubectl_imagerepo.registry.sharedlistings import shared_lister

        namespace, name = key_of(obj)
        explicit = explicit_request(obj)
        window = 0.0 if explicit else min(self.config.listing_reuse_window, interval_seconds(obj))
        lister = shared_lister(self.listings, self.listings.now() - window, fresh=explicit)

        def timed(
            reference: ImageReference, access: RegistryAccess, deadline: float, progress: Progress | None
        ) -> list[str]:
            started = time.monotonic()
            try:
                return lister(reference, access, deadline, progress)
            finally:
                if self.metrics is not None:
                    self.metrics.scanned(namespace, name, time.monotonic() - started, None)

        return timed

    def _warn_if_controller_alive(self, key: Key, obj: Mapping[str, Any]) -> None:
        from kubectl_imagerepo.reconcile.cluster import controller_also_writing

        if key not in self._warned and controller_also_writing(obj, datetime.now(UTC)):
            self._warned.add(key)
            self.log(
                "info",
                "also reconciled by image-reflector-controller in the cluster; "
                "each will overwrite the other's status",
                namespace=key[0],
                name=key[1],
            )


def explicit_request(obj: Mapping[str, Any]) -> bool:
    """A `reconcile.fluxcd.io/requestedAt` the object's status has not handled yet."""
    from kubectl_imagerepo.model import api

    requested = ((obj.get("metadata") or {}).get("annotations") or {}).get(api.REQUESTED_AT_ANNOTATION)
    handled = (obj.get("status") or {}).get("lastHandledReconcileAt")
    return requested is not None and requested != handled


def interval_seconds(obj: Mapping[str, Any]) -> float:
    """`spec.interval` in seconds, or 0 when it cannot be read (the reconcile says why)."""
    from kubectl_imagerepo.gocompat.durations import parse_go_duration

    try:
        return parse_go_duration(str((obj.get("spec") or {}).get("interval"))) / 1e9
    except (ValueError, TypeError):
        return 0.0


def with_default_service_account(obj: dict[str, Any], account: str | None) -> dict[str, Any]:
    """The object to reconcile: with `--default-service-account` as its `spec.serviceAccountName`
    when it names none and authenticates with a cloud provider, as Flux's default for workload identity.

    Only the reconcile sees it; the object in the cluster keeps its spec.
    """
    spec = obj.get("spec") or {}
    if not account or spec.get("serviceAccountName") or spec.get("provider", "generic") == "generic":
        return obj
    return {**obj, "spec": {**spec, "serviceAccountName": account}}
