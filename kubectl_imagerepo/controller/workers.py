"""The workers of one controller of `run`: threads taking keys from its queue, each with its own database.

Each kind has its own queue and workers (as each controller of a manager has), so a policy key and a
repository key with the same namespace and name are never confused, and `--concurrent` applies per kind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kubectl_imagerepo.controller.informer import Key

if TYPE_CHECKING:
    from kubectl_imagerepo.controller.logs import Logger
    from kubectl_imagerepo.controller.metrics import Metrics
    from kubectl_imagerepo.controller.triggers import Requeue
    from kubectl_imagerepo.controller.workqueue import WorkQueue
    from kubectl_imagerepo.store.database import TagStore

T = TypeVar("T")

#: `process(key, store)`: `store()` is this thread's connection to the tag database, opened on first use.
Process = Callable[[Key, Callable[[], "TagStore"]], None]


class Workers:
    """`count` threads named `<name>-<n>` running `process(key, store)` for each key of `queue`.

    `before` (when given) is waited on before the first key is taken, as controller-runtime waits for
    the caches a controller reads; it returns False when the wait was cut short by a stop.
    """

    def __init__(
        self,
        name: str,
        queue: WorkQueue[Key],
        count: int,
        database: Path,
        process: Process,
        before: Callable[[], bool] | None = None,
    ) -> None:
        self.name, self.queue, self.count, self.database = name, queue, count, database
        self.process, self.before = process, before
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.in_flight = 0

    def start(self) -> None:
        for number in range(self.count):
            thread = threading.Thread(target=self._work, name=f"{self.name}-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def join(self, deadline: float) -> bool:
        """Wait for the threads until the monotonic `deadline`; True if they all ended."""
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def _work(self) -> None:
        from kubectl_imagerepo.store.database import TagStore

        if self.before is not None and not self.before():
            return
        opened: list[TagStore] = []

        def store() -> TagStore:  # SQLite connections stay in the thread that opened them
            if not opened:
                opened.append(TagStore(self.database))
            return opened[0]

        try:
            while (key := self.queue.get()) is not None:
                with self._lock:
                    self.in_flight += 1
                try:
                    self.process(key, store)
                finally:
                    with self._lock:
                        self.in_flight -= 1
                    self.queue.done(key)
        finally:
            for connection in opened:
                connection.close()


class Settlement:
    """How a controller's reconcile ends in its queue, metrics and log, for either kind.

    `attempt` runs one reconcile, turning an error raised by it into a `Reconciler error` and a
    backoff; `settle` applies its requeue (a backoff, an exact `RequeueAfter`, or forgetting the key).
    """

    def __init__(self, controller: str, queue: WorkQueue[Key], metrics: Metrics | None, log: Logger) -> None:
        self.controller, self.queue, self.metrics, self.log = controller, queue, metrics, log

    def attempt(self, key: Key, started: float, fields: Mapping[str, Any], run: Callable[[], T]) -> T | None:
        """`run()`, or None after reporting what it raised (a bug must not end the worker)."""
        from kubectl_imagerepo.model.errors import CommandError

        try:
            return run()
        except CommandError as failure:  # the tag database's StoreError too
            self.failed(key, started, fields, str(failure))
        except Exception as failure:
            self.failed(key, started, fields, f"{type(failure).__name__}: {failure}")
        return None

    def settle(
        self, key: Key, started: float, fields: Mapping[str, Any], requeue: Requeue, error: str
    ) -> bool:
        """Apply `requeue`; False when it is a backoff (reported with `error`)."""
        if requeue.backoff:
            self.failed(key, started, fields, error)
            return False
        self.queue.forget(key)
        if requeue.after is not None:
            self.queue.add_after(key, requeue.after)
        if self.metrics is not None:
            outcome = "requeue_after" if requeue.after is not None else "success"
            self.metrics.reconciled(outcome, time.monotonic() - started, self.controller)
        return True

    def failed(self, key: Key, started: float, fields: Mapping[str, Any], error: str) -> None:
        delay = self.queue.retry(key)
        if self.metrics is not None:
            self.metrics.reconciled("error", time.monotonic() - started, self.controller)
            self.metrics.retries.labels(self.controller).inc()
        self.log("error", "Reconciler error", **fields, error=error, retryIn=f"{delay:g}s")
