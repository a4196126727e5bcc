"""The Prometheus metrics of `run`, and the HTTP endpoints serving them and the health checks.

Reconcile counts, reconcile times and queue depth use controller-runtime's names, so that the
dashboards and alerts written for Flux controllers read them; scan times and tag counts are ours.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CONTROLLER = "imagerepository"
POLICY_CONTROLLER = "imagepolicy"
#: The `controller` (and work queue `name`) label of each kind's series.
CONTROLLERS = (CONTROLLER, POLICY_CONTROLLER)


class Metrics:
    """The collectors of one `run` process, in a registry of their own."""

    def __init__(self, queue_depth: Callable[[], int] = lambda: 0) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.reconciles = Counter(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller and result.",
            ["controller", "result"],
            registry=self.registry,
        )
        self.errors = Counter(
            "controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller.",
            ["controller"],
            registry=self.registry,
        )
        self.reconcile_time = Histogram(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller.",
            ["controller"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.scan_time = Histogram(
            "kubectl_imagerepo_scan_duration_seconds",
            "Length of time a registry scan took, per ImageRepository.",
            ["namespace", "name"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.tags = Gauge(
            "kubectl_imagerepo_tags",
            "Tags found by the last successful scan, per ImageRepository.",
            ["namespace", "name"],
            registry=self.registry,
        )
        self.depth = Gauge(
            "workqueue_depth", "Current depth of the work queue.", ["name"], registry=self.registry
        )
        self.depth.labels(CONTROLLER).set_function(lambda: float(queue_depth()))
        self.retries = Counter(
            "workqueue_retries_total", "Total number of retries handled by the work queue.", ["name"],
            registry=self.registry,
        )
        self.leader = Gauge(
            "leader_election_master_status",
            "1 while this process holds the leader lease, else 0.",
            ["name"],
            registry=self.registry,
        )
        self.listing_counts = Gauge(
            "kubectl_imagerepo_registry_listings",
            "Registry listings since start: made, served to another object (shared), failed.",
            ["outcome"],
            registry=self.registry,
        )
        self.series(CONTROLLER)

    def watch_listings(self, stats: Any) -> None:
        """Expose a `ListingStats` (listings made, shared, failed) as it counts."""
        def reader(outcome: str) -> Callable[[], float]:
            return lambda: float(getattr(stats, outcome))

        for outcome in ("made", "shared", "failed"):
            self.listing_counts.labels(outcome).set_function(reader(outcome))

    def watch_registries(self, limiter: Any) -> None:
        """Expose a `HostLimiter`'s requests per host and the seconds spent waiting for a turn."""
        from prometheus_client.core import CounterMetricFamily

        class RegistryCollector:
            def collect(self) -> Any:
                requests = CounterMetricFamily(
                    "kubectl_imagerepo_registry_requests",
                    "Registry requests started, per host.",
                    labels=["host"],
                )
                for host, count in sorted(dict(limiter.requests).items()):
                    requests.add_metric([host], float(count))
                yield requests
                yield CounterMetricFamily(
                    "kubectl_imagerepo_registry_limit_wait_seconds",
                    "Seconds registry requests waited for their host's limits.",
                    value=float(limiter.waited),
                )

        self.registry.register(RegistryCollector())

    def series(self, controller: str) -> None:
        """Start the counters of `controller` at zero, so that they are exposed before any reconcile."""
        for result in ("success", "error", "requeue_after"):
            self.reconciles.labels(controller, result)
        self.errors.labels(controller)
        self.retries.labels(controller)

    def reconciled(self, result: str, seconds: float, controller: str = CONTROLLER) -> None:
        """Count a reconcile of `controller`'s kind ending with `result` (success, error, requeue_after)."""
        self.reconciles.labels(controller, result).inc()
        if result == "error":
            self.errors.labels(controller).inc()
        self.reconcile_time.labels(controller).observe(seconds)

    def scanned(self, namespace: str, name: str, seconds: float, tags: int | None) -> None:
        """Count a registry scan of `seconds`; `tags` found after exclusions, when known."""
        self.scan_time.labels(namespace, name).observe(seconds)
        if tags is not None:
            self.tags.labels(namespace, name).set(tags)

    def forget(self, namespace: str, name: str) -> None:
        """Drop the series of a deleted object."""
        for family in (self.scan_time, self.tags):
            with contextlib.suppress(KeyError):
                family.remove(namespace, name)

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


Route = Callable[[], tuple[int, bytes, str]]


def parse_address(text: str) -> tuple[str, int]:
    """`host:port` or `:port` (every interface), as the controllers' `--metrics-addr`."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"invalid address {text!r}: want host:port or :port")
    return host.strip("[]") or "0.0.0.0", int(port)


class Endpoint:
    """A small HTTP server answering GET on a fixed set of paths, in a thread of its own."""

    def __init__(self, address: str, routes: Mapping[str, Route]) -> None:
        host, port = parse_address(address)
        table = dict(routes)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = table.get(self.path.split("?", 1)[0])
                status, body, content_type = (
                    route() if route else (404, b"404 page not found\n", "text/plain")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"http-{port}", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def address(self) -> str:
        host = self.server.server_address[0]
        return f"{host.decode() if isinstance(host, bytes) else host}:{self.port}"

    def start(self) -> Endpoint:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def check(ok: Callable[[], bool], name: str) -> Route:
    """A health route: 200 `ok` while `ok()` holds, else 500 naming the failed check."""

    def route() -> tuple[int, bytes, str]:
        if ok():
            return 200, b"ok", "text/plain; charset=utf-8"
        return 500, f"[-]{name} failed: not ready\n".encode(), "text/plain; charset=utf-8"

    return route
