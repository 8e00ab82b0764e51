"""Feeding sessions into a real store for tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from debugtape.pipeline import open_pipeline


def snapshot_record(i: int, symbol: str = "work", file: str = "/src/app.c", line: int = 10) -> dict[str, Any]:
    return {"kind": "snapshot", "reason": "breakpoint", "bp_id": "1", "thread": {"id": 1, "name": "main"},
            "frames": [{"symbol": symbol, "file": file, "line": line, "locals": {"i": i, "name": f"n{i}"}},
                       {"symbol": "main", "file": "/src/main.c", "line": 5}]}


class _DebuggerDied(Exception):
    pass


def record_session(db: Path, n_snapshots: int = 3, *, end: bool = True, name: str = "t", **kw: Any) -> str:
    """A session with a breakpoint, n snapshots and a note, through the real pipeline.
    With end=False the feeding side dies mid-session, so the session is left interrupted."""
    holder: dict[str, Any] = {}
    try:
        _feed(db, n_snapshots, end, name, holder, **kw)
    except _DebuggerDied:
        pass
    sid = holder["sid"]
    assert sid
    return str(sid)


def _feed(db: Path, n_snapshots: int, end: bool, name: str, holder: dict[str, Any], **kw: Any) -> None:
    with open_pipeline(db) as p:
        p.feed({"kind": "start", "name": name, "tool": "gdb"})
        p.feed({"kind": "breakpoint", "action": "set", "bp_id": "1", "file": "/src/app.c", "line": 10,
                "symbol": "work", "location": "app.c:10"})
        for i in range(n_snapshots):
            p.feed(snapshot_record(i, **kw))
        p.feed({"kind": "note", "text": "looked at it"})
        holder["sid"] = p.session_id
        if not end:
            raise _DebuggerDied()
        p.feed({"kind": "end", "reason": "exited", "exit_code": 0})


def run_cli(*args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "debugtape", *args], input=input, capture_output=True,
                          text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"debugtape {' '.join(args)} failed: {proc.stderr}")
    return proc


def lines(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)
