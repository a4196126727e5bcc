"""`kubectl imagerepo reconcile` when the API server gets in the way: conflicts, RBAC, outages.

Against the real kube-apiserver: concurrent writers make the status patch fail with 409, a restricted
user lacks a permission, and the API server is stopped before and during a reconcile.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.harness.environment import Environment
from tests.kstatus import check

pytestmark = pytest.mark.e2e

WRITERS = 4
GROUP_PATH = "/apis/image.toolkit.fluxcd.io/v1"


def fetch(env: Environment, namespace: str, name: str) -> dict[str, Any]:
    obj: dict[str, Any] = env.plane.request(
        "GET", f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories/{name}"
    )
    return obj


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any] | None:
    return next((c for c in (obj.get("status") or {}).get("conditions", []) if c["type"] == type_), None)


def failure_line(result: Result | str) -> str:
    """The last line of stderr, which must be the only failure line: no traceback before it."""
    stderr = result if isinstance(result, str) else result.stderr
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("✗")] == lines[-1:], stderr
    return lines[-1]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


@dataclass
class SlowRegistry:
    """A registry on loopback whose tag list answers only once `release` is set (or after 60 s)."""

    host: str
    tags: list[str]
    requested: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def slow_registry() -> Iterator[SlowRegistry]:
    registry = SlowRegistry(host="", tags=["1.0", "1.1", "2.0"])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"{}"
            if self.path.split("?")[0].endswith("/tags/list"):
                registry.requested.set()
                registry.release.wait(60)
                name = self.path.split("/v2/", 1)[1].rsplit("/tags/list", 1)[0]
                body = json.dumps({"name": name, "tags": registry.tags}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    registry.host = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield registry
    registry.release.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def running_apiserver(env: Environment) -> Iterator[None]:
    """Whatever a test does to the API server, it runs again for the next test."""
    yield
    env.plane.start_apiserver()


def wait_for_scan(process: subprocess.Popen[str], registry: SlowRegistry) -> None:
    """Wait until the reconcile asks the registry for tags; fail with what it printed if it never does."""
    if not registry.requested.wait(60):
        process.kill()
        pytest.fail(f"the scan never started: {process.communicate()[1]}")


def reconcile_in_background(
    plugin: Plugin, namespace: str, database: Path, name: str
) -> subprocess.Popen[str]:
    return plugin.start("reconcile", name, "-n", namespace, "--database", str(database))


# -- conflicts ------------------------------------------------------------------------------------------


@dataclass
class LabelWriters:
    """Threads that merge-patch their own label on one object, as other controllers and users would.

    Their patches carry no resourceVersion, so they never conflict themselves, but each one bumps the
    object's resourceVersion. The plugin's status patches test only what they depend on (the status,
    the generation, the requestedAt annotation), so they land all the same, without a conflict.
    """

    env: Environment
    path: str
    count: int = WRITERS
    pause: float = 0.0
    minimum: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    written: dict[str, int] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._write, args=(i,)) for i in range(self.count)]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join(60)
        assert self.errors == []

    def _write(self, index: int) -> None:
        count = 0
        try:
            with self.env.plane.session() as s:
                while not self.done.is_set() or count < self.minimum:
                    count += 1
                    answer = s.patch(
                        self.env.plane.url + self.path,
                        data=json.dumps({"metadata": {"labels": {f"writer-{index}": str(count)}}}),
                        headers={"Content-Type": "application/merge-patch+json"},
                        timeout=30,
                    )
                    answer.raise_for_status()
                    if count == self.minimum and self.pause == 0 and self.done.is_set():
                        break
                    self.done.wait(self.pause)
        except BaseException as failure:  # reported by stop()
            self.errors.append(failure)
        self.written[f"writer-{index}"] = count

    def labels_survived(self, obj: dict[str, Any]) -> bool:
        labels = obj["metadata"].get("labels") or {}
        return {key: int(value) for key, value in labels.items() if key.startswith("writer-")} == self.written


def status_codes(env: Environment, namespace: str) -> list[int]:
    """The answers the API server gave to status writes in `namespace`, in order (from its audit log)."""
    return [
        event["responseStatus"]["code"]
        for event in env.plane.audit_events()
        if event.get("objectRef", {}).get("namespace") == namespace
        and event.get("objectRef", {}).get("subresource") == "status"
        and event.get("stage") == "ResponseComplete"
    ]


def test_writers_changing_the_object_during_a_reconcile_keep_their_changes_and_the_status_lands(
    env: Environment, plugin: Plugin, namespace: str, database: Path, slow_registry: SlowRegistry
) -> None:
    create(env, image_repository(namespace, "app", f"{slow_registry.host}/app"))
    writers = LabelWriters(env, f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories/app", minimum=10)
    process = reconcile_in_background(plugin, namespace, database, "app")
    wait_for_scan(process, slow_registry)
    # While the registry holds the scan, the writers move the object on: the resourceVersion the
    # plugin read is stale for sure, and its final status patch must not care.
    writers.start()
    writers.stop()
    slow_registry.release.set()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr

    obj = fetch(env, namespace, "app")
    assert writers.labels_survived(obj)
    assert obj["status"]["lastScanResult"]["tagCount"] == 3
    ready = condition(obj, "Ready")
    assert ready is not None and ready["status"] == "True"
    requested_at = obj["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"]
    assert obj["status"]["lastHandledReconcileAt"] == requested_at
    assert check(obj["status"], obj["metadata"]["generation"], mid_reconcile=False) == []
    codes = status_codes(env, namespace)
    assert set(codes) == {200}, codes  # label churn costs no status write (no 409, no failed test)


def test_writers_that_never_pause_end_the_reconcile_cleanly_either_way(
    env: Environment, plugin: Plugin, namespace: str, database: Path, slow_registry: SlowRegistry
) -> None:
    create(env, image_repository(namespace, "app", f"{slow_registry.host}/app"))
    writers = LabelWriters(env, f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories/app", minimum=5)
    slow_registry.release.set()
    writers.start()
    try:
        result = plugin("reconcile", "app", "-n", namespace, "--database", str(database), timeout=120)
    finally:
        writers.stop()

    obj = fetch(env, namespace, "app")
    assert writers.labels_survived(obj)
    assert set(status_codes(env, namespace)) == {200}
    if result.code == 0:
        assert obj["status"]["lastScanResult"]["tagCount"] == 3
        assert check(obj["status"], obj["metadata"]["generation"], mid_reconcile=False) == []
    else:  # the plugin gave up after its conflict retries: one line, and no half-written status
        assert result.code == 1
        assert failure_line(result).startswith("✗ Error from server (Conflict): status of ")
        status = obj.get("status") or {}
        assert not status.get("conditions") or check(status, obj["metadata"]["generation"]) == []


# -- RBAC ----------------------------------------------------------------------------------------------


def grant(env: Environment, namespace: str, name: str, rules: list[dict[str, Any]]) -> None:
    """A Role with these rules, bound to the restricted user in `namespace`."""
    env.plane.apply(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": name, "namespace": namespace},
            "rules": rules,
        }
    )
    env.plane.apply(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}],
        }
    )


def allowed(env: Environment, namespace: str, verb: str, resource: str, subresource: str = "") -> bool:
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {
            "resourceAttributes": {
                "namespace": namespace,
                "verb": verb,
                "group": "image.toolkit.fluxcd.io",
                "resource": resource,
                "subresource": subresource,
            }
        },
    }
    with env.plane.session(env.plane.restricted_token) as s:
        answer = s.post(
            f"{env.plane.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", json=review, timeout=10
        )
    return bool(answer.json().get("status", {}).get("allowed"))


def test_a_read_only_user_is_told_it_cannot_patch_the_object(
    env: Environment, plugin: Plugin, namespace: str, database: Path
) -> None:
    image = f"{env.registry.host}/{namespace}/app"
    env.registry.seed(f"{namespace}/app", ["1.0"])
    create(env, image_repository(namespace, "app", image))
    env.plane.grant_restricted_user(namespace)
    result = plugin(
        "reconcile",
        "app",
        "-n",
        namespace,
        "--database",
        str(database),
        kubeconfig=env.plane.restricted_kubeconfig,
    )
    assert result.code == 1
    assert failure_line(result) == (
        "✗ Error from server (Forbidden): "
        f'imagerepositories.image.toolkit.fluxcd.io "app" is forbidden: User "alice" cannot patch resource '
        f'"imagerepositories" in API group "image.toolkit.fluxcd.io" in the namespace "{namespace}"'
    )
    assert "status" not in fetch(env, namespace, "app") or not condition(
        fetch(env, namespace, "app"), "Ready"
    )


def test_a_user_without_the_status_subresource_is_told_which_permission_is_missing(
    env: Environment, plugin: Plugin, namespace: str, database: Path
) -> None:
    image = f"{env.registry.host}/{namespace}/app"
    env.registry.seed(f"{namespace}/app", ["1.0"])
    create(env, image_repository(namespace, "app", image))
    grant(
        env,
        namespace,
        "imagerepo-annotate",
        [
            {
                "apiGroups": ["image.toolkit.fluxcd.io"],
                "resources": ["imagerepositories"],
                "verbs": ["get", "list", "watch", "patch"],
            }
        ],
    )
    assert allowed(env, namespace, "patch", "imagerepositories")
    assert not allowed(env, namespace, "patch", "imagerepositories", "status")
    result = plugin(
        "reconcile",
        "app",
        "-n",
        namespace,
        "--database",
        str(database),
        kubeconfig=env.plane.restricted_kubeconfig,
    )
    assert result.code == 1
    line = failure_line(result)
    assert 'User "alice" cannot patch resource "imagerepositories/status"' in line, result.stderr
    assert f'in the namespace "{namespace}"' in line
    assert (fetch(env, namespace, "app").get("status") or {}).get("conditions") is None  # nothing was written


# -- the API server going away ----------------------------------------------------------------------------


def test_a_reconcile_while_the_api_server_is_down_fails_in_one_line_and_a_later_one_succeeds(
    env: Environment, plugin: Plugin, namespace: str, database: Path, running_apiserver: None
) -> None:
    image = f"{env.registry.host}/{namespace}/app"
    env.registry.seed(f"{namespace}/app", ["1.0", "2.0"])
    create(env, image_repository(namespace, "app", image))
    before = fetch(env, namespace, "app")

    env.plane.stop_apiserver()
    result = plugin("reconcile", "app", "-n", namespace, "--database", str(database))
    assert result.code == 1
    host = env.plane.url.removeprefix("https://")
    assert result.stderr.strip().splitlines() == [
        f"The connection to the server {host} was refused - did you specify the right host or port?"
    ]
    env.plane.start_apiserver()

    assert (
        fetch(env, namespace, "app")["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    )
    again = plugin("reconcile", "app", "-n", namespace, "--database", str(database))
    assert again.code == 0, again.stderr
    obj = fetch(env, namespace, "app")
    assert obj["status"]["lastScanResult"]["tagCount"] == 2
    assert check(obj["status"], obj["metadata"]["generation"], mid_reconcile=False) == []


def test_the_api_server_stopping_during_a_scan_leaves_a_valid_status_and_the_next_reconcile_succeeds(
    env: Environment,
    plugin: Plugin,
    namespace: str,
    database: Path,
    slow_registry: SlowRegistry,
    running_apiserver: None,
) -> None:
    created = create(env, image_repository(namespace, "app", f"{slow_registry.host}/app"))
    process = reconcile_in_background(plugin, namespace, database, "app")
    wait_for_scan(process, slow_registry)
    env.plane.stop_apiserver()
    slow_registry.release.set()  # the scan ends while nothing answers on the API server's port
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    host = env.plane.url.removeprefix("https://")
    assert failure_line(stderr) == (
        f"✗ The connection to the server {host} was refused - did you specify the right host or port?"
    )

    env.plane.start_apiserver()
    obj = fetch(env, namespace, "app")
    # A command holds its writes to the exit (docs/behaviour.md, The user's environment): the status is
    # the one the object was created with, or, had a write landed, a whole, kstatus-valid one.
    status = obj.get("status") or {}
    assert status == (created.get("status") or {}) or check(status, obj["metadata"]["generation"]) == []
    assert "lastScanResult" not in (obj.get("status") or {})  # the scan's result never landed

    slow_registry.requested.clear()
    again = plugin("reconcile", "app", "-n", namespace, "--database", str(database))
    assert again.code == 0, again.stderr
    obj = fetch(env, namespace, "app")
    assert obj["status"]["lastScanResult"]["tagCount"] == 3
    assert check(obj["status"], obj["metadata"]["generation"], mid_reconcile=False) == []


def test_a_restarted_api_server_keeps_objects_and_serves_reads_and_writes_at_once(
    env: Environment, namespace: str
) -> None:
    create(env, image_repository(namespace, "kept", "ghcr.io/org/kept"))
    env.plane.restart_apiserver()
    assert fetch(env, namespace, "kept")["spec"]["image"] == "ghcr.io/org/kept"
    created = create(env, image_repository(namespace, "new", "ghcr.io/org/new"))  # writes work too
    assert created["metadata"]["name"] == "new"
