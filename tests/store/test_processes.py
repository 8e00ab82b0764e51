"""Real processes against one store: SIGKILL mid-batch, concurrent writers, follow."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from debugtape.store import Store
from tests.store.util import lines, record_session, snapshot_record

WRITER = r"""
import sys, itertools
from debugtape.pipeline import RateLimits, open_pipeline
with open_pipeline(sys.argv[1], limits=RateLimits(snapshots_per_s=None)) as p:
    p.feed({"kind": "start", "name": "killme", "tool": "gdb"})
    print(p.session_id, flush=True)
    for i in itertools.count():
        p.feed({"kind": "snapshot", "reason": "step", "frames": [{"symbol": "f", "file": "/a.c", "line": i % 50, "locals": {"i": i}}]})
"""


@pytest.mark.timeout(120)
def test_sigkill_mid_batch_leaves_a_sound_store(store_path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store_path)], stdout=subprocess.PIPE, text=True)
    try:
        sid = proc.stdout.readline().strip()
        deadline = time.time() + 90
        n = 0
        while time.time() < deadline and n < 3000:  # let several batches commit, then kill mid-stream
            time.sleep(0.05)
            with sqlite3.connect(store_path) as c:
                n = c.execute("SELECT count(*) FROM events WHERE session = ?", (sid,)).fetchone()[0]
    finally:  # SIGKILL mid-stream, also when the wait above failed: the writer never stops by itself
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert n >= 3000
    with Store(store_path) as s:
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        evs = list(s.iter_session_events(sid))
        assert [e.event.seq for e in evs] == list(range(1, len(evs) + 1))
        assert all(e.event.type == "debug_snapshot" for e in evs[1:])
        assert [e.event.data["frames"][0]["locals"]["i"] for e in evs[1:]] == list(range(len(evs) - 1))
        assert len(s.snapshots(sid)) == len(evs) - 1
        assert s.session(sid)["status"] == "interrupted"  # its writer is dead


@pytest.mark.timeout(180)
def test_four_processes_writing_at_once_lose_nothing(store_path) -> None:
    n = 1500
    feeds = []
    for w in range(4):
        recs = [{"kind": "start", "name": f"writer{w}", "tool": "gdb"}]
        recs += [snapshot_record(i, symbol=f"w{w}") for i in range(n)]
        recs += [{"kind": "end", "reason": "exited"}]
        feeds.append(lines(recs))
    procs = [subprocess.Popen([sys.executable, "-m", "debugtape", "ingest", "--db", str(store_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in feeds]
    outs = [None] * 4

    def run(i: int) -> None:
        outs[i] = procs[i].communicate(feeds[i], timeout=150)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    with Store(store_path) as s:
        rows = s.sessions()
        assert sorted(r["name"] for r in rows) == [f"writer{w}" for w in range(4)]
        for r in rows:
            assert r["status"] == "completed" and r["counts"]["snapshots"] == n
            evs = list(s.iter_session_events(r["id"]))
            assert [e.event.seq for e in evs] == list(range(1, n + 4))  # start, snapshots, summary, end
        assert s.conn.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 4 * n


@pytest.mark.timeout(60)
def test_follow_prints_events_committed_during_an_active_session(store_path) -> None:
    from debugtape.pipeline import open_pipeline

    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "name": "live", "tool": "gdb"})
        p.sink.flush()
        follow = subprocess.Popen(
            [sys.executable, "-m", "debugtape", "follow", p.session_id, "--json", "-n", "0", "--until-end",
             "--db", str(store_path)], stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)  # let follow start polling
        for i in range(3):
            p.feed({"kind": "note", "text": f"live {i}"})
            p.sink.flush()
        p.feed({"kind": "end", "reason": "exited"})
    out, _ = follow.communicate(timeout=30)
    got = [json.loads(x) for x in out.splitlines()]
    assert [g["data"].get("text") for g in got if g["type"] == "note"] == ["live 0", "live 1", "live 2"]
    assert got[-1]["type"] == "session_ended"


def test_ingest_keeps_the_session_through_bad_lines(store_path) -> None:
    text = lines([{"kind": "start", "name": "bad input", "tool": "gdb"}]) + "{not json\n" + \
        lines([{"kind": "snapshot", "frames": "nope"}, {"kind": "note", "text": "still here"}]) + \
        "\xff\xfe garbage\n"
    proc = subprocess.run([sys.executable, "-m", "debugtape", "ingest", "--db", str(store_path)],
                          input=text.encode("utf-8", "surrogateescape"), capture_output=True, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 0
    assert "line 2: not valid JSON" in err and "line 3: snapshot record needs 'frames'" in err
    assert "line 5: not valid JSON" in err and "kept as interrupted" in err
    sid = proc.stdout.decode().strip()
    with Store(store_path) as s:
        assert s.session(sid)["status"] == "interrupted"
        notes = [e.event.data["text"] for e in s.iter_session_events(sid) if e.event.type == "note"]
        assert notes == ["still here"]


def test_record_after_kill_of_the_reading_side(store_path) -> None:
    """A debugger that dies (its pipe closes) leaves the session interrupted with all it sent."""
    from debugtape.adapters.common.handoff import IngestChild, ingest_command

    child = IngestChild(ingest_command(str(store_path)))
    child.send({"kind": "start", "session": "deadbeefdeadbeef", "name": "dies", "tool": "gdb"})
    for i in range(50):
        child.send(snapshot_record(i))
    assert child.close() == 0
    with Store(store_path) as s:
        assert s.session("deadbeefdeadbeef")["status"] == "interrupted"
        assert len(s.snapshots("deadbeefdeadbeef")) == 50


def test_sessions_with_and_without_end_in_one_stream(store_path) -> None:
    record_session(store_path, 1)
    text = lines([{"kind": "start", "name": "one"}, {"kind": "end"}, {"kind": "start", "name": "two"},
                  {"kind": "end"}])
    proc = subprocess.run([sys.executable, "-m", "debugtape", "ingest", "--db", str(store_path)],
                          input=text, capture_output=True, text=True, timeout=60)
    assert len(proc.stdout.split()) == 2
    with Store(store_path) as s:
        assert sorted(r["name"] for r in s.sessions() if r["status"] == "completed") == ["one", "t", "two"]


@pytest.mark.timeout(120)
def test_a_writer_that_died_unreaped_reads_as_interrupted(store_path) -> None:
    """A killed writer whose parent has not reaped it yet (a zombie) writes nothing more."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store_path)], stdout=subprocess.PIPE, text=True)
    try:  # the writer never stops by itself: it is killed whatever happens here
        sid = proc.stdout.readline().strip()
        deadline = time.time() + 30
        while time.time() < deadline and not _stored(store_path, sid):  # its first batch commits
            time.sleep(0.05)
        with Store(store_path) as s:
            assert s.session(sid)["status"] == "active"
        os.kill(proc.pid, signal.SIGKILL)
        while time.time() < deadline + 30 and _state(proc.pid) != "Z":  # dead, not yet waited for
            time.sleep(0.05)
        assert _state(proc.pid) == "Z"
        with Store(store_path) as s:
            assert s.session(sid)["status"] == "interrupted"
    finally:
        proc.kill()
        proc.wait()


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def _stored(path, sid: str) -> bool:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT count(*) FROM sessions WHERE id = ?", (sid,)).fetchone()[0] > 0


@pytest.mark.timeout(120)
def test_a_sync_record_answers_once_everything_before_it_is_committed(store_path, tmp_path) -> None:
    """What `tape timeline` relies on: ingest creates the sync file only after committing."""
    proc = subprocess.Popen([sys.executable, "-m", "debugtape", "ingest", "--db", str(store_path)],
                            stdin=subprocess.PIPE, text=True)
    marker = tmp_path / "committed"
    try:
        assert proc.stdin
        lines = [{"kind": "start", "name": "synced", "tool": "gdb"}]
        lines += [{"kind": "note", "text": f"note {i}"} for i in range(500)]
        lines.append({"kind": "sync", "path": str(marker)})
        proc.stdin.write("".join(json.dumps(r) + "\n" for r in lines))
        proc.stdin.flush()  # and keep the input open: the session goes on
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.01)
        assert marker.exists() and marker.read_bytes() == b""
        with sqlite3.connect(store_path) as c:
            notes = c.execute("SELECT count(*) FROM events WHERE type = 'note'").fetchone()[0]
        assert notes == 500
        assert proc.poll() is None
        proc.stdin.write(json.dumps({"kind": "end"}) + "\n")
        proc.stdin.close()
        assert proc.wait(60) == 0
    finally:
        proc.kill()
        proc.wait()
    with Store(store_path) as s:
        assert s.sessions()[0]["status"] == "completed"
        assert not any(e.event.type == "sync" for e in s.events())


OPENER = r"""
import os, sys
from debugtape.pipeline import open_pipeline
go = sys.argv[2]
while not os.path.exists(go):  # spin: all start opening within microseconds of each other
    pass
with open_pipeline(sys.argv[1]) as p:
    p.feed({"kind": "start", "name": sys.argv[3], "tool": "gdb"})
    p.feed({"kind": "end", "reason": "exited"})
"""


@pytest.mark.timeout(300)
def test_processes_that_create_one_store_at_the_same_moment_all_record(tmp_path) -> None:
    # A debugger's ingest child and its file watcher open a store that does not exist yet
    # together. Each creates it; none may see it half made (an empty file not yet in WAL mode:
    # "database is locked" in about one process of ten before stores were made whole).
    for attempt in range(15):
        db = tmp_path / f"round{attempt}" / ".debugtape" / "tape.db"
        go = tmp_path / f"go{attempt}"
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(db), str(go), f"p{i}"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(4)]
        time.sleep(0.25)  # every process has imported debugtape and spins
        go.touch()
        results = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), (attempt, [err[-300:] for _, err in results])
        with Store(db) as s:
            assert sorted(r["name"] for r in s.sessions()) == [f"p{i}" for i in range(4)]
            assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not [p.name for p in db.parent.iterdir() if ".new-" in p.name]  # no store left half made
