"""The session pipeline through a real store: rate limits, redaction counts, hooks, summaries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from debugtape.pipeline import RateLimits, open_pipeline
from debugtape.records import RecordError
from debugtape.store import Store
from tests.store.util import snapshot_record


def _ended(store_path, sid: str) -> dict[str, Any]:
    with Store(store_path) as s:
        evs = [e.event for e in s.iter_session_events(sid)]
    assert evs[-1].type == "session_ended"
    return evs[-1].data["counts"]


def test_rate_limited_snapshots_and_samples_are_counted(store_path) -> None:
    limits = RateLimits(snapshots_per_s=0.001, snapshot_burst=5, samples_per_s=0.001, sample_burst=3)
    with open_pipeline(store_path, limits=limits) as p:
        p.feed({"kind": "start", "tool": "gdb"})
        for i in range(12):
            p.feed(snapshot_record(i))
            p.feed({"kind": "sample", "threads": [{"id": 1, "frames": [{"symbol": "f"}]}]})
        sid = p.session_id
    counts = _ended(store_path, sid)
    assert counts["snapshots"] == 5 and counts["dropped_snapshots"] == 7
    assert counts["samples"] == 3 and counts["dropped_samples"] == 9


def test_redactions_are_counted_per_event_and_per_session(store_path) -> None:
    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "tool": "gdb", "env": {"API_TOKEN": "tok-1234567890abcdef"}})
        p.feed({"kind": "snapshot", "frames": [{"symbol": "login", "locals": {"password": "hunter2-hunter2"}}]})
        sid = p.session_id
    with Store(store_path) as s:
        snap = [e.event for e in s.iter_session_events(sid) if e.event.type == "debug_snapshot"][0]
        raw = s.conn.execute("SELECT group_concat(data) FROM events").fetchone()[0]
    assert snap.data["redactions"] and sum(k["count"] for k in snap.data["redactions"]) == 1
    assert "hunter2" not in raw and "tok-1234567890abcdef" not in raw
    assert _ended(store_path, sid)["redactions"] >= 2


def test_one_walk_of_the_variables_without_plugins_and_plugins_see_only_redacted_data(store_path) -> None:
    from debugtape.pipeline import PipelineFactory

    secret = "hunter2-hunter2"
    token = "ghp_" + "A1b2C3d4E5" * 3 + "f6G7h8"
    snap = {"kind": "snapshot", "frames": [{"symbol": "login", "file": f"/src/{token}/app.py", "line": 3,
                                            "locals": {"password": secret, "i": 0}}]}
    sample = {"kind": "sample", "threads": [{"id": 1, "name": f"password={secret}", "frames": [{"symbol": "f"}]}]}

    class Seeing(_Hooks):
        snaps: list[str] = []

        def snapshot(self, data: dict) -> dict | None:
            self.snaps.append(json.dumps(data))
            return data

    runs: dict[str, Any] = {}
    for name, hooks in (("none", None), ("plugin", Seeing())):
        walked: list[str] = []
        correlated: list[str] = []
        with Store(store_path) as store:
            w = store.background_writer()
            f = PipelineFactory(store, w)
            if hooks is not None:
                f.hooks = hooks
            p = f.new()
            walk, correlate = p.redactor.redact, p.correlator.snapshot

            def counted(value: Any, walk: Any = walk, walked: list[str] = walked) -> Any:
                walked.append(json.dumps(value, default=str))
                return walk(value)

            def seen(data: Any, correlate: Any = correlate, correlated: list[str] = correlated) -> Any:
                correlated.append(json.dumps(data))
                return correlate(data)

            p.redactor.redact = counted  # type: ignore[method-assign]
            p.correlator.snapshot = seen  # type: ignore[method-assign]
            p.feed({"kind": "start", "tool": "gdb"})
            before = len(walked)
            p.feed(snap)
            snapshot_walks = walked[before:]
            p.feed(sample)
            p.feed({"kind": "end"})
            f.close(p, interrupted=False)
            w.close()
            evs = [e.event for e in store.iter_session_events(p.session_id)]
            raw = store.conn.execute("SELECT group_concat(data) FROM events WHERE session = ?",
                                     (p.session_id,)).fetchone()[0]
        assert secret not in raw and token not in raw
        stored = {e.type: e.data for e in evs}
        assert stored["debug_snapshot"]["frames"][0]["locals"]["i"] == 0
        kinds = {k["kind"]: k["count"] for k in stored["debug_snapshot"]["redactions"]}
        assert kinds["password"] == 1 and kinds.get("github_token") == 1  # the local and the path's token
        assert stored["stack_sample"]["redactions"][0]["count"] == 1
        # Each finding counted once, whichever pass made it.
        assert evs[-1].data["counts"]["redactions"] == sum(kinds.values()) + 1
        # Correlation (which may log paths) never sees the token; only the gate walks the locals.
        assert len(correlated) == 1 and token not in correlated[0]
        runs[name] = [sum('"locals"' in x for x in snapshot_walks), hooks]
    assert runs["none"][0] == 1  # the variables walked by the gate's pass only
    assert runs["plugin"][0] == 2  # by the pipeline's pass before the plugin, and by the gate's
    seen_by_plugin = runs["plugin"][1].snaps
    assert len(seen_by_plugin) == 1 and secret not in seen_by_plugin[0] and "[REDACTED:" in seen_by_plugin[0]


class _Hooks:
    failures = 0

    def __init__(self) -> None:
        self.seen: list[str] = []

    def session_started(self, data: dict) -> None:
        self.seen.append("started")

    def snapshot(self, data: dict) -> dict | None:
        if data["frames"][0]["locals"]["i"] % 2:
            return None
        data["tag"] = "even"
        return data

    def breakpoint(self, data: dict) -> None:
        self.seen.append("bp")

    def file_changed(self, data: dict) -> None:
        self.seen.append("file")

    def commit_seen(self, data: dict) -> None:
        self.seen.append("commit")

    def session_ended(self, data: dict) -> None:
        self.seen.append("ended")
        raise RuntimeError("a broken plugin")


def test_hooks_can_tag_and_drop_snapshots_and_failures_do_not_lose_events(store_path) -> None:
    from debugtape.pipeline import PipelineFactory

    hooks = _Hooks()
    with Store(store_path) as store:
        w = store.background_writer()
        f = PipelineFactory(store, w)
        f.hooks = hooks
        p = f.new()
        p.feed({"kind": "start", "tool": "gdb"})
        p.feed({"kind": "breakpoint", "action": "set", "bp_id": "1", "file": "/a.c", "line": 3})
        for i in range(4):
            p.feed(snapshot_record(i))
        p.feed({"kind": "event", "type": "file_changed", "data": {"path": "a.c", "kind": "modified"}})
        p.feed({"kind": "event", "type": "vcs_commit", "data": {"hash": "abc", "message": "m"}})
        p.feed({"kind": "end"})
        f.close(p, interrupted=False)
        w.close()
        evs = [e.event for e in store.iter_session_events(p.session_id)]
    snaps = [e for e in evs if e.type == "debug_snapshot"]
    assert [s.data["tag"] for s in snaps] == ["even", "even"]
    assert hooks.seen == ["started", "bp", "file", "commit", "ended"]
    assert evs[-1].type == "session_ended" and evs[-1].data["counts"]["dropped_by_plugins"] == 2


def test_records_out_of_order_are_refused_clearly(store_path) -> None:
    with open_pipeline(store_path) as p:
        p.feed({"kind": "note", "text": "no start record: one is implied"})
        with pytest.raises(RecordError, match="second start"):
            p.feed({"kind": "start"})
        with pytest.raises(RecordError, match="written by the pipeline"):
            p.feed({"kind": "event", "type": "session_ended", "data": {}})
        p.feed({"kind": "end"})
        with pytest.raises(RecordError, match="after the session ended"):
            p.feed({"kind": "note", "text": "late"})


def test_summary_lists_breakpoints_with_hits_and_top_symbols(store_path) -> None:
    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "tool": "gdb"})
        p.feed({"kind": "breakpoint", "action": "set", "bp_id": "1", "file": "/src/app.c", "line": 10, "symbol": "work"})
        for i in range(3):
            p.feed(snapshot_record(i))
        p.feed({"kind": "breakpoint", "action": "changed", "bp_id": "1", "hits": 3})
        p.feed({"kind": "end", "reason": "exited"})
        sid = p.session_id
    with Store(store_path) as s:
        summary = [e.event for e in s.iter_session_events(sid) if e.event.type == "debug_session"][0].data
    assert summary["breakpoints"][0]["hits"] == 3 and summary["breakpoints"][0]["snapshots"] == 3
    assert summary["stack_summary"] == [{"symbol": "work", "snapshots": 3}]
    assert {"work", "main"} <= set(summary["symbols"])


class _Bloat(_Hooks):
    """A plugin that makes every snapshot far bigger than an event may be."""

    def snapshot(self, data: dict) -> dict | None:
        data["blob"] = "€" * 400_000  # 400,000 characters, 1.2 MB in UTF-8
        data["tag"] = "token=ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
        return data

    def session_ended(self, data: dict) -> None:
        return None


def test_the_event_cap_holds_on_the_stored_bytes(store_path) -> None:
    from debugtape.pipeline import PipelineFactory
    from debugtape.pipeline.bound import json_size

    with Store(store_path) as store:
        w = store.background_writer()
        f = PipelineFactory(store, w)
        f.hooks = _Bloat()
        p = f.new()
        p.feed({"kind": "start", "tool": "gdb"})
        p.feed(snapshot_record(1))
        p.feed({"kind": "note", "text": "x" * 2_000_000})
        p.feed({"kind": "note", "text": "é" * 300_000})  # 600 kB: under the cap, kept whole
        p.feed({"kind": "end"})
        f.close(p, interrupted=False)
        w.close()
        evs = [e.event for e in store.iter_session_events(p.session_id)]
        raw = store.conn.execute("SELECT group_concat(data) FROM events").fetchone()[0]
    snap = next(e for e in evs if e.type == "debug_snapshot")
    big, small = (e for e in evs if e.type == "note")
    assert json_size(snap.data) <= 1024 * 1024 and "blob" not in snap.data
    assert snap.data["truncation"][-1]["why"] == "event_bytes" and snap.data["frames"][0]["symbol"] == "work"
    assert "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" not in raw and "REDACTED" in snap.data["tag"]
    assert "text" not in big.data and big.data["truncation"][-1]["why"] == "event_bytes"
    assert small.data["text"] == "é" * 300_000


def test_a_watch_sessions_end_counts_its_file_changes_and_commits(store_path) -> None:
    with open_pipeline(store_path) as p:
        p.feed({"kind": "start", "tool": "watch"})
        for name in ("a.c", "b.c"):
            p.feed({"kind": "event", "type": "file_changed", "data": {"path": name, "kind": "modified"}})
        p.feed({"kind": "event", "type": "vcs_commit", "data": {"hash": "ab" * 20, "message": "fix"}})
        sid = p.session_id
    counts = _ended(store_path, sid)
    assert counts["files_changed"] == 2 and counts["commits"] == 1 and counts["snapshots"] == 0
