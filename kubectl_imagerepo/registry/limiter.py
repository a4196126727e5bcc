"""Per-host registry limits shared by every worker of the process: a token bucket, a cap on requests in
flight, and a pause after a 429 with `Retry-After` (docs/behaviour.md, Registry limits).

`Limits` says what applies to a host (pure), `TokenBucket` when the next request may start (pure, on
a clock given to it), `HostLimiter` keeps both per host for all threads, and `Limited` is the layer of
the request path (`client.py`, under the redirects: every attempt and every hop) that waits its turn
and reports 429s. Loopback registries are not limited unless an override names them: they are the
user's own.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kubectl_imagerepo.registry.deadline import deadline_error
from kubectl_imagerepo.registry.proxy import is_loopback
from kubectl_imagerepo.registry.retries import parse_retry_after

if TYPE_CHECKING:
    import requests

    from kubectl_imagerepo.registry.roundtrip import Request, RoundTripper

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_IN_FLIGHT",
    "DEFAULT_QPS",
    "SHARED_LIMITER",
    "HostLimit",
    "HostLimiter",
    "Limited",
    "Limits",
    "TokenBucket",
    "parse_host_limit",
]

#: Requests per second per registry host: what Google's APIs allow by default (20/s), well below what
#: Docker Hub, GHCR or Quay refuse for metadata reads.
DEFAULT_QPS = 20.0
#: Requests that may start at once after a quiet spell.
DEFAULT_BURST = 40
#: Requests in flight per registry host (ggcr's default `jobs` for a push or pull).
DEFAULT_IN_FLIGHT = 4


@dataclass(frozen=True)
class HostLimit:
    """A token bucket's rate (requests per second) and size."""

    qps: float
    burst: int


@dataclass(frozen=True)
class Limits:
    """What limits each registry host: `default` for any host but loopback ones, `overrides` by host.

    Hosts are `host[:port]` in lower case, as the image names them.
    """

    default: HostLimit = field(default_factory=lambda: HostLimit(DEFAULT_QPS, DEFAULT_BURST))
    in_flight: int = DEFAULT_IN_FLIGHT
    overrides: Mapping[str, HostLimit] = field(default_factory=lambda: MappingProxyType({}))

    def for_host(self, host: str) -> HostLimit | None:
        """The limit of `host`, or None when it is not limited (loopback without an override)."""
        host = host.lower()
        if host in self.overrides:
            return self.overrides[host]
        name = urlsplit(f"//{host}").hostname or host
        return None if is_loopback(name) else self.default


def parse_host_limit(text: str) -> tuple[str, HostLimit]:
    """`HOST=QPS[:BURST]` as (host, limit); without BURST the bucket holds one second's requests.

    Raises:
        ValueError: the text names what is wrong, e.g. `"ghcr.io=fast": QPS must be a positive number`.
    """
    host, equals, value = text.partition("=")
    host = host.strip().lower()
    if not equals or not host:
        raise ValueError(f"{text!r}: want HOST=QPS[:BURST]")
    qps_text, colon, burst_text = value.partition(":")
    try:
        qps = float(qps_text)
    except ValueError:
        qps = math.nan
    if not (qps > 0 and math.isfinite(qps)):
        raise ValueError(f"{text!r}: QPS must be a positive number")
    burst = max(1, math.ceil(qps))
    if colon:
        if not burst_text.isdigit() or int(burst_text) < 1:
            raise ValueError(f"{text!r}: BURST must be a whole number of at least 1")
        burst = int(burst_text)
    return host, HostLimit(qps, burst)


@dataclass
class TokenBucket:
    """Requests that may start: `burst` at most, refilled at `qps` per second; reservations may run it
    into debt, which is the wait of the one who reserved."""

    limit: HostLimit
    tokens: float
    updated: float

    def reserve(self, now: float) -> float:
        """Take one token and return how long to wait for it (0 when one was there)."""
        self.tokens = min(float(self.limit.burst), self.tokens + (now - self.updated) * self.limit.qps)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.limit.qps

    def give_back(self) -> None:
        """Return a reserved token that will not be used."""
        self.tokens = min(float(self.limit.burst), self.tokens + 1)


class _Host:
    """One host's bucket, requests in flight and pause; guarded by the limiter's condition."""

    def __init__(self, limit: HostLimit, now: float) -> None:
        self.bucket = TokenBucket(limit, float(limit.burst), now)
        self.in_flight = 0
        self.paused_until = 0.0


class HostLimiter:
    """The process's per-host limits, thread-safe.

    Args:
        limits: What applies to each host.
        clock: The monotonic clock waits are measured on.
    """

    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits or Limits()
        self._clock = clock
        self._condition = threading.Condition()
        self._hosts: dict[str, _Host] = {}
        self._limit_of: dict[str, HostLimit | None] = {}
        #: Seconds requests spent waiting for their turn, all hosts together.
        self.waited = 0.0
        #: Requests started per host, limited or not (`run`'s metrics).
        self.requests: dict[str, int] = {}

    @property
    def limits(self) -> Limits:
        """What applies now."""
        return self._limits

    def configure(self, limits: Limits) -> None:
        """Apply `limits` from now on (the hosts' state starts afresh)."""
        with self._condition:
            self._limits = limits
            self._hosts.clear()
            self._limit_of = {}
            self._condition.notify_all()

    def _limit(self, host: str) -> HostLimit | None:
        try:
            return self._limit_of[host]
        except KeyError:
            limit = self._limit_of[host] = self._limits.for_host(host)
            return limit

    def acquire(self, host: str, deadline: float) -> bool:
        """Wait until a request to `host` (`host[:port]` in lower case) may start; False when that would be
        after `deadline`.

        The host's pause comes first, then a place among its requests in flight, then a token.
        """
        with self._condition:
            self.requests[host] = self.requests.get(host, 0) + 1
        limit = self._limit(host)
        if limit is None:
            return True
        started = self._clock()
        blocked = False
        with self._condition:
            state = self._hosts.get(host)
            if state is None:
                state = self._hosts[host] = _Host(limit, started)
            while True:
                now = self._clock()
                if state.paused_until > now:
                    if state.paused_until >= deadline:
                        return False
                    blocked = True
                    self._condition.wait(state.paused_until - now)
                    continue
                if state.in_flight >= self._limits.in_flight:
                    if now >= deadline:
                        return False
                    blocked = True
                    self._condition.wait(deadline - now)
                    continue
                wait = state.bucket.reserve(now)
                if now + wait >= deadline and wait > 0:
                    state.bucket.give_back()
                    return False
                state.in_flight += 1
                break
        if wait > 0:
            blocked = True
            time.sleep(wait)
        if blocked:
            with self._condition:
                self.waited += self._clock() - started
        return True

    def release(self, host: str) -> None:
        """A request to `host` that `acquire` let start has ended."""
        with self._condition:
            state = self._hosts.get(host)
            if state is not None and state.in_flight > 0:
                state.in_flight -= 1
                self._condition.notify_all()

    def pause(self, host: str, seconds: float) -> None:
        """Start no request to `host` for `seconds` (a 429's `Retry-After`), whoever sends it."""
        limit = self._limit(host)
        if limit is None:
            return
        with self._condition:
            state = self._hosts.setdefault(host, _Host(limit, self._clock()))
            state.paused_until = max(state.paused_until, self._clock() + seconds)


def _host(url: str) -> str:
    """The `host[:port]` of an absolute URL, in lower case, without user info."""
    authority = url.partition("//")[2]
    for end in "/?#":
        authority = authority.partition(end)[0]
    return authority.rpartition("@")[2].lower()


class Limited:
    """The layer that takes each request's turn at its host before sending it through `inner`.

    A wait that cannot end before the deadline fails at once as the deadline would end the request:
    `Get "<url>": context deadline exceeded`.
    """

    def __init__(
        self, inner: RoundTripper, limiter: HostLimiter, *, deadline: Callable[[], float], secrets: set[str]
    ) -> None:
        self._inner = inner
        self._limiter = limiter
        self._deadline = deadline
        self._secrets = secrets

    def __call__(self, request: Request) -> requests.Response:
        host = _host(request.url)
        if not self._limiter.acquire(host, self._deadline()):
            raise deadline_error(request.method, request.url, self._secrets)
        try:
            response = self._inner(request)
        finally:
            self._limiter.release(host)
        if response.status_code == 429:
            pause = parse_retry_after(response.headers.get("Retry-After"))
            if pause:
                self._limiter.pause(host, pause)
        return response


#: The limiter every scan of the process shares (`--registry-qps`, `--registry-burst`,
#: `--registry-host-limit` configure it).
SHARED_LIMITER = HostLimiter()
