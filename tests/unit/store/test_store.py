"""The local tag database, on real SQLite files."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from kubectl_imagerepo.store.database import (
    ENV_VAR,
    SCHEMA_VERSION,
    ObjectKey,
    StoredScan,
    StoreError,
    TagStore,
    default_path,
)

KEY = ObjectKey("cluster-a", "apps", "podinfo")


def write(store: TagStore, key: ObjectKey, tags: list[str], revision: str = "1") -> None:
    store.write(
        key, canonical_name="ghcr.io/x/y", tags=tags, revision=revision, scan_time="2026-01-01T00:00:00Z"
    )


def test_written_tags_read_back_in_stored_order(tmp_path: Path) -> None:
    with TagStore(tmp_path / "db") as store:
        write(store, KEY, ["v2", "v10", "v1"])
        assert list(store.tags(KEY)) == ["v2", "v10", "v1"]
        assert store.read(KEY) == StoredScan("ghcr.io/x/y", "1", "2026-01-01T00:00:00Z", 3)


def test_an_object_never_written_has_no_entry(tmp_path: Path) -> None:
    with TagStore(tmp_path / "db") as store:
        assert store.read(KEY) is None
        assert list(store.tags(KEY)) == []


def test_an_empty_tag_list_is_a_stored_result(tmp_path: Path) -> None:
    with TagStore(tmp_path / "db") as store:
        write(store, KEY, [])
        assert store.read(KEY) is not None
        assert list(store.tags(KEY)) == []


def test_a_new_write_replaces_the_previous_tags(tmp_path: Path) -> None:
    with TagStore(tmp_path / "db") as store:
        write(store, KEY, ["a", "b", "c"])
        write(store, KEY, ["d"], revision="2")
        assert list(store.tags(KEY)) == ["d"]
        assert store.read(KEY) == StoredScan("ghcr.io/x/y", "2", "2026-01-01T00:00:00Z", 1)


@pytest.mark.parametrize(
    "other",
    [
        ObjectKey("cluster-b", "apps", "podinfo"),
        ObjectKey("cluster-a", "other", "podinfo"),
        ObjectKey("cluster-a", "apps", "other"),
    ],
)
def test_entries_are_kept_per_cluster_namespace_and_name(tmp_path: Path, other: ObjectKey) -> None:
    with TagStore(tmp_path / "db") as store:
        write(store, KEY, ["mine"])
        write(store, other, ["theirs"])
        assert list(store.tags(KEY)) == ["mine"]
        assert list(store.tags(other)) == ["theirs"]


def test_delete_forgets_only_that_object(tmp_path: Path) -> None:
    other = ObjectKey("cluster-a", "apps", "other")
    with TagStore(tmp_path / "db") as store:
        write(store, KEY, ["a"])
        write(store, other, ["b"])
        store.delete(KEY)
        assert store.read(KEY) is None
        assert list(store.tags(other)) == ["b"]


def test_tags_survive_reopening_the_file(tmp_path: Path) -> None:
    with TagStore(tmp_path / "db") as store:
        write(store, KEY, ["a", "b"])
    with TagStore(tmp_path / "db") as store:
        assert list(store.tags(KEY)) == ["a", "b"]


def test_a_new_file_is_created_at_the_current_schema_version_in_wal_mode(tmp_path: Path) -> None:
    TagStore(tmp_path / "nested" / "db").close()
    db = sqlite3.connect(tmp_path / "nested" / "db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_from_a_newer_plugin_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this plugin's"):
        TagStore(tmp_path / "db")


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "db").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="tag database"):
        TagStore(tmp_path / "db")


def test_database_path_comes_from_the_environment_variable(tmp_path: Path) -> None:
    assert default_path({ENV_VAR: str(tmp_path / "x.db")}) == tmp_path / "x.db"


def test_default_database_lives_in_the_user_data_directory() -> None:
    assert default_path({}).parts[-2:] == ("kubectl-imagerepo", "tags.sqlite3")


def _writer(path: str, name: str, rounds: int) -> None:
    with TagStore(Path(path)) as store:
        for i in range(rounds):
            write(store, ObjectKey("c", "ns", name), [f"{name}-{i}-{j}" for j in range(200)], revision=str(i))


def test_two_processes_writing_at_once_both_finish_and_the_file_stays_intact(tmp_path: Path) -> None:
    path = str(tmp_path / "db")
    TagStore(Path(path)).close()
    workers = [multiprocessing.Process(target=_writer, args=(path, name, 30)) for name in ("one", "two")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    with TagStore(Path(path)) as store:
        assert store.check() == "ok"
        for name in ("one", "two"):
            assert list(store.tags(ObjectKey("c", "ns", name))) == [f"{name}-29-{j}" for j in range(200)]


def _open_and_write(path: str, name: str) -> None:
    with TagStore(Path(path)) as store:
        write(store, ObjectKey("c", "ns", name), [name])


def test_processes_creating_the_same_new_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh.db")
    workers = [multiprocessing.Process(target=_open_and_write, args=(path, f"w{i}")) for i in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0] * 6
    with TagStore(Path(path)) as store:
        stored = [list(store.tags(ObjectKey("c", "ns", f"w{i}"))) for i in range(6)]
    assert stored == [[f"w{i}"] for i in range(6)]


def test_a_file_that_is_no_database_ends_a_command_with_one_line_and_exit_1(tmp_path: Path) -> None:
    import subprocess
    import sys

    corrupt = tmp_path / "tags.sqlite3"
    corrupt.write_text("not a database\n")
    manifest = tmp_path / "repo.yaml"
    manifest.write_text(
        "apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\n"
        "metadata: {name: app, namespace: apps}\nspec: {image: 127.0.0.1:1/app, interval: 5m}\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubectl_imagerepo",
            "reconcile",
            "-f",
            str(manifest),
            "-q",
            "--database",
            str(corrupt),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == f"error: tag database {corrupt}: file is not a database"
    assert "Traceback" not in done.stderr
