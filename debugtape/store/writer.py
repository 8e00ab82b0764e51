"""Committing redacted events: one transaction per batch, and a background writer that batches."""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from debugtape.errors import StoreError
from debugtape.events import Event
from debugtape.redact.gate import RedactedEvent
from debugtape.store.db import connect, store_error
from debugtape.store.rows import event_rows, ts_millis

__all__ = [
    "write_batch", "build_rows", "BatchRows", "INSERTS", "insert_rows", "BackgroundWriter", "Checkpointer",
    "process_start_time",
]

log = logging.getLogger(__name__)


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of a process, to tell a live writer from a reused pid; None when
    there is no such process or it has died and waits to be reaped (a zombie writes nothing)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().decode("ascii", "replace").rsplit(")", 1)[1].split()
        return None if fields[0] in ("Z", "X") else fields[19]
    except (OSError, IndexError):
        return None


_MY_PID = os.getpid()
_MY_START = process_start_time(_MY_PID)

# Event types that feed the denormalized tables or the key index (besides stack_sample).
_DERIVED = frozenset({
    "debug_snapshot", "breakpoint_set", "breakpoint_changed", "breakpoint_removed", "session_started",
    "vcs_commit", "file_changed", "debug_session",
})

_INSERT_EVENT = (
    "INSERT INTO events (id, session, seq, ts, ts_ms, stored_ms, type, actor, visibility, data) "
    "VALUES (?,?,?,?,?,?,?,?,?,?)"
)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_batch(conn: sqlite3.Connection, path: str, batch: Sequence[RedactedEvent]) -> None:
    """Commit a batch of redacted events in one transaction, or nothing at all.

    Checks the seq rules: per session, seq continues the stored sequence without gaps, and
    session_started is seq 1.
    """
    if not batch:
        return
    for item in batch:
        if not isinstance(item, RedactedEvent):
            raise TypeError("the store accepts only RedactedEvent (see debugtape.redact.redact_event)")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _write(conn, batch)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite already rolled back after some errors (e.g. SQLITE_FULL)
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise store_error(path, exc) from exc


class BatchRows:
    """The rows one committed batch writes: built without touching the database (pure)."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.snapshots: list[tuple[Any, ...]] = []
        self.frames: list[tuple[Any, ...]] = []
        self.breakpoints: list[tuple[Any, ...]] = []
        self.samples: list[tuple[Any, ...]] = []  # (session, first id, last id, first ms, last ms, n)
        self.keys: list[tuple[str, int]] = []
        self.started: list[tuple[int, Event]] = []
        self.ended: list[tuple[int, Event]] = []
        self.last: dict[str, tuple[int, int]] = {}  # session -> (seq, event id)


def build_rows(
    batch: Sequence[RedactedEvent], base: int, now: int, stored_seq: Callable[[str], int]
) -> BatchRows:
    """Rows for a batch whose events get ids base+1, base+2, ...; checks the seq rules.

    `stored_seq(session)` is the session's last committed seq (0 if none).
    """
    out = BatchRows()
    seq_of: dict[str, int] = {}  # session -> its last seq in this batch (the current one's in `cur_seq`)
    last_id: dict[str, int] = {}
    runs: dict[str, list[Any] | None] = {}  # session -> its current run of samples
    # Events come in long stretches of one session: the current session's state is kept in
    # locals and saved when another session's event comes (this loop is most of a bulk write's
    # Python time).
    cur: str | None = None
    cur_seq = 0
    run: list[Any] | None = None
    second, second_ms = "", 0  # the last whole second seen, canonical form, and its ms
    events = out.events
    i = base
    for i, item in enumerate(batch, start=base + 1):
        ev = item.event
        sess = ev.session
        if sess != cur:
            if cur is not None:
                seq_of[cur], last_id[cur], runs[cur] = cur_seq, i - 1, run
            cur = sess
            known = seq_of.get(sess)
            cur_seq = stored_seq(sess) if known is None else known
            run = runs.get(sess)
        seq, etype, ts = ev.seq, ev.type, ev.ts
        if seq != cur_seq + 1:
            raise StoreError(
                "store", f"session {sess}: seq {seq} does not follow {cur_seq}",
                "each session has one writer that numbers its events 1, 2, 3...",
            )
        if (etype == "session_started") != (seq == 1):
            raise StoreError(
                "store", f"session {sess}: session_started must be seq 1 (got {etype} as {seq})",
                "start every session with session_started",
            )
        cur_seq = seq
        if len(ts) == 24 and ts[19] == "." and ts[23] == "Z":  # canonical: as ts_millis, inline
            if ts[:19] != second:
                second = ts[:19]
                second_ms = ts_millis(second + ".000Z")
            ts_ms = second_ms + int(ts[20:23])
        else:
            ts_ms = ts_millis(ts)
        events.append((i, sess, seq, ts, ts_ms, now, etype, ev.actor, ev.visibility, item.data_json))
        if etype == "stack_sample":  # the high-volume type: extend the session's current run
            if run is None:
                run = [sess, i, i, ts_ms, ts_ms, 0]
                out.samples.append(run)  # type: ignore[arg-type]
            run[2] = i
            if ts_ms < run[3]:
                run[3] = ts_ms
            elif ts_ms > run[4]:
                run[4] = ts_ms
            run[5] += 1
            continue
        run = None  # any other event of the session ends its run of samples
        if etype in _DERIVED:
            r = event_rows(i, ev, ts_ms)
            if r.snapshot:
                out.snapshots.append(r.snapshot)
            out.frames.extend(r.frames)
            if r.breakpoint:
                out.breakpoints.append(r.breakpoint)
            out.keys.extend((k, i) for k in r.keys)
            if etype == "session_started":
                out.started.append((i, ev))
        elif etype == "session_ended":
            out.ended.append((i, ev))
    if cur is not None:
        seq_of[cur], last_id[cur] = cur_seq, i
    out.last = {sess: (seq, last_id[sess]) for sess, seq in seq_of.items()}
    return out


INSERTS = {
    "events": _INSERT_EVENT,
    "snapshots": "INSERT INTO snapshots VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    "frames": "INSERT INTO frames VALUES (?,?,?,?,?,?)",
    "breakpoints": "INSERT INTO breakpoints VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "samples": "INSERT INTO samples (session, first_event, last_event, first_ms, last_ms, count) VALUES (?,?,?,?,?,?)",
    "keys": "INSERT OR IGNORE INTO event_keys VALUES (?,?)",
}


# Rows per INSERT statement: one statement with many VALUES rows costs SQLite and the sqlite3
# module less per row than executemany's step per row (1.3-1.5x the rows/s here). 64 rows of the
# widest table (13 columns) stay under SQLite's oldest limit of 999 parameters.
ROWS_PER_INSERT = 64
_MULTI: dict[str, str] = {}


def insert_rows(conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` with `sql` (an INSERT ... VALUES (?,...) of one row): whole chunks of
    ROWS_PER_INSERT rows as one statement each, the rest with executemany."""
    n = ROWS_PER_INSERT
    whole = len(rows) - len(rows) % n
    if whole:
        multi = _MULTI.get(sql)
        if multi is None:
            head, _, one = sql.rpartition("VALUES ")
            multi = _MULTI[sql] = head + "VALUES " + ",".join([one] * n)
        chain = itertools.chain.from_iterable
        for start in range(0, whole, n):
            conn.execute(multi, list(chain(rows[start:start + n])))
    if whole < len(rows):
        conn.executemany(sql, rows[whole:])


def _write(conn: sqlite3.Connection, batch: Sequence[RedactedEvent]) -> None:
    base = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]

    def stored_seq(session: str) -> int:
        row = conn.execute("SELECT last_seq FROM sessions WHERE id = ?", (session,)).fetchone()
        return int(row[0]) if row else 0

    rows = build_rows(batch, base, int(time.time() * 1000), stored_seq)
    for table, sql in INSERTS.items():
        values = getattr(rows, table)
        if values:
            insert_rows(conn, sql, values)
    for event_id, ev in rows.started:
        d = ev.data
        commit: Mapping[str, Any] = d["commit"] if isinstance(d.get("commit"), Mapping) else {}
        meta: Mapping[str, Any] = d["meta"] if isinstance(d.get("meta"), Mapping) else {}
        pid = meta.get("writer_pid", _MY_PID)
        conn.execute(
            "INSERT INTO sessions (id, name, tool, started_ts, started_ms, start_event, last_seq, "
            "last_event, commit_hash, branch, dirty, interrupted, writer_pid, writer_start) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?,?)",
            (
                ev.session, d.get("name"), d.get("tool"), ev.ts, ts_millis(ev.ts), event_id, 1,
                event_id, commit.get("head"), commit.get("branch"),
                None if commit.get("dirty") is None else int(bool(commit.get("dirty"))),
                pid, meta.get("writer_start", _MY_START if pid == _MY_PID else None),
            ),
        )
    conn.executemany(
        "UPDATE sessions SET last_seq = ?, last_event = ? WHERE id = ?",
        [(seq, eid, s) for s, (seq, eid) in rows.last.items()],
    )
    for event_id, ev in rows.ended:
        conn.execute(
            "UPDATE sessions SET ended_ts = ?, ended_ms = ?, end_event = ?, counts = ?, interrupted = 0 "
            "WHERE id = ?",
            (ev.ts, ts_millis(ev.ts), event_id, _dumps(ev.data.get("counts") or {}), ev.session),
        )


_FLUSH = object()
_STOP = object()

# SQLite checkpoints the WAL inside COMMIT once it holds wal_autocheckpoint pages: the writer
# then copies pages back and waits on fsync (a fifth to a quarter of a bulk write's time). With
# a Checkpointer copying from its own thread after every CHECKPOINT_BYTES of committed data, the
# writer's own checkpoint only runs as a backstop, at a higher mark that still bounds the WAL.
CHECKPOINT_BYTES = 1 << 20
WRITER_AUTOCHECKPOINT_PAGES = 4000


class Checkpointer:
    """Runs passive WAL checkpoints on its own connection and thread when poked.

    A passive checkpoint never blocks the writer or readers; SQLite releases the GIL while it
    copies and syncs. A failed checkpoint loses nothing (the pages stay in the WAL, and the
    writer's backstop checkpoint still runs), so failures are only logged.
    """

    def __init__(self, path: str) -> None:
        self._conn = connect(Path(path))
        self._wake = threading.Event()
        self._stopping = False
        self.checkpoints = 0
        self.failures = 0
        self._thread = threading.Thread(target=self._run, name="debugtape-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def close(self, timeout: float | None = None) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._conn.close()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.checkpoints += 1
            except sqlite3.Error as exc:
                self.failures += 1
                if self.failures == 1:
                    log.warning("background checkpoint failed (the writer's own checkpoint still runs): %s", exc)


class BackgroundWriter:
    """Batches emitted events and commits them from a thread, so emit() does not wait on the disk.

    On a store error (disk full, locked) the batch is kept and retried with backoff: nothing
    emitted is dropped while the process lives. `on_error` hears each new failure once.

    The backlog is bounded: past `max_backlog` uncommitted events, emit() sleeps until the
    writer has caught up by half. Memory stays bounded, and a producer that never waits would
    otherwise starve the writer thread of the GIL (every SQLite step hands it over and takes it
    back) until commits crawl.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: str,
        max_batch: int = 2000,
        on_error: Callable[[StoreError], None] | None = None,
        max_backlog: int = 20_000,
    ) -> None:
        self._conn = conn
        self._path = path
        self._max = max_batch
        self._max_backlog = max_backlog
        self.waits = 0  # how often emit() waited for the writer to catch up
        self._on_error = on_error
        self._checkpointer: Checkpointer | None = None
        try:
            self._checkpointer = Checkpointer(path)
            conn.execute(f"PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT_PAGES}")
        except (StoreError, sqlite3.Error) as exc:  # keep SQLite's own checkpoints: slower, still sound
            log.warning("no background checkpoints: %s", exc)
        self._q: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.committed = 0
        self.error: StoreError | None = None
        self._thread = threading.Thread(target=self._run, name="debugtape-writer", daemon=True)
        self._thread.start()

    def emit(self, event: RedactedEvent) -> None:
        self._q.put(event)
        if self._q.qsize() > self._max_backlog:
            self._catch_up()

    def _catch_up(self) -> None:
        self.waits += 1
        while self._q.qsize() > self._max_backlog // 2 and self._thread.is_alive():
            time.sleep(0.001)

    def flush(self, timeout: float | None = None) -> None:
        """Block until every event emitted before this call is committed (or raise the store error)."""
        done = threading.Event()
        self._q.put((_FLUSH, done))
        if not done.wait(timeout):
            raise self.error or StoreError(self._path, "writer did not finish in time", "check the disk")
        if self.error is not None:
            raise self.error

    def close(self, timeout: float | None = None) -> None:
        try:
            self.flush(timeout)
        finally:
            self._q.put(_STOP)
            self._thread.join(timeout)
            if self._checkpointer is not None:
                self._checkpointer.close(timeout)

    @property
    def checkpoints(self) -> int:
        """Background checkpoints run so far (0 without a checkpointer)."""
        return self._checkpointer.checkpoints if self._checkpointer else 0

    def _run(self) -> None:
        pending: list[RedactedEvent] = []
        waiters: list[threading.Event] = []
        backoff = 0.01
        unchecked = 0  # bytes committed since the checkpointer was last poked
        while True:
            item = self._q.get() if not pending else self._get_nowait()
            stop = False
            while item is not None:
                if item is _STOP:
                    stop = True
                elif isinstance(item, tuple):
                    waiters.append(item[1])
                else:
                    pending.append(item)  # type: ignore[arg-type]
                if len(pending) >= self._max:
                    break
                item = self._get_nowait()
            if pending:
                try:
                    write_batch(self._conn, self._path, pending)
                    self.committed += len(pending)
                    if self._checkpointer is not None:
                        unchecked += sum(len(e.data_json) for e in pending)
                        if unchecked >= CHECKPOINT_BYTES:
                            self._checkpointer.poke()
                            unchecked = 0
                    pending = []
                    self.error = None
                    backoff = 0.01
                except StoreError as exc:
                    if self.error is None or str(self.error) != str(exc):
                        log.error("%s", exc)
                        if self._on_error:
                            self._on_error(exc)
                    self.error = exc
                    if "seq" in exc.what or "session_started" in exc.what:
                        pending = []  # a sequencing bug cannot succeed on retry
                    else:
                        time.sleep(backoff)
                        backoff = min(backoff * 2, 1.0)
                        if not waiters and not stop:
                            continue
            if not pending or self.error is not None:
                for w in waiters:
                    w.set()
                waiters = []
            if stop and (not pending or self.error is not None):
                return

    def _get_nowait(self) -> object | None:
        try:
            return self._q.get_nowait()
        except queue.Empty:
            return None
