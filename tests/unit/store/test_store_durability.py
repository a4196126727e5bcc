"""The tag database survives a writer killed at any moment, and two writers at once.

Real processes, a real SQLite file: a writer process replaces the tags of many objects in a loop and
reports each committed write on stdout; it is killed with SIGKILL after a random (seeded) delay, and
the file must then pass SQLite's integrity check with every object holding one complete version.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from kubectl_imagerepo.store.database import ObjectKey, TagStore

OBJECTS = 6
KILLS = 20
SEED = 8

# Writes versions of every object forever (or `iterations` rounds); prints `<object> <version>` once
# each write has committed.
WRITER = """
import sys
from pathlib import Path
from kubectl_imagerepo.store.database import ObjectKey, TagStore

path, writer = sys.argv[1], sys.argv[2]
first, iterations, objects = map(int, sys.argv[3:6])
with TagStore(Path(path)) as store:
    version = first
    while iterations < 0 or version < first + iterations:
        for k in range(objects):
            tags = [f"{writer}-{k}-{version}-{j}" for j in range(1000 + (version * 7919 + k * 104729) % 4000)]
            store.write(ObjectKey("c", "ns", f"o{k}"), canonical_name=f"r.io/o{k}", tags=tags,
                        revision=f"{writer}-{version}", scan_time=str(version))
            print(k, version, flush=True)
        version += 1
"""


def version_tags(writer: str, k: int, version: int) -> list[str]:
    """What the writer stores for object `k` at `version` (the same formula as WRITER)."""
    return [f"{writer}-{k}-{version}-{j}" for j in range(1000 + (version * 7919 + k * 104729) % 4000)]


def writer(path: Path, name: str, first: int, iterations: int = -1) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), name, str(first), str(iterations), str(OBJECTS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored(store: TagStore, k: int) -> tuple[str | None, list[str]]:
    """(revision, tags) of object `k` as the database holds it now."""
    key = ObjectKey("c", "ns", f"o{k}")
    scan = store.read(key)
    return (scan.revision if scan else None), list(store.tags(key))


def test_a_writer_killed_at_random_moments_leaves_each_object_with_one_complete_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tags.sqlite3"
    rng = random.Random(SEED)
    known: dict[int, int | None] = dict.fromkeys(range(OBJECTS))  # the last version seen committed
    writes = 0
    for kill in range(KILLS):
        first = kill * 1000
        process = writer(path, "w", first)
        time.sleep(rng.uniform(0.2, 1.2))
        process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL, err
        reported: dict[int, int] = {}
        for line in out.splitlines():
            k, version = map(int, line.split())
            reported[k] = version
        writes += len(out.splitlines())
        with TagStore(path) as store:
            assert store.check() == "ok"
            for k in range(OBJECTS):
                # The last reported write, or the next one, committed but killed before it was reported.
                last = reported.get(k, known[k])
                following = first if k not in reported else reported[k] + 1
                allowed = {v: version_tags("w", k, v) for v in (last, following) if v is not None}
                revision, tags = stored(store, k)
                if revision is None:
                    assert last is None, f"object {k} lost its version {last} (kill {kill})"
                    continue
                version = int(revision.removeprefix("w-"))
                assert version in allowed, f"object {k}: version {version}, expected one of {set(allowed)}"
                assert tags == allowed[version], f"object {k}: a mix of versions (kill {kill})"
                known[k] = version
    assert writes > KILLS * OBJECTS  # the kills landed in the middle of real work
    print(f"{KILLS} kills after {writes} committed writes")


def test_two_writers_at_once_lose_no_write_and_leave_one_complete_version(tmp_path: Path) -> None:
    path = tmp_path / "tags.sqlite3"
    iterations = 12
    processes = {name: writer(path, name, 0, iterations) for name in ("a", "b")}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"writer {name}: {err}"
        assert err == ""
        assert len(out.splitlines()) == iterations * OBJECTS  # every write committed, none refused
    final = iterations - 1
    with TagStore(path) as store:
        assert store.check() == "ok"
        for k in range(OBJECTS):
            revision, tags = stored(store, k)
            assert revision in (f"a-{final}", f"b-{final}")
            assert tags == version_tags(str(revision)[0], k, final)
