"""`debugtape ingest --dap`: DAP JSON lines (bare or in an envelope) into the store."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from debugtape.adapters.dap.ingest import DapIngest, parse_line
from debugtape.records import RecordError
from tests.adapters.dap.conftest import SAMPLES

STOP = {"seq": 1, "type": "event", "event": "stopped", "body": {"reason": "breakpoint", "threadId": 1}}
STACK_REQ = {"seq": 2, "type": "request", "command": "stackTrace", "arguments": {"threadId": 1}}
STACK_RESP = {"seq": 3, "type": "response", "request_seq": 2, "command": "stackTrace", "success": True,
              "body": {"stackFrames": [{"id": 1, "name": "f", "line": 4, "source": {"path": "/p.py"}}]}}
CONT = {"seq": 4, "type": "request", "command": "continue", "arguments": {"threadId": 1}}

BAD_LINES = [
    ("not JSON", "{oops", "not valid JSON"),
    ("not an object", "[1, 2]", "JSON object"),
    ("unknown dir", json.dumps({"dir": "sideways", "msg": STOP}), "dir must be one of"),
    ("msg not an object", json.dumps({"dir": "to_adapter", "msg": 3}), "msg must be"),
    ("no DAP type", json.dumps({"seq": 1, "command": "x"}), "type must be"),
    ("request without command", json.dumps({"seq": 1, "type": "request"}), "needs a command"),
    ("response without request_seq", json.dumps({"seq": 1, "type": "response"}), "request_seq"),
    ("event without name", json.dumps({"seq": 1, "type": "event"}), "event name"),
    ("ts not a number", json.dumps({"dir": "from_adapter", "ts": "soon", "msg": STOP}), "ts must be"),
]


@pytest.mark.parametrize("name,line,reason", BAD_LINES, ids=[b[0] for b in BAD_LINES])
def test_bad_lines_raise_a_clear_reason_without_quoting_the_line(name: str, line: str, reason: str) -> None:
    with pytest.raises(RecordError) as info:
        parse_line(line)
    assert reason in info.value.reason
    assert "oops" not in info.value.reason  # a line may hold a secret: never echoed


def test_bare_and_enveloped_lines_and_state_kept_across_a_bad_line() -> None:
    ing = DapIngest()
    out = ing.feed_line(json.dumps({"dir": "from_adapter", "ts": 1700000000.5, "msg": STOP}))
    assert [r["kind"] for r in out] == ["start"]
    assert ing.feed_line(json.dumps(STACK_REQ)) == []  # bare request: to the adapter
    with pytest.raises(RecordError):
        ing.feed_line('{"dir": "to_adapter", "msg": {"seq": 9, "type": "request"')  # truncated line
    assert ing.feed_line(json.dumps(STACK_RESP)) == []  # bare response: from the adapter
    (snap,) = ing.feed_line(json.dumps({"dir": "to_adapter", "msg": CONT}))
    assert snap["kind"] == "snapshot" and snap["ts"] == 1700000000.5
    assert snap["frames"] == [{"symbol": "f", "file": "/p.py", "line": 4}]
    assert ing.finish() == []  # no end: the pipeline ends the session as stopped


def _ingest(db: Path, data: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "debugtape", "ingest", "--dap", "--db", str(db)],
                          input=data, capture_output=True, text=True, timeout=120)


@pytest.mark.timeout(120)
def test_cli_ingest_of_a_real_transcript_with_a_bad_line(store_path: Path) -> None:
    lines = (SAMPLES / "debugpy_features.jsonl").read_text().splitlines()
    lines.insert(len(lines) // 2, '{"dir": "from_adapter", "msg": {"seq": 5, "type": "resp')
    proc = _ingest(store_path, "\n".join(lines) + "\n")
    assert "line" in proc.stderr and "not valid JSON" in proc.stderr
    from debugtape.store import Store

    store = Store(store_path)
    try:
        (session,) = store.sessions()
        assert session["tool"] == "dap" and session["status"] == "completed"
        snaps = [e.event for e in store.events(session=session["id"], types=["debug_snapshot"])]
        assert [s.data["reason"] for s in snaps] == ["breakpoint", "breakpoint", "exception"]
        assert snaps[1].data["frames"][0]["locals"]["api_token"].startswith("[REDACTED")
    finally:
        store.close()
    for f in store_path.parent.glob("tape.db*"):
        assert b"tok-SECRET-7f3a9c1e5b" not in f.read_bytes()


def test_vscode_header_note_and_manual_snapshot_lines() -> None:
    ing = DapIngest()
    header = {"debugtape": {"session": "0123456789abcdef", "name": "run 1", "tool": "vscode",
                            "parent": "fedcba9876543210", "meta": {"debugType": "debugpy"}}}
    assert ing.feed_line(json.dumps(header)) == []
    start, *_ = ing.feed_line(json.dumps({"dir": "from_adapter", "msg": STOP}))
    assert start["kind"] == "start" and start["session"] == "0123456789abcdef"
    assert start["tool"] == "vscode" and start["name"] == "run 1"
    assert start["meta"]["parent"] == "fedcba9876543210" and start["meta"]["debugType"] == "debugpy"
    ing.feed_line(json.dumps({"dir": "to_adapter", "msg": STACK_REQ}))
    ing.feed_line(json.dumps({"dir": "from_adapter", "msg": STACK_RESP}))
    (note,) = ing.feed_line(json.dumps({"debugtape": {"note": "looked at f"}}))
    assert note == {"kind": "note", "text": "looked at f"}
    (manual,) = ing.feed_line(json.dumps({"debugtape": {"snapshot": "manual", "thread": 1}}))
    assert manual["reason"] == "manual" and manual["frames"][0]["symbol"] == "f"
    with pytest.raises(RecordError, match="header must come before"):
        ing.feed_line(json.dumps(header))
    with pytest.raises(RecordError, match="integer thread"):
        ing.feed_line(json.dumps({"debugtape": {"snapshot": "manual"}}))
    (snap,) = ing.feed_line(json.dumps({"dir": "to_adapter", "msg": CONT}))
    assert snap["reason"] == "breakpoint"  # the stop itself is still recorded when it ends


BUSY = """
import os, sys
def spin_here():
    while not os.path.exists(sys.argv[1]):  # busy until the test has seen enough samples
        sum(i * i for i in range(200))
spin_here()
"""


@pytest.mark.timeout(90)
def test_header_sample_rate_samples_the_debuggee_with_py_spy(tmp_path: Path, store_path: Path) -> None:
    """What the VS Code extension asks for with "sample": "100hz": stacks of the running debuggee,
    taken without pausing it, named by the adapter's `process` event."""
    from tests.support import need_binary, processes_with

    need_binary("py-spy")
    prog = tmp_path / "busy.py"
    prog.write_text(BUSY)
    stop = tmp_path / "stop"
    debuggee = subprocess.Popen([sys.executable, str(prog), str(stop)])
    ingest = subprocess.Popen([sys.executable, "-m", "debugtape", "ingest", "--dap", "--db", str(store_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def send(obj: dict) -> None:
        assert ingest.stdin
        ingest.stdin.write(json.dumps(obj) + "\n")
        ingest.stdin.flush()

    send({"debugtape": {"session": "00000000000000aa", "name": "sampled", "tool": "vscode", "sample": "100hz"}})
    send({"dir": "from_adapter", "msg": {"seq": 1, "type": "event", "event": "process",
                                         "body": {"name": str(prog), "systemProcessId": debuggee.pid}}})
    try:
        # py-spy hands its samples over when the program ends: let the program run for 1.5 s
        # once py-spy is attached (a busy machine can take seconds to start it).
        deadline = time.monotonic() + 60
        while not processes_with(b"py-spy", str(debuggee.pid).encode()) and time.monotonic() < deadline:
            assert ingest.poll() is None, ingest.communicate()[1]
            time.sleep(0.1)
        time.sleep(1.5)
    finally:
        stop.touch()
    assert debuggee.wait(30) == 0
    send({"dir": "from_adapter", "msg": {"seq": 2, "type": "event", "event": "exited", "body": {"exitCode": 0}}})
    send({"dir": "from_adapter", "msg": {"seq": 3, "type": "event", "event": "terminated"}})
    out, err = ingest.communicate(timeout=60)
    assert ingest.returncode == 0, err
    from debugtape.store import Store

    with Store(store_path) as s:
        evs = [e.event for e in s.iter_session_events("00000000000000aa")]
    samples = [e for e in evs if e.type == "stack_sample"]
    assert len(samples) >= 30, f"{len(samples)} samples of a busy program at 100 Hz"
    symbols = {f.get("symbol") for e in samples for f in e.data["frames"]}
    assert "spin_here" in symbols
    assert evs[-1].type == "session_ended" and evs[-1].data["counts"]["samples"] == len(samples)
