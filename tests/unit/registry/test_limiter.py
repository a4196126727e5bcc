"""Per-host registry limits: the overrides' syntax, which hosts are limited, the token bucket, requests in
flight, and a 429's pause for every client (docs/behaviour.md, Registry limits)."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from kubectl_imagerepo.commands.cmdutil.scan_flags import configure_registry_limits
from kubectl_imagerepo.model.errors import InputError
from kubectl_imagerepo.registry.errors import RegistryError
from kubectl_imagerepo.registry.limiter import (
    DEFAULT_BURST,
    DEFAULT_QPS,
    SHARED_LIMITER,
    HostLimit,
    HostLimiter,
    Limited,
    Limits,
    TokenBucket,
    parse_host_limit,
)
from kubectl_imagerepo.registry.roundtrip import Request

HOST = "registry.example"


def soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


# -- what applies to which host ---------------------------------------------------------------------------


def test_an_override_without_burst_holds_one_seconds_requests() -> None:
    assert parse_host_limit("GHCR.io=2.5") == ("ghcr.io", HostLimit(2.5, 3))


def test_an_override_with_burst_takes_it() -> None:
    assert parse_host_limit("127.0.0.1:5000=4:1") == ("127.0.0.1:5000", HostLimit(4.0, 1))


@pytest.mark.parametrize(
    ("text", "problem"),
    [("ghcr.io", "want HOST=QPS"), ("=3", "want HOST=QPS"), ("ghcr.io=fast", "QPS must be"),
     ("ghcr.io=0", "QPS must be"), ("ghcr.io=inf", "QPS must be"), ("ghcr.io=2:0", "BURST must be")],
)
def test_a_malformed_override_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_host_limit(text)


def test_loopback_hosts_are_not_limited_by_default() -> None:
    limits = Limits()

    assert limits.for_host("127.0.0.1:5000") is None
    assert limits.for_host("localhost:5000") is None
    assert limits.for_host("[::1]:5000") is None
    assert limits.for_host("ghcr.io") == HostLimit(DEFAULT_QPS, DEFAULT_BURST)


def test_an_override_limits_a_loopback_host_too() -> None:
    limits = Limits(overrides={"127.0.0.1:5000": HostLimit(1, 1)})

    assert limits.for_host("127.0.0.1:5000") == HostLimit(1, 1)


def test_the_help_states_the_defaults() -> None:
    from click.testing import CliRunner

    from kubectl_imagerepo.commands.reconcile import command

    text = CliRunner().invoke(command, ["--help"]).output

    assert f"(default {DEFAULT_QPS:g})" in text
    assert f"(default {DEFAULT_BURST})" in text


# -- the token bucket ---------------------------------------------------------------------------------------


def test_a_full_bucket_lets_a_burst_start_at_once_then_paces_at_the_rate() -> None:
    bucket = TokenBucket(HostLimit(qps=4, burst=2), tokens=2, updated=100.0)

    waits = [bucket.reserve(100.0) for _ in range(4)]

    assert waits == [0.0, 0.0, 0.25, 0.5]


def test_the_bucket_refills_at_the_rate_up_to_its_size() -> None:
    bucket = TokenBucket(HostLimit(qps=4, burst=2), tokens=0, updated=100.0)

    assert bucket.reserve(110.0) == 0.0
    assert bucket.tokens == 1.0


# -- the limiter --------------------------------------------------------------------------------------------


def test_no_more_requests_than_the_cap_are_in_flight() -> None:
    limiter = HostLimiter(Limits(in_flight=1))
    assert limiter.acquire(HOST, soon())
    second: list[bool] = []
    waiting = threading.Thread(target=lambda: second.append(limiter.acquire(HOST, soon())))
    waiting.start()
    time.sleep(0.2)

    assert second == []
    limiter.release(HOST)
    waiting.join(5)
    assert second == [True]


def test_a_turn_that_cannot_come_before_the_deadline_is_refused_at_once() -> None:
    limiter = HostLimiter(Limits(default=HostLimit(qps=0.1, burst=1)))
    assert limiter.acquire(HOST, soon())
    limiter.release(HOST)
    started = time.monotonic()

    assert not limiter.acquire(HOST, soon(2))
    assert time.monotonic() - started < 0.5


def test_a_pause_holds_the_host_and_no_other() -> None:
    limiter = HostLimiter()
    limiter.pause(HOST, 30)

    assert not limiter.acquire(HOST, soon(2))
    assert limiter.acquire("other.example", soon(2))


# -- the layer ----------------------------------------------------------------------------------------------


def too_many(request: Request) -> requests.Response:
    response = requests.Response()
    response.status_code = 429
    response._content = b""
    response.headers = CaseInsensitiveDict({"Retry-After": "30"})
    response.url = request.url
    return response


def test_a_429_with_retry_after_pauses_the_host_for_every_client() -> None:
    limiter = HostLimiter()
    first = Limited(too_many, limiter, deadline=soon, secrets=set())
    other = Limited(too_many, limiter, deadline=soon, secrets=set())
    url = f"https://{HOST}/v2/team/app/tags/list?n=1000"

    assert first(Request("GET", url)).status_code == 429
    with pytest.raises(RegistryError) as caught:
        other(Request("GET", url))

    assert str(caught.value) == f'Get "{url}": context deadline exceeded'


# -- the flags ----------------------------------------------------------------------------------------------


def test_the_flags_configure_the_process_limiter() -> None:
    try:
        configure_registry_limits(5.0, None, ["127.0.0.1:5000=1:1"])

        assert SHARED_LIMITER.limits == Limits(default=HostLimit(5.0, DEFAULT_BURST),
                                                 overrides={"127.0.0.1:5000": HostLimit(1.0, 1)})
    finally:
        SHARED_LIMITER.configure(Limits())


def test_a_malformed_override_flag_is_one_line_naming_the_flag() -> None:
    with pytest.raises(InputError) as caught:
        configure_registry_limits(None, None, ["ghcr.io"])

    assert str(caught.value) == "error: --registry-host-limit: 'ghcr.io': want HOST=QPS[:BURST]"
