"""The extension's redaction settings reach debugtape as DEBUGTAPE_REDACT (vscode-ext/src/redactEnv.ts):
a value no built-in rule catches is redacted once the setting names it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import need_binary

VALUE = "ultramarine-4471"


def stream() -> str:
    def dap(direction: str, msg: dict[str, object]) -> str:
        return json.dumps({"dir": direction, "msg": msg})

    return "\n".join([
        json.dumps({"debugtape": {"session": "00000000000000cc", "name": "extras", "tool": "vscode"}}),
        dap("to_adapter", {"seq": 1, "type": "request", "command": "launch", "arguments": {"program": "/w/p.py"}}),
        dap("from_adapter", {"seq": 2, "type": "event", "event": "stopped", "body": {"reason": "breakpoint", "threadId": 1}}),
        dap("to_adapter", {"seq": 3, "type": "request", "command": "stackTrace", "arguments": {"threadId": 1}}),
        dap("from_adapter", {"seq": 4, "type": "response", "request_seq": 3, "success": True, "command": "stackTrace",
                             "body": {"stackFrames": [{"id": 1, "name": "f", "line": 3, "column": 1, "source": {"path": "/w/p.py"}}], "totalFrames": 1}}),
        dap("to_adapter", {"seq": 5, "type": "request", "command": "scopes", "arguments": {"frameId": 1}}),
        dap("from_adapter", {"seq": 6, "type": "response", "request_seq": 5, "success": True, "command": "scopes",
                             "body": {"scopes": [{"name": "Locals", "variablesReference": 9}]}}),
        dap("to_adapter", {"seq": 7, "type": "request", "command": "variables", "arguments": {"variablesReference": 9}}),
        dap("from_adapter", {"seq": 8, "type": "response", "request_seq": 7, "success": True, "command": "variables",
                             "body": {"variables": [{"name": "favourite_colour", "value": f"'{VALUE}'", "type": "str", "variablesReference": 0}]}}),
        dap("from_adapter", {"seq": 9, "type": "event", "event": "terminated"}),
    ]) + "\n"


def ingest(store_path: Path, extra_env: dict[str, str]) -> bytes:
    debugtape = need_binary("debugtape")
    run = subprocess.run([debugtape, "ingest", "--dap", "--db", str(store_path)], input=stream(), text=True,
                         capture_output=True, timeout=60, env={**os.environ, **extra_env})
    assert run.returncode == 0, run.stderr
    return b"".join(f.read_bytes() for f in store_path.parent.iterdir() if f.is_file())


def test_without_extras_the_value_is_kept(store_path: Path) -> None:
    # The control: no built-in rule treats this value as a secret, so the extras below are what redacts it.
    assert VALUE.encode() in ingest(store_path, {})


@pytest.mark.parametrize("table", [{"deny_keys": ["favourite_colour"]}, {"patterns": [{"name": "vscode1", "regex": "ultramarine-[0-9]+"}]}])
def test_extra_keys_and_patterns_from_the_settings_redact(store_path: Path, table: dict[str, object]) -> None:
    assert VALUE.encode() not in ingest(store_path, {"DEBUGTAPE_REDACT": json.dumps(table)})
