"""Leader election decisions: who may write the Lease, judged by this process's own clock."""

from __future__ import annotations

from datetime import UTC, datetime

from kubectl_imagerepo.controller.leader import LeaseRecord, Observation, may_take, micro_time


def record(holder: str = "other", renew: str = "t1", duration: float = 15) -> LeaseRecord:
    return LeaseRecord(holder=holder, duration=duration, renew_time=renew, transitions=0)


def test_a_lease_nobody_holds_may_be_taken():
    allowed, _ = may_take(record(holder=""), None, "me", now=0, lease_duration=15)
    assert allowed


def test_our_own_lease_may_be_renewed():
    allowed, _ = may_take(record(holder="me"), None, "me", now=0, lease_duration=15)
    assert allowed


def test_a_lease_first_seen_now_is_not_taken_whatever_its_timestamps():
    allowed, seen = may_take(record(renew="2000-01-01T00:00:00.000000Z"), None, "me", 100, 15)
    assert not allowed
    assert seen.seen_at == 100


def test_a_lease_unchanged_for_its_duration_may_be_taken():
    seen = Observation(record(), seen_at=100)
    allowed, _ = may_take(record(), seen, "me", now=115, lease_duration=15)
    assert allowed


def test_a_lease_unchanged_for_less_than_its_duration_is_not_taken():
    seen = Observation(record(), seen_at=100)
    allowed, _ = may_take(record(), seen, "me", now=114.9, lease_duration=15)
    assert not allowed


def test_a_renewed_lease_restarts_the_wait():
    seen = Observation(record(renew="t1"), seen_at=100)
    allowed, now_seen = may_take(record(renew="t2"), seen, "me", now=200, lease_duration=15)
    assert not allowed
    assert now_seen.seen_at == 200


def test_the_lease_s_own_duration_wins_over_ours():
    seen = Observation(record(duration=60), seen_at=0)
    assert not may_take(record(duration=60), seen, "me", now=30, lease_duration=15)[0]
    assert may_take(record(duration=60), seen, "me", now=60, lease_duration=15)[0]


def test_a_record_is_read_from_a_lease_object():
    lease = {"spec": {"holderIdentity": "a", "leaseDurationSeconds": 15, "renewTime": "x",
                      "leaseTransitions": 3}}
    assert LeaseRecord.from_lease(lease) == LeaseRecord("a", 15.0, "x", 3)


def test_micro_time_has_microseconds_in_utc():
    moment = datetime(2026, 11, 27, 21, 0, 0, 123456, tzinfo=UTC)
    assert micro_time(moment) == "2026-11-27T21:00:00.123456Z"
