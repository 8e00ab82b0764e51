"""Timeline filters, time travel, replay, diff, prune, export and import."""

from __future__ import annotations

import gc
import json
import re
import time

from debugtape.events import Event
from debugtape.redact import Redactor, redact_event
from debugtape.store import Store
from debugtape.store.compare import diff_snapshots, replay
from tests.store.util import record_session


def test_timeline_filters(store_path) -> None:
    a = record_session(store_path, 2, symbol="btree_split", file="/src/btree.c", line=120)
    b = record_session(store_path, 3, symbol="parse", file="/src/parser.c", line=40)
    with Store(store_path) as s:
        by_symbol = s.events(symbol="btree_split")
        assert {e.event.session for e in by_symbol} == {a}
        assert [e.event.type for e in by_symbol] == ["debug_snapshot"] * 2
        assert len(s.events(file="parser.c", types=["debug_snapshot"])) == 3
        assert len(s.events(file="src/parser.c", line=40, types=["debug_snapshot"])) == 3
        assert s.events(file="parser.c", line=41) == []
        assert len(s.events(session=b, types=["note"])) == 1
        assert len(s.events(symbol="main", types=["debug_snapshot"])) == 5  # outer frames count too
        last2 = s.events(session=b, limit=2, newest=True)
        assert [e.event.type for e in last2] == ["debug_session", "session_ended"]
        assert s.events(since=time.time() + 60) == []


def test_event_texts_are_the_events_as_json(store_path) -> None:
    # --json output splices each stored data text into its envelope: it must read back as the
    # same dicts `events` gives, in the same order, for every way a query cuts and orders.
    a = record_session(store_path, 3, symbol="btree_split", file="/src/btree.c", line=120)
    record_session(store_path, 2, symbol="parse", file="/src/parser.c", line=40)
    r = Redactor()
    odd = {"text": "caf\u00e9 \u2603 \"quoted\" \\ back", "nested": {"list": [1, 2.5, None, True]}, "big": 2**70}
    with Store(store_path) as s:
        s.append([redact_event(Event("session_started", "u1", {}, seq=1), r),
                  redact_event(Event("note", "u1", odd, seq=2), r)])
        for filters in ({}, {"session": a}, {"symbol": "btree_split"}, {"file": "parser.c"},
                        {"session": a, "limit": 2, "newest": True}, {"symbol": "main", "limit": 3, "newest": True},
                        {"types": ["note"]}):
            texts = s.event_texts(**filters)
            events = s.events(**filters)
            assert [json.loads(t) for t in texts] == [e.to_dict() for e in events], filters
            assert texts, filters
        note = json.loads(s.event_texts(session="u1", types=["note"])[0])
        assert note["data"]["text"] == odd["text"] and note["data"]["big"] == 2**70


def test_reading_events_leaves_the_garbage_collector_as_it_found_it(store_path) -> None:
    sid = record_session(store_path, 3)
    with Store(store_path) as s:
        assert gc.isenabled()
        assert len(s.events(session=sid)) > 3 and gc.isenabled()
        gc.disable()
        try:
            assert s.events(session=sid) and not gc.isenabled()
        finally:
            gc.enable()


def test_timeline_by_commit(store_path) -> None:
    r = Redactor()
    with Store(store_path) as s:
        s.append([redact_event(Event("session_started", "c1", {"commit": {"head": "abc123def"}}, seq=1), r),
                  redact_event(Event("debug_snapshot", "c1", {"frames": [], "commit": {"head": "abc123def"}}, seq=2), r),
                  redact_event(Event("session_started", "c2", {"commit": {"head": "fff000"}}, seq=1), r)])
        assert [e.event.session for e in s.events(commit="abc1")] == ["c1", "c1"]
        assert s.sessions()[0]["commit"] in ("abc123def", "fff000")


def test_as_of_answers_as_the_store_stood_then(store_path) -> None:
    sid = record_session(store_path, end=True)
    with Store(store_path) as s:
        evs = list(s.iter_session_events(sid))
        cut = evs[3].id
        assert s.session(sid, as_of=cut)["status"] == "active"
        assert s.session(sid)["status"] == "completed"
        assert len(s.events(session=sid, as_of=cut)) == 4
        assert len(s.snapshots(sid, as_of=cut)) == 2
        assert s.sessions(as_of=0) == []
        # a time before anything was stored
        assert s.as_of_id("2000-01-01T00:00:00Z") == 0


def test_replay_rebuilds_the_final_state_from_events_alone(store_path) -> None:
    sid = record_session(store_path, 4)
    with Store(store_path) as s:
        state = replay(e.event for e in s.iter_session_events(sid))
        show = s.session(sid)
        bps = s.breakpoints(sid)
    assert state["status"] == "completed" and state["end_reason"] == "exited"
    assert state["snapshots"] == show["counts"]["snapshots"] == 4
    assert state["notes"] == ["looked at it"]
    assert [b["id"] for b in state["breakpoints"]] == [b["id"] for b in bps] == ["1"]
    assert state["last_snapshot"]["symbol"] == "work"
    assert state["last_seq"] == show["events"]


def test_diff_of_two_snapshots(store_path) -> None:
    sid = record_session(store_path, 2)
    with Store(store_path) as s:
        a, b = (s.snapshot(x["id"]).event for x in s.snapshots(sid))
    d = diff_snapshots(a, b)
    changed = {c["path"]: (c["a"], c["b"]) for c in d["frames"][0]["changes"]}
    assert changed == {"locals.i": (0, 1), "locals.name": ("n0", "n1")}
    assert d["frames"][0]["same_location"] and not d["identical"]
    assert diff_snapshots(a, a)["identical"]


def _ended_ago(s: Store, sid: str, seconds: float) -> None:
    s.conn.execute("UPDATE sessions SET ended_ms = ended_ms - ? WHERE id = ?", (int(seconds * 1000), sid))


def test_prune_by_count_and_age_spares_active_and_interrupted(store_path) -> None:
    done = [record_session(store_path, 1, name=f"d{i}") for i in range(4)]
    broken = record_session(store_path, 1, end=False, name="broken")
    with Store(store_path) as s:
        assert s.prune(keep=2, dry_run=True) == [done[1], done[0]]
        assert sorted(s.prune(keep=2)) == sorted(done[:2])
        assert {r["id"] for r in s.sessions()} == {done[2], done[3], broken}
        _ended_ago(s, done[2], 8 * 86400)
        assert s.prune(older_than=7 * 86400) == [done[2]]
        s.conn.execute("UPDATE sessions SET started_ms = 0")
        assert s.prune(older_than=1, keep=0) == [done[3]]
        assert [r["id"] for r in s.sessions()] == [broken]
        assert s.conn.execute("SELECT count(*) FROM frames").fetchone()[0] == 2
        left = s.table_counts()
    assert left["snapshots"] == 1 and left["sessions"] == 1


def test_export_leaves_private_out_and_import_is_idempotent(store_path, tmp_path) -> None:
    sid = record_session(store_path, 2)
    with Store(store_path) as s:
        assert list(s.export_lines([sid])) == []
        lines = list(s.export_lines([sid], include_private=True))
    other = tmp_path / "other" / "tape.db"
    r = Redactor()
    with Store(other) as o:
        evs = [Event.from_json(x) for x in lines]
        assert o.import_events(evs, lambda e: redact_event(e, r)) == {"imported": len(lines), "skipped": 0, "sessions": 1}
        assert o.import_events(evs, lambda e: redact_event(e, r))["skipped"] == len(lines)
        assert o.session(sid)["status"] == "completed"
        assert [e.event.to_json() for e in o.iter_session_events(sid)] == lines


def test_timelines_read_indexes_and_find_samples_through_their_runs(store_path) -> None:
    # What keeps `debugtape timeline` and `follow` fast on a sampling session: SQLite's own plans
    # for every statement a query runs. Samples have no index on `events`; a run's id range finds them.
    sid = record_session(store_path, 2)
    with Store(store_path) as s:
        seen: list[tuple[str, tuple]] = []
        real = s.conn
        top = s.last_event_id()

        class Spy:
            def execute(self, sql: str, args: tuple = ()) -> object:
                seen.append((sql, tuple(args)))
                return real.execute(sql, args)

        def plan(**filters: object) -> str:
            seen.clear()
            s.conn = Spy()  # type: ignore[assignment]
            try:
                s.event_rows(**filters)
            finally:
                s.conn = real
            plans = [" ".join(r[3] for r in real.execute("EXPLAIN QUERY PLAN " + sql, args)) for sql, args in seen]
            text = " / ".join(plans)
            # Never a pass over every event (an ordered walk of an index, cut by LIMIT, is fine).
            assert "AUTOMATIC" not in text and not re.search(r"SCAN e(?! USING)", text), text
            return text

        assert "idx_events_session_seq_shown" in plan(session=sid, samples=False)
        assert "idx_events_session_seq_shown" in plan(session=sid, types=["debug_snapshot"])
        assert "idx_events_ts_ms_shown" in plan(samples=False, limit=20, newest=True)
        with_samples = plan(session=sid)
        assert "idx_events_session_seq_shown" in with_samples
        assert "SEARCH r USING PRIMARY KEY (session=?) SEARCH e USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)" in with_samples
        assert "idx_samples_last_ms" in plan(limit=20, newest=True)
        assert "idx_samples_last_ms" in plan(since=time.time() - 60)
        for filters in ({}, {"session": sid}):  # follow's poll: the newest ids only
            polled = plan(after_id=top - 3, as_of=top, **filters)
            assert "idx_samples_last_event" in polled and "session=?" not in polled
