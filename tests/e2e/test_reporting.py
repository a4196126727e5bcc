"""One reporting path: the library's log records reach `run`'s log lines and the CLI's `--log-level`.

A registry behind the fault proxy answers 503 once, then the real tags: the registry client logs a
retry. `run --log-format json --log-level debug` must write it as a JSON line like every other line;
`reconcile` shows it on stderr with the root group's `-v debug`, and not by default.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kubectl_imagerepo.output.fluxlog import SYMBOLS
from tests.e2e.conftest import create, image_repository
from tests.e2e.test_api_faults import condition, fetch
from tests.harness import faults
from tests.harness.environment import Environment
from tests.harness.faults import FaultProxy

pytestmark = pytest.mark.e2e

RETRY = "retrying GET "


@pytest.fixture
def flaky(env: Environment, namespace: str) -> Iterator[Callable[[str], FaultProxy]]:
    """ImageRepositories whose registry answers their first request with 503, one proxy each."""
    proxies: list[FaultProxy] = []

    def make(name: str) -> FaultProxy:
        env.registry.seed(f"{namespace}/{name}", ["1.0", "1.1"])
        proxy = FaultProxy(env.registry.host, faults.status(503, times=1)).__enter__()
        proxies.append(proxy)
        create(env, image_repository(namespace, name, f"{proxy.host}/{namespace}/{name}", insecure=True))
        return proxy

    yield make
    for proxy in proxies:
        proxy.__exit__(None, None, None)


def plugin(env: Environment, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubectl_imagerepo", *args],
        capture_output=True, text=True, timeout=120, env=env.path_env(),
    )


def wait_ready(env: Environment, namespace: str, name: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        ready = condition(fetch(env, namespace, name), "Ready")
        if ready is not None and ready["status"] == "True":
            return
        time.sleep(0.1)
    raise AssertionError(f"{name} never became Ready")


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of `text` as a JSON object with a level, a time and a message: fails on any other line."""
    records = []
    for line in text.splitlines():
        record = json.loads(line)
        assert isinstance(record, dict) and {"level", "ts", "msg"} <= record.keys(), line
        records.append(record)
    return records


def test_run_at_debug_writes_only_json_lines_registry_retries_included(
    env: Environment, namespace: str, flaky: Callable[[str], FaultProxy], tmp_path: Path
) -> None:
    proxy = flaky("app")
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "kubectl_imagerepo", "run", "--log-format", "json",
         "--log-level", "debug", "-n", namespace, "--database", str(tmp_path / "db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env.path_env(),
    )
    try:
        wait_ready(env, namespace, "app", process)
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 0, stderr
    assert stdout == ""
    records = json_lines(stderr)
    retries = [r for r in records if r["msg"].startswith(RETRY)]
    assert len(retries) == 1, stderr
    assert retries[0]["msg"].endswith(": status 503")
    assert retries[0]["logger"].startswith("kubectl_imagerepo.registry.")
    assert any(r["level"] == "debug" and r["msg"].endswith(": 503") for r in records), stderr
    assert [s.path for s in proxy.seen][:2] == [f"/v2/{namespace}/app/tags/list?n=1000"] * 2


def test_reconcile_shows_registry_retries_with_the_root_log_level_debug_only(
    env: Environment, namespace: str, flaky: Callable[[str], FaultProxy], tmp_path: Path
) -> None:
    database = str(tmp_path / "db")
    quiet_proxy, verbose_proxy = flaky("quiet"), flaky("verbose")
    quiet = plugin(env, "reconcile", "quiet", "-n", namespace, "--database", database)
    verbose = plugin(env, "-v", "debug", "reconcile", "verbose", "-n", namespace, "--database", database)

    assert quiet.returncode == 0, quiet.stderr
    assert len(quiet_proxy.seen) == 2  # the 503 was retried, silently
    assert all(line.startswith(tuple(SYMBOLS.values())) for line in quiet.stderr.splitlines()), quiet.stderr
    assert verbose.returncode == 0, verbose.stderr
    assert len(verbose_proxy.seen) == 2
    retries = [line for line in verbose.stderr.splitlines() if line.startswith(RETRY)]
    assert len(retries) == 1, verbose.stderr
    assert retries[0].startswith(f"{RETRY}http://{verbose_proxy.host}/v2/{namespace}/verbose/tags/list")
    assert retries[0].endswith(": status 503")
