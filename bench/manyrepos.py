"""Many repositories: 1000 ImageRepositories over 10 registries, ours against image-reflector-controller.

Each side owns its own copy of the objects, in its own namespace and with its own `bench-side` label:
`kubectl-imagerepo reconcile --all`, `kubectl-imagerepo run` and image-reflector-controller (built by
hack/benchbin.sh, run outside the cluster against the same API server with `--watch-label-selector`).
Half the registries are anonymous, half use token authentication (the harness's TokenServer, with
a dockerconfigjson Secret). The sides run one after the other with the same concurrency; for each:
the time from its start until every one of its objects is Ready (seen through a watch), its peak
memory, the API requests it made (`apiserver_request_total` before and after, minus the bench's own)
and the registry and token requests it made (registry access logs, token server records).

Run: python bench/manyrepos.py   (make bench runs it; writes bench/results/manyrepos.json)
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Row, benchbin, peak_mb_from, render, run_child, timed_argv, write_results  # noqa: E402
from tests.harness.environment import CRD_FILE, Environment, start_environment  # noqa: E402
from tests.harness.pki import CertificateAuthority  # noqa: E402
from tests.harness.processes import Server, free_port, start  # noqa: E402
from tests.harness.registry import start_registry  # noqa: E402
from tests.harness.secure_registries import PASSWORD, USER, TokenServer, start_configured  # noqa: E402

OBJECTS = int(os.environ.get("BENCH_OBJECTS", "1000"))
REGISTRIES = 10
TOKEN_REGISTRIES = 5
TAGS_PER_REPOSITORY = 20
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
TIMEOUT = float(os.environ.get("BENCH_READY_TIMEOUT", "600"))
SECTION = f"{OBJECTS} ImageRepositories, {REGISTRIES} registries, concurrency {CONCURRENCY}"
GROUP_PATH = "/apis/image.toolkit.fluxcd.io/v1"
ACCESS_LINE = re.compile(r'"(GET|HEAD|POST|PUT) /v2/')


@dataclass
class BenchRegistry:
    server: Server
    host: str
    token: bool

    def requests_so_far(self) -> int:
        """Requests to /v2/ in this registry's access log."""
        return len(ACCESS_LINE.findall(self.server.log.read_text(errors="replace")))


@dataclass
class Outcome:
    """What one side cost: seconds until all Ready (None: not every object got there), and counts."""

    name: str
    ready_seconds: float | None
    ready: int
    peak_mb: float | None
    api_requests: int
    registry_requests: int
    token_requests: int
    note: str = ""
    api_by_verb: dict[str, int] = field(default_factory=dict)


# -- the servers ---------------------------------------------------------------------------------------


def seed_storage(binary: Path, work: Path, repositories: int) -> Path:
    """One storage directory holding `bench/r000`... each with the same tags, served by every registry.

    One repository is pushed through an open registry; the others are copies of its directory.
    """
    seeding = start_registry("seeding", binary, work, legacy=False, max_tags=1000)
    try:
        seeding.seed("bench/r000", [f"1.0.{i}" for i in range(TAGS_PER_REPOSITORY)])
    finally:
        seeding.stop()
    base = seeding.root / "docker" / "registry" / "v2" / "repositories" / "bench"
    for j in range(1, repositories):
        shutil.copytree(base / "r000", base / f"r{j:03d}")
    return seeding.root


def start_registries(
    binary: Path, work: Path, storage: Path, ca: CertificateAuthority, tokens: TokenServer
) -> list[BenchRegistry]:
    started: list[BenchRegistry] = []
    for i in range(REGISTRIES):
        token = i < TOKEN_REGISTRIES
        extra: dict[str, Any] = {
            "tags": {"maxtags": 1000},
            "log": {"level": "error", "accesslog": {"disabled": False}},
        }
        if token:
            extra["auth"] = {
                "token": {
                    # image-reflector-controller v1.2 (go-containerregistry 0.21) refuses a realm on
                    # an IP literal in a loopback or private range unless it is the registry's own
                    # host:port; a host name passes.
                    "realm": tokens.realm.replace("//127.0.0.1:", "//localhost:"),
                    "service": tokens.service,
                    "issuer": tokens.issuer,
                    "rootcertbundle": str(ca.pair.cert),
                }
            }
        server, host = start_configured(binary, work, f"bench-registry-{i}", storage, extra, tls=False, ca=ca)
        started.append(BenchRegistry(server, host, token))
    return started


# -- the objects ---------------------------------------------------------------------------------------


def create_objects(env: Environment, namespace: str, side: str, registries: list[BenchRegistry]) -> None:
    """The side's namespace, its registry Secret and its OBJECTS ImageRepositories."""
    env.plane.create_namespace(namespace)
    auths = {
        r.host: {
            "username": USER,
            "password": PASSWORD,
            "auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
        }
        for r in registries
        if r.token
    }
    per_registry = OBJECTS // REGISTRIES
    with env.plane.session() as s:
        s.headers["Content-Type"] = "application/json"

        def post(path: str, body: dict[str, Any]) -> None:
            answer = s.post(env.plane.url + path, data=json.dumps(body), timeout=30)
            if answer.status_code != 201:
                raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text}")

        post(
            f"/api/v1/namespaces/{namespace}/secrets",
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "registry-auth"},
                "type": "kubernetes.io/dockerconfigjson",
                "data": {
                    ".dockerconfigjson": base64.b64encode(json.dumps({"auths": auths}).encode()).decode()
                },
            },
        )
        for i, registry in enumerate(registries):
            for j in range(per_registry):
                spec: dict[str, Any] = {
                    "image": f"{registry.host}/bench/r{j:03d}",
                    "interval": "60m",
                    "insecure": True,
                }
                if registry.token:
                    spec["secretRef"] = {"name": "registry-auth"}
                post(
                    f"{GROUP_PATH}/namespaces/{namespace}/imagerepositories",
                    {
                        "apiVersion": "image.toolkit.fluxcd.io/v1",
                        "kind": "ImageRepository",
                        "metadata": {"name": f"r{i:02d}-{j:03d}", "labels": {"bench-side": side}},
                        "spec": spec,
                    },
                )


def is_ready(obj: dict[str, Any]) -> bool:
    """Ready=True for the current generation, with a scan result."""
    status = obj.get("status") or {}
    generation = obj["metadata"].get("generation")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Ready":
            return bool(
                condition.get("status") == "True"
                and condition.get("observedGeneration", generation) == generation
                and status.get("lastScanResult")
            )
    return False


class ReadyWatch:
    """Watches a namespace's ImageRepositories in a thread; records when the last one became Ready.

    `requests_made` counts the API requests the watch itself sent, to subtract them.
    """

    def __init__(self, env: Environment, namespace: str) -> None:
        self.env = env
        self.namespace = namespace
        self.ready: set[str] = set()
        self.names: set[str] = set()
        self.messages: dict[str, str] = {}
        self.all_ready_at: float | None = None
        self.requests_made = 0
        self.done = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop = True
        self._thread.join(timeout=120)

    def _note(self, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        self.names.add(name)
        if is_ready(obj):
            self.ready.add(name)
        else:
            self.ready.discard(name)
        for condition in (obj.get("status") or {}).get("conditions") or []:
            if condition.get("type") == "Ready":
                self.messages[name] = str(condition.get("message", ""))
        if self.all_ready_at is None and len(self.ready) == OBJECTS:
            self.all_ready_at = time.perf_counter()
            self.done.set()

    def _run(self) -> None:
        path = f"{self.env.plane.url}{GROUP_PATH}/namespaces/{self.namespace}/imagerepositories"
        with self.env.plane.session() as s:
            listed = s.get(path, timeout=60)
            self.requests_made += 1
            listed.raise_for_status()
            body = listed.json()
            for obj in body["items"]:
                self._note(obj)
            version = body["metadata"]["resourceVersion"]
            while not self._stop and not self.done.is_set():
                self.requests_made += 1
                params = {"watch": "1", "resourceVersion": version, "timeoutSeconds": "30",
                          "allowWatchBookmarks": "true"}
                with s.get(path, params=params, stream=True, timeout=90) as answer:
                    answer.raise_for_status()
                    for line in answer.iter_lines():
                        if not line:
                            continue
                        event = json.loads(line)
                        obj = event["object"]
                        version = obj["metadata"].get("resourceVersion", version)
                        if event["type"] in ("ADDED", "MODIFIED"):
                            self._note(obj)
                        if self.done.is_set() or self._stop:
                            break


def api_requests(env: Environment) -> dict[str, int]:
    """`apiserver_request_total` summed by verb and resource."""
    with env.plane.session() as s:
        text = s.get(env.plane.url + "/metrics", timeout=60).text
    counts: dict[str, int] = {}
    for line in text.splitlines():
        if not line.startswith("apiserver_request_total{"):
            continue
        labels, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        key = f"{found.get('verb', '')} {found.get('resource', '') or found.get('subresource', '')}".strip()
        counts[key] = counts.get(key, 0) + int(float(value))
    return counts


# -- the sides -----------------------------------------------------------------------------------------


def measure_side(
    env: Environment,
    name: str,
    namespace: str,
    registries: list[BenchRegistry],
    tokens: TokenServer,
    launch: Callable[[], tuple[subprocess.Popen[bytes], Path] | float],
) -> Outcome:
    """Start a side with `launch` and measure it until all its objects are Ready.

    `launch` runs a command to completion and returns its peak memory, or starts a long-running
    process under GNU time and returns it with the file its peak memory will be written to.
    """
    registry_before = sum(r.requests_so_far() for r in registries)
    tokens_before = len(tokens.requests)
    api_before = api_requests(env)
    watch = ReadyWatch(env, namespace)
    watch.start()
    started = time.perf_counter()
    launched = launch()
    peak_mb: float | None
    note = ""
    if isinstance(launched, float):
        peak_mb = launched
        watch.done.wait(timeout=30)
    else:
        process, peak_file = launched
        watch.done.wait(timeout=TIMEOUT)
        if process.poll() is not None:
            note = f"exited {process.returncode} before every object was Ready"
        else:
            # SIGTERM to the command only: GNU time, its parent, then writes the peak and exits.
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            for child in children:
                os.kill(int(child), signal.SIGTERM)
        process.wait(timeout=60)
        peak_mb = peak_mb_from(peak_file)
    watch.stop()
    api_after = api_requests(env)
    # The bench's own requests: its watch (list + watches) and the first /metrics scrape.
    own = watch.requests_made + 1
    delta = {k: api_after.get(k, 0) - api_before.get(k, 0) for k in api_after}
    delta = {k: v for k, v in delta.items() if v}
    ready_seconds = watch.all_ready_at - started if watch.all_ready_at is not None else None
    if ready_seconds is None and not note:
        note = f"{len(watch.ready)} of {OBJECTS} Ready after {TIMEOUT:.0f}s"
        waiting = sorted(set(watch.messages) - watch.ready)
        if waiting:
            note += f"; {waiting[0]}: {watch.messages[waiting[0]][:300]}"
    return Outcome(
        name=name,
        ready_seconds=ready_seconds,
        ready=len(watch.ready),
        peak_mb=peak_mb,
        api_requests=sum(delta.values()) - own,
        registry_requests=sum(r.requests_so_far() for r in registries) - registry_before,
        token_requests=len(tokens.requests) - tokens_before,
        note=note,
        api_by_verb=delta,
    )


def run_available(plugin: Path, env: dict[str, str]) -> bool:
    """Whether this plugin has the `run` command yet."""
    return subprocess.run([str(plugin), "run", "--help"], env=env, capture_output=True).returncode == 0


def flux_crds(module_dir: Path) -> Path:
    """The CRD manifests in the controller's module."""
    return module_dir / "config" / "crd" / "bases"


def crd_compatibility(module_dir: Path) -> str:
    """How the harness's ImageRepository CRD (the plugin's) compares with the controller's own."""
    ours = yaml.safe_load(CRD_FILE.read_text())
    theirs_file = flux_crds(module_dir) / "image.toolkit.fluxcd.io_imagerepositories.yaml"
    theirs = yaml.safe_load(theirs_file.read_text())

    def without_descriptions(schema: Any) -> Any:
        if isinstance(schema, dict):
            return {k: without_descriptions(v) for k, v in schema.items() if k != "description"}
        if isinstance(schema, list):
            return [without_descriptions(v) for v in schema]
        return schema

    def versions(crd: dict[str, Any]) -> dict[str, tuple[bool, bool, Any]]:
        return {
            v["name"]: (v["served"], v["storage"], without_descriptions(v["schema"]["openAPIV3Schema"]))
            for v in crd["spec"]["versions"]
        }

    mine, flux = versions(ours), versions(theirs)
    storage = [n for n, (_, s, _) in mine.items() if s]
    flux_storage = [n for n, (_, s, _) in flux.items() if s]
    same_schema = mine.get("v1", (0, 0, None))[2] == flux.get("v1", (0, 0, None))[2]
    return (
        f"storage {storage} (controller: {flux_storage}); "
        f"served {sorted(mine)} (controller: {sorted(flux)}); "
        f"v1 schema {'identical apart from descriptions' if same_schema else 'differs'}"
    )


def main() -> tuple[list[Row], dict[str, Any]]:
    tools = benchbin()
    module_dir = Path((tools / "irc-module-dir").read_text().strip())
    plugin = Path(sys.executable).parent / "kubectl-imagerepo"
    outcomes: dict[str, Outcome] = {}
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        env = start_environment(work)
        tokens: TokenServer | None = None
        registries: list[BenchRegistry] = []
        try:
            policy_crd = flux_crds(module_dir) / "image.toolkit.fluxcd.io_imagepolicies.yaml"
            env.plane.install_crd(yaml.safe_load(policy_crd.read_text()))
            extra["crd"] = crd_compatibility(module_dir)
            ca = CertificateAuthority(work / "bench-pki")
            tokens = TokenServer(ca, lifetime=300)
            storage = seed_storage(env.binaries.registry, work, OBJECTS // REGISTRIES)
            registries = start_registries(env.binaries.registry, work, storage, ca, tokens)
            run_env = {**env.path_env(), "KUBECONFIG": str(env.plane.admin_kubeconfig)}
            sides = {"reconcile": "bench-reconcile", "run": "bench-run", "flux": "bench-flux"}
            for side, namespace in sides.items():
                create_objects(env, namespace, side, registries)

            def reconcile_all() -> float:
                argv = [str(plugin), "reconcile", "--all", "-n", sides["reconcile"],
                        "--concurrency", str(CONCURRENCY), "--database", str(work / "reconcile.sqlite3")]
                return run_child(argv, run_env)[1]

            outcomes["reconcile"] = measure_side(
                env, "reconcile --all", sides["reconcile"], registries, tokens, reconcile_all
            )

            if run_available(plugin, run_env):

                def run_controller() -> tuple[subprocess.Popen[bytes], Path]:
                    argv = [str(plugin), "run", "-n", sides["run"], "--concurrent", str(CONCURRENCY),
                            "--watch-label-selector", "bench-side=run",
                            "--database", str(work / "run.sqlite3")]
                    peak = work / "run.peak"
                    server = start("kubectl-imagerepo-run", timed_argv(argv, peak), work, env=run_env)
                    return server.process, peak

                outcomes["run"] = measure_side(env, "run", sides["run"], registries, tokens, run_controller)

            def flux() -> tuple[subprocess.Popen[bytes], Path]:
                storage_path = work / "irc-storage"
                storage_path.mkdir()
                argv = [
                    str(tools / "image-reflector-controller"),
                    "--watch-label-selector", "bench-side=flux",
                    "--concurrent", str(CONCURRENCY),
                    "--storage-path", str(storage_path),
                    "--metrics-addr", f"127.0.0.1:{free_port()}",
                    "--health-addr", f"127.0.0.1:{free_port()}",
                    "--enable-leader-election=false",
                    "--log-level", "error",
                ]
                peak = work / "irc.peak"
                server = start("image-reflector-controller", timed_argv(argv, peak), work, env=run_env)
                return server.process, peak

            outcomes["flux"] = measure_side(
                env, "image-reflector-controller", sides["flux"], registries, tokens, flux
            )
        finally:
            for registry in registries:
                registry.server.stop()
            if tokens is not None:
                tokens.stop()
            env.stop()
    rows = rows_of(outcomes)
    extra["outcomes"] = {k: vars(v) for k, v in outcomes.items()}
    write_results("manyrepos", rows, concurrency=CONCURRENCY, objects=OBJECTS, **extra)
    return rows, extra


def rows_of(outcomes: dict[str, Outcome]) -> list[Row]:
    flux = outcomes["flux"]
    rows: list[Row] = []
    for key, label in (("reconcile", "reconcile --all"), ("run", "run")):
        ours = outcomes.get(key)
        missing = "n/a (run not available)" if ours is None else ""
        note = missing or "; ".join(n for n in (ours.note if ours else "", flux.note) if n)
        rows += [
            Row(SECTION, f"time until all Ready: {label} vs IRC", label,
                ours.ready_seconds if ours else None, "IRC", flux.ready_seconds,
                ours_mb=ours.peak_mb if ours else None, reference_mb=flux.peak_mb, note=note),
            Row(SECTION, f"API requests: {label} vs IRC", label, ours.api_requests if ours else None,
                "IRC", flux.api_requests, unit="req", note=missing),
            Row(SECTION, f"registry requests: {label} vs IRC", label,
                ours.registry_requests if ours else None, "IRC", flux.registry_requests, unit="req",
                note=missing),
            Row(SECTION, f"token requests: {label} vs IRC", label, ours.token_requests if ours else None,
                "IRC", flux.token_requests, unit="req", note=missing),
        ]
    return rows


if __name__ == "__main__":
    table_rows, details = main()
    print(render(table_rows))
    print(f"CRD: {details['crd']}")
