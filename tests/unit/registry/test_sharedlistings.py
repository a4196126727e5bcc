"""One listing per identity: single flight, reuse no older than asked, failures never kept."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kubectl_imagerepo.registry.sharedlistings import SharedListings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def listings(clock: Clock) -> SharedListings:
    return SharedListings(clock=clock, wall=lambda: datetime(2026, 12, 7, tzinfo=UTC))


def counting(tags: list[str]) -> tuple[list[int], Callable[[], list[str]]]:
    calls: list[int] = []

    def lister() -> list[str]:
        calls.append(1)
        return tags

    return calls, lister


def test_a_listing_no_older_than_asked_serves_the_next_reconcile() -> None:
    clock = Clock()
    shared = listings(clock)
    calls, lister = counting(["1.0"])
    first = shared.list("id", lister, not_before=clock.now)
    clock.now += 5
    second = shared.list("id", lister, not_before=clock.now - 30)
    assert calls == [1] and second is first and second.listing == first.listing
    assert (shared.stats.made, shared.stats.shared) == (1, 1)


def test_a_listing_older_than_asked_is_made_again() -> None:
    clock = Clock()
    shared = listings(clock)
    calls, lister = counting(["1.0"])
    shared.list("id", lister, not_before=clock.now)
    clock.now += 5
    shared.list("id", lister, not_before=clock.now, fresh=True)  # an explicit request
    assert calls == [1, 1]


def test_another_identity_never_shares() -> None:
    clock = Clock()
    shared = listings(clock)
    calls, lister = counting(["1.0"])
    shared.list("tenant-a", lister, not_before=0)
    shared.list("tenant-b", lister, not_before=0)
    assert calls == [1, 1]


def test_concurrent_reconciles_wait_on_one_listing_in_flight() -> None:
    clock = Clock()
    shared = listings(clock)
    release, started = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> list[str]:
        calls.append(1)
        started.set()
        release.wait(10)
        return ["1.0", "2.0"]

    results: list[list[str]] = []
    leader = threading.Thread(target=lambda: results.append(shared.list("id", slow, not_before=0)))
    leader.start()
    started.wait(10)
    followers = [threading.Thread(target=lambda: results.append(shared.list("id", slow, not_before=0)))
                 for _ in range(3)]
    for thread in followers:
        thread.start()
    release.set()
    for thread in [leader, *followers]:
        thread.join(10)
    assert calls == [1] and len(results) == 4 and all(r == ["1.0", "2.0"] for r in results)


def test_a_failure_reaches_those_that_waited_and_is_not_kept() -> None:
    clock = Clock()
    shared = listings(clock)
    release, started = threading.Event(), threading.Event()

    def failing() -> list[str]:
        started.set()
        release.wait(10)
        raise RuntimeError("401 Unauthorized")

    errors: list[str] = []

    def attempt() -> None:
        try:
            shared.list("id", failing, not_before=0)
        except RuntimeError as failure:
            errors.append(str(failure))

    leader = threading.Thread(target=attempt)
    leader.start()
    started.wait(10)
    follower = threading.Thread(target=attempt)
    follower.start()
    release.set()
    leader.join(10)
    follower.join(10)
    assert errors == ["401 Unauthorized"] * 2
    calls, lister = counting(["1.0"])
    assert shared.list("id", lister, not_before=0) == ["1.0"] and calls == [1]  # the retry lists again


def test_old_listings_are_forgotten() -> None:
    clock = Clock()
    shared = SharedListings(clock=clock, keep=60)
    calls, lister = counting(["1.0"])
    shared.list("id", lister, not_before=0)
    clock.now += 61
    shared.list("id", lister, not_before=0)
    assert calls == [1, 1]


@pytest.mark.parametrize("not_before_offset", [0.0, -1.0])
def test_a_listing_started_at_or_after_the_request_serves_it(not_before_offset: float) -> None:
    clock = Clock()
    shared = listings(clock)
    calls, lister = counting(["1.0"])
    shared.list("id", lister, not_before=clock.now)
    shared.list("id", lister, not_before=clock.now + not_before_offset)
    assert calls == [1]


def test_an_explicit_request_does_not_join_a_listing_in_flight_since_before_it() -> None:
    clock = Clock()
    shared = listings(clock)
    release, started = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> list[str]:
        calls.append(1)
        started.set()
        release.wait(10)
        return ["old"]

    leader = threading.Thread(target=lambda: shared.list("id", slow, not_before=0))
    leader.start()
    started.wait(10)
    clock.now += 1
    fresh = shared.list("id", lambda: ["new"], not_before=clock.now, fresh=True)
    release.set()
    leader.join(10)
    assert fresh == ["new"] and calls == [1]
    assert shared.list("id", slow, not_before=clock.now) == ["new"]  # its result serves the others


def test_an_interval_reconcile_joins_any_listing_in_flight() -> None:
    clock = Clock()
    shared = listings(clock)
    release, started = threading.Event(), threading.Event()

    def slow() -> list[str]:
        started.set()
        release.wait(10)
        return ["1.0"]

    leader = threading.Thread(target=lambda: shared.list("id", slow, not_before=0))
    leader.start()
    started.wait(10)
    clock.now += 50
    joined: list[list[str]] = []
    follower = threading.Thread(
        target=lambda: joined.append(shared.list("id", lambda: ["other"], not_before=clock.now))
    )
    follower.start()
    release.set()
    for thread in (leader, follower):
        thread.join(10)
    assert joined == [["1.0"]]
