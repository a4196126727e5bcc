"""A huge repository: 1,000,000 tags, `reconcile -f` and `run` against crane, regctl and the controller.

A registry with a million tags in distribution's on-disk layout takes hours to seed and walks its whole
tag directory for every page, so a small fake registry in this process serves the tags from memory
instead, two ways: `bench/paged` in pages of 1000 with `Link` headers (as distribution does when the
client sends `n`), and `bench/whole`, which ignores `n` and answers every tag at once (as registries
that do not page do). For each: the peak memory and time of `kubectl-imagerepo reconcile -f` beside
`crane ls` (pages) or `regctl tag ls` (all at once), and of `kubectl-imagerepo run` beside
image-reflector-controller until the one object is Ready (both against a real API server). Checked on
the side: the 1M tags are written to the tag database in one transaction (an in-process scan counts
the BEGINs and COMMITs SQLite sees), and `reconcile -f` on a terminal shows its scan progress.

Goal (issue 21): `reconcile` and `run` peak at or below 250 MiB.

Run: python bench/hugerepo.py   (make bench runs it; writes bench/results/hugerepo.json)
"""

from __future__ import annotations

import bisect
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    GROUP_PATH,
    Launched,
    Outcome,
    ReadyWatch,
    Row,
    benchbin,
    flux_crds,
    irc_argv,
    measure_side,
    render,
    run_child,
    start_timed,
    write_results,
)
from tests.harness.environment import Environment, start_environment  # noqa: E402

TAGS = int(os.environ.get("BENCH_HUGE_TAGS", "1000000"))
PAGE = 1000
GOAL_MIB = 250
TIMEOUT = float(os.environ.get("BENCH_READY_TIMEOUT", "1800"))
SECTION = f"one repository of {TAGS:,} tags"
LAYOUTS = {"paged": f"pages of {PAGE}", "whole": "one answer"}


class FakeRegistry:
    """Serves `/v2/` and the tags of `bench/paged` (pages) and `bench/whole` (all at once) from memory."""

    def __init__(self, count: int) -> None:
        self.tags = sorted(f"1.{i // 1000}.{i % 1000}" for i in range(count))
        self.whole = json.dumps({"name": "bench/whole", "tags": self.tags}).encode()
        self.requests = 0
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                registry.requests += 1
                registry.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._http.server_address[1]}"

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = parse_qs(url.query)
        headers = {"Content-Type": "application/json", "Docker-Distribution-API-Version": "registry/2.0"}
        if url.path == "/v2/":
            body = b"{}"
        elif url.path == "/v2/bench/whole/tags/list":
            body = self.whole
        elif url.path == "/v2/bench/paged/tags/list":
            n = min(int(query.get("n", [str(PAGE)])[0]), PAGE)
            start = bisect.bisect_right(self.tags, query["last"][0]) if "last" in query else 0
            page = self.tags[start : start + n]
            body = json.dumps({"name": "bench/paged", "tags": page}).encode()
            if start + n < len(self.tags):
                headers["Link"] = f'</v2/bench/paged/tags/list?last={page[-1]}&n={n}>; rel="next"'
        else:
            body = b'{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}'
            handler.send_response(404)
            self._send(handler, headers, body)
            return
        handler.send_response(200)
        self._send(handler, headers, body)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, headers: dict[str, str], body: bytes) -> None:
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def manifest(image: str, name: str, namespace: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    return {
        "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository", "metadata": metadata,
        "spec": {"image": image, "interval": "60m", "insecure": True, "timeout": "30m"},
    }


def plugin() -> str:
    return str(Path(sys.executable).parent / "kubectl-imagerepo")


def transaction_child(image: str, database: str, out: str) -> None:
    """List, process and store `image`'s tags in this process; write how many BEGINs and COMMITs the
    store's write of them sent SQLite, and how many tags it stored."""
    from kubectl_imagerepo.model.exclusion import compile_exclusions
    from kubectl_imagerepo.model.reference import parse_image_reference
    from kubectl_imagerepo.model.tags import process_scan
    from kubectl_imagerepo.registry.tags import list_tags
    from kubectl_imagerepo.store.database import ObjectKey, TagStore

    reference = parse_image_reference(image, insecure=True)
    outcome = process_scan(list_tags(reference, deadline=time.monotonic() + 1800), compile_exclusions([]))
    statements: list[str] = []
    key = ObjectKey("local", "bench", "huge")
    with TagStore(Path(database)) as store:
        store._db.set_trace_callback(statements.append)  # the bench looks inside, the plugin never does
        store.write(key, canonical_name=reference.canonical_name, tags=outcome.tags,
                    revision=outcome.revision, scan_time="2026-01-01T00:00:00Z")
        store._db.set_trace_callback(None)
        stored = sum(1 for _ in store.tags(key))
    begins = sum(1 for s in statements if s.strip().upper().startswith("BEGIN"))
    commits = sum(1 for s in statements if s.strip().upper().startswith("COMMIT"))
    Path(out).write_text(json.dumps({"begins": begins, "commits": commits, "stored": stored}))


def progress_on_terminal(image: str, work: Path, env: dict[str, str]) -> str:
    """The last progress line `reconcile -f` drew on a terminal (stderr a pty), or '' for none."""
    path = work / "progress.json"
    path.write_text(json.dumps(manifest(image, "progress", "bench")))
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [plugin(), "reconcile", "-f", str(path), "--database", str(work / "progress.sqlite3")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    process.wait()
    os.close(leader)
    lines = re.findall(rb"scanning [^\r\n\x1b]*tags", seen)
    return lines[-1].decode(errors="replace") if lines else ""


def reconcile_rows(registry: FakeRegistry, tools: Path, work: Path) -> tuple[list[Row], dict[str, Any]]:
    home = work / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "DOCKER_CONFIG": str(home / ".docker")}
    subprocess.run([str(tools / "regctl"), "registry", "set", "--tls", "disabled", registry.host],
                   env=env, check=True, capture_output=True)
    references = {
        "paged": ("crane ls", [str(tools / "crane"), "ls", "--insecure", f"{registry.host}/bench/paged"]),
        "whole": ("regctl tag ls", [str(tools / "regctl"), "tag", "ls", f"{registry.host}/bench/whole"]),
    }
    rows: list[Row] = []
    extra: dict[str, Any] = {}
    for layout, (name, argv) in references.items():
        image = f"{registry.host}/bench/{layout}"
        path = work / f"{layout}.json"
        path.write_text(json.dumps(manifest(image, layout, "bench")))
        cli = [plugin(), "reconcile", "-f", str(path), "--database", str(work / f"{layout}.sqlite3")]
        printed = subprocess.run(cli, env=env, check=True, capture_output=True, text=True).stdout
        if f"tagCount: {TAGS}" not in printed:
            raise RuntimeError(f"reconcile -f did not store {TAGS} tags:\n{printed[-2000:]}")
        listed = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
        if len(listed.split()) != TAGS:
            raise RuntimeError(f"{name} listed {len(listed.split())} tags of {TAGS}")
        ours_seconds, ours_mb = run_child(cli, env)
        theirs_seconds, theirs_mb = run_child(argv, env)
        rows.append(Row(SECTION, f"{LAYOUTS[layout]}: reconcile -f vs {name}", "reconcile -f", ours_seconds,
                        name.split()[0], theirs_seconds, ours_mb=ours_mb, reference_mb=theirs_mb,
                        note=f"goal <= {GOAL_MIB} MiB: {'met' if ours_mb <= GOAL_MIB else 'missed'}"))
        out = work / f"{layout}-transaction.json"
        run_child([sys.executable, __file__, "--transaction", image, str(work / f"{layout}-tx.sqlite3"),
                   str(out)], env)
        extra[f"transaction {layout}"] = json.loads(out.read_text())
        extra[f"progress {layout}"] = progress_on_terminal(image, work, env)
    return rows, extra


def measure_one(
    env: Environment, tools: Path, work: Path, run_env: dict[str, str], side: str, layout: str
) -> Outcome:
    """One side (`run` or the controller) on its object of `layout`, until it is Ready."""
    selector = f"bench-side={side}-{layout}"

    def launch() -> Launched:
        if side == "flux":
            argv = irc_argv(tools, selector, 1, work, f"irc-{layout}")
        else:
            argv = [plugin(), "run", "-n", "huge", "--watch-label-selector", selector,
                    "--log-level", "error", "--database", str(work / f"run-{layout}.sqlite3")]
        return [start_timed(f"{side}-{layout}", argv, work, run_env)]

    watch = ReadyWatch(env, f"{GROUP_PATH}/namespaces/huge/imagerepositories", 1, selector)
    return measure_side(env, side, watch, [], None, launch, TIMEOUT)


def run_rows(registry: FakeRegistry, tools: Path, work: Path) -> list[Row]:
    """`run` and the controller, each on its own object of each layout, until it is Ready."""
    env = start_environment(work)
    rows: list[Row] = []
    try:
        module_dir = Path((tools / "irc-module-dir").read_text().strip())
        policy_crd = flux_crds(module_dir) / "image.toolkit.fluxcd.io_imagepolicies.yaml"
        env.plane.install_crd(yaml.safe_load(policy_crd.read_text()))
        run_env = {**env.path_env(), "KUBECONFIG": str(env.plane.admin_kubeconfig)}
        env.plane.create_namespace("huge")
        with env.plane.session() as s:
            s.headers["Content-Type"] = "application/json"
            for layout in LAYOUTS:
                for side in ("run", "flux"):
                    body = manifest(f"{registry.host}/bench/{layout}", f"{side}-{layout}", "huge",
                                    {"bench-side": f"{side}-{layout}"})
                    answer = s.post(f"{env.plane.url}{GROUP_PATH}/namespaces/huge/imagerepositories",
                                    data=json.dumps(body), timeout=60)
                    answer.raise_for_status()
        for layout in LAYOUTS:
            ours = measure_one(env, tools, work, run_env, "run", layout)
            flux = measure_one(env, tools, work, run_env, "flux", layout)
            met = ours.peak_mb is not None and ours.peak_mb <= GOAL_MIB
            goal = f"goal <= {GOAL_MIB} MiB: {'met' if met else 'missed'}"
            rows.append(Row(SECTION, f"{LAYOUTS[layout]}: run vs IRC, until Ready", "run", ours.ready_seconds,
                            "IRC", flux.ready_seconds, ours_mb=ours.peak_mb, reference_mb=flux.peak_mb,
                            note="; ".join(n for n in (ours.note, flux.note, goal) if n)))
    finally:
        env.stop()
    return rows


def main() -> tuple[list[Row], dict[str, Any]]:
    tools = benchbin()
    registry = FakeRegistry(TAGS)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            work = Path(workdir)
            rows, extra = reconcile_rows(registry, tools, work)
            rows += run_rows(registry, tools, work)
    finally:
        registry.stop()
    write_results("hugerepo", rows, tags=TAGS, page=PAGE, **extra)
    return rows, extra


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--transaction":
        transaction_child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        table, details = main()
        print(render(table))
        for key, value in details.items():
            print(f"{key}: {value}")
