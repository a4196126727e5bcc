"""One listing per identity: reconciles that would send the same requests share one listing.

A reconcile asks for a listing no older than `not_before`. It joins a listing of the same identity in
flight (single flight) — for an explicit request (`fresh`) only one started at or after `not_before`,
the moment of the request — or a done, successful one that started at or after `not_before`; otherwise
it starts its own, whose result then serves the others. A failure is shared
only with the reconciles that waited on it; it is never kept, so the next one lists again. How long a
done listing serves later reconciles is the caller's choice, through `not_before`: `run` passes
`now - reuse window` for a due interval and the moment of the request for an explicit one; a command
passes the moment it started. See docs/behaviour.md, Shared listings and registry limits.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kubectl_imagerepo.model.listing import ListedTags

if TYPE_CHECKING:
    from kubectl_imagerepo.model.reference import ImageReference
    from kubectl_imagerepo.registry.access import RegistryAccess

    Progress = Callable[[int, int], None]

__all__ = ["ListingStats", "SharedListings", "shared_lister"]


@dataclass
class ListingStats:
    """What sharing saved so far: listings made, reconciles served by another's listing."""

    made: int = 0
    shared: int = 0
    failed: int = 0


@dataclass
class _Flight:
    identity: str
    started: float
    done: threading.Event = field(default_factory=threading.Event)
    tags: ListedTags | None = None
    error: BaseException | None = None


class SharedListings:
    """The listings of one process, by identity; safe to use from many threads."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        keep: float = 3600.0,
    ) -> None:
        self._clock, self._wall, self._keep = clock, wall, keep
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}
        self._done: dict[str, _Flight] = {}
        self.stats = ListingStats()

    def now(self) -> float:
        """The clock `not_before` is read against."""
        return self._clock()

    def list(
        self, identity: str, lister: Callable[[], list[str]], not_before: float, fresh: bool = False
    ) -> ListedTags:
        """The tags of a listing of `identity` no older than `not_before`: joined, or made here.

        Raises whatever `lister` raised, to this caller and to those that waited on the same listing.
        """
        with self._lock:
            self._forget_old()
            flight = self._flights.get(identity)
            if flight is None or (fresh and flight.started < not_before):
                flight = self._done.get(identity)
                if flight is None or flight.started < not_before:
                    flight = None
            joined = flight is not None
            if flight is None:
                flight = _Flight(identity, self._clock())
                self._flights[identity] = flight
                self.stats.made += 1
            else:
                self.stats.shared += 1
        if joined:
            return self._result(flight)
        try:
            tags = lister()
        except BaseException as failure:
            flight.error = failure
            with self._lock:
                self.stats.failed += 1
                self._retire(flight, keep=False)
            flight.done.set()
            raise
        when = self._wall()
        flight.tags = ListedTags(tags, listed_at=when, listing=_listing_id(flight, when))
        with self._lock:
            self._retire(flight, keep=True)
        flight.done.set()
        return self._result(flight)

    @staticmethod
    def _result(flight: _Flight) -> ListedTags:
        flight.done.wait()
        if flight.error is not None:
            raise flight.error
        assert flight.tags is not None
        return flight.tags

    def _retire(self, flight: _Flight, keep: bool) -> None:
        if self._flights.get(flight.identity) is flight:
            del self._flights[flight.identity]
        if keep:
            current = self._done.get(flight.identity)
            if current is None or current.started <= flight.started:
                self._done[flight.identity] = flight

    def _forget_old(self) -> None:
        horizon = self._clock() - self._keep
        for identity in [i for i, f in self._done.items() if f.started < horizon]:
            del self._done[identity]


def _listing_id(flight: _Flight, when: datetime) -> str:
    """A name for one listing, the same for every object it served (no secret: the identity is a digest)."""
    return hashlib.sha256(f"{flight.identity}@{when.isoformat()}".encode()).hexdigest()[:16]


def shared_lister(
    listings: SharedListings,
    not_before: float,
    fresh: bool = False,
    base: Callable[..., list[str]] | None = None,
) -> Callable[..., ListedTags]:
    """A tag lister (`reconciler.TagLister`) that lists through `listings` (see `SharedListings.list`).

    The listing is bounded by the deadline of the reconcile that makes it; one that joins waits for it.
    """
    from kubectl_imagerepo.registry.access import scan_tags
    from kubectl_imagerepo.registry.listing_identity import listing_identity

    lister = base or scan_tags

    def list_tags(
        reference: ImageReference, access: RegistryAccess, deadline: float, progress: Progress | None
    ) -> ListedTags:
        identity = listing_identity(reference, access)
        return listings.list(
            identity, lambda: lister(reference, access, deadline, progress), not_before, fresh
        )

    return list_tags
