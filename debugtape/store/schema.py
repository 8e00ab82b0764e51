"""The store's schema and its forward migrations (kept in PRAGMA user_version)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # sqlite-utils pulls in numpy when present: import it only to migrate
    import sqlite_utils
    import sqlite_utils.db

__all__ = ["SCHEMA_VERSION", "migrate"]


def _table(db: sqlite_utils.Database, name: str) -> sqlite_utils.db.Table:
    return db.table(name)


def _v1(db: sqlite_utils.Database) -> None:
    # The log of record: every committed event, in commit order (id), with its envelope.
    _table(db, "events").create(
        {
            "id": int, "session": str, "seq": int, "ts": str, "ts_ms": int, "stored_ms": int,
            "type": str, "actor": str, "visibility": str, "data": str,
        },
        pk="id",
        not_null={"session", "seq", "ts", "ts_ms", "stored_ms", "type", "data"},
    )
    _table(db, "events").create_index(["session", "seq"], unique=True)
    _table(db, "events").create_index(["ts_ms"])
    # No index on stored_ms: ids are assigned in commit order, so time travel bisects on id.
    # Denormalized views of the log, for fast timeline queries. All derive from `events`.
    _table(db, "sessions").create(
        {
            "id": str, "name": str, "tool": str, "started_ts": str, "started_ms": int,
            "ended_ts": str, "ended_ms": int, "start_event": int, "end_event": int,
            "last_seq": int, "last_event": int, "commit_hash": str, "branch": str, "dirty": int,
            "interrupted": int, "writer_pid": int, "writer_start": str, "counts": str,
        },
        pk="id",
    )
    _table(db, "sessions").create_index(["started_ms"])
    _table(db, "sessions").create_index(["commit_hash"])
    _table(db, "snapshots").create(
        {
            "event_id": int, "snap_id": str, "session": str, "seq": int, "ts_ms": int,
            "reason": str, "thread": str, "symbol": str, "file": str, "line": int,
            "commit_hash": str, "bp_id": str,
        },
        pk="event_id",
    )
    _table(db, "snapshots").create_index(["snap_id"], unique=True)
    _table(db, "snapshots").create_index(["session", "seq"])
    _table(db, "frames").create(
        {"event_id": int, "idx": int, "symbol": str, "file": str, "line": int, "module": str},
        pk=("event_id", "idx"),
    )
    _table(db, "breakpoints").create(
        {
            "event_id": int, "session": str, "seq": int, "action": str, "bp_id": str,
            "location": str, "file": str, "line": int, "symbol": str, "condition": str,
            "hits": int, "enabled": int, "stable_id": str,
        },
        pk="event_id",
    )
    _table(db, "breakpoints").create_index(["session", "bp_id"])
    _table(db, "breakpoints").create_index(["stable_id"])
    # One row per run of consecutive stack samples of a session within a committed batch:
    # finds a session's samples by time and counts them, at a fraction of a row per sample's cost.
    db.execute(
        "CREATE TABLE samples (session TEXT NOT NULL, first_event INTEGER NOT NULL, "
        "last_event INTEGER NOT NULL, first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, "
        "count INTEGER NOT NULL, PRIMARY KEY (session, first_event)) WITHOUT ROWID"
    )
    # One narrow index for every timeline filter: "s:<symbol>", "b:<file's basename>",
    # "l:<basename>:<line>", "c:<commit hash>". WITHOUT ROWID keeps it clustered by key.
    db.execute(
        "CREATE TABLE event_keys (key TEXT NOT NULL, event_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, event_id)) WITHOUT ROWID"
    )


def _v2(db: sqlite_utils.Database) -> None:
    # Stores made by version 1 indexed frames by symbol and by (file, line). No query looks
    # frames up that way (the key index answers those questions), and the two indexes cost 12
    # of a typical snapshot's ~40 B-tree inserts.
    db.execute("DROP INDEX IF EXISTS idx_frames_symbol")
    db.execute("DROP INDEX IF EXISTS idx_frames_file_line")


def _v3(db: sqlite_utils.Database) -> None:
    # Timelines leave stack samples out unless asked (100 Hz sampling writes 360,000 an hour):
    # these indexes hold every other event, so such a timeline of a session, or of the last
    # hour, reads those events alone. A sample costs them nothing to write.
    db.execute("CREATE INDEX IF NOT EXISTS idx_events_session_seq_shown ON events (session, seq) "
               "WHERE type != 'stack_sample'")
    db.execute("CREATE INDEX IF NOT EXISTS idx_events_ts_ms_shown ON events (ts_ms) WHERE type != 'stack_sample'")


def _sqlite_utils() -> Any:
    """sqlite-utils, imported without pandas and numpy: it imports them when present only to map
    their types, which debugtape never passes, and numpy alone took 0.18 s of every new store's
    start-up (the ingest process of a first session)."""
    if "sqlite_utils" in sys.modules:
        return sys.modules["sqlite_utils"]
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            del sys.modules[name]
    return sqlite_utils


def _v4(db: sqlite_utils.Database) -> None:
    # Stack samples leave the session and time indexes (their cost was half of a sample's
    # write): every other event is in the partial indexes of version 3, and samples are found
    # through their runs, which these indexes find by time and by the events after a point.
    db.execute("DROP INDEX IF EXISTS idx_events_session_seq")
    db.execute("DROP INDEX IF EXISTS idx_events_ts_ms")
    db.execute("CREATE INDEX IF NOT EXISTS idx_samples_last_ms ON samples (last_ms)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_samples_last_event ON samples (last_event)")


def _v5(db: sqlite_utils.Database) -> None:
    # A frame was a table row plus an entry in its primary key's index: two B-tree inserts a
    # frame (a 20-frame snapshot paid 40). Clustered by that key, one.
    db.execute(
        "CREATE TABLE frames_v5 (event_id INTEGER NOT NULL, idx INTEGER NOT NULL, symbol TEXT, file TEXT, "
        "line INTEGER, module TEXT, PRIMARY KEY (event_id, idx)) WITHOUT ROWID"
    )
    db.execute("INSERT INTO frames_v5 SELECT event_id, idx, symbol, file, line, module FROM frames")
    db.execute("DROP TABLE frames")
    db.execute("ALTER TABLE frames_v5 RENAME TO frames")


_MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(_MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema forward to SCHEMA_VERSION; returns the version found before."""
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        from debugtape.errors import DebugtapeError

        raise DebugtapeError(
            f"store schema version {found} is newer than this debugtape ({SCHEMA_VERSION}): upgrade debugtape"
        )
    if found == SCHEMA_VERSION:
        return found
    db = _sqlite_utils().Database(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock.
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for step in _MIGRATIONS[current:]:
            step(db)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found
