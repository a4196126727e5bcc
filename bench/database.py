"""The tag database (TagStore): 1M tags for one object, 100k objects of 10 tags.

Each case runs in its own child process, so its peak memory (`ru_maxrss`, interpreter included) is its
own; the file size is measured after the writes. There is no reference tool to compare with here, so
these rows carry no ratio (the controller's Badger database is not opened outside the controller).

Run: python bench/database.py   (make bench runs it; writes bench/results/database.json)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Row, render, run_child, write_results  # noqa: E402

BIG = int(os.environ.get("BENCH_DB_TAGS", "1000000"))
OBJECTS = int(os.environ.get("BENCH_DB_OBJECTS", "100000"))
TAGS_PER_OBJECT = 10
SECTION = "tag database (SQLite)"
SCAN_TIME = "2026-01-01T00:00:00Z"


def child(case: str, database: Path, out: Path) -> None:
    """Run one case against `database`; write its seconds and what it counted to `out`."""
    from kubectl_imagerepo.store.database import ObjectKey, TagStore

    with TagStore(database) as store:
        started = time.perf_counter()
        counted = 0
        if case == "write-big":
            tags = [f"1.{i // 1000}.{i % 1000}-build.{i}" for i in range(BIG)]
            started = time.perf_counter()
            store.write(ObjectKey("local", "bench", "big"), canonical_name="example.com/big",
                        tags=tags, revision="1", scan_time=SCAN_TIME)
            counted = len(tags)
        elif case == "read-big":
            counted = sum(1 for _ in store.tags(ObjectKey("local", "bench", "big")))
        elif case == "write-many":
            tags = [f"1.0.{i}" for i in range(TAGS_PER_OBJECT)]
            for n in range(OBJECTS):
                store.write(ObjectKey("local", f"ns-{n % 100}", f"repo-{n}"),
                            canonical_name=f"example.com/repo-{n}", tags=tags, revision="1",
                            scan_time=SCAN_TIME)
                counted += len(tags)
        elif case == "read-many":
            for n in range(OBJECTS):
                key = ObjectKey("local", f"ns-{n % 100}", f"repo-{n}")
                if store.read(key) is not None:
                    counted += sum(1 for _ in store.tags(key))
        else:
            raise SystemExit(f"unknown case {case}")
        seconds = time.perf_counter() - started
    out.write_text(json.dumps({"seconds": seconds, "counted": counted}))


def main() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        cases = [
            ("write-big", "big.sqlite3", BIG, f"write {BIG:,} tags of one object"),
            ("read-big", "big.sqlite3", BIG, f"read {BIG:,} tags of one object"),
            ("write-many", "many.sqlite3", OBJECTS * TAGS_PER_OBJECT,
             f"write {OBJECTS:,} objects of {TAGS_PER_OBJECT} tags"),
            ("read-many", "many.sqlite3", OBJECTS * TAGS_PER_OBJECT,
             f"read {OBJECTS:,} objects of {TAGS_PER_OBJECT} tags"),
        ]
        for case, file_name, expected, label in cases:
            database, out = work / file_name, work / f"{case}.json"
            _, peak_mb = run_child([sys.executable, __file__, "--child", case, str(database), str(out)])
            result = json.loads(out.read_text())
            if result["counted"] != expected:
                raise RuntimeError(f"{case}: counted {result['counted']} tags, expected {expected}")
            size = sum(p.stat().st_size for p in work.glob(f"{file_name}*"))
            rows.append(
                Row(SECTION, label, "TagStore", result["seconds"], "", None, ours_mb=peak_mb,
                    note=f"file {size / 1e6:.0f} MB (with WAL)")
            )
    write_results("database", rows)
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        print(render(main()))
