"""`kubectl imagerepo run`: the controller mode, against the real API server, kubectl and registries."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import create, image_repository
from tests.harness.environment import Environment
from tests.harness.processes import free_port
from tests.kstatus import check

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
GROUP_PATH = "/apis/image.toolkit.fluxcd.io/v1/namespaces/{ns}/imagerepositories"


class Runner:
    """One `kubectl-imagerepo run` process; its stderr lines are collected as they come."""

    def __init__(self, env: Environment, args: list[str], kubeconfig: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "kubectl_imagerepo", "run", "--log-format", "json", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env.path_env(), "KUBECONFIG": str(kubeconfig)},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def logs(self) -> list[dict[str, Any]]:
        records = []
        for line in list(self.lines):
            try:
                records.append(json.loads(line))
            except ValueError:
                records.append({"msg": line, "level": "raw"})
        return records

    def terminate(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def runners(env: Environment) -> Iterator[Callable[..., Runner]]:
    started: list[Runner] = []

    def start(*args: str, kubeconfig: Path | None = None) -> Runner:
        runner = Runner(env, list(args), kubeconfig or env.plane.admin_kubeconfig)
        started.append(runner)
        return runner

    yield start
    for runner in started:
        if runner.process.poll() is None:
            runner.kill()


def fetch(env: Environment, namespace: str, name: str) -> dict[str, Any]:
    obj: dict[str, Any] = env.plane.request("GET", GROUP_PATH.format(ns=namespace) + f"/{name}")
    return obj


def ready(obj: dict[str, Any]) -> dict[str, Any] | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c["type"] == "Ready"), None)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def wait_ready(env: Environment, namespace: str, name: str, timeout: float = 30) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        obj = fetch(env, namespace, name)
        condition = ready(obj)
        return obj if condition and condition["status"] == "True" else None

    result: dict[str, Any] = wait_for(done, timeout, f"{namespace}/{name} to be Ready")
    return result


def repository(env: Environment, namespace: str, name: str, tags: list[str], **spec: Any) -> dict[str, Any]:
    """An ImageRepository of a freshly seeded repository on the paginating registry."""
    env.registry.seed(f"{namespace}/{name}", tags)
    return create(env, image_repository(namespace, name, f"{env.registry.host}/{namespace}/{name}", **spec))


def test_objects_present_at_start_and_created_later_are_reconciled(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    repository(env, namespace, "before", ["1.0.0", "1.1.0"])
    runner = runners("-n", namespace, "--database", str(tmp_path / "db"))
    assert wait_ready(env, namespace, "before")["status"]["lastScanResult"]["tagCount"] == 2
    repository(env, namespace, "after", ["2.0.0"])
    assert wait_ready(env, namespace, "after")["status"]["lastScanResult"]["tagCount"] == 1
    assert runner.terminate() == 0


def test_kubectl_annotate_is_handled_within_3_seconds(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    repository(env, namespace, "app", ["1.0.0"])
    runners("-n", namespace, "--database", str(tmp_path / "db"))
    wait_ready(env, namespace, "app")
    value = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    started = time.monotonic()
    subprocess.run(
        ["kubectl", "annotate", "--overwrite", "-n", namespace, "imagerepository", "app",
         f"reconcile.fluxcd.io/requestedAt={value}"],
        check=True, capture_output=True, env=env.path_env(),
    )
    wait_for(
        lambda: fetch(env, namespace, "app")["status"].get("lastHandledReconcileAt") == value,
        3.0, "lastHandledReconcileAt to match the annotation",
    )
    assert time.monotonic() - started < 3.0


def test_an_object_is_rescanned_when_its_interval_elapses(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    repository(env, namespace, "app", ["1.0.0"], interval="2s")
    runners("-n", namespace, "--database", str(tmp_path / "db"))
    first = wait_ready(env, namespace, "app")["status"]["lastScanResult"]
    env.registry.seed(f"{namespace}/app", ["1.0.0", "1.1.0"])
    rescanned = wait_for(
        lambda: fetch(env, namespace, "app")["status"]["lastScanResult"]["tagCount"] == 2,
        10, "a rescan after the interval",
    )
    assert rescanned
    assert fetch(env, namespace, "app")["status"]["lastScanResult"]["scanTime"] > first["scanTime"]


def test_a_generation_change_is_picked_up(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    repository(env, namespace, "app", ["1.0.0"])
    env.registry.seed(f"{namespace}/other", ["a", "b", "c"])
    runners("-n", namespace, "--database", str(tmp_path / "db"))
    wait_ready(env, namespace, "app")
    env.plane.request(
        "PATCH", GROUP_PATH.format(ns=namespace) + "/app",
        {"spec": {"image": f"{env.registry.host}/{namespace}/other"}},
        content_type="application/merge-patch+json",
    )
    wait_for(
        lambda: (fetch(env, namespace, "app")["status"].get("lastScanResult") or {}).get("tagCount") == 3,
        10, "the new image to be scanned",
    )
    status = fetch(env, namespace, "app")["status"]
    assert status["canonicalImageName"].endswith(f"/{namespace}/other")
    assert status["observedGeneration"] == 2


def test_a_failing_registry_is_retried_with_growing_delays(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    closed = f"127.0.0.1:{free_port()}"
    create(env, image_repository(namespace, "down", f"{closed}/app", insecure=True))
    runner = runners("-n", namespace, "--database", str(tmp_path / "db"))

    def errors() -> list[dict[str, Any]]:
        return [r for r in runner.logs() if r.get("msg") == "Reconciler error" and r.get("name") == "down"]

    wait_for(lambda: len(errors()) >= 4, 30, "four failed reconciles")
    failures = errors()[:4]
    assert [f["retryIn"] for f in failures] == ["0.75s", "1.5s", "3s", "6s"]
    stamps = [datetime.strptime(f["ts"], "%Y-%m-%dT%H:%M:%S.%fZ") for f in failures]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(stamps)]
    for gap, expected in zip(gaps, (0.75, 1.5, 3.0), strict=True):
        assert expected - 0.05 <= gap < expected + 1.0
    condition = ready(fetch(env, namespace, "down"))
    assert condition is not None
    assert condition["reason"] == "ReadOperationFailed"


class SlowRegistry:
    """A registry answering the tag list after `delay` seconds; it counts the requests it got."""

    def __init__(self, delay: float) -> None:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path.startswith("/v2/") and "/tags/list" in self.path:
                    registry.requests += 1
                    time.sleep(registry.delay)
                    body = json.dumps({"name": "app", "tags": ["1.0.0", "2.0.0"]}).encode()
                else:
                    body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.delay = delay
        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_sigterm_during_a_scan_lets_it_finish_with_a_kstatus_valid_status(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    slow = SlowRegistry(delay=3.0)
    try:
        create(env, image_repository(namespace, "app", f"{slow.host}/app", insecure=True, timeout="20s"))
        runner = runners("-n", namespace, "--database", str(tmp_path / "db"))
        wait_for(lambda: slow.requests >= 1, 20, "the scan to start")
        scanning = fetch(env, namespace, "app")
        assert check(scanning["status"], scanning["metadata"]["generation"]) == []
        assert runner.terminate(timeout=30) == 0
    finally:
        slow.stop()
    obj = fetch(env, namespace, "app")
    assert check(obj["status"], obj["metadata"]["generation"]) == []
    condition = ready(obj)
    assert condition is not None
    assert condition["status"] == "True"
    assert obj["status"]["lastScanResult"]["tagCount"] == 2
    assert any(r.get("msg") == "stopped" for r in runner.logs())


def test_metrics_and_health_endpoints_report_the_reconciles(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    repository(env, namespace, "app", ["1.0.0", "1.1.0", "1.2.0"])
    metrics_port, health_port = free_port(), free_port()
    runners(
        "-n", namespace, "--database", str(tmp_path / "db"),
        "--metrics-addr", f"127.0.0.1:{metrics_port}", "--health-addr", f"127.0.0.1:{health_port}",
    )
    wait_ready(env, namespace, "app")

    def get(port: int, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return str(answer.read().decode())

    text = wait_for(
        lambda: (t := get(metrics_port, "/metrics"))
        and f'kubectl_imagerepo_tags{{name="app",namespace="{namespace}"}} 3.0' in t and t,
        10, "the tag gauge",
    )
    counted = [
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
        if line.startswith("controller_runtime_reconcile_total{")
        and 'result="requeue_after"' in line
    ]
    assert counted and counted[0] >= 1
    assert 'workqueue_depth{name="imagerepository"}' in text
    assert get(health_port, "/healthz") == "ok"
    assert get(health_port, "/readyz") == "ok"


def test_a_deleted_object_s_tags_leave_the_database(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    import sqlite3

    database = tmp_path / "db"
    repository(env, namespace, "app", ["1.0.0"])
    runners("-n", namespace, "--database", str(database))
    wait_ready(env, namespace, "app")

    def stored() -> int:
        with sqlite3.connect(database) as db:
            row = db.execute(
                "SELECT count(*) FROM scans WHERE namespace = ? AND name = 'app'", (namespace,)
            ).fetchone()
        return int(row[0])

    assert stored() == 1
    env.plane.request("DELETE", GROUP_PATH.format(ns=namespace) + "/app")
    wait_for(lambda: stored() == 0, 10, "the stored tags to be removed")


def test_the_api_server_restarted_under_a_running_run_is_survived(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    repository(env, namespace, "app", ["1.0.0"])
    runner = runners("-n", namespace, "--database", str(tmp_path / "db"))
    wait_ready(env, namespace, "app")
    env.plane.restart_apiserver()
    env.registry.seed(f"{namespace}/app", ["1.0.0", "1.1.0"])
    value = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    env.plane.request(
        "PATCH", GROUP_PATH.format(ns=namespace) + "/app",
        {"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": value}}},
        content_type="application/merge-patch+json",
    )
    wait_for(
        lambda: fetch(env, namespace, "app")["status"].get("lastHandledReconcileAt") == value,
        30, "the request made after the restart to be handled",
    )
    assert fetch(env, namespace, "app")["status"]["lastScanResult"]["tagCount"] == 2
    assert runner.process.poll() is None


# -- leader election, with the RBAC of deploy/ -----------------------------------------------------


def deploy_rbac(env: Environment, namespace: str, accounts: list[str]) -> None:
    """Apply deploy/rbac.yaml for `accounts` in `namespace` (names suffixed so tests do not collide)."""
    documents = [d for d in yaml.safe_load_all((ROOT / "deploy" / "rbac.yaml").read_text()) if d]
    for document in documents:
        kind = document["kind"]
        if kind == "ServiceAccount":
            for account in accounts:
                env.plane.apply({**document, "metadata": {"name": account, "namespace": namespace}})
            continue
        document["metadata"]["name"] = f"{document['metadata']['name']}-{namespace}"
        if "namespace" in document["metadata"]:
            document["metadata"]["namespace"] = namespace
        if "roleRef" in document:
            document["roleRef"]["name"] = f"{document['roleRef']['name']}-{namespace}"
            document["subjects"] = [
                {"kind": "ServiceAccount", "name": account, "namespace": namespace} for account in accounts
            ]
        env.plane.apply(document)


def account_kubeconfig(env: Environment, namespace: str, account: str, path: Path) -> Path:
    """A kubeconfig authenticating as the ServiceAccount with a token from the TokenRequest API."""
    token = env.plane.request(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
         "spec": {"expirationSeconds": 3600}},
    )["status"]["token"]
    admin = yaml.safe_load(env.plane.admin_kubeconfig.read_text())
    admin["users"] = [{"name": account, "user": {"token": token}}]
    for context in admin["contexts"]:
        context["context"]["user"] = account
        context["context"]["namespace"] = namespace
    path.write_text(yaml.safe_dump(admin))
    return path


def status_writes(env: Environment, namespace: str) -> list[tuple[str, str]]:
    """(time, user) of every status write to the namespace's ImageRepositories, oldest first."""
    writes = []
    for event in env.plane.audit_events():
        ref = event.get("objectRef") or {}
        if (
            ref.get("resource") == "imagerepositories"
            and ref.get("subresource") == "status"
            and ref.get("namespace") == namespace
            and event.get("verb") == "patch"
            and event.get("stage") == "ResponseComplete"
            and (event.get("responseStatus") or {}).get("code", 200) < 300
        ):
            writes.append((event["stageTimestamp"], event["user"]["username"]))
    return sorted(writes)


def test_two_runs_with_leader_election_never_both_write_and_the_standby_takes_over(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    deploy_rbac(env, namespace, ["runner-a", "runner-b"])
    for index in range(3):
        repository(env, namespace, f"app{index}", ["1.0.0"], interval="1s")
    election = [
        "-n", namespace, "--leader-elect", "--leader-election-lease-duration", "4s",
        "--leader-election-renew-deadline", "3s", "--leader-election-retry-period", "500ms",
    ]
    a = runners(*election, "--database", str(tmp_path / "a"),
                kubeconfig=account_kubeconfig(env, namespace, "runner-a", tmp_path / "a.kubeconfig"))
    for index in range(3):
        wait_ready(env, namespace, f"app{index}")
    b = runners(*election, "--database", str(tmp_path / "b"),
                kubeconfig=account_kubeconfig(env, namespace, "runner-b", tmp_path / "b.kubeconfig"))
    wait_for(lambda: any(r.get("msg") == "attempting to acquire leader lease" for r in b.logs()),
             20, "the standby to start")
    time.sleep(4)  # both running: the leader keeps rescanning every second, the standby waits
    user_a = f"system:serviceaccount:{namespace}:runner-a"
    user_b = f"system:serviceaccount:{namespace}:runner-b"
    assert {user for _, user in status_writes(env, namespace)} == {user_a}

    a.process.send_signal(signal.SIGKILL)
    a.process.wait(10)
    killed = datetime.now(UTC)
    wait_for(lambda: any(user == user_b for _, user in status_writes(env, namespace)), 20,
             "the standby to write after taking over")
    writes = status_writes(env, namespace)
    last_a = max(t for t, user in writes if user == user_a)
    first_b = min(t for t, user in writes if user == user_b)
    assert last_a < first_b  # never both
    took_over = datetime.strptime(first_b[:26].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
    assert (took_over - killed).total_seconds() < 4 + 3  # within the lease duration (+ a scan)
    lease = env.plane.request(
        "GET", f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/kubectl-imagerepo-leader-election"
    )
    assert lease["spec"]["leaseTransitions"] >= 1
    fields = fetch(env, namespace, "app0")["metadata"]["managedFields"]
    managers = {(m["manager"], m.get("subresource")) for m in fields}
    assert ("kubectl-imagerepo", "status") in managers
    assert b.terminate() == 0


def test_a_stopped_leader_releases_its_lease_for_an_immediate_takeover(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    repository(env, namespace, "app", ["1.0.0"])
    election = ["-n", namespace, "--leader-elect", "--leader-election-lease-duration", "30s",
                "--leader-election-renew-deadline", "20s", "--leader-election-retry-period", "500ms"]
    a = runners(*election, "--database", str(tmp_path / "a"))
    wait_ready(env, namespace, "app")
    b = runners(*election, "--database", str(tmp_path / "b"))
    wait_for(lambda: any(r.get("msg") == "attempting to acquire leader lease" for r in b.logs()), 20,
             "the standby to start")
    assert a.terminate() == 0
    stopped = time.monotonic()
    wait_for(lambda: any(r.get("msg") == "successfully acquired lease" for r in b.logs()), 10,
             "the standby to lead")
    assert time.monotonic() - stopped < 5  # far less than the 30s lease: it was released
    assert b.terminate() == 0


def test_a_bad_flag_value_is_a_one_line_error_with_exit_code_2(env: Environment, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kubectl_imagerepo", "run", "--min-retry-delay", "soon"],
        capture_output=True, text=True, env=env.path_env(), timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: invalid value 'soon' for --min-retry-delay: time: invalid duration \"soon\""
    ]


def test_watch_label_selector_shards_across_all_namespaces(
    env: Environment, runners: Any, tmp_path: Path
) -> None:
    first, second = env.new_namespace("shard"), env.new_namespace("shard")
    shard = f"sharding.fluxcd.io/key={first}"
    for namespace in (first, second):
        env.registry.seed(f"{namespace}/app", ["1.0.0"])
        image = f"{env.registry.host}/{namespace}/app"
        create(env, image_repository(namespace, "mine", image, labels={"sharding.fluxcd.io/key": first}))
        create(env, image_repository(namespace, "theirs", image))
    runners("-A", "--watch-label-selector", shard, "--database", str(tmp_path / "db"))
    wait_ready(env, first, "mine")
    wait_ready(env, second, "mine")
    time.sleep(2)  # time enough for a wrongly watched object to be reconciled too
    for namespace in (first, second):
        assert not (fetch(env, namespace, "theirs").get("status") or {}).get("conditions")


class EventsReceiver:
    """A notification-controller stand-in: keeps the JSON body of every POST it gets."""

    def __init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length))
                receiver.payloads.append((self.headers.get("Content-Type"), body))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.payloads: list[tuple[str | None, dict[str, Any]]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def about(self, name: str) -> list[dict[str, Any]]:
        return [body for _, body in list(self.payloads) if body["involvedObject"]["name"] == name]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_events_addr_receives_normal_and_warning_events_but_no_trace(
    env: Environment, namespace: str, runners: Any, tmp_path: Path
) -> None:
    receiver = EventsReceiver()
    try:
        good = repository(env, namespace, "good", ["1.0.0", "1.1.0"], interval="1s")
        closed = f"127.0.0.1:{free_port()}"
        create(env, image_repository(namespace, "down", f"{closed}/app", insecure=True))
        runner = runners(
            "-n", namespace, "--database", str(tmp_path / "db"), "--events-addr", receiver.address
        )
        wait_for(lambda: receiver.about("good") and receiver.about("down"), 30, "an event of each object")
        wait_for(
            lambda: any(r.get("msg", "").startswith("tags did not change") for r in runner.logs()),
            15, "a rescan that records a Trace event",
        )
        time.sleep(1)  # time for a wrongly forwarded Trace event to arrive

        first = receiver.about("good")[0]
        assert first["severity"] == "info"
        assert first["reason"] == "Succeeded"
        assert first["message"].startswith("successful scan: found 2 tags with checksum ")
        assert first["involvedObject"] == {
            "kind": "ImageRepository", "namespace": namespace, "name": "good",
            "uid": good["metadata"]["uid"], "apiVersion": "image.toolkit.fluxcd.io/v1",
            "resourceVersion": first["involvedObject"]["resourceVersion"],
        }
        assert first["reportingController"] == "kubectl-imagerepo"
        assert first["reportingInstance"]
        datetime.strptime(first["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        assert all(not body["message"].startswith("tags did not change") for body in receiver.about("good"))

        warning = receiver.about("down")[0]
        assert (warning["severity"], warning["reason"]) == ("error", "ReadOperationFailed")
        assert {content_type for content_type, _ in receiver.payloads} == {"application/json"}
        assert runner.terminate() == 0
    finally:
        receiver.stop()
