"""What every benchmark shares: timing children with their peak memory, medians, rows and the table.

A row compares one of ours with one reference side by side; `ratio` is always ours / reference, so a
ratio above 1 is a gap (ours slower, or bigger).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.harness.environment import Environment
from tests.harness.pki import CertificateAuthority
from tests.harness.processes import Server, free_port, start
from tests.harness.registry import start_registry
from tests.harness.secure_registries import TokenServer, start_configured

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
GNU_TIME = "/usr/bin/time"
GROUP_PATH = "/apis/image.toolkit.fluxcd.io/v1"
ACCESS_LINE = re.compile(r'"(GET|HEAD|POST|PUT) /v2/')
LISTING_LINE = re.compile(r'"GET /v2/[^ "]*/tags/list')
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kubectl-imagerepo"


@dataclass(frozen=True)
class Measured:
    """The median wall time and the largest peak resident memory of several runs."""

    seconds: float
    peak_mb: float | None
    runs: int


@dataclass(frozen=True)
class Row:
    """One line of the table: ours against a reference, with the unit of both values."""

    section: str
    case: str
    ours_name: str
    ours: float | None
    reference_name: str
    reference: float | None
    unit: str = "s"
    ours_mb: float | None = None
    reference_mb: float | None = None
    runs: int = 1
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.reference:
            return None
        return self.ours / self.reference

    @property
    def mem_ratio(self) -> float | None:
        if self.ours_mb is None or not self.reference_mb:
            return None
        return self.ours_mb / self.reference_mb

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "ratio": self.ratio, "mem_ratio": self.mem_ratio}


def timed_argv(argv: Sequence[str], peak_file: Path) -> list[str]:
    """`argv` under GNU time, which writes the command's peak resident memory (KB) to `peak_file`.

    A child forked from this interpreter would report the interpreter's memory as its own peak
    (Linux keeps the larger high-water mark across `exec`), so a small process forks it instead.
    """
    return [GNU_TIME, "-f", "%M", "-o", str(peak_file), *argv]


def peak_mb_from(peak_file: Path) -> float | None:
    """The peak memory GNU time wrote, in MB (None when the command was killed before it could)."""
    try:
        return int(peak_file.read_text().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        return None


def run_child(argv: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Run `argv` to completion; (wall seconds, its peak resident memory in MB).

    Fails with the child's stderr when it exits non-zero.
    """
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        started = time.perf_counter()
        done = subprocess.run(
            timed_argv(argv, peak_file),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            text = done.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"{argv[0]} exited {done.returncode}: {text}")
        peak = peak_mb_from(peak_file)
    assert peak is not None
    return elapsed, peak


def measure_child(argv: Sequence[str], runs: int, env: Mapping[str, str] | None = None) -> Measured:
    """Median wall time of `argv` over `runs` runs after one warm-up; the largest peak memory."""
    run_child(argv, env)
    results = [run_child(argv, env) for _ in range(runs)]
    return Measured(statistics.median(t for t, _ in results), max(m for _, m in results), runs)


def median_seconds(run: Callable[[], object], runs: int) -> float:
    """Median wall time of `run()` over `runs` calls after one warm-up call."""
    run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def own_peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> str:
    """The 1, 5 and 15 minute load averages and the CPU count, to print beside the results."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def benchbin() -> Path:
    """The directory of the reference tools built by hack/benchbin.sh (built on first use)."""
    built = subprocess.run(
        ["bash", str(ROOT / "hack" / "benchbin.sh")], check=True, capture_output=True, text=True
    ).stdout.strip().splitlines()[-1]
    return Path(built)


def cold_build_seconds(directory: Path) -> dict[str, int]:
    """How long each reference tool took to build when it was not cached (from build-times.txt)."""
    times: dict[str, int] = {}
    path = directory / "build-times.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, seconds = line.partition(" ")
            times[name] = int(seconds)
    return times


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    return f"{value:,.0f} {unit}".strip()


def format_mb(value: float | None) -> str:
    return "" if value is None else f"{value:.0f} MB"


def render(rows: Sequence[Row]) -> str:
    """The table: one line per row, medians side by side with their ratios."""
    lines = [
        f"{'case':46} {'ours':>30} {'reference':>30} {'ratio':>7} {'mem':>6}",
    ]
    section = ""
    for row in rows:
        if row.section != section:
            section = row.section
            lines.append(f"-- {section}")
        ours = f"{row.ours_name} {format_value(row.ours, row.unit)} {format_mb(row.ours_mb)}".strip()
        reference = (
            f"{row.reference_name} {format_value(row.reference, row.unit)} {format_mb(row.reference_mb)}"
        ).strip()
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        mem = "" if row.mem_ratio is None else f"{row.mem_ratio:.2f}x"
        note = f"  [{row.note}]" if row.note else ""
        lines.append(f"{row.case:46} {ours:>30} {reference:>30} {ratio:>7} {mem:>6}{note}")
    return "\n".join(lines)


def write_results(name: str, rows: Sequence[Row], **extra: object) -> Path:
    """bench/results/<name>.json with every row, the machine's load and `extra`."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {"load": load_average(), **extra, "rows": [r.as_json() for r in rows]}
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def read_rows(name: str) -> list[Row]:
    """The rows a benchmark wrote to bench/results/<name>.json."""
    document = json.loads((RESULTS / f"{name}.json").read_text())
    fields = set(Row.__dataclass_fields__)
    return [Row(**{k: v for k, v in row.items() if k in fields}) for row in document["rows"]]


def python() -> str:
    return sys.executable


# -- registries, objects and sides measured against a real API server (manyrepos, shared) -------------


@dataclass
class BenchRegistry:
    server: Server
    host: str
    token: bool

    def _log(self) -> str:
        return self.server.log.read_text(errors="replace")

    def requests_so_far(self) -> int:
        """Requests to /v2/ in this registry's access log."""
        return len(ACCESS_LINE.findall(self._log()))

    def listings_so_far(self) -> int:
        """Tag list requests (pages included) in this registry's access log."""
        return len(LISTING_LINE.findall(self._log()))


@dataclass
class Outcome:
    """What one side cost: seconds until all Ready (None: not every object got there), and counts.

    The counts run from the side's start until every object was Ready; `peak_mb` is the sum over the
    side's processes (`peaks_mb` each); `extra` holds what `after_ready` measured.
    """

    name: str
    ready_seconds: float | None
    ready: int
    peak_mb: float | None
    api_requests: int
    registry_requests: int
    token_requests: int
    note: str = ""
    api_by_verb: dict[str, int] = field(default_factory=dict)
    peaks_mb: list[float | None] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    registry_listings: int = 0


def seed_storage(binary: Path, work: Path, repositories: int, tags: int) -> Path:
    """One storage directory holding `bench/r000`... each with the same `tags` tags, for every registry.

    One repository is pushed through an open registry; the others are copies of its directory.
    """
    seeding = start_registry("seeding", binary, work, legacy=False, max_tags=1000)
    try:
        seeding.seed("bench/r000", [f"1.0.{i}" for i in range(tags)])
    finally:
        seeding.stop()
    base = seeding.root / "docker" / "registry" / "v2" / "repositories" / "bench"
    for j in range(1, repositories):
        shutil.copytree(base / "r000", base / f"r{j:03d}")
    return seeding.root


def start_registries(
    binary: Path, work: Path, storage: Path, ca: CertificateAuthority, tokens: TokenServer,
    count: int, token_count: int,
) -> list[BenchRegistry]:
    """`count` registries on `storage` with access logs, the first `token_count` behind `tokens`."""
    started: list[BenchRegistry] = []
    for i in range(count):
        token = i < token_count
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
    """Watches ImageRepositories in a thread; records when `expected` of them were Ready.

    `path` is the collection (one namespace's or every namespace's), `selector` a label selector.
    `requests_made` counts the API requests the watch itself sent, to subtract them.
    """

    def __init__(self, env: Environment, path: str, expected: int, selector: str = "") -> None:
        self.env = env
        self.path = path
        self.expected = expected
        self.selector = selector
        self.ready: set[str] = set()
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
        key = f"{obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"
        if is_ready(obj):
            self.ready.add(key)
        else:
            self.ready.discard(key)
        for condition in (obj.get("status") or {}).get("conditions") or []:
            if condition.get("type") == "Ready":
                self.messages[key] = str(condition.get("message", ""))
        if self.all_ready_at is None and len(self.ready) >= self.expected:
            self.all_ready_at = time.perf_counter()
            self.done.set()

    def _run(self) -> None:
        path = f"{self.env.plane.url}{self.path}"
        selector = {"labelSelector": self.selector} if self.selector else {}
        with self.env.plane.session() as s:
            listed = s.get(path, params=selector, timeout=120)
            self.requests_made += 1
            listed.raise_for_status()
            body = listed.json()
            for obj in body["items"]:
                self._note(obj)
            version = body["metadata"]["resourceVersion"]
            while not self._stop and not self.done.is_set():
                self.requests_made += 1
                params = {"watch": "1", "resourceVersion": version, "timeoutSeconds": "30",
                          "allowWatchBookmarks": "true", **selector}
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


Launched = float | list[tuple[subprocess.Popen[bytes], Path]]


def stop_timed(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the command GNU time runs, not to GNU time: it then writes the peak and exits."""
    if process.poll() is None:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        for child in children:
            os.kill(int(child), signal.SIGTERM)
    process.wait(timeout=60)


def measure_side(
    env: Environment,
    name: str,
    watch: ReadyWatch,
    registries: Sequence[BenchRegistry],
    tokens: TokenServer | None,
    launch: Callable[[], Launched],
    timeout: float,
    after_ready: Callable[[], dict[str, Any]] | None = None,
) -> Outcome:
    """Start a side with `launch` and measure it until all the objects `watch` expects are Ready.

    `launch` runs a command to completion and returns its peak memory, or starts long-running
    processes under GNU time and returns each with the file its peak memory will be written to. Those
    keep running through `after_ready` (a steady-state phase, say), whose answer lands in `extra`.
    """
    registry_before = sum(r.requests_so_far() for r in registries)
    listings_before = sum(r.listings_so_far() for r in registries)
    tokens_before = len(tokens.requests) if tokens else 0
    api_before = api_requests(env)
    watch.start()
    started = time.perf_counter()
    launched = launch()
    peaks: list[float | None]
    note = ""
    extra: dict[str, Any] = {}
    if isinstance(launched, float):
        peaks = [launched]
        watch.done.wait(timeout=30)
    else:
        until = time.monotonic() + timeout
        while not watch.done.wait(timeout=1.0) and time.monotonic() < until:
            if any(p.poll() is not None for p, _ in launched):
                break
        exited = [p.returncode for p, _ in launched if p.poll() is not None]
        if exited:
            note = f"exited {exited} before every object was Ready"
    watch.stop()
    api_after = api_requests(env)
    registry_after = sum(r.requests_so_far() for r in registries)
    listings_after = sum(r.listings_so_far() for r in registries)
    tokens_after = len(tokens.requests) if tokens else 0
    if not isinstance(launched, float):
        if after_ready is not None and watch.all_ready_at is not None and not note:
            extra = after_ready()
        for process, _ in launched:
            stop_timed(process)
        peaks = [peak_mb_from(peak) for _, peak in launched]
    # The bench's own requests: its watch (list + watches) and the first /metrics scrape.
    own = watch.requests_made + 1
    delta = {k: api_after.get(k, 0) - api_before.get(k, 0) for k in api_after}
    delta = {k: v for k, v in delta.items() if v}
    ready_seconds = watch.all_ready_at - started if watch.all_ready_at is not None else None
    if ready_seconds is None and not note:
        note = f"{len(watch.ready)} of {watch.expected} Ready after {timeout:.0f}s"
        waiting = sorted(set(watch.messages) - watch.ready)
        if waiting:
            note += f"; {waiting[0]}: {watch.messages[waiting[0]][:300]}"
    known = [p for p in peaks if p is not None]
    return Outcome(
        name=name,
        ready_seconds=ready_seconds,
        ready=len(watch.ready),
        peak_mb=sum(known) if known else None,
        api_requests=sum(delta.values()) - own,
        registry_requests=registry_after - registry_before,
        token_requests=tokens_after - tokens_before,
        note=note,
        api_by_verb=delta,
        peaks_mb=peaks,
        extra=extra,
        registry_listings=listings_after - listings_before,
    )


def run_available(plugin: Path, env: Mapping[str, str]) -> bool:
    """Whether this plugin has the `run` command yet."""
    return subprocess.run([str(plugin), "run", "--help"], env=dict(env), capture_output=True).returncode == 0


def flux_crds(module_dir: Path) -> Path:
    """The CRD manifests in the controller's module."""
    return module_dir / "config" / "crd" / "bases"


def start_timed(
    name: str, argv: Sequence[str], work: Path, env: Mapping[str, str]
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start a long-running `argv` under GNU time; (its GNU time process, the file of its peak)."""
    peak = work / f"{name}.peak"
    server = start(name, timed_argv(argv, peak), work, env=dict(env))
    return server.process, peak


def irc_argv(tools: Path, selector: str, concurrency: int, work: Path, name: str) -> list[str]:
    """image-reflector-controller run outside the cluster on the objects `selector` picks."""
    storage_path = work / f"{name}-storage"
    storage_path.mkdir()
    return [
        str(tools / "image-reflector-controller"),
        "--watch-label-selector", selector,
        "--concurrent", str(concurrency),
        "--storage-path", str(storage_path),
        "--metrics-addr", f"127.0.0.1:{free_port()}",
        "--health-addr", f"127.0.0.1:{free_port()}",
        "--enable-leader-election=false",
        "--log-level", "error",
    ]
