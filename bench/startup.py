"""CLI start-up side by side in one run: the plugin as pipx and krew install it, against kubectl and crane.

Cases, each timed on the same servers:
- `--help` against `kubectl --help`;
- `get` of 50 ImageRepositories against `kubectl get imagerepositories`, and the floor;
- `describe` of one against `kubectl describe imagerepositories`, and the floor;
- `reconcile -f` of a repository of 1000 tags (no cluster: list, store, print) against `crane ls`.
The pipx side is a real `pipx install` of this source (byte code compiled by pip); the krew side is
the archive `make krew` builds (krew/cached.py), installed by a real krew and run through its link.

The machine is shared, so runs are paired: a round runs every side of a case once, in an order that
rotates each round, and a ratio is the median of the rounds' ratios; times are medians of the rounds.
The first round only checks every side's output and is not timed. The floor is what the chosen stack
costs before the plugin does anything: the pipx install's interpreter importing click, PyYAML, ssl and
http.client (`FLOOR`); `get` and `describe` print their distance to it, the median of the rounds'
differences. Also times the plugin's import path
under the two majors of the `kubernetes` client, each in its own cached virtualenv, which is how the
pinned major was chosen.

Run: .venv/bin/python bench/startup.py   (bench/all.py runs it too; writes bench/results/startup.json)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import CACHE, Row, benchbin, load_average, run_child, write_results  # noqa: E402
from bench.onerepo import tag_names  # noqa: E402
from krew.cached import cached_build  # noqa: E402
from tests.harness.binaries import find_binaries  # noqa: E402
from tests.harness.environment import start_environment  # noqa: E402
from tests.harness.registry import start_registry  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "11"))
OBJECTS = 50
TAGS = 1000
SECTION = "CLI start-up"
FLOOR = "floor"
FLOOR_IMPORTS = "import click, yaml, ssl, http.client"
CLIENT_MAJORS = {"36": "kubernetes==36.0.3", "37": "kubernetes==37.0.2"}
IMPORT_PATHS = {
    "plugin path (config + ApiClient)": "from kubernetes.config import kube_config; "
    "from kubernetes.client import ApiClient, Configuration",
    "config + CustomObjectsApi": "from kubernetes import config; "
    "from kubernetes.client import CustomObjectsApi",
    "config + CoreV1Api": "from kubernetes import config; from kubernetes.client import CoreV1Api",
}


@dataclass(frozen=True)
class Side:
    """One command of a case, and what its output must show for the run to count."""

    name: str
    argv: tuple[str, ...]
    expect: Callable[[str], bool]


@dataclass(frozen=True)
class Case:
    name: str
    sides: tuple[Side, ...]


@dataclass(frozen=True)
class Timed:
    """Every round's wall time (s) and peak memory (MB) of each side of a case, by side name."""

    case: str
    seconds: dict[str, list[float]]
    peak_mb: dict[str, list[float]]

    def median(self, side: str) -> float:
        return statistics.median(self.seconds[side])

    def paired_ratio(self, side: str, reference: str) -> float:
        """The median over rounds of side / reference, each round's two runs taken side by side."""
        return paired_ratio(self.seconds[side], self.seconds[reference])

    def paired_difference(self, side: str, reference: str) -> float:
        """The median over rounds of side - reference (s)."""
        pairs = zip(self.seconds[side], self.seconds[reference], strict=True)
        return statistics.median(t - r for t, r in pairs)


def rotated(count: int, round_number: int) -> list[int]:
    """The order of `count` sides in round `round_number`: each side goes first as often as the others."""
    start = round_number % count
    return [*range(start, count), *range(start)]


def paired_ratio(times: Sequence[float], references: Sequence[float]) -> float:
    return statistics.median(t / r for t, r in zip(times, references, strict=True))


def check_output(side: Side, env: Mapping[str, str]) -> None:
    """Run `side` once (the warm-up) and fail unless it succeeds with the output it should have."""
    done = subprocess.run(side.argv, env=dict(env), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not side.expect(done.stdout):
        raise RuntimeError(
            f"{side.name} ({' '.join(side.argv)}) exited {done.returncode}:\n"
            f"{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
        )


def measure(case: Case, env: Mapping[str, str], runs: int = RUNS) -> Timed:
    """`runs` rounds of every side of `case`, interleaved, after one checked warm-up round."""
    for side in case.sides:
        check_output(side, env)
    seconds: dict[str, list[float]] = {side.name: [] for side in case.sides}
    peaks: dict[str, list[float]] = {side.name: [] for side in case.sides}
    for round_number in range(runs):
        for index in rotated(len(case.sides), round_number):
            side = case.sides[index]
            elapsed, peak = run_child(side.argv, env)
            seconds[side.name].append(elapsed)
            peaks[side.name].append(peak)
    return Timed(case.name, seconds, peaks)


def quiet(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """Run a set-up command; its stdout (its output only shows when it fails)."""
    done = subprocess.run(list(argv), env=dict(env) if env else None, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def pipx_install() -> Path:
    """The plugin installed with pipx from this source, in a pipx home of its own under the cache."""
    home = CACHE / "bench" / "pipx"
    env = {**os.environ, "PIPX_HOME": str(home), "PIPX_BIN_DIR": str(home / "bin"), "PIPX_MAN_DIR": str(home)}
    executable = home / "bin" / "kubectl-imagerepo"
    if not executable.exists():
        quiet([sys.executable, "-m", "pipx", "install", "--force", str(ROOT)], env)
    else:  # this source's code over the installed dependencies
        reinstall = ["install", "-q", "--no-deps", "--force-reinstall", str(ROOT)]
        quiet([sys.executable, "-m", "pipx", "runpip", "kubectl-imagerepo", *reinstall], env)
    return executable


def krew_install(work: Path) -> Path:
    """The archive `make krew` builds, installed by krew into a KREW_ROOT under `work`: krew's link."""
    built = cached_build()
    krew = quiet(["bash", str(ROOT / "hack" / "krew.sh")]).strip().splitlines()[-1]
    root = work / "krew-root"
    install = [krew, "install", f"--manifest={built.manifest}", f"--archive={built.archive}"]
    quiet(install, {**os.environ, "KREW_ROOT": str(root)})
    return root / "bin" / "kubectl-imagerepo"


def client_venv(major: str) -> Path:
    """A virtualenv with only one major of the kubernetes client, cached between runs."""
    venv = CACHE / "bench" / f"kubernetes-{major}"
    python = venv / "bin" / "python"
    if not python.exists():
        quiet([sys.executable, "-m", "venv", str(venv)])
        quiet([str(python), "-m", "pip", "install", "-q", CLIENT_MAJORS[major]])
    return python


def cases_for(
    plugin: dict[str, Path],
    floor_python: Path,
    kubectl: Path,
    crane: Path,
    namespace: str,
    image: str,
    work: Path,
) -> list[Case]:
    """The four cases: every plugin side (pipx, krew), the floor for `get` and `describe`, the reference."""
    manifest = work / "repo.json"
    manifest.write_text(
        json.dumps(
            {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageRepository",
                "metadata": {"name": "app", "namespace": "bench"},
                "spec": {"image": image, "interval": "5m", "insecure": True},
            }
        )
    )
    last = f"repo-{OBJECTS - 1:02d}"

    def plugin_sides(argv: Sequence[str], expect: Callable[[str], bool]) -> list[Side]:
        return [Side(name, (str(path), *argv), expect) for name, path in plugin.items()]

    floor = Side(FLOOR, (str(floor_python), "-c", FLOOR_IMPORTS), lambda out: out == "")

    def reconcile_sides() -> list[Side]:
        return [
            Side(
                name,
                (str(path), "reconcile", "-f", str(manifest), "--database", str(work / f"{name}.sqlite3")),
                lambda out: f"tagCount: {TAGS}" in out,
            )
            for name, path in plugin.items()
        ]

    return [
        Case(
            "--help",
            (
                *plugin_sides(["--help"], lambda out: out.startswith("Usage: kubectl imagerepo")),
                Side("kubectl --help", (str(kubectl), "--help"), lambda out: "kubectl controls" in out),
            ),
        ),
        Case(
            f"get ({OBJECTS} objects)",
            (
                *plugin_sides(["get", "-n", namespace], lambda out: len(out.splitlines()) == OBJECTS + 1),
                floor,
                Side(
                    "kubectl get",
                    (str(kubectl), "get", "imagerepositories", "-n", namespace),
                    lambda out: len(out.splitlines()) == OBJECTS + 1 and last in out,
                ),
            ),
        ),
        Case(
            "describe (one object)",
            (
                *plugin_sides(["describe", "repo-00", "-n", namespace], lambda out: "repo-00" in out),
                floor,
                Side(
                    "kubectl describe",
                    (str(kubectl), "describe", "imagerepositories", "repo-00", "-n", namespace),
                    lambda out: "repo-00" in out,
                ),
            ),
        ),
        Case(
            f"reconcile -f ({TAGS} tags)",
            (
                *reconcile_sides(),
                Side(
                    "crane ls",
                    (str(crane), "ls", "--insecure", image),
                    lambda out: len(out.split()) == TAGS,
                ),
            ),
        ),
    ]


def pipx_python(executable: Path) -> Path:
    """The interpreter of the pipx install whose `kubectl-imagerepo` is `executable`."""
    return executable.parent.parent / "venvs" / "kubectl-imagerepo" / "bin" / "python"


def measure_plugin(work: Path, pipx: Path, krew: Path, crane: Path) -> list[Timed]:
    """The four cases against the test servers and a registry serving pages of 1000 tags."""
    env = start_environment(work / "servers")
    registry = start_registry("startup", find_binaries().registry, work, legacy=False, max_tags=1000)
    try:
        registry.seed(f"bench/t{TAGS}", tag_names(TAGS))
        namespace = env.new_namespace("bench")
        for i in range(OBJECTS):
            env.plane.apply(
                {
                    "apiVersion": "image.toolkit.fluxcd.io/v1",
                    "kind": "ImageRepository",
                    "metadata": {"name": f"repo-{i:02d}", "namespace": namespace},
                    "spec": {"image": f"ghcr.io/example/app{i}", "interval": "5m"},
                }
            )
        plugin = {"pipx": pipx, "krew": krew}
        image = f"{registry.host}/bench/t{TAGS}"
        cases = cases_for(plugin, pipx_python(pipx), env.binaries.kubectl, crane, namespace, image, work)
        timed = []
        for case in cases:
            print(f"  {case.name}", flush=True)
            timed.append(measure(case, env.path_env()))
        return timed
    finally:
        registry.stop()
        env.stop()


def measure_client_majors() -> list[Timed]:
    """The import path under each major of the kubernetes client (37.x is ours)."""
    pythons = {m: client_venv(m) for m in CLIENT_MAJORS}
    timed = []
    for label, code in IMPORT_PATHS.items():
        sides = tuple(
            Side(f"{m}.x", (str(pythons[m]), "-c", code), lambda out: out == "") for m in ("37", "36")
        )
        timed.append(measure(Case(f"import: {label}", sides), dict(os.environ)))
    return timed


def ratio_pairs(names: Sequence[str]) -> list[tuple[str, str]]:
    """(side, reference) pairs to compare: each plugin side against the last one, and krew against pipx."""
    pairs = [(name, names[-1]) for name in names[:-1] if name != FLOOR]
    if {"pipx", "krew"} <= set(names):
        pairs.append(("krew", "pipx"))
    return pairs


def rows_of(timed: Timed) -> list[Row]:
    """Rows for bench/all.py: one per pair of `ratio_pairs`, then each plugin side against the floor."""
    floor_rows = [
        Row(
            SECTION,
            timed.case,
            ours,
            timed.median(ours),
            FLOOR,
            timed.median(FLOOR),
            ours_mb=max(timed.peak_mb[ours]),
            reference_mb=max(timed.peak_mb[FLOOR]),
            runs=len(timed.seconds[ours]),
            note=f"{timed.paired_difference(ours, FLOOR) * 1000:+.0f} ms from the floor (paired)",
        )
        for ours in ("pipx", "krew")
        if FLOOR in timed.seconds and ours in timed.seconds
    ]
    return floor_rows + [
        Row(
            SECTION,
            timed.case,
            ours,
            timed.median(ours),
            theirs,
            timed.median(theirs),
            ours_mb=max(timed.peak_mb[ours]),
            reference_mb=max(timed.peak_mb[theirs]),
            runs=len(timed.seconds[ours]),
            note=f"paired ratio {timed.paired_ratio(ours, theirs):.2f}x",
        )
        for ours, theirs in ratio_pairs(list(timed.seconds))
    ]


def cell(timed: Timed, side: str) -> str:
    return f"{side} {timed.median(side) * 1000:.0f} ms {max(timed.peak_mb[side]):.0f} MB"


def table(timed: Sequence[Timed]) -> str:
    """One line per case: every side's median time and largest peak memory, then the paired ratios."""
    lines = [f"{'case':42} {'sides: median, peak memory':<80} paired ratios"]
    for case in timed:
        names = list(case.seconds)
        sides = "".join(f"{cell(case, name):<28}" for name in names)
        ratios = "  ".join(f"{a}/{b} {case.paired_ratio(a, b):.2f}x" for a, b in ratio_pairs(names))
        if FLOOR in names:
            ratios += "".join(
                f"  {name}-floor {case.paired_difference(name, FLOOR) * 1000:+.0f} ms"
                for name in names
                if name in ("pipx", "krew")
            )
        lines.append(f"{case.case:42} {sides:<80} {ratios}")
    return "\n".join(lines)


def main() -> list[Row]:
    load_before = load_average()
    crane = benchbin() / "crane"
    print("installing: pipx, krew (make krew, cached by source)", flush=True)
    pipx = pipx_install()
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        krew = krew_install(work)
        print(f"timing {RUNS} paired rounds per case ({load_before})", flush=True)
        timed = measure_plugin(work, pipx, krew, crane)
    timed += measure_client_majors()
    load_after = load_average()
    print()
    print(table(timed))
    print(
        f"\nmedians of {RUNS} rounds, sides interleaved (order rotated each round) after a checked warm-up;"
        " ratios are medians of the per-round ratios (above 1: the first is slower)."
        f"\nbefore: {load_before}; after: {load_after}: a loaded machine makes every number noisy,"
        " compare within one run only."
    )
    rows = [row for case in timed for row in rows_of(case)]
    write_results("startup", rows, runs=RUNS, load_before=load_before, load_after=load_after)
    return rows


if __name__ == "__main__":
    main()
