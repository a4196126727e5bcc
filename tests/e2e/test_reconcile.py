"""`kubectl imagerepo reconcile`, `suspend` and `resume` against the real API server and registries."""

from __future__ import annotations

import json
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from tests.e2e.conftest import Plugin, Result, create, image_repository
from tests.harness.environment import Environment
from tests.harness.registry import Registry
from tests.kstatus import check

VALIDATE_HINT = "; if you choose to ignore these errors, turn validation off with --validate=false"

pytestmark = pytest.mark.e2e


def revision(tags: list[str]) -> str:
    return str(zlib.adler32(json.dumps(tags, separators=(",", ":")).encode()))


def fetch(env: Environment, namespace: str, name: str) -> dict[str, Any]:
    obj: dict[str, Any] = env.plane.request(
        "GET", f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories/{name}"
    )
    return obj


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any] | None:
    return next((c for c in obj.get("status", {}).get("conditions", []) if c["type"] == type_), None)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tags.sqlite3"


@pytest.fixture
def reconcile(plugin: Plugin, database: Path, namespace: str) -> Iterator[Any]:
    def run(*args: str, timeout: float = 120) -> Result:
        return plugin("reconcile", "-n", namespace, "--database", str(database), *args, timeout=timeout)

    yield run


def seeded(registry: Registry, repository: str, tags: list[str]) -> str:
    registry.seed(repository, tags)
    return f"{registry.host}/{repository}"


def test_first_scan_lists_every_page_and_reports_ready(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    tags = [f"1.0.{i}" for i in range(250)]
    image = seeded(env.registry, f"{namespace}/app", tags)
    create(env, image_repository(namespace, "app", image))
    result = reconcile("app")
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"► annotating ImageRepository app in {namespace} namespace",
        "✔ ImageRepository annotated",
        "◎ waiting for ImageRepository reconciliation",
        "✔ scan fetched 250 tags",
    ]
    obj = fetch(env, namespace, "app")
    status = obj["status"]
    expected = sorted(tags, reverse=True)
    assert status["lastScanResult"]["tagCount"] == 250
    assert status["lastScanResult"]["latestTags"] == expected[:10]
    assert status["lastScanResult"]["revision"] == revision(expected)
    assert status["canonicalImageName"] == image
    assert status["observedExclusionList"] == ["^.*\\.sig$"]
    assert status["observedGeneration"] == 1
    assert (
        status["lastHandledReconcileAt"] == obj["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"]
    )
    ready = condition(obj, "Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"]) == ("True", "Succeeded")
    assert ready["message"] == f"successful scan: found 250 tags with checksum {revision(expected)}"
    assert condition(obj, "Reconciling") is None
    assert check(status, obj["metadata"]["generation"], mid_reconcile=False) == []


def test_legacy_registry_that_ignores_pagination_is_scanned_whole(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    image = seeded(env.legacy_registry, f"{namespace}/app", [f"v{i}" for i in range(30)])
    create(env, image_repository(namespace, "app", image))
    result = reconcile("app")
    assert result.code == 0, result.stderr
    assert fetch(env, namespace, "app")["status"]["lastScanResult"]["tagCount"] == 30


def test_default_exclusion_list_drops_cosign_signature_tags(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0", "sha256-abc.sig", "sha256-abc.att", "latest"])
    create(env, image_repository(namespace, "app", image))
    assert reconcile("app").code == 0
    scan = fetch(env, namespace, "app")["status"]["lastScanResult"]
    assert scan["tagCount"] == 3
    assert scan["latestTags"] == ["sha256-abc.att", "latest", "1.0"]


def test_custom_exclusion_list_replaces_the_default(env: Environment, reconcile: Any, namespace: str) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0", "1.0-rc1", "x.sig"])
    create(env, image_repository(namespace, "app", image, exclusionList=["rc"]))
    assert reconcile("app").code == 0
    obj = fetch(env, namespace, "app")
    assert obj["status"]["lastScanResult"]["latestTags"] == ["x.sig", "1.0"]
    assert obj["status"]["observedExclusionList"] == ["rc"]


def test_invalid_exclusion_pattern_fails_the_scan_and_is_retried(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0"])
    create(env, image_repository(namespace, "app", image, exclusionList=["(?=x)"]))
    result = reconcile("app")
    assert result.code == 1
    obj = fetch(env, namespace, "app")
    ready, reconciling = condition(obj, "Ready"), condition(obj, "Reconciling")
    assert ready is not None and reconciling is not None
    assert (ready["status"], ready["reason"]) == ("False", "ReadOperationFailed")
    assert ready["message"].startswith("scan failed: failed to compile regex (?=x): ")
    assert (reconciling["status"], reconciling["reason"]) == ("True", "ProgressingWithRetry")
    assert condition(obj, "Stalled") is None
    assert result.stderr.splitlines()[-1] == f"✗ {ready['message']}"
    assert check(obj["status"], 1, mid_reconcile=False) == []


def test_eleven_tags_give_the_ten_highest_as_latest(env: Environment, reconcile: Any, namespace: str) -> None:
    tags = ["73", "72", "29", "16", "15", "101", "100", "9", "8", "latest", "6.2.0"]
    image = seeded(env.registry, f"{namespace}/app", tags)
    create(env, image_repository(namespace, "app", image))
    assert reconcile("app").code == 0
    scan = fetch(env, namespace, "app")["status"]["lastScanResult"]
    assert scan["tagCount"] == 11
    assert scan["latestTags"] == ["latest", "9", "8", "73", "72", "6.2.0", "29", "16", "15", "101"]


def test_missing_repository_fails_with_the_registrys_name_unknown_error(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    create(env, image_repository(namespace, "app", f"{env.registry.host}/{namespace}/nothing-here"))
    result = reconcile("app")
    assert result.code == 1
    ready = condition(fetch(env, namespace, "app"), "Ready")
    assert ready is not None
    assert ready["reason"] == "ReadOperationFailed"
    assert ready["message"] == (
        f"scan failed: GET http://{env.registry.host}/v2/{namespace}/nothing-here/tags/list?n=1000: "
        f"NAME_UNKNOWN: repository name not known to registry; map[name:{namespace}/nothing-here]")


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("alpine:3.18", "image 'alpine:3.18' should not include a tag; remove ':3.18'"),
        (
            "https://ghcr.io/org/app",
            "image 'https://ghcr.io/org/app' should not include URL scheme; remove 'https://'",
        ),
        ("ghcr.io/org/app:foo:bar", "could not parse reference: ghcr.io/org/app:foo:bar"),
        ("example.com/Foo", "could not parse reference: example.com/Foo"),
        ("localhost:5000", "image 'localhost:5000' should not include a tag; remove ':5000'"),
        ("foo:bar/baz", "could not parse reference: foo:bar/baz"),
        ("example.com/", "could not parse reference: example.com/"),
        ("", "could not parse reference: "),
    ],
)
def test_invalid_image_stalls_without_retry(
    env: Environment, reconcile: Any, namespace: str, image: str, message: str
) -> None:
    create(env, image_repository(namespace, "bad", image))
    result = reconcile("bad")
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == f"✗ {message}"
    obj = fetch(env, namespace, "bad")
    stalled, ready = condition(obj, "Stalled"), condition(obj, "Ready")
    assert stalled is not None and ready is not None
    assert (stalled["status"], stalled["reason"], stalled["message"]) == ("True", "ImageURLInvalid", message)
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", "ImageURLInvalid", message)
    assert condition(obj, "Reconciling") is None
    assert obj["status"]["observedGeneration"] == 1
    assert "canonicalImageName" not in obj["status"]
    assert check(obj["status"], 1, mid_reconcile=False) == []


def test_requested_reconcile_writes_the_annotation_and_last_handled_to_the_same_value(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1"])
    create(env, image_repository(namespace, "app", image))
    for _ in range(2):
        assert reconcile("app").code == 0
        obj = fetch(env, namespace, "app")
        requested = obj["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"]
        assert obj["status"]["lastHandledReconcileAt"] == requested


def test_reconcile_of_a_suspended_object_fails_and_writes_nothing(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    created = create(env, image_repository(namespace, "app", "ghcr.io/example/app", suspend=True))
    result = reconcile("app")
    assert result.code == 1
    assert result.stderr.strip() == "✗ resource is suspended"
    assert (
        fetch(env, namespace, "app")["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    )


def test_reconcile_of_a_missing_object_says_not_found(reconcile: Any) -> None:
    result = reconcile("nope")
    assert result.code == 1
    assert result.stderr.strip() == '✗ imagerepositories.image.toolkit.fluxcd.io "nope" not found'


def test_suspend_then_resume_reconciles_again(
    env: Environment, plugin: Plugin, reconcile: Any, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1", "2"])
    create(env, image_repository(namespace, "app", image))
    suspended = plugin("suspend", "app", "-n", namespace)
    assert suspended.code == 0, suspended.stderr
    assert suspended.stderr.splitlines() == [
        f"► suspending image repository app in {namespace} namespace",
        "✔ image repository suspended",
    ]
    assert fetch(env, namespace, "app")["spec"]["suspend"] is True
    resumed = plugin("resume", "app", "-n", namespace, "--database", str(database))
    assert resumed.code == 0, resumed.stderr
    assert resumed.stderr.splitlines() == [
        f"► resuming image repository app in {namespace} namespace",
        "✔ image repository resumed",
        "◎ waiting for ImageRepository reconciliation",
        "✔ ImageRepository app reconciliation completed",
        "✔ scan fetched 2 tags",
    ]
    obj = fetch(env, namespace, "app")
    assert "suspend" not in obj["spec"]
    assert obj["status"]["observedGeneration"] == obj["metadata"]["generation"] == 3


def test_a_status_sequence_of_intermediate_patches_then_final_is_kstatus_valid(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1", "2", "3"])
    created = create(env, image_repository(namespace, "app", image))
    seen: list[dict[str, Any]] = []
    stop = threading.Event()

    def watch() -> None:
        url = (
            f"{env.plane.url}/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories"
            f"?watch=true&resourceVersion={created['metadata']['resourceVersion']}&timeoutSeconds=60"
        )
        with env.plane.session() as s, s.get(url, stream=True, timeout=70) as response:
            for line in response.iter_lines():
                event = json.loads(line)
                obj = event["object"]
                seen.append(obj)
                ready = condition(obj, "Ready")
                if (ready is not None and ready["status"] == "True") or stop.is_set():
                    return

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert reconcile("app").code == 0
    finally:
        stop.set()
        watcher.join(70)
    statuses = [o["status"] for o in seen if "conditions" in o.get("status", {})]
    messages = [condition(o, "Reconciling")["message"] for o in seen[:-1] if condition(o, "Reconciling")]
    assert messages == ["processing object: new generation -1 -> 1", "scanning: first scan"]
    assert [condition({"status": s}, "Ready")["status"] for s in statuses] == ["Unknown", "Unknown", "True"]
    for status in statuses[:-1]:
        assert check(status, 1, mid_reconcile=True) == []
    assert check(statuses[-1], 1, mid_reconcile=False) == []


def test_interval_not_elapsed_does_not_scan_and_records_a_trace_event(
    env: Environment, plugin: Plugin, reconcile: Any, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1"])
    create(env, image_repository(namespace, "app", image, interval="1h"))
    assert reconcile("app").code == 0
    env.registry.seed(f"{namespace}/app", ["2"])
    resumed = plugin("resume", "app", "-n", namespace, "--database", str(database))
    assert resumed.code == 0, resumed.stderr
    obj = fetch(env, namespace, "app")
    assert obj["status"]["lastScanResult"]["tagCount"] == 1
    events = env.plane.request("GET", f"/api/v1/namespaces/{namespace}/events")["items"]
    traces = [
        e for e in events if e["message"].startswith("no change in repository configuration since last scan")
    ]
    assert traces and traces[0]["type"] == "Normal"
    assert traces[0]["source"]["component"] == "kubectl-imagerepo"
    assert "next scan in 59m" in traces[0]["message"]


def test_changed_image_triggers_a_scan(
    env: Environment, reconcile: Any, database: Path, namespace: str
) -> None:
    first = seeded(env.registry, f"{namespace}/one", ["1"])
    second = seeded(env.registry, f"{namespace}/two", ["1", "2"])
    create(env, image_repository(namespace, "app", first, interval="1h"))
    assert reconcile("app").code == 0
    env.plane.request(
        "PATCH",
        f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories/app",
        {"spec": {"image": second}},
        content_type="application/merge-patch+json",
    )
    assert reconcile("app").code == 0
    obj = fetch(env, namespace, "app")
    assert obj["status"]["canonicalImageName"] == second
    assert obj["status"]["lastScanResult"]["tagCount"] == 2


def test_events_record_the_first_success(env: Environment, reconcile: Any, namespace: str) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1", "2"])
    create(env, image_repository(namespace, "app", image))
    assert reconcile("app").code == 0
    events = env.plane.request("GET", f"/api/v1/namespaces/{namespace}/events")["items"]
    assert [(e["type"], e["reason"]) for e in events] == [("Normal", "Succeeded")]
    assert events[0]["message"].startswith("successful scan: found 2 tags with checksum ")
    assert events[0]["involvedObject"]["kind"] == "ImageRepository"


def test_timeout_ends_a_scan_of_a_registry_that_never_answers(
    env: Environment, reconcile: Any, namespace: str, silent_registry: str
) -> None:
    create(env, image_repository(namespace, "app", f"{silent_registry}/app", timeout="2s"))
    result = reconcile("app", timeout=60)
    assert result.code == 1
    ready = condition(fetch(env, namespace, "app"), "Ready")
    assert ready is not None
    assert ready["reason"] == "ReadOperationFailed"
    assert ready["message"].endswith("context deadline exceeded")


@pytest.fixture
def silent_registry() -> Iterator[str]:
    """A TCP server on loopback that accepts connections and never answers."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_reconcile_file_without_a_cluster_prints_the_object_with_its_status(
    env: Environment, plugin: Plugin, database: Path, tmp_path: Path
) -> None:
    image = seeded(env.registry, "files/app", ["1.0", "2.0", "x.sig"])
    manifest = tmp_path / "repo.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageRepository",
                "metadata": {"name": "app", "namespace": "apps"},
                "spec": {"image": image, "interval": "5m"},
            }
        )
    )
    nowhere = tmp_path / "nowhere.kubeconfig"
    nowhere.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    result = plugin("reconcile", "-f", str(manifest), "--database", str(database), kubeconfig=nowhere)
    assert result.code == 0, result.stderr
    obj = yaml.safe_load(result.stdout)
    assert obj["status"]["lastScanResult"]["tagCount"] == 2
    assert obj["status"]["lastScanResult"]["latestTags"] == ["2.0", "1.0"]
    ready = condition(obj, "Ready")
    assert ready is not None and ready["status"] == "True"
    assert result.stderr.splitlines()[-1] == "✔ scan fetched 2 tags"


NO_API_VERSION = "kind: ImageRepository\nmetadata: {name: typo, namespace: apps}\nspec: {image: a.io/b}\n"
UNKNOWN_KIND = (
    "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageScanner\n"
    "metadata: {name: auto, namespace: apps}\nspec: {interval: 5m}\n"
)
OLD_VERSION = (
    "apiVersion: image.toolkit.fluxcd.io/v1beta1\nkind: ImageRepository\n"
    "metadata: {name: old}\nspec: {image: a.io/b, interval: 5m}\n"
)
NEITHER = "metadata: {name: bare}\n"


def test_reconcile_file_leaves_out_what_it_cannot_map_says_so_and_exits_1(
    env: Environment, plugin: Plugin, database: Path, tmp_path: Path
) -> None:
    image = seeded(env.registry, "files/mixed", ["1.0", "2.0"])
    good = yaml.safe_dump(
        {
            "apiVersion": "image.toolkit.fluxcd.io/v1",
            "kind": "ImageRepository",
            "metadata": {"name": "app", "namespace": "apps"},
            "spec": {"image": image, "interval": "5m"},
        }
    )
    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
    manifest = tmp_path / "mixed.yaml"
    manifest.write_text("---\n".join([NO_API_VERSION, good, UNKNOWN_KIND, config_map]))
    nowhere = tmp_path / "nowhere.kubeconfig"
    nowhere.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    result = plugin("reconcile", "-f", str(manifest), "--database", str(database), kubeconfig=nowhere)
    assert result.code == 1, result.stderr
    obj = yaml.safe_load(result.stdout)
    assert obj["metadata"]["name"] == "app"
    assert obj["status"]["lastScanResult"]["tagCount"] == 2
    assert result.stderr.splitlines()[-3:] == [
        "✔ scan fetched 2 tags",
        f'error: error validating "{manifest}": error validating data: apiVersion not set',
        f'error: resource mapping not found for name: "auto" namespace: "apps" from "{manifest}": '
        'no matches for kind "ImageScanner" in version "image.toolkit.fluxcd.io/v1"',
    ]


@pytest.mark.parametrize(
    "document",
    [NO_API_VERSION, NEITHER, UNKNOWN_KIND, OLD_VERSION],
    ids=["no-api-version", "neither", "kind-not-served", "version-not-served"],
)
def test_a_document_left_out_gets_the_line_kubectl_apply_prints_for_it(
    env: Environment, plugin: Plugin, tmp_path: Path, document: str
) -> None:
    manifest = tmp_path / "one.yaml"
    manifest.write_text(document)
    kubectl = subprocess.run(
        ["kubectl", "apply", "--dry-run=server", "-f", str(manifest)],
        capture_output=True,
        text=True,
        env={**env.path_env(), "KUBECONFIG": str(env.plane.admin_kubeconfig)},
        timeout=60,
    )
    assert kubectl.returncode == 1
    # What the plugin leaves off (see docs/behaviour.md): the --validate hint and the CRD hint.
    expected = kubectl.stderr.splitlines()[0].removesuffix(VALIDATE_HINT)
    assert kubectl.stderr.splitlines()[1:] in ([], ["ensure CRDs are installed first"]), kubectl.stderr
    result = plugin("reconcile", "-f", str(manifest), "--database", str(tmp_path / "db"))
    assert result.code == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [expected]


def test_reconcile_file_with_a_bad_interval_names_the_object_and_field(
    plugin: Plugin, tmp_path: Path
) -> None:
    manifest = tmp_path / "repo.yaml"
    manifest.write_text(
        "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n"
        "metadata: {name: app, namespace: apps}\nspec: {image: ghcr.io/x/y, interval: 5x}\n"
    )
    result = plugin("reconcile", "-f", str(manifest), "--database", str(tmp_path / "db"))
    assert result.code == 2
    assert result.stderr.strip().startswith('ImageRepository apps/app: spec.interval: Invalid value: "5x"')
    assert len(result.stderr.strip().splitlines()) == 1


def test_reconcile_all_of_many_objects_leaves_every_one_ready(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/shared", [f"{i}" for i in range(20)])
    for i in range(200):
        create(env, image_repository(namespace, f"app-{i:03d}", image))
    result = plugin(
        "reconcile", "--all", "-n", namespace, "--database", str(database), "--concurrency", "4", timeout=600
    )
    assert result.code == 0, result.stderr[-2000:]
    listed = env.plane.request(
        "GET", f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories"
    )
    assert len(listed["items"]) == 200
    for obj in listed["items"]:
        ready = condition(obj, "Ready")
        assert ready is not None and ready["status"] == "True", obj["metadata"]["name"]
        assert obj["status"]["lastScanResult"]["tagCount"] == 20


def test_two_processes_reconciling_the_same_objects_lose_no_update(
    env: Environment, plugin: Plugin, database: Path, namespace: str
) -> None:
    image = seeded(env.registry, f"{namespace}/shared", ["1", "2", "3"])
    for i in range(20):
        create(env, image_repository(namespace, f"app-{i:02d}", image))
    results: list[Result] = []

    def run() -> None:
        results.append(
            plugin("reconcile", "--all", "-n", namespace, "--database", str(database), timeout=300)
        )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert [r.code for r in results] == [0, 0], [r.stderr[-1000:] for r in results]
    listed = env.plane.request(
        "GET", f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories"
    )
    for obj in listed["items"]:
        status = obj["status"]
        assert status["lastHandledReconcileAt"] in {
            obj["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"]
        }
        assert status["lastScanResult"]["tagCount"] == 3
        assert check(status, obj["metadata"]["generation"], mid_reconcile=False) == []
    import sqlite3

    assert sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_registry_helper_lists_what_was_seeded(env: Environment, namespace: str) -> None:
    env.registry.seed(f"{namespace}/check", ["a", "b"])
    answer = requests.get(f"{env.registry.url}/v2/{namespace}/check/tags/list", timeout=10).json()
    assert sorted(answer["tags"]) == ["a", "b"]


def test_changed_exclusion_list_triggers_a_scan(env: Environment, reconcile: Any, namespace: str) -> None:
    image = seeded(env.registry, f"{namespace}/app", ["1.0", "1.0-rc1", "2.0"])
    create(env, image_repository(namespace, "app", image, interval="1h"))
    assert reconcile("app").code == 0
    assert fetch(env, namespace, "app")["status"]["lastScanResult"]["tagCount"] == 3
    env.plane.request(
        "PATCH",
        f"/apis/image.toolkit.fluxcd.io/v1/namespaces/{namespace}/imagerepositories/app",
        {"spec": {"exclusionList": ["-rc"]}},
        content_type="application/merge-patch+json",
    )
    assert reconcile("app").code == 0
    status = fetch(env, namespace, "app")["status"]
    assert status["observedExclusionList"] == ["-rc"]
    assert status["lastScanResult"]["latestTags"] == ["2.0", "1.0"]


def test_kubectl_wait_sees_the_reconciled_object_ready(
    env: Environment, reconcile: Any, namespace: str
) -> None:
    import subprocess

    image = seeded(env.registry, f"{namespace}/app", ["1"])
    create(env, image_repository(namespace, "app", image))
    assert reconcile("app").code == 0
    done = subprocess.run(
        ["kubectl", "wait", "-n", namespace, "imagerepository/app", "--for=condition=ready", "--timeout=10s"],
        capture_output=True,
        text=True,
        env=env.path_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imagerepository.image.toolkit.fluxcd.io/app condition met"
