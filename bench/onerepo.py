"""One repository of 1k, 10k and 100k tags: our scan and `reconcile -f` against the Go tag listers and skopeo.

A distribution v3 registry with pages of 1000 tags serves one repository per size. Its storage is
seeded once (tag links written on disk) and cached between runs under the user cache directory. Every
case runs as a child process, after a warm-up, so that its peak memory is its own.

Run: python bench/onerepo.py   (make bench runs it; writes bench/results/onerepo.json)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    CACHE,
    Measured,
    Row,
    benchbin,
    measure_child,
    render,
    run_child,
    write_results,
)
from tests.harness.binaries import find_binaries  # noqa: E402
from tests.harness.registry import Registry, start_registry  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# 100k-tag listings take seconds each: fewer repetitions there.
RUNS_100K = int(os.environ.get("BENCH_RUNS_100K", "3"))
SIZES = tuple(int(n) for n in os.environ.get("BENCH_TAG_COUNTS", "1000,10000,100000").split(","))
PAGE = 1000
SECTION = "one repository, pages of 1000"


def tag_names(count: int) -> list[str]:
    return [f"1.{i // 1000}.{i % 1000}" for i in range(count)]


def seeded_registry(workdir: Path) -> Registry:
    """A v3 registry on the cached storage, with `bench/t<N>` holding N tags for every size."""
    storage = CACHE / "bench" / "onerepo-storage"
    storage.mkdir(parents=True, exist_ok=True)
    # start_registry serves <workdir>/<name>-data: make that the cached storage.
    (workdir / "onerepo-data").symlink_to(storage, target_is_directory=True)
    registry = start_registry("onerepo", find_binaries().registry, workdir, legacy=False, max_tags=PAGE)
    for count in SIZES:
        marker = storage / f".seeded-t{count}"
        if not marker.exists():
            started = time.monotonic()
            registry.seed(f"bench/t{count}", tag_names(count))
            marker.write_text(f"{time.monotonic() - started:.1f}\n")
    return registry


def in_process_child(image: str, runs: int, database: str, out: str) -> None:
    """The scan in this process: list the tags, process them, store them; writes the median to `out`."""
    from kubectl_imagerepo.model.exclusion import compile_exclusions
    from kubectl_imagerepo.model.reference import parse_image_reference
    from kubectl_imagerepo.model.tags import process_scan
    from kubectl_imagerepo.registry.tags import list_tags
    from kubectl_imagerepo.store.database import ObjectKey, TagStore

    reference = parse_image_reference(image, insecure=True)
    key = ObjectKey("local", "bench", "app")

    def scan() -> int:
        raw = list_tags(reference, deadline=time.monotonic() + 300)
        outcome = process_scan(raw, compile_exclusions([]))
        with TagStore(Path(database)) as store:
            store.write(
                key,
                canonical_name=reference.canonical_name,
                tags=outcome.tags,
                revision=outcome.revision,
                scan_time="2026-01-01T00:00:00Z",
            )
        return outcome.tag_count

    scan()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        scan()
        times.append(time.perf_counter() - started)
    Path(out).write_text(json.dumps({"median": statistics.median(times), "tags": scan()}))


def listed_count(argv: list[str], env: dict[str, str], json_output: bool = False) -> int:
    """How many tags one run of a tool printed (checked once before timing it)."""
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
    if json_output:
        return len(json.loads(out)["Tags"])
    return len([line for line in out.splitlines() if line.strip()])


def measure_size(registry: Registry, tools: Path, count: int, work: Path) -> list[Row]:
    runs = RUNS_100K if count >= 100_000 else RUNS
    image = f"{registry.host}/bench/t{count}"
    home = work / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "DOCKER_CONFIG": str(home / ".docker")}
    subprocess.run(
        [str(tools / "regctl"), "registry", "set", "--tls", "disabled", registry.host],
        env=env, check=True, capture_output=True,
    )
    references: dict[str, tuple[list[str], bool]] = {
        "crane ls": ([str(tools / "crane"), "ls", "--insecure", image], False),
        "regctl tag ls": ([str(tools / "regctl"), "tag", "ls", image], False),
        "oras repo tags": ([str(tools / "oras"), "repo", "tags", "--plain-http", image], False),
        "skopeo list-tags": (
            ["skopeo", "list-tags", "--tls-verify=false", f"docker://{image}"],
            True,
        ),
    }
    measured: dict[str, Measured] = {}
    for name, (argv, json_output) in references.items():
        found = listed_count(argv, env, json_output)
        if found != count:
            raise RuntimeError(f"{name} listed {found} tags of {count}")
        measured[name] = measure_child(argv, runs, env)

    manifest = {
        "apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository",
        "metadata": {"name": "app", "namespace": "bench"},
        "spec": {"image": image, "interval": "5m", "insecure": True},
    }
    (work / "repo.json").write_text(json.dumps(manifest))
    cli = [
        str(Path(sys.executable).parent / "kubectl-imagerepo"), "reconcile", "-f", str(work / "repo.json"),
        "--database", str(work / "cli.sqlite3"),
    ]
    printed = subprocess.run(cli, env=env, check=True, capture_output=True, text=True).stdout
    if f"tagCount: {count}" not in printed:
        raise RuntimeError(f"reconcile -f did not store {count} tags:\n{printed[-2000:]}")
    ours_cli = measure_child(cli, runs, env)

    out = work / "in-process.json"
    child = [
        sys.executable, __file__, "--in-process", image, str(runs), str(work / "inproc.sqlite3"), str(out)
    ]
    _, in_process_mb = run_child(child, env)
    in_process = json.loads(out.read_text())
    if in_process["tags"] != count:
        raise RuntimeError(f"in-process scan found {in_process['tags']} tags of {count}")

    label = f"{count // 1000}k tags"
    rows = [
        Row(SECTION, f"{label}: scan in-process vs crane ls", "scan", in_process["median"], "crane",
            measured["crane ls"].seconds, ours_mb=in_process_mb, reference_mb=measured["crane ls"].peak_mb,
            runs=runs, note="ours' memory includes the interpreter"),
    ]
    for name, m in measured.items():
        rows.append(
            Row(SECTION, f"{label}: reconcile -f vs {name}", "reconcile -f", ours_cli.seconds,
                name.split()[0], m.seconds, ours_mb=ours_cli.peak_mb, reference_mb=m.peak_mb, runs=runs)
        )
    return rows


def main() -> list[Row]:
    tools = benchbin()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        registry = seeded_registry(work)
        try:
            for count in SIZES:
                rows += measure_size(registry, tools, count, work)
        finally:
            registry.stop()
    write_results("onerepo", rows, runs=RUNS, runs_100k=RUNS_100K, page=PAGE)
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--in-process":
        in_process_child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        print(render(main()))
