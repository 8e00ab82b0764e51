"""Plugins in the real pipeline: a stored snapshot carries their fields, a dropped one is gone,
failures of raising and hanging plugins show in session_ended, and the watcher feeds its hooks."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from debugtape.pipeline import open_pipeline
from debugtape.store import Store
from tests.support import need_binary

pytestmark = pytest.mark.timeout(90)


def _store(tmp_path: Path, disabled: list[str], timeout: float = 0.5) -> Path:
    folder = tmp_path / ".debugtape"
    folder.mkdir()
    names = ", ".join(f'"{n}"' for n in disabled)
    (folder / "config.toml").write_text(f"[plugins]\ndisabled = [{names}]\ntimeout = {timeout}\n")
    return folder / "tape.db"


def _snapshot(note: str | None = None) -> dict[str, Any]:
    rec: dict[str, Any] = {"kind": "snapshot", "reason": "breakpoint", "frames": [
        {"index": 0, "symbol": "parse", "file": "/src/parser.c", "line": 120,
         "locals": {"len": 4, "title": "fix TICKET-123456 today", "sample_pin": "4711"}}]}
    if note:
        rec["note"] = note
    return rec


def _session(db: Path, session: str) -> list[Any]:
    with Store(db, readonly=True) as store:
        return [se.event for se in store.iter_session_events(session)]


def test_snapshots_tagged_dropped_and_failures_counted(plugin_path: Path, tmp_path: Path) -> None:
    db = _store(tmp_path, ["hanger", "typo"])
    with open_pipeline(db) as p:
        p.feed({"kind": "start", "tool": "gdb", "name": "plugins"})
        p.feed(_snapshot())
        p.feed(_snapshot(note="drop me"))
        p.feed({"kind": "end", "reason": "exited", "exit_code": 0})
        session = str(p.session_id)
    events = _session(db, session)
    snaps = [e.data for e in events if e.type == "debug_snapshot"]
    assert len(snaps) == 1
    assert snaps[0]["tags"] == ["sample"] and snaps[0]["sample_frames"] == 1
    assert snaps[0]["frames"][0]["symbol"] == "parse"  # the plugin's mutation stayed in its copy
    local = snaps[0]["frames"][0]["locals"]  # the plugin's redaction rules applied
    assert "TICKET-123456" not in json.dumps(local) and "[REDACTED:ticket:" in local["title"]
    assert "4711" not in json.dumps(local)
    counts = next(e.data for e in events if e.type == "session_ended")["counts"]
    assert counts["dropped_by_plugins"] == 1
    # Standing: broken (load) and garbage's rules. This session: raiser in session_started, in
    # both snapshots and in session_ended; garbage in both snapshots.
    assert counts["plugin_failures"] == 2 + 4 + 2


def test_a_hanging_plugin_costs_one_timeout_and_no_event(plugin_path: Path, tmp_path: Path) -> None:
    db = _store(tmp_path, ["raiser", "garbage", "dropper", "broken", "typo"], timeout=0.3)
    started = time.monotonic()
    with open_pipeline(db) as p:
        p.feed({"kind": "start", "tool": "gdb"})
        for _ in range(5):
            p.feed(_snapshot())
        session = str(p.session_id)
    assert time.monotonic() - started < 5
    events = _session(db, session)
    snaps = [e.data for e in events if e.type == "debug_snapshot"]
    assert len(snaps) == 5 and all(s["tags"] == ["sample"] for s in snaps)
    counts = next(e.data for e in events if e.type == "session_ended")["counts"]
    assert counts["plugin_failures"] == 1


def test_watch_session_feeds_file_and_commit_hooks(plugin_path: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    need_binary("git")
    from debugtape.watch.session import run_watch
    from tests.watch.helpers import git, make_repo

    log_file = tmp_path / "hooks.jsonl"
    monkeypatch.setenv("SAMPLE_PLUGIN_LOG", str(log_file))
    repo = make_repo(tmp_path / "repo")
    db = _store(repo, ["raiser", "hanger", "garbage", "dropper", "broken", "typo"])
    stop = threading.Event()
    ready = threading.Event()
    result: list[str] = []
    thread = threading.Thread(target=lambda: result.append(
        run_watch(repo, db, stop, on_ready=lambda s: ready.set())))
    thread.start()
    try:
        assert ready.wait(15)
        (repo / "parser.c").write_text("changed\n")
        git(repo, "commit", "-q", "-am", "hooked")
        head = git(repo, "rev-parse", "HEAD")

        def hooks_seen() -> list[dict[str, Any]]:
            if not log_file.exists():
                return []
            return [json.loads(line) for line in log_file.read_text().splitlines()]

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(
                h["hook"] == "commit_seen" and h["data"]["hash"] == head for h in hooks_seen()):
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    seen = hooks_seen()
    assert seen[0]["hook"] == "session_started" and seen[0]["data"]["tool"] == "watch"
    assert any(h["hook"] == "file_changed" and h["data"]["path"] == "parser.c" for h in seen)
    assert any(h["hook"] == "commit_seen" and h["data"]["hash"] == head for h in seen)
    assert seen[-1]["hook"] == "session_ended"
