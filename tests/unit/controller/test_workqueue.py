"""The work queue of `run`: one worker per key, delays that replace each other, exponential backoff."""

from __future__ import annotations

import threading

from kubectl_imagerepo.controller.workqueue import WorkQueue, backoff_delay


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def queue() -> tuple[WorkQueue[str], Clock]:
    clock = Clock()
    return WorkQueue(min_delay=0.75, max_delay=900.0, clock=clock), clock


def test_backoff_doubles_from_750ms():
    assert [backoff_delay(n, 0.75, 900) for n in range(5)] == [0.75, 1.5, 3.0, 6.0, 12.0]


def test_backoff_is_capped_at_15_minutes():
    assert backoff_delay(11, 0.75, 900) == 900
    assert backoff_delay(500, 0.75, 900) == 900


def test_a_key_added_twice_waits_once():
    q, _ = queue()
    q.add("a")
    q.add("a")
    assert q.depth() == 1
    assert q.get(timeout=0) == "a"
    assert q.get(timeout=0) is None


def test_keys_come_out_in_the_order_added():
    q, _ = queue()
    for key in "abc":
        q.add(key)
    assert [q.get(timeout=0) for _ in range(3)] == ["a", "b", "c"]


def test_a_key_added_while_held_comes_back_after_done():
    q, _ = queue()
    q.add("a")
    held = q.get(timeout=0)
    q.add("a")
    assert q.get(timeout=0) is None  # not handed to a second worker meanwhile
    q.done(held or "")
    assert q.get(timeout=0) == "a"


def test_a_delayed_key_waits_for_its_delay():
    q, clock = queue()
    q.add_after("a", 60)
    assert q.get(timeout=0) is None
    clock.now += 59.9
    assert q.get(timeout=0) is None
    clock.now += 0.2
    assert q.get(timeout=0) == "a"


def test_a_new_delay_replaces_the_pending_one():
    q, clock = queue()
    q.add_after("a", 10)
    q.add_after("a", 60)
    clock.now += 11
    assert q.get(timeout=0) is None
    assert q.scheduled("a") == 49


def test_an_immediate_add_cancels_the_pending_delay():
    q, clock = queue()
    q.add_after("a", 10)
    q.add("a")
    assert q.get(timeout=0) == "a"
    q.done("a")
    clock.now += 11
    assert q.get(timeout=0) is None


def test_retries_back_off_until_forgotten():
    q, _ = queue()
    assert [q.retry("a") for _ in range(4)] == [0.75, 1.5, 3.0, 6.0]
    q.forget("a")
    assert q.retry("a") == 0.75


def test_failures_are_counted_per_key():
    q, _ = queue()
    q.retry("a")
    q.retry("a")
    assert q.failures("a") == 2
    assert q.failures("b") == 0


def test_discard_drops_the_pending_delay_and_failures():
    q, clock = queue()
    q.retry("a")
    q.discard("a")
    clock.now += 5
    assert q.get(timeout=0) is None
    assert q.failures("a") == 0


def test_shut_down_wakes_a_waiting_worker_with_none():
    q: WorkQueue[str] = WorkQueue()
    got: list[str | None] = []
    worker = threading.Thread(target=lambda: got.append(q.get()))
    worker.start()
    q.shut_down()
    worker.join(5)
    assert got == [None]


def test_nothing_is_added_after_shut_down():
    q, _ = queue()
    q.shut_down()
    q.add("a")
    q.add_after("a", 1)
    assert q.depth() == 0


def test_a_waiting_worker_wakes_when_a_delay_ends():
    q: WorkQueue[str] = WorkQueue()
    q.add_after("a", 0.05)
    assert q.get(timeout=5) == "a"
