"""The SQLite event store: one file, WAL mode, redacted events only."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from debugtape.errors import StoreError
from debugtape.events import Event
from debugtape.redact.gate import RedactedEvent
from debugtape.store import retention
from debugtape.store.db import connect, store_error
from debugtape.store.queries import Queries, StoredEvent, parse_duration, parse_time
from debugtape.store.schema import SCHEMA_VERSION, migrate
from debugtape.store.writer import BackgroundWriter, write_batch

__all__ = [
    "Store", "StoredEvent", "BackgroundWriter", "SCHEMA_VERSION", "parse_time", "parse_duration",
]


class Store(Queries):
    """An open store. Reads are methods inherited from Queries; writes take only RedactedEvent."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        conn = connect(self.path, readonly=readonly)
        try:
            if readonly and int(conn.execute("PRAGMA user_version").fetchone()[0]) != SCHEMA_VERSION:
                # Being created by a writer right now, or older: migrate (this waits for the
                # writer's lock) when we may write, else say what to do.
                conn.close()
                if not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK):
                    raise StoreError(str(self.path), "has an older schema and is read-only",
                                     "open it once with write access so it can be migrated")
                conn = connect(self.path)
                readonly = False
            if not readonly:
                migrate(conn)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc
        super().__init__(conn)
        self.readonly = readonly

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------
    def append(self, events: Sequence[RedactedEvent]) -> None:
        write_batch(self.conn, str(self.path), events)

    def background_writer(
        self, max_batch: int = 2000, on_error: Callable[[StoreError], None] | None = None,
        max_backlog: int = 20_000,
    ) -> BackgroundWriter:
        """A writer thread on its own connection (SQLite connections are not shared across threads)."""
        conn = connect(self.path)
        return BackgroundWriter(conn, str(self.path), max_batch=max_batch, on_error=on_error,
                                max_backlog=max_backlog)

    def mark_interrupted(self, session: str) -> None:
        try:
            self.conn.execute("UPDATE sessions SET interrupted = 1 WHERE id = ? AND end_event IS NULL", (session,))
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc

    # -- retention ---------------------------------------------------------------------------
    def prune(self, older_than: float | None = None, keep: int | None = None, dry_run: bool = False) -> list[str]:
        ids = retention.prunable(self.conn, older_than, keep)
        if not dry_run:
            try:
                retention.delete_sessions(self.conn, ids)
            except sqlite3.Error as exc:
                raise store_error(self.path, exc) from exc
        return ids

    # -- moving tapes ------------------------------------------------------------------------
    def export_lines(self, sessions: Iterable[str], include_private: bool = False) -> Iterator[str]:
        """JSON lines of the sessions' events; private events stay out unless asked for."""
        for sid in sessions:
            for se in self.iter_session_events(sid):
                if se.event.visibility == "private" and not include_private:
                    continue
                yield se.event.to_json()

    def import_events(self, events: Iterable[Event], redact: Callable[[Event], RedactedEvent]) -> dict[str, int]:
        """Add events from another store, redacted again here. Known events are skipped, so
        importing twice changes nothing. Returns counts: imported, skipped, sessions."""
        by_session: dict[str, list[Event]] = {}
        for ev in events:
            by_session.setdefault(ev.session, []).append(ev)
        imported = skipped = 0
        for sid, evs in by_session.items():
            evs.sort(key=lambda e: e.seq)
            row = self.conn.execute("SELECT last_seq FROM sessions WHERE id = ?", (sid,)).fetchone()
            have = int(row[0]) if row else 0
            fresh = [e for e in evs if e.seq > have]
            skipped += len(evs) - len(fresh)
            expected = have + 1
            batch: list[RedactedEvent] = []
            for e in fresh:
                if e.seq != expected:
                    raise StoreError(
                        str(self.path), f"session {sid} in the import has a gap at seq {expected}",
                        "export the whole session again (private events need --include-private)",
                    )
                batch.append(redact(e))
                expected += 1
            self.append(batch)
            imported += len(batch)
        return {"imported": imported, "skipped": skipped, "sessions": len(by_session)}

    def table_counts(self) -> dict[str, Any]:
        return {
            t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("events", "sessions", "snapshots", "frames", "breakpoints", "samples")
        }
