"""A stand-in for debugpy for the recorder's failure tests (standard library only).

    python fake_debugpy.py MODE LOG [STOPS]                    # debugpy's adapter, on stdio
    DEBUGTAPE_DEBUGPY_TOKEN=T python fake_debugpy.py MODE LOG STOPS --connect HOST:PORT
                                                               # debugpy in the program (pydevd)

It does debugpy's handshake, then stops STOPS times (default 4) at `f` called from `<module>`,
answering stackTrace, scopes and variables as debugpy does (a frame id read as a variables
reference gives that frame's locals), and ends with exited and terminated (the adapter) or
terminated and exit code 0 (pydevd). As pydevd it connects to HOST:PORT, answers
`pydevdAuthorize` with T, and answers `launch` at once. Each batch of requests that arrives in
one read is answered in reverse order. MODE changes stop 2:

- `reorder`: nothing more (every batch answered in reverse order);
- `silent`: variables requests are never answered;
- `die`: the process exits (code 3) when the first variables request of that stop arrives;
- `stuck`: the `continue` of that stop is never answered (debugpy's adapter waiting on pydevd).

Every request's command goes to LOG, one line each, with the stop it came at.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

from adapter_wire import send, use  # beside this file: sys.path[0] when run as a script

MODE, LOG = sys.argv[1], sys.argv[2]
STOPS = int(sys.argv[3]) if len(sys.argv) > 3 else 4
PYDEVD = "--connect" in sys.argv
stop = 0
inp = sys.stdin.buffer.fileno()
if PYDEVD:
    host, port = sys.argv[sys.argv.index("--connect") + 1].rsplit(":", 1)
    TOKEN = os.environ["DEBUGTAPE_DEBUGPY_TOKEN"]  # as debugtape hands it to the boot
    conn = socket.create_connection((host, int(port)))
    use(conn.makefile("wb"))
    inp = conn.fileno()


def event(name: str, body: dict[str, Any] | None = None) -> None:
    send({"type": "event", "event": name, "body": body or {}})


def frames() -> list[dict[str, Any]]:
    return [{"id": stop * 10 + 1, "name": "f", "line": 3, "source": {"path": "/prog.py"}},
            {"id": stop * 10 + 2, "name": "<module>", "line": 9, "source": {"path": "/prog.py"}}]


def local_vars(frame_id: int) -> list[dict[str, Any]]:
    if frame_id % 10 == 1:
        return [{"name": "i", "value": str(stop), "type": "int", "variablesReference": 0}]
    return [{"name": "total", "value": str(stop * 10), "type": "int", "variablesReference": 0}]


def answer(req: dict[str, Any]) -> dict[str, Any] | None:
    """The response body, or None for no response (yet)."""
    command, args = req["command"], req.get("arguments") or {}
    if command == "pydevdAuthorize":
        return {"clientAccessToken": TOKEN}
    if command == "initialize":
        return {"supportsConfigurationDoneRequest": True, "supportsExceptionInfoRequest": True}
    if command == "launch":
        event("initialized")
        return {} if PYDEVD else None  # debugpy's adapter answers launch after configurationDone
    if command == "setBreakpoints":
        return {"breakpoints": [{"id": i, "verified": True, "line": bp["line"]}
                                for i, bp in enumerate(args.get("breakpoints") or [])]}
    if command == "threads":
        return {"threads": [{"id": 1, "name": "MainThread"}]}
    if command == "stackTrace":
        return {"stackFrames": frames(), "totalFrames": 2}
    if command == "scopes":
        fid = args["frameId"]
        return {"scopes": [{"name": "Locals", "variablesReference": fid * 100, "presentationHint": "locals"},
                           {"name": "Globals", "variablesReference": fid * 100 + 1}]}
    if command == "continue" and stop == 2 and MODE == "stuck":
        return None
    if command == "variables":
        if stop == 2 and MODE == "silent":
            return None
        if stop == 2 and MODE == "die":
            os._exit(3)
        ref = args["variablesReference"]
        return {"variables": local_vars(ref if ref < 100 else ref // 100)}
    return {}


def after(req: dict[str, Any]) -> None:
    """What debugpy sends after answering."""
    global stop
    command = req["command"]
    if command == "configurationDone":
        if not PYDEVD:
            send({"type": "response", "request_seq": launch_seq, "command": "launch", "success": True, "body": {}})
        event("process", {"name": "/prog.py", "systemProcessId": os.getpid(), "startMethod": "launch"})
        event("thread", {"reason": "started", "threadId": 1})
        stop = 1
        event("stopped", {"reason": "breakpoint", "threadId": 1, "hitBreakpointIds": [0]})
    elif command == "continue" and not (stop == 2 and MODE == "stuck"):
        event("continued", {"threadId": 1, "allThreadsContinued": True})
        if stop < STOPS:
            stop += 1
            event("stopped", {"reason": "breakpoint", "threadId": 1, "hitBreakpointIds": [0]})
        else:
            if not PYDEVD:
                event("exited", {"exitCode": 0})
            event("terminated")


launch_seq = 0
buf = b""
with open(LOG, "a") as log:
    while True:
        data = os.read(inp, 65536)
        if not data:
            break
        buf += data
        batch = []
        while (end := buf.find(b"\r\n\r\n")) >= 0:
            length = int(buf[:end].split(b":")[1])
            if len(buf) < end + 4 + length:
                break
            batch.append(json.loads(buf[end + 4:end + 4 + length]))
            buf = buf[end + 4 + length:]
        for req in batch:
            log.write(f"{stop} {req['command']}\n")
            log.flush()
            if req["command"] == "launch":
                launch_seq = req["seq"]
        replies = [(req, answer(req)) for req in batch]
        for req, body in reversed(replies):
            if body is not None:
                send({"type": "response", "request_seq": req["seq"], "command": req["command"], "success": True,
                      "body": body})
        for req, _ in replies:
            after(req)
            if req["command"] == "disconnect":
                sys.exit(0)
