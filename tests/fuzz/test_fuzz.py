"""Short, bounded fuzzing runs of the four input parsers (atheris), as part of the test suite.

Each harness runs in its own process for a fixed number of inputs with a fixed seed, so a run is
reproducible; `make fuzz` runs them for longer with random seeds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Inputs per harness: about 5 s of CPU each (20 s in all) on the 2-core test machine.
RUNS = {"reference": 100_000, "durations": 12_000, "dockerconfig": 20_000, "exclusion": 20_000}
DONE = re.compile(r"^Done (\d+) runs in (\d+) second", re.MULTILINE)


@pytest.mark.parametrize("parser", sorted(RUNS))
def test_fuzzing_finds_no_crash(parser: str) -> None:
    runs = RUNS[parser]
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{parser}-") as artifacts:
        done = _fuzz(parser, runs, Path(artifacts))
        written = list(Path(artifacts).iterdir())
    assert done.returncode == 0, done.stderr[-3000:]
    found = DONE.search(done.stderr)
    assert found is not None, done.stderr[-3000:]
    assert int(found.group(1)) == runs
    assert written == []  # no crash or timeout input was written


def _fuzz(parser: str, runs: int, artifacts: Path) -> subprocess.CompletedProcess[str]:
    """One run of a harness; crashing inputs are written to `artifacts`."""
    return subprocess.run(
        [
            sys.executable,
            str(HERE / f"fuzz_{parser}.py"),
            f"-dict={HERE / f'{parser}.dict'}",
            f"-runs={runs}",
            "-seed=1",
            "-timeout=10",
            "-max_total_time=80",
            f"-artifact_prefix={artifacts}/",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # with -seed=1: the same inputs on every machine
        capture_output=True,
        text=True,
        timeout=120,
    )
