"""Session lifecycle and seq rules, against a real SQLite file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest

from debugtape.errors import Ambiguous, NotFound, StoreError
from debugtape.events import Event
from debugtape.redact import RedactedEvent, Redactor, redact_event
from debugtape.store import Store
from tests.store.util import record_session


def test_session_started_is_seq_1_and_ended_is_last(store_path) -> None:
    sid = record_session(store_path, n_snapshots=10)
    with Store(store_path) as s:
        evs = [e.event for e in s.iter_session_events(sid)]
    assert [e.seq for e in evs] == list(range(1, len(evs) + 1))
    assert evs[0].type == "session_started"
    assert evs[-1].type == "session_ended"
    assert sum(e.type == "debug_snapshot" for e in evs) == 10
    assert [e.seq for e in evs if e.type == "debug_snapshot"] == list(range(3, 13))  # ten sequential records


def test_ten_emitted_events_commit_as_ten_sequential_records(store_path) -> None:
    r = Redactor()
    with Store(store_path) as s:
        w = s.background_writer()
        evs = [Event("session_started", "sess1", {"name": "x"}, seq=1)]
        evs += [Event("note", "sess1", {"text": f"n{i}"}, seq=i) for i in range(2, 12)]
        for e in evs:
            w.emit(redact_event(e, r))
        w.close()
        stored = list(s.iter_session_events("sess1"))
    assert [e.event.seq for e in stored] == list(range(1, 12))
    assert [e.event.data["text"] for e in stored[1:]] == [f"n{i}" for i in range(2, 12)]
    ids = [e.id for e in stored]
    assert ids == sorted(ids)


def test_a_producer_faster_than_the_disk_waits_for_a_bounded_backlog(store_path) -> None:
    r = Redactor()
    evs = [redact_event(Event("session_started", "fast", {"name": "x"}, seq=1), r)]
    evs += [redact_event(Event("note", "fast", {"text": f"n{i}"}, seq=i), r) for i in range(2, 5002)]
    with Store(store_path) as s:
        w = s.background_writer(max_batch=50, max_backlog=100)
        peak = 0
        for e in evs:  # a tight loop: nothing here ever waits on its own
            w.emit(e)
            peak = max(peak, w._q.qsize())
        w.close()
        assert w.waits > 0 and peak <= 101
        assert [e.event.seq for e in s.iter_session_events("fast")] == list(range(1, 5002))


def test_checkpoints_run_beside_the_writer_and_the_wal_stays_bounded(store_path) -> None:
    from debugtape.store.writer import CHECKPOINT_BYTES, WRITER_AUTOCHECKPOINT_PAGES

    r = Redactor()
    filler = "x" * 400
    n = 3 * CHECKPOINT_BYTES // len(filler) + 2  # about three checkpoints' worth of data
    evs = [redact_event(Event("session_started", "big", {"name": "x"}, seq=1), r)]
    evs += [redact_event(Event("note", "big", {"text": f"{i} {filler}"}, seq=i), r) for i in range(2, n)]
    wal = store_path.with_name(store_path.name + "-wal")
    per_checkpoint = CHECKPOINT_BYTES // len(filler) + 1
    with Store(store_path) as s:
        w = s.background_writer(max_batch=500)
        wal_peak = 0
        for i, e in enumerate(evs):
            w.emit(e)
            if i % 500 == 0:
                wal_peak = max(wal_peak, wal.stat().st_size if wal.exists() else 0)
            if i % per_checkpoint == per_checkpoint - 1:
                # Pokes that come faster than the thread wakes are one checkpoint: wait for it.
                w.flush()
                phase, deadline = (i + 1) // per_checkpoint, time.monotonic() + 10
                while w.checkpoints < phase and time.monotonic() < deadline:
                    time.sleep(0.01)
        w.flush()
        checkpoints = w.checkpoints
        w.close()
        assert s.conn.execute("SELECT count(*) FROM events WHERE session = 'big'").fetchone()[0] == len(evs)
        page = s.conn.execute("PRAGMA page_size").fetchone()[0]
    assert checkpoints >= 2
    assert wal_peak <= (WRITER_AUTOCHECKPOINT_PAGES + 1000) * page
    assert w._checkpointer is not None and not w._checkpointer._thread.is_alive()


def test_the_store_accepts_only_redacted_events(store_path) -> None:
    with pytest.raises(TypeError):
        RedactedEvent(Event("note", "s", {"text": "x"}, seq=1), {})
    with Store(store_path) as s, pytest.raises(TypeError):
        s.append([Event("session_started", "s", {}, seq=1)])  # type: ignore[list-item]


def test_seq_gaps_and_a_late_start_are_refused(store_path) -> None:
    r = Redactor()
    with Store(store_path) as s:
        s.append([redact_event(Event("session_started", "a", {}, seq=1), r)])
        with pytest.raises(StoreError, match="does not follow"):
            s.append([redact_event(Event("note", "a", {"text": "x"}, seq=3), r)])
        with pytest.raises(StoreError, match="session_started must be seq 1"):
            s.append([redact_event(Event("note", "b", {"text": "x"}, seq=1), r)])
        assert s.sessions()[0]["events"] == 1  # nothing half-written


def test_a_session_without_end_reads_as_interrupted(store_path) -> None:
    sid = record_session(store_path, end=False)
    with Store(store_path) as s:
        row = s.session(sid)
        assert row["status"] == "interrupted" and row["ended"] is None
        assert len(list(s.iter_session_events(sid))) == 6


def test_a_live_writer_reads_as_active(store_path) -> None:
    from debugtape.pipeline import open_pipeline

    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "name": "live", "tool": "gdb"})
        p.sink.flush()
        with Store(store_path) as s:
            assert s.session(p.session_id)["status"] == "active"
    with Store(store_path) as s:
        assert s.session(p.session_id)["status"] == "completed"


def test_prefixes_names_and_last(store_path) -> None:
    a = record_session(store_path, name="first")
    b = record_session(store_path, name="second")
    with Store(store_path) as s:
        assert s.resolve_session(a[:6]) == a
        assert s.resolve_session("second") == b
        assert s.resolve_session("last") == b
        with pytest.raises(NotFound):
            s.resolve_session("zzzz")
        with pytest.raises(Ambiguous):
            s.resolve_session("")
        snaps = s.snapshots(a)
        assert s.snapshot(snaps[0]["id"][:7]).event.seq == snaps[0]["seq"]
        assert s.snapshot(f"{a[:6]}:{snaps[1]['seq']}").event.data["snap_id"] == snaps[1]["id"]
    # A name wins over an id prefix: a session named like the start of another's id.
    c = record_session(store_path, name=a[:3])
    with Store(store_path) as s:
        assert s.resolve_session(a[:3]) == c
        assert s.resolve_session(a[:4]) == a and s.resolve_session(a) == a


def test_files_are_private(store_path) -> None:
    record_session(store_path)
    assert stat.S_IMODE(os.stat(store_path.parent).st_mode) == 0o700
    for suffix in ("", "-wal"):
        p = f"{store_path}{suffix}"
        if os.path.exists(p):
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p
    assert (store_path.parent / ".gitignore").read_text() == "*\n"
    assert stat.S_IMODE(os.stat(store_path.parent / "redact.key").st_mode) == 0o600


@pytest.mark.parametrize("links", [True, False])
def test_a_new_store_appears_whole(store_path, monkeypatch: pytest.MonkeyPatch, links: bool) -> None:
    # Built under a name of its own and linked into place (moved where hard links fail): the
    # store is WAL, private and migrated the moment it exists, and nothing is left beside it.
    if not links:
        def no_links(*_args: object) -> None:
            raise OSError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_links)
    with Store(store_path) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(os.stat(store_path).st_mode) == 0o600
    with open(store_path, "rb") as f:
        header = f.read(100)
    assert header[18:20] == b"\x02\x02"  # WAL mode, in the file itself
    assert int.from_bytes(header[60:64], "big") >= 2  # the schema version (user_version)
    assert not [p.name for p in store_path.parent.iterdir() if ".new-" in p.name]


def test_schema_is_migrated_and_versioned(store_path) -> None:
    from debugtape.store import SCHEMA_VERSION

    with Store(store_path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(store_path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_version_1_store_loses_its_unused_frame_indexes_and_keeps_its_events(store_path) -> None:
    import sqlite3

    from debugtape.store import SCHEMA_VERSION

    sid = record_session(store_path)
    conn = sqlite3.connect(store_path)  # what version 1 of the schema left behind
    frames = conn.execute("SELECT count(*) FROM frames").fetchone()[0]
    conn.execute("ALTER TABLE frames RENAME TO frames_now")
    conn.execute("CREATE TABLE frames (event_id INTEGER, idx INTEGER, symbol TEXT, file TEXT, line INTEGER, "
                 "module TEXT, PRIMARY KEY (event_id, idx))")
    conn.execute("INSERT INTO frames SELECT * FROM frames_now")
    conn.execute("DROP TABLE frames_now")
    conn.commit()
    conn.execute("CREATE INDEX idx_frames_symbol ON frames (symbol)")
    conn.execute("CREATE INDEX idx_frames_file_line ON frames (file, line)")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Store(store_path) as s:
        names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert not names & {"idx_frames_symbol", "idx_frames_file_line"}
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {"idx_events_session_seq_shown", "idx_events_ts_ms_shown"} <= names  # version 3's
        # Version 4's: samples leave the events' indexes; their runs are indexed instead.
        assert not names & {"idx_events_session_seq", "idx_events_ts_ms"}
        assert {"idx_samples_last_ms", "idx_samples_last_event"} <= names
        # Version 5's: frames clustered by their key, every frame kept.
        assert "WITHOUT ROWID" in s.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'frames'").fetchone()[0]
        assert s.conn.execute("SELECT count(*) FROM frames").fetchone()[0] == frames > 0
        assert s.events(session=sid)[-1].event.type == "session_ended"
        assert s.events(session=sid, samples=False)[-1].event.type == "session_ended"


def test_a_reader_opening_a_store_being_created_gets_answers_not_a_traceback(store_path) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.touch()  # what a writer leaves between creating the file and creating the tables
    with Store(store_path, readonly=True) as s:
        assert s.sessions() == []


def test_creating_a_store_does_not_import_numpy_or_pandas(tmp_path) -> None:
    # sqlite-utils would import them when installed (0.18 s for numpy), only to map their types.
    code = ("import sys; from debugtape.store import Store; Store(sys.argv[1]).close(); "
            "print(sorted(m for m in ('numpy', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "new.db")], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "new.db").exists()
