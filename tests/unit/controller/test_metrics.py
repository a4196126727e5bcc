"""The Prometheus exposition of `run` and its addresses."""

from __future__ import annotations

import urllib.request

import pytest

from kubectl_imagerepo.controller.metrics import Endpoint, Metrics, check, parse_address


def test_an_address_may_omit_the_host():
    assert parse_address(":8080") == ("0.0.0.0", 8080)
    assert parse_address("127.0.0.1:0") == ("127.0.0.1", 0)


@pytest.mark.parametrize("bad", ["8080", "host:", "host:http", ":70000"])
def test_a_bad_address_is_refused(bad: str):
    with pytest.raises(ValueError, match="want host:port"):
        parse_address(bad)


def test_reconciles_are_counted_by_result():
    metrics = Metrics(queue_depth=lambda: 7)
    metrics.reconciled("success", 0.2)
    metrics.reconciled("error", 0.1)
    metrics.scanned("n", "a", 1.5, 42)
    text = metrics.exposition()[0].decode()
    assert 'controller_runtime_reconcile_total{controller="imagerepository",result="success"} 1.0' in text
    assert 'controller_runtime_reconcile_errors_total{controller="imagerepository"} 1.0' in text
    assert 'kubectl_imagerepo_tags{name="a",namespace="n"} 42.0' in text
    assert 'workqueue_depth{name="imagerepository"} 7.0' in text
    assert 'kubectl_imagerepo_scan_duration_seconds_count{name="a",namespace="n"} 1.0' in text


def test_each_kind_is_counted_under_its_own_controller_label():
    metrics = Metrics()
    metrics.series("imagepolicy")
    metrics.reconciled("error", 0.1, "imagepolicy")
    text = metrics.exposition()[0].decode()
    assert 'controller_runtime_reconcile_errors_total{controller="imagepolicy"} 1.0' in text
    assert 'controller_runtime_reconcile_total{controller="imagepolicy",result="success"} 0.0' in text
    assert 'controller_runtime_reconcile_errors_total{controller="imagerepository"} 0.0' in text


def test_a_deleted_object_s_series_are_dropped():
    metrics = Metrics()
    metrics.scanned("n", "a", 1.5, 42)
    metrics.forget("n", "a")
    assert 'name="a"' not in metrics.exposition()[0].decode()


def test_the_endpoint_serves_its_routes_and_404_otherwise():
    endpoint = Endpoint("127.0.0.1:0", {"/healthz": check(lambda: True, "ping")}).start()
    try:
        base = f"http://127.0.0.1:{endpoint.port}"
        with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:
            assert answer.read() == b"ok"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/nope", timeout=5)
        assert missing.value.code == 404
    finally:
        endpoint.stop()


def test_a_failing_check_answers_500_naming_it():
    status, body, _ = check(lambda: False, "informer-synced")()
    assert status == 500
    assert b"informer-synced failed" in body


def test_listings_and_registry_requests_are_exposed() -> None:
    from kubectl_imagerepo.registry.limiter import HostLimiter
    from kubectl_imagerepo.registry.sharedlistings import ListingStats

    metrics = Metrics()
    stats = ListingStats(made=2, shared=7, failed=1)
    limiter = HostLimiter()
    limiter.acquire("ghcr.io", deadline=float("inf"))
    limiter.acquire("ghcr.io", deadline=float("inf"))
    metrics.watch_listings(stats)
    metrics.watch_registries(limiter)
    text = metrics.exposition()[0].decode()
    assert 'kubectl_imagerepo_registry_listings{outcome="shared"} 7.0' in text
    assert 'kubectl_imagerepo_registry_requests_total{host="ghcr.io"} 2.0' in text
    assert "kubectl_imagerepo_registry_limit_wait_seconds_total" in text
