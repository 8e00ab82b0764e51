"""A scripted debug adapter for the proxy's sequence-number tests (standard library only).

It answers any request, stops once after configurationDone, and after the client's `continue`
sends a reverse request (runInTerminal); the answer must carry the adapter's own seq as
request_seq, which it reports in an `output` event before ending the session.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from adapter_wire import send  # beside this file: sys.path[0] when run as a script

inp = sys.stdin.buffer


def read() -> dict[str, Any] | None:
    length = 0
    while True:
        line = inp.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    msg: dict[str, Any] = json.loads(inp.read(length))
    return msg


BODIES: dict[str, dict[str, Any]] = {
    "initialize": {"supportsConfigurationDoneRequest": True},
    "threads": {"threads": [{"id": 1, "name": "main"}]},
    "stackTrace": {"totalFrames": 1, "stackFrames": [{"id": 7, "name": "f", "line": 3, "source": {"path": "/s.py"}}]},
    "scopes": {"scopes": [{"name": "Locals", "variablesReference": 9}]},
    "variables": {"variables": [{"name": "x", "value": "42", "type": "int", "variablesReference": 0}]},
}

reverse_seq = None
while (msg := read()) is not None:
    if msg["type"] == "response" and msg.get("command") == "runInTerminal":
        verdict = "mapping ok" if msg.get("request_seq") == reverse_seq else f"mapping wrong: {msg.get('request_seq')} != {reverse_seq}"
        send({"type": "event", "event": "output", "body": {"category": "console", "output": verdict}})
        send({"type": "event", "event": "terminated", "body": {}})
        continue
    if msg["type"] != "request":
        continue
    command = msg["command"]
    send({"type": "response", "request_seq": msg["seq"], "command": command, "success": True,
          "body": BODIES.get(command, {})})
    if command == "initialize":
        send({"type": "event", "event": "initialized"})
    elif command == "configurationDone":
        send({"type": "event", "event": "stopped", "body": {"reason": "breakpoint", "threadId": 1}})
    elif command == "continue":
        reverse_seq = send({"type": "request", "command": "runInTerminal",
                            "arguments": {"kind": "integrated", "args": ["true"], "cwd": "/"}})
    elif command == "disconnect":
        break
