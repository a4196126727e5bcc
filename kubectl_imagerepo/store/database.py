"""The local tag database: every tag each scan kept, in SQLite, per cluster and object.

One row per object in `scans` (canonical name, revision, scan time, count) and its tags in stored
order in `tags`. WAL mode lets readers go on while a writer works; every write is one immediate
transaction, so a crash at any point leaves the previous tags readable, and several processes can
share the file (they wait up to `BUSY_TIMEOUT_MS` for each other's writes).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from kubectl_imagerepo.model.errors import CommandError

T = TypeVar("T")
ENV_VAR = "KUBECTL_IMAGEREPO_DATABASE"
FILE_NAME = "tags.sqlite3"
BUSY_TIMEOUT_MS = 30_000

# Each migration takes the schema from version i to i + 1; `user_version` records how far a file is.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        cluster TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        canonical_name TEXT NOT NULL,
        revision TEXT NOT NULL,
        scan_time TEXT NOT NULL,
        tag_count INTEGER NOT NULL,
        UNIQUE (cluster, namespace, name)
    );
    CREATE TABLE tags (
        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (scan_id, position)
    ) WITHOUT ROWID;
    """,
    # Entries were keyed by a cluster id that differed with the caller's rights; they are keyed by the
    # object's UID now (docs/behaviour.md, The tag database). The old ones are a cache nobody reads.
    """
    DELETE FROM tags WHERE scan_id IN (SELECT id FROM scans WHERE cluster <> 'local');
    DELETE FROM scans WHERE cluster <> 'local';
    """,
    # The listing a scan's tags came from, shared by every object it served (docs/behaviour.md, Shared
    # listings and registry limits); empty for scans written before.
    """
    ALTER TABLE scans ADD COLUMN listing TEXT NOT NULL DEFAULT '';
    CREATE INDEX scans_listing ON scans (listing) WHERE listing <> '';
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)


class StoreError(CommandError):
    """The database could not be opened, read or written.

    Its text becomes a condition's message inside a reconcile; ending a command, it is `error: <text>`.
    """

    def display(self) -> str:
        return f"error: {self}"


@dataclass(frozen=True)
class ObjectKey:
    """Which object's tags: its scope (the object's UID in a cluster, `local` for files), namespace, name."""

    scope: str
    namespace: str
    name: str


#: The scope of the objects of `reconcile -f`, which have no cluster.
LOCAL_SCOPE = "local"


def object_key(scope: str | None, uid: str | None, namespace: str, name: str) -> ObjectKey:
    """An object's key: under `scope` when given, else under its UID.

    The UID reads the same whoever reads the object, so one object has one key whatever the caller may
    read besides (docs/behaviour.md, The tag database).
    """
    if scope is None and not uid:
        raise StoreError(f"{namespace}/{name} has no metadata.uid to key its tags by")
    return ObjectKey(scope or str(uid), namespace, name)


@dataclass(frozen=True)
class StoredScan:
    """What the database holds about an object's last successful scan, besides the tags."""

    canonical_name: str
    revision: str
    scan_time: str
    tag_count: int
    listing: str = ""


def default_path(environ: dict[str, str] | None = None) -> Path:
    """`$KUBECTL_IMAGEREPO_DATABASE`, else `tags.sqlite3` in the user data directory."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("kubectl-imagerepo")) / FILE_NAME


class TagStore:
    """An open database file; use as a context manager or call `close()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.Error as failure:
            raise StoreError(f"tag database {path}: {failure}") from None

    def __enter__(self) -> TagStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        """Bring the file to `SCHEMA_VERSION`, one migration per transaction.

        The version is read inside each transaction, so processes opening a new file at the
        same time apply every migration once between them.
        """
        while self._in_transaction(self._next_migration):
            pass

    def _next_migration(self, db: sqlite3.Connection) -> bool:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"tag database {self.path} has schema version {version}, newer than this plugin's "
                f"{SCHEMA_VERSION}: upgrade kubectl-imagerepo or use another --database"
            )
        if version == SCHEMA_VERSION:
            return False
        _apply(db, version)
        return True

    def _in_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return result
        except sqlite3.Error as failure:
            raise StoreError(f"tag database {self.path}: {failure}") from None

    def write(
        self,
        key: ObjectKey,
        *,
        canonical_name: str,
        tags: Sequence[str],
        revision: str,
        scan_time: str,
        listing: str = "",
    ) -> None:
        """Replace the object's stored scan with these tags, atomically; `listing` names their listing."""

        def replace(db: sqlite3.Connection) -> None:
            db.execute(
                "DELETE FROM scans WHERE cluster = ? AND namespace = ? AND name = ?",
                (key.scope, key.namespace, key.name),
            )
            cursor = db.execute(
                "INSERT INTO scans (cluster, namespace, name, canonical_name, revision, scan_time, tag_count,"
                " listing) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key.scope, key.namespace, key.name, canonical_name, revision, scan_time, len(tags), listing),
            )
            scan_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO tags (scan_id, position, tag) VALUES (?, ?, ?)",
                ((scan_id, i, tag) for i, tag in enumerate(tags)),
            )

        self._in_transaction(replace)

    def read(self, key: ObjectKey) -> StoredScan | None:
        """The object's last stored scan, or None when the database has none."""
        row = self._query_one(
            "SELECT canonical_name, revision, scan_time, tag_count, listing FROM scans"
            " WHERE cluster = ? AND namespace = ? AND name = ?",
            (key.scope, key.namespace, key.name),
        )
        if row is None:
            return None
        canonical_name, revision, scan_time, tag_count, listing = row
        return StoredScan(
            str(canonical_name), str(revision), str(scan_time), int(str(tag_count)), str(listing or "")
        )

    def served_by(self, listing: str) -> int:
        """How many objects' stored scans came from `listing`."""
        if not listing:
            return 0
        row = self._query_one("SELECT count(*) FROM scans WHERE listing = ?", (listing,))
        return int(str(row[0])) if row else 0

    def tags(self, key: ObjectKey, batch: int = 5000) -> Iterator[str]:
        """The object's stored tags in stored order, read in batches (nothing held twice)."""
        try:
            cursor = self._db.execute(
                "SELECT tag FROM tags JOIN scans ON scans.id = tags.scan_id"
                " WHERE cluster = ? AND namespace = ? AND name = ? ORDER BY position",
                (key.scope, key.namespace, key.name),
            )
            while rows := cursor.fetchmany(batch):
                for (tag,) in rows:
                    yield str(tag)
        except sqlite3.Error as failure:
            raise StoreError(f"tag database {self.path}: {failure}") from None

    def delete(self, key: ObjectKey) -> None:
        """Forget the object's tags."""
        self._in_transaction(
            lambda db: db.execute(
                "DELETE FROM scans WHERE cluster = ? AND namespace = ? AND name = ?",
                (key.scope, key.namespace, key.name),
            )
        )

    def check(self) -> str:
        """SQLite's integrity check: `ok`, or what is wrong."""
        row = self._query_one("PRAGMA integrity_check", ())
        return str(row[0]) if row else "no answer"

    def _query_one(self, sql: str, params: tuple[object, ...]) -> tuple[object, ...] | None:
        try:
            row: tuple[object, ...] | None = self._db.execute(sql, params).fetchone()
            return row
        except sqlite3.Error as failure:
            raise StoreError(f"tag database {self.path}: {failure}") from None


def _apply(db: sqlite3.Connection, version: int) -> None:
    """Run migration `version` and record the new version, inside the caller's transaction."""
    for statement in _MIGRATIONS[version].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version + 1}")
