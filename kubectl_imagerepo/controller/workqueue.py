"""A work queue of object keys, as controller-runtime's: one worker per key at a time, delays, backoff.

A key waiting in the queue is there once, however often it is added. A key added while a worker
holds it runs again once that worker is done. Each key has at most one pending delay: a new
`add_after` or `retry` replaces it, and an immediate `add` cancels it, because the reconcile that
follows schedules the next one. Failures back off per key, `min_delay × 2^n` up to `max_delay`,
without jitter, until `forget`.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


def backoff_delay(failures: int, min_delay: float, max_delay: float) -> float:
    """The delay before retry number `failures + 1`: `min_delay × 2^failures`, at most `max_delay`."""
    if failures >= 64:
        return max_delay
    return float(min(min_delay * (2**failures), max_delay))


class WorkQueue(Generic[K]):
    """A thread-safe queue of keys with per-key delays and exponential backoff."""

    def __init__(
        self,
        *,
        min_delay: float = 0.75,
        max_delay: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_delay, self.max_delay = min_delay, max_delay
        self._clock = clock
        self._cond = threading.Condition()
        self._ready: deque[K] = deque()
        self._dirty: set[K] = set()
        self._processing: set[K] = set()
        self._due: dict[K, float] = {}
        self._timers: list[tuple[float, int, K]] = []
        self._sequence = 0
        self._failures: dict[K, int] = {}
        self._shutting_down = False

    # -- adding ----------------------------------------------------------------------------------
    def add(self, key: K) -> None:
        """Queue `key` now, cancelling its pending delay."""
        with self._cond:
            self._due.pop(key, None)
            self._add_locked(key)

    def add_after(self, key: K, delay: float) -> None:
        """Queue `key` once `delay` seconds have passed, replacing its pending delay."""
        if delay <= 0:
            self.add(key)
            return
        with self._cond:
            if self._shutting_down:
                return
            due = self._clock() + delay
            self._due[key] = due
            self._sequence += 1
            heapq.heappush(self._timers, (due, self._sequence, key))
            self._cond.notify_all()

    def retry(self, key: K) -> float:
        """Queue `key` after its backoff delay, and count one more failure; returns the delay."""
        with self._cond:
            failures = self._failures.get(key, 0)
            self._failures[key] = failures + 1
        delay = backoff_delay(failures, self.min_delay, self.max_delay)
        self.add_after(key, delay)
        return delay

    def forget(self, key: K) -> None:
        """Reset the failure count of `key`."""
        with self._cond:
            self._failures.pop(key, None)

    def failures(self, key: K) -> int:
        with self._cond:
            return self._failures.get(key, 0)

    def discard(self, key: K) -> None:
        """Drop the pending delay and failure count of `key` (its object is gone)."""
        with self._cond:
            self._due.pop(key, None)
            self._failures.pop(key, None)

    # -- taking ----------------------------------------------------------------------------------
    def get(self, timeout: float | None = None) -> K | None:
        """The next key to work on; None once shut down (or when `timeout` passes)."""
        deadline = None if timeout is None else self._clock() + timeout
        with self._cond:
            while True:
                self._promote_due_locked()
                if self._shutting_down:
                    return None
                if self._ready:
                    key = self._ready.popleft()
                    self._dirty.discard(key)
                    self._processing.add(key)
                    return key
                wait = self._next_wait_locked()
                if deadline is not None:
                    left = deadline - self._clock()
                    if left <= 0:
                        return None
                    wait = left if wait is None else min(wait, left)
                self._cond.wait(wait)

    def done(self, key: K) -> None:
        """The worker holding `key` has finished; a key added meanwhile is queued again."""
        with self._cond:
            self._processing.discard(key)
            if key in self._dirty:
                self._ready.append(key)
                self._cond.notify()

    def shut_down(self) -> None:
        """Stop handing out keys; waiting workers get None."""
        with self._cond:
            self._shutting_down = True
            self._cond.notify_all()

    # -- looking ---------------------------------------------------------------------------------
    def depth(self) -> int:
        """How many keys wait to be worked on now."""
        with self._cond:
            self._promote_due_locked()
            return len(self._ready)

    def scheduled(self, key: K) -> float | None:
        """Seconds until `key`'s pending delay ends, or None."""
        with self._cond:
            due = self._due.get(key)
            return None if due is None else max(0.0, due - self._clock())

    # -- internals -------------------------------------------------------------------------------
    def _add_locked(self, key: K) -> None:
        if self._shutting_down or key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._ready.append(key)
            self._cond.notify()

    def _promote_due_locked(self) -> None:
        now = self._clock()
        while self._timers and self._timers[0][0] <= now:
            due, _, key = heapq.heappop(self._timers)
            if self._due.get(key) == due:  # else replaced or cancelled since
                del self._due[key]
                self._add_locked(key)

    def _next_wait_locked(self) -> float | None:
        while self._timers and self._due.get(self._timers[0][2]) != self._timers[0][0]:
            heapq.heappop(self._timers)
        if not self._timers:
            return None
        return max(0.0, self._timers[0][0] - self._clock())
