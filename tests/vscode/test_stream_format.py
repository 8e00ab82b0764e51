"""The stream the extension writes (vscode-ext/README.md, "Stream format") through the real
`debugtape ingest --dap`: the header names the session, its tool and parent; notes and manual
snapshots arrive as control lines. Lines built by the extension's own encoders (vscode-ext/src/dap.ts)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import need_binary

PARENT = "00000000000000aa"
CHILD = "00000000000000bb"


def dap(direction: str, msg: dict[str, Any]) -> str:
    return json.dumps({"dir": direction, "msg": msg})


def conversation(session: str, name: str, parent: str | None) -> list[str]:
    header: dict[str, Any] = {"session": session, "name": name, "tool": "vscode",
                              "meta": {"debugType": "debugpy", "request": "launch", "workspace": "/w"}}
    if parent:
        header["parent"] = parent
    return [
        json.dumps({"debugtape": header}),
        dap("to_adapter", {"seq": 1, "type": "request", "command": "initialize", "arguments": {"adapterID": "debugpy", "clientID": "vscode"}}),
        dap("to_adapter", {"seq": 2, "type": "request", "command": "launch", "arguments": {"program": "/w/prog.py", "cwd": "/w"}}),
        dap("from_adapter", {"seq": 3, "type": "event", "event": "stopped", "body": {"reason": "breakpoint", "threadId": 1}}),
        dap("to_adapter", {"seq": 4, "type": "request", "command": "stackTrace", "arguments": {"threadId": 1, "startFrame": 0, "levels": 20}}),
        dap("from_adapter", {"seq": 5, "type": "response", "request_seq": 4, "success": True, "command": "stackTrace",
                             "body": {"stackFrames": [{"id": 7, "name": "checksum", "line": 9, "column": 1, "source": {"path": "/w/prog.py"}}], "totalFrames": 1}}),
        dap("to_adapter", {"seq": 6, "type": "request", "command": "scopes", "arguments": {"frameId": 7}}),
        dap("from_adapter", {"seq": 7, "type": "response", "request_seq": 6, "success": True, "command": "scopes",
                             "body": {"scopes": [{"name": "Locals", "variablesReference": 70, "expensive": False}]}}),
        dap("to_adapter", {"seq": 8, "type": "request", "command": "variables", "arguments": {"variablesReference": 70}}),
        dap("from_adapter", {"seq": 9, "type": "response", "request_seq": 8, "success": True, "command": "variables",
                             "body": {"variables": [{"name": "total", "value": "60", "type": "int", "variablesReference": 0},
                                                    {"name": "password", "value": "'hunter2-stream'", "type": "str", "variablesReference": 0}]}}),
        json.dumps({"debugtape": {"note": "looked at total"}}),
        json.dumps({"debugtape": {"snapshot": "manual", "thread": 1}}),
        dap("to_adapter", {"seq": 10, "type": "request", "command": "continue", "arguments": {"threadId": 1}}),
        dap("from_adapter", {"seq": 11, "type": "event", "event": "terminated"}),
    ]


def ingest(debugtape: str, db: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([debugtape, "ingest", "--dap", "--db", str(db)], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60)


@pytest.mark.timeout(120)
def test_header_note_and_manual_snapshot_reach_the_store(store_path: Path) -> None:
    debugtape = need_binary("debugtape")
    for lines in (conversation(PARENT, "parent run", None), conversation(CHILD, "parent run / Subprocess 9", PARENT)):
        run = ingest(debugtape, store_path, lines)
        assert run.returncode == 0, run.stderr
        assert "skipped" not in run.stderr, run.stderr
    from debugtape.store import Store

    with Store(store_path) as store:
        rows = {r["id"]: r for r in store.sessions()}
        assert rows[PARENT]["name"] == "parent run" and rows[PARENT]["tool"] == "vscode"
        assert rows[CHILD]["name"] == "parent run / Subprocess 9"
        started = [e.event for e in store.events(session=CHILD, types=["session_started"])]
        assert started[0].data["meta"]["parent"] == PARENT
        assert started[0].data["meta"]["debugType"] == "debugpy"
        notes = [e.event.data["text"] for e in store.events(session=PARENT, types=["note"])]
        assert notes == ["looked at total"]
        snaps = [e.event.data for e in store.events(session=PARENT, types=["debug_snapshot"])]
    assert sorted(s["reason"] for s in snaps) == ["breakpoint", "manual"], snaps
    for snap in snaps:
        assert snap["frames"][0]["line"] == 9
        assert snap["frames"][0]["locals"]["total"] in (60, "60")
    assert b"hunter2-stream" not in store_path.read_bytes()
