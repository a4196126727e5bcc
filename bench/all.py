"""Every benchmark in one run: one table of medians and ratios, written as bench/results/all.json too.

Sections: CLI start-up (bench/startup.py), one repository (bench/onerepo.py), a huge repository
(bench/hugerepo.py), many repositories (bench/manyrepos.py), shared listings at scale (bench/shared.py),
ImagePolicies (bench/policies.py) and the tag database (bench/database.py). Name
sections as arguments to run only those. The machine's load average before and after is printed with the
table, and so are the cold build times of the reference tools.

Run: make bench   (or: .venv/bin/python bench/all.py onerepo database)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import database, hugerepo, manyrepos, onerepo, policies, shared  # noqa: E402
from bench.common import (  # noqa: E402
    RESULTS,
    Row,
    benchbin,
    cold_build_seconds,
    load_average,
    render,
    write_results,
)

SECTIONS = ("startup", "onerepo", "hugerepo", "manyrepos", "shared", "policies", "database")


def startup_rows() -> list[Row]:
    """Run bench/startup.py (it prints its own table) and turn its JSON into rows."""
    subprocess.run([sys.executable, str(ROOT / "bench" / "startup.py")], check=True)
    document = json.loads((RESULTS / "startup.json").read_text())
    return [
        Row("CLI start-up", str(r["case"]), str(r["ours_name"]), float(r["ours"]),
            str(r["reference_name"]), float(r["reference"]), runs=int(document["runs"]))
        for r in document["rows"]
    ]


def main(sections: list[str]) -> None:
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    tools = benchbin()
    load_before = load_average()
    started = time.monotonic()
    rows: list[Row] = []
    for section in sections or SECTIONS:
        print(f"== {section} ({load_average()})", flush=True)
        if section == "startup":
            rows += startup_rows()
        elif section == "onerepo":
            rows += onerepo.main()
        elif section == "hugerepo":
            rows += hugerepo.main()[0]
        elif section == "manyrepos":
            rows += manyrepos.main()[0]
        elif section == "shared":
            rows += shared.main()[0]
        elif section == "policies":
            rows += policies.main()[0]
        else:
            rows += database.main()
    elapsed = time.monotonic() - started
    load_after = load_average()
    builds = cold_build_seconds(tools)
    print()
    print(render(rows))
    print()
    print(
        f"one repository: medians of {onerepo.RUNS} runs ({onerepo.RUNS_100K} at 100k tags) after a "
        f"warm-up; many repositories: one run per side; ImagePolicies: medians of {policies.RUNS} "
        "cold rounds; ratio = ours / reference (above 1: ours slower)"
    )
    if "manyrepos" in (sections or SECTIONS):
        crd = json.loads((RESULTS / "manyrepos.json").read_text()).get("crd", "")
        print(f"CRD installed by the harness vs image-reflector-controller v1.2.0: {crd}")
    if "hugerepo" in (sections or SECTIONS):
        huge = json.loads((RESULTS / "hugerepo.json").read_text())
        print("huge repository, tag database writes and progress on a terminal: "
              + "; ".join(f"{k}: {v}" for k, v in huge.items() if k.startswith(("transaction", "progress"))))
    if "shared" in (sections or SECTIONS):
        document = json.loads((RESULTS / "shared.json").read_text())
        print("shared listings, goals of issue 21: " + "; ".join(document.get("goals", [])))
        print(f"shared listings, statuses equal to the controller's in a sample: {document.get('statuses')}")
    if "policies" in (sections or SECTIONS):
        agreement = json.loads((RESULTS / "policies.json").read_text()).get("agreement", {})
        print(f"ImagePolicies, tags as expected and policies where the sides differ: {agreement}")
    print(f"cold builds of the reference tools (s): {builds or 'all cached before this run'}")
    print(f"bench took {elapsed:.0f} s; before: {load_before}; after: {load_after}")
    write_results(
        "all", rows, load_before=load_before, load_after=load_after, seconds=round(elapsed),
        cold_build_seconds=builds, sections=sections or list(SECTIONS),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
