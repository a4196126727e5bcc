"""What every benchmark shares: timing children with their peak memory, medians, rows and the table.

A row compares one of ours with one reference side by side; `ratio` is always ours / reference, so a
ratio above 1 is a gap (ours slower, or bigger).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
GNU_TIME = "/usr/bin/time"
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
