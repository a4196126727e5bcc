"""CLI start-up, measured side by side in one run: the plugin against the built kubectl.

Also times the import path the plugin uses under each major of the `kubernetes` client (36.x and
37.x, each in its own cached virtualenv), which is how the pinned major was chosen.

Run: make bench   (prints a table of medians and ratios; writes bench/results/startup.json)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.environment import start_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "11"))
OBJECTS = 50
CLIENT_MAJORS = {"36": "kubernetes==36.0.3", "37": "kubernetes==37.0.2"}
IMPORT_PATHS = {
    "plugin path (config + ApiClient)": "from kubernetes.config import kube_config; "
    "from kubernetes.client import ApiClient, Configuration",
    "config + CustomObjectsApi": "from kubernetes import config; "
    "from kubernetes.client import CustomObjectsApi",
    "config + CoreV1Api": "from kubernetes import config; from kubernetes.client import CoreV1Api",
}


def median_seconds(argv: Sequence[str], env: dict[str, str], runs: int = RUNS) -> float:
    """Median wall time of `argv` over `runs` runs, after one warm-up run."""
    subprocess.run(argv, env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def client_venv(major: str) -> Path:
    """A virtualenv with only one major of the kubernetes client, cached between runs."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kubectl-imagerepo" / "bench"
    venv = cache / f"kubernetes-{major}"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", CLIENT_MAJORS[major]], check=True)
    return python


def installed_plugin() -> Path:
    """The plugin installed as users get it (a regular, non-editable install) in a cached virtualenv."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kubectl-imagerepo" / "bench"
    venv = cache / "plugin"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--no-deps", "--force-reinstall", str(ROOT)], check=True
    )
    return venv / "bin" / "kubectl-imagerepo"


def main() -> None:
    rows: list[dict[str, object]] = []
    for label, code in IMPORT_PATHS.items():
        medians = {
            m: median_seconds([str(client_venv(m)), "-c", code], dict(os.environ)) for m in CLIENT_MAJORS
        }
        rows.append(
            {
                "case": f"import: {label}",
                "ours": medians["37"],
                "reference": medians["36"],
                "reference_name": "36.x",
                "ours_name": "37.x",
            }
        )

    with tempfile.TemporaryDirectory() as workdir:
        env = start_environment(Path(workdir))
        try:
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
            run_env = env.path_env()
            plugin = [str(installed_plugin())]
            kubectl = [str(env.binaries.kubectl)]
            cases = [
                ("--help", [*plugin, "--help"], [*kubectl, "get", "--help"]),
                (
                    f"get of {OBJECTS} objects",
                    [*plugin, "get", "-n", namespace],
                    [*kubectl, "get", "imagerepositories", "-n", namespace],
                ),
                (
                    "describe of one object",
                    [*plugin, "describe", "repo-00", "-n", namespace],
                    [*kubectl, "describe", "imagerepositories", "repo-00", "-n", namespace],
                ),
            ]
            for name, ours_argv, reference_argv in cases:
                rows.append(
                    {
                        "case": name,
                        "ours": median_seconds(ours_argv, run_env),
                        "reference": median_seconds(reference_argv, run_env),
                        "ours_name": "kubectl-imagerepo",
                        "reference_name": "kubectl",
                    }
                )
        finally:
            env.stop()

    print(f"{'case':45} {'ours':>10} {'reference':>10} {'ratio':>7}  (medians of {RUNS} runs)")
    for row in rows:
        ours, ref = float(row["ours"]), float(row["reference"])  # type: ignore[arg-type]
        print(
            f"{row['case']:45} {ours * 1000:8.0f}ms {ref * 1000:8.0f}ms {ours / ref:6.2f}x"
            f"  ({row['ours_name']} / {row['reference_name']})"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "startup.json").write_text(json.dumps({"runs": RUNS, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
