"""What a batch writes besides `events`: runs of samples, each session's last seq and event, times
in milliseconds, and the rows of every table written several rows per INSERT; against a real
SQLite file, for random interleavings of sessions cut into random batches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from debugtape.events import Event
from debugtape.redact import Redactor, redact_event
from debugtape.store import Store
from debugtape.store.rows import ts_millis
from debugtape.store.writer import ROWS_PER_INSERT, insert_rows

SESSIONS = ["s1", "s2", "s3"]
KINDS = ["stack_sample", "stack_sample", "stack_sample", "note", "debug_snapshot"]
# Canonical stamps (the fast path), out of order within a second and across seconds, and others.
STAMPS = ["2026-11-23T18:00:00.000Z", "2026-11-23T18:00:00.900Z", "2026-11-23T18:00:01.005Z",
          "2026-11-23T18:00:00.450Z", "2026-11-23T18:00:02.000+00:00", "2026-11-23T19:00:03.250+01:00",
          "2026-11-23T18:00:59.999Z"]

steps = st.lists(st.tuples(st.sampled_from(SESSIONS), st.sampled_from(KINDS), st.sampled_from(STAMPS)),
                 min_size=1, max_size=150)


@settings(max_examples=60, deadline=None)
@given(steps=steps, cuts=st.lists(st.integers(1, 40), min_size=1, max_size=10))
@example(steps=[("s1", "stack_sample", STAMPS[0]), ("s1", "stack_sample", STAMPS[1]), ("s2", "stack_sample", STAMPS[3]),
                ("s1", "stack_sample", STAMPS[3]), ("s1", "note", STAMPS[0]), ("s1", "stack_sample", STAMPS[6])],
         cuts=[100])
def test_runs_last_seq_and_times_for_any_interleaving(tmp_path_factory, steps, cuts) -> None:
    r = Redactor()
    seqs = dict.fromkeys(SESSIONS, 1)
    events = [redact_event(Event("session_started", s, {"name": s}, seq=1), r) for s in SESSIONS]
    for sess, kind, ts in steps:
        seqs[sess] += 1
        data = {"frames": [{"symbol": "f", "file": "/a.c", "line": 3}]} if kind != "note" else {"text": "n"}
        events.append(redact_event(Event(kind, sess, data, seq=seqs[sess], ts=ts), r))
    path = Path(tmp_path_factory.mktemp("rows")) / "t.db"
    with Store(path) as store:
        at = 0
        for cut in cuts * (len(events) // max(1, sum(cuts)) + 1):
            if at >= len(events):
                break
            store.append(events[at:at + cut])
            at += cut
        store.append(events[at:])
        conn = store.conn
        stored = conn.execute("SELECT id, session, seq, ts, ts_ms, type FROM events ORDER BY id").fetchall()
        runs = conn.execute("SELECT session, first_event, last_event, first_ms, last_ms, count FROM samples").fetchall()
        last = dict(conn.execute("SELECT id, last_seq FROM sessions").fetchall())
        last_event = dict(conn.execute("SELECT id, last_event FROM sessions").fetchall())
    assert [row[0] for row in stored] == list(range(1, len(events) + 1))
    assert all(ts_ms == ts_millis(ts) for _, _, _, ts, ts_ms, _ in stored)
    assert last == seqs
    assert last_event == {s: max(row[0] for row in stored if row[1] == s) for s in SESSIONS}
    by_id = {row[0]: row for row in stored}
    for sess in SESSIONS:
        mine = [row for row in stored if row[1] == sess]
        samples = {row[0] for row in mine if row[5] == "stack_sample"}
        covered: set[int] = set()
        for _, first, lastid, first_ms, last_ms, count in (run for run in runs if run[0] == sess):
            inside = [row for row in mine if first <= row[0] <= lastid]
            # A run is consecutive samples of its session: no other event of the session inside.
            assert all(row[5] == "stack_sample" for row in inside)
            assert count == len(inside) and by_id[first][5] == by_id[lastid][5] == "stack_sample"
            assert (first_ms, last_ms) == (min(row[4] for row in inside), max(row[4] for row in inside))
            covered |= {row[0] for row in inside}
        assert covered == samples


def test_rows_are_inserted_whole_chunks_at_a_time_and_the_rest_one_by_one(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (a INTEGER, b TEXT, c)")
    for n in (0, 1, ROWS_PER_INSERT - 1, ROWS_PER_INSERT, ROWS_PER_INSERT * 3 + 5):
        conn.execute("DELETE FROM t")
        rows = [(i, f"v{i}", None if i % 2 else [i, i]) for i in range(n)]
        rows = [(a, b, None if c is None else str(c)) for a, b, c in rows]
        insert_rows(conn, "INSERT INTO t VALUES (?,?,?)", rows)
        assert conn.execute("SELECT a, b, c FROM t ORDER BY rowid").fetchall() == rows
