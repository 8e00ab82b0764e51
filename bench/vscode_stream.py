"""The VS Code extension's stream into `debugtape ingest --dap`: how many recorded stops per second
ingest takes (each stop as the extension sends it: stopped, stackTrace, scopes and variables for the
top frames, continue), side by side in one run with the same lines piped into `cat` (the cost of
the pipe alone). A debugging session makes a few stops per second; this says how far below
ingest's limit that is.

    python bench/vscode_stream.py [--quick] [--stops N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FRAMES = 5  # frames with locals, as the extension fetches them
LOCALS = 12


def line(direction: str, msg: dict[str, Any]) -> str:
    return json.dumps({"dir": direction, "msg": msg}, separators=(",", ":"))


def conversation(stops: int) -> str:
    """What the extension writes for a session with `stops` breakpoint hits (its encoders' format)."""
    out = [json.dumps({"debugtape": {"session": "00000000000000b1", "name": "bench", "tool": "vscode"}}),
           line("to_adapter", {"seq": 1, "type": "request", "command": "initialize", "arguments": {"adapterID": "debugpy"}}),
           line("to_adapter", {"seq": 2, "type": "request", "command": "launch", "arguments": {"program": "/w/prog.py"}})]
    seq = 3
    for n in range(stops):
        out.append(line("from_adapter", {"seq": seq, "type": "event", "event": "stopped", "body": {"reason": "breakpoint", "threadId": 1}}))
        seq += 1
        frames = [{"id": 1000 * n + f, "name": f"fn{f}", "line": 10 + f, "column": 1, "source": {"path": "/w/prog.py"}} for f in range(20)]
        out.append(line("to_adapter", {"seq": seq, "type": "request", "command": "stackTrace", "arguments": {"threadId": 1, "startFrame": 0, "levels": 20}}))
        out.append(line("from_adapter", {"seq": seq + 1, "type": "response", "request_seq": seq, "success": True, "command": "stackTrace",
                                         "body": {"stackFrames": frames, "totalFrames": 20}}))
        seq += 2
        for f in range(FRAMES):
            fid, ref = 1000 * n + f, 100000 + 1000 * n + f
            out.append(line("to_adapter", {"seq": seq, "type": "request", "command": "scopes", "arguments": {"frameId": fid}}))
            out.append(line("from_adapter", {"seq": seq + 1, "type": "response", "request_seq": seq, "success": True, "command": "scopes",
                                             "body": {"scopes": [{"name": "Locals", "variablesReference": ref, "expensive": False}]}}))
            out.append(line("to_adapter", {"seq": seq + 2, "type": "request", "command": "variables", "arguments": {"variablesReference": ref}}))
            variables = [{"name": f"v{i}", "value": str(n * i), "type": "int", "variablesReference": 0} for i in range(LOCALS)]
            out.append(line("from_adapter", {"seq": seq + 3, "type": "response", "request_seq": seq + 2, "success": True,
                                             "command": "variables", "body": {"variables": variables}}))
            seq += 4
        out.append(line("to_adapter", {"seq": seq, "type": "request", "command": "continue", "arguments": {"threadId": 1}}))
        seq += 1
    out.append(line("from_adapter", {"seq": seq, "type": "event", "event": "terminated"}))
    return "\n".join(out) + "\n"


def timed(cmd: list[str], data: bytes) -> float:
    t = time.perf_counter()
    run = subprocess.run(cmd, input=data, capture_output=True)
    elapsed = time.perf_counter() - t
    if run.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {run.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a small run (200 stops)")
    ap.add_argument("--stops", type=int, default=2000)
    args = ap.parse_args()
    stops = 200 if args.quick else args.stops
    debugtape = shutil.which("debugtape") or sys.exit("debugtape is not on PATH (pip install -e .)")
    data = conversation(stops).encode()
    lines = data.count(b"\n")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "tape.db"
        base = timed(["cat"], data)
        took = timed([debugtape, "ingest", "--dap", "--db", str(db)], data)
        check = subprocess.run([debugtape, "sessions", "--json", "--db", str(db)], capture_output=True, text=True, check=True)
        recorded = json.loads(check.stdout)[0]["counts"]["snapshots"]
    print(f"stream: {stops} stops, {lines} lines, {len(data) / 1e6:.1f} MB")
    print(f"cat (pipe only):          {base:7.3f} s   {lines / base:10.0f} lines/s")
    print(f"debugtape ingest --dap:   {took:7.3f} s   {lines / took:10.0f} lines/s   {stops / took:7.0f} stops/s   ({recorded} snapshots stored)")
    print(f"ratio ingest/cat: {took / base:.1f}x the time of the bare pipe")
    if recorded != stops:
        sys.exit(f"expected {stops} snapshots, the store holds {recorded} (rate limit or loss)")


if __name__ == "__main__":
    main()
