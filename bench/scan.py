"""One repository of 10,000 tags: the scan in-process and the whole `reconcile -f` command, side by side.

A distribution v3 registry with pages of 1000 tags (as registries serve them) is started on
loopback; each case runs after a warm-up and its median is printed, with the ratio between them.

Run: make bench   (writes bench/results/scan.json too)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.binaries import find_binaries  # noqa: E402
from tests.harness.registry import start_registry  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TAGS = int(os.environ.get("BENCH_TAGS", "10000"))


def median_of(run: Callable[[], object], runs: int = RUNS) -> float:
    run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    from kubectl_imagerepo.commands.cmdutil.repository_scan import run_reconcile
    from kubectl_imagerepo.commands.reconcile import LocalSink
    from kubectl_imagerepo.model.manifests import prepare
    from kubectl_imagerepo.reconcile.reconciler import Options

    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        registry = start_registry(
            "bench-registry", find_binaries().registry, work, legacy=False, max_tags=1000
        )
        try:
            registry.seed("bench/app", [f"1.{i // 100}.{i % 100}" for i in range(TAGS)])
            image = f"{registry.host}/bench/app"
            manifest = {
                "apiVersion": "image.toolkit.fluxcd.io/v1",
                "kind": "ImageRepository",
                "metadata": {"name": "app", "namespace": "bench"},
                "spec": {"image": image, "interval": "5m"},
            }
            (work / "repo.json").write_text(json.dumps(manifest))
            database = work / "tags.sqlite3"
            options = Options(scope="local")

            def in_process() -> None:
                result = run_reconcile(
                    prepare(manifest, "bench"), sink=LocalSink(), database=database, options=options
                )
                assert result.tag_count == TAGS, result.message

            cli = [
                str(Path(sys.executable).parent / "kubectl-imagerepo"),
                "reconcile",
                "-f",
                str(work / "repo.json"),
            ]
            env = {**os.environ, "KUBECTL_IMAGEREPO_DATABASE": str(database)}

            def whole_cli() -> None:
                subprocess.run(cli, env=env, check=True, capture_output=True)

            rows = [
                ("scan of one repository, in-process", median_of(in_process)),
                ("kubectl-imagerepo reconcile -f (whole CLI)", median_of(whole_cli)),
            ]
        finally:
            registry.stop()

    base = rows[0][1]
    print(f"{TAGS} tags, pages of 1000, medians of {RUNS} runs after a warm-up")
    for name, seconds in rows:
        print(f"  {name:45} {seconds * 1000:8.0f} ms   {seconds / base:5.2f}x in-process")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scan.json").write_text(
        json.dumps(
            {"tags": TAGS, "runs": RUNS, "rows": [{"case": n, "median_s": s} for n, s in rows]}, indent=2
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
