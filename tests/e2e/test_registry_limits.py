"""Registry limits hold under several workers: the request times a registry host sees, read from the log of
the fault proxy in front of the harness's registry (docs/behaviour.md, Registry limits)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Plugin, create, image_repository
from tests.e2e.test_reconcile import condition, fetch
from tests.harness import faults
from tests.harness.environment import Environment
from tests.harness.faults import FaultProxy

pytestmark = pytest.mark.e2e

REPOSITORIES = 8
QPS, BURST = 4.0, 2
# Request start times are taken where the proxy accepts the request, after the plugin's send: allow
# scheduling jitter on a shared 2-core machine.
JITTER = 0.1


def test_requests_to_one_host_keep_its_rate_under_four_workers(
    env: Environment, namespace: str, plugin: Plugin
) -> None:
    for index in range(REPOSITORIES):  # one image each: objects of one image would share one listing
        env.registry.seed(f"limits/app-{index}", ["1.0.0", "1.1.0"])
    with FaultProxy(env.registry.host, faults.passthrough()) as proxy:
        for index in range(REPOSITORIES):
            image = f"{proxy.host}/limits/app-{index}"
            create(env, image_repository(namespace, f"app-{index}", image, insecure=True))

        result = plugin("reconcile", "--all", "-n", namespace, "--concurrency", "4",
                        "--registry-host-limit", f"{proxy.host}={QPS:g}:{BURST}", timeout=120)

    assert result.code == 0, result.stderr
    for index in range(REPOSITORIES):
        ready = condition(fetch(env, namespace, f"app-{index}"), "Ready")
        assert ready is not None and ready["status"] == "True"
    times = sorted(seen.at for seen in proxy.seen)
    assert len(times) == REPOSITORIES
    for first in range(len(times)):
        for last in range(first + 1, len(times)):
            allowed = BURST + QPS * (times[last] - times[first] + JITTER)
            assert last - first + 1 <= allowed, (first, last, times)
    assert times[-1] - times[0] >= (REPOSITORIES - BURST) / QPS - JITTER
