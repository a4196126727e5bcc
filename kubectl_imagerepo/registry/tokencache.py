"""One TTL cache with single-flight fetches, for registry bearer tokens and cloud credentials alike.

`TTLCache` keeps each value until an expiry on its clock and lets one thread at a time fetch a key
while the others wait for its result. `TokenCache` builds the registry token cache on it (a safety
margin before `expires_in`, and the challenge each registry answered with); `cloud.CloudTokenCache`
builds the cloud credential cache on it (80% of the lifetime, at most an hour).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from kubectl_imagerepo.registry.challenge import Challenge

__all__ = ["SHARED_TOKEN_CACHE", "Origin", "TTLCache", "TokenCache", "TokenKey"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: (realm, service, scope, credential fingerprint).
TokenKey = tuple[str, str, str, str]
#: (scheme, lower-case host, port, user info) of a registry.
Origin = tuple[str, str, int, str]


class TTLCache(Generic[K, V]):
    """Values kept until their expiry on `clock`; thread-safe; one fetch per key at a time.

    Args:
        clock: The clock expiries are read on (monotonic for registry tokens, wall time for clouds).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[K, tuple[V, float]] = {}
        self._fetch_locks: dict[K, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: K) -> V | None:
        """The unexpired value of `key`, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self.clock() >= entry[1]:
                del self._entries[key]
                return None
            return entry[0]

    def put(self, key: K, value: V, expires_at: float) -> None:
        """Keep `value` until `expires_at`; a value already expired is not kept. Expired entries go."""
        now = self.clock()
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
            if expires_at > now:
                self._entries[key] = (value, expires_at)

    def discard(self, key: K, value: V) -> None:
        """Forget `value` if it is still the one kept for `key` (a refused token)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == value:
                del self._entries[key]

    def fetch(
        self, key: K, obtain: Callable[[], tuple[V, float]], *, timeout: float = -1
    ) -> V | None:
        """The kept value of `key`, else `obtain()`'s (value, expiry), kept and returned.

        Only one thread calls `obtain` per key at a time; the others wait and take its value. Returns
        None when the key's turn did not come within `timeout` seconds (negative: wait for ever).
        """
        with self._lock:
            lock = self._fetch_locks.setdefault(key, threading.Lock())
        if not lock.acquire(timeout=timeout if timeout >= 0 else -1):
            return None
        try:
            cached = self.get(key)
            if cached is not None:
                return cached
            value, expires_at = obtain()
            self.put(key, value, expires_at)
            return value
        finally:
            lock.release()

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._entries.clear()


class TokenCache:
    """Registry bearer tokens and per-registry challenges, shared by every client and thread-safe.

    A token is kept per (realm, service, scope, credential fingerprint) until shortly before its
    `expires_in` ends (a tenth of its lifetime, at most 10s). Concurrent listings that need the same
    token fetch it once.

    Args:
        clock: The monotonic clock, replaceable in tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._tokens: TTLCache[TokenKey, str] = TTLCache(clock)
        self._lock = threading.Lock()
        self._challenges: dict[Origin, Challenge] = {}

    def get(self, key: TokenKey) -> str | None:
        """The cached, unexpired token for `key`, or None."""
        return self._tokens.get(key)

    def put(self, key: TokenKey, token: str, lifetime: float) -> None:
        """Keep `token` for `lifetime` seconds less a safety margin (a tenth, at most 10s)."""
        self._tokens.put(key, token, self._expiry(lifetime))

    def _expiry(self, lifetime: float) -> float:
        return self._tokens.clock() + lifetime - min(10.0, lifetime / 10)

    def discard(self, key: TokenKey, token: str) -> None:
        """Forget `token` if it is still the one cached for `key` (a refused token)."""
        self._tokens.discard(key, token)

    def fetch(
        self,
        key: TokenKey,
        fetch: Callable[[], tuple[str, float]],
        *,
        stale: str | None = None,
        timeout: float = -1,
    ) -> str | None:
        """The cached token for `key` unless it is `stale`, else a new one from `fetch()`.

        `fetch` returns (token, lifetime in seconds); only one thread calls it per key at a time.
        Returns None when the key's lock could not be taken within `timeout` seconds.
        """
        if stale is not None:
            self.discard(key, stale)

        def obtain() -> tuple[str, float]:
            token, lifetime = fetch()
            return token, self._expiry(lifetime)

        return self._tokens.fetch(key, obtain, timeout=timeout)

    def remember_challenge(self, origin: Origin, challenge: Challenge) -> None:
        """Remember how a registry challenged, so later requests can send credentials up front."""
        with self._lock:
            self._challenges[origin] = challenge

    def challenge_for(self, origin: Origin) -> Challenge | None:
        with self._lock:
            return self._challenges.get(origin)

    def clear(self) -> None:
        """Forget every token and challenge."""
        self._tokens.clear()
        with self._lock:
            self._challenges.clear()


#: The process-wide cache every client uses unless given another.
SHARED_TOKEN_CACHE = TokenCache()
