"""`debugtape ingest --dap`: DAP messages as JSON lines (either direction) to raw records.

One line is one DAP message, either bare (`{"seq": 1, "type": "request", ...}`; its direction is
inferred: requests go to the adapter, responses and events come from it) or in an envelope that
says the direction and, optionally, when it was seen:

    {"dir": "to_adapter" | "from_adapter", "ts": 1700000000.123, "msg": {...DAP message...}}

Reverse requests (e.g. runInTerminal) need the envelope, as do their responses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from debugtape.adapters.dap.convert import DapConverter
from debugtape.records import RecordError

__all__ = ["DapIngest", "DIRECTIONS"]

DIRECTIONS = ("to_adapter", "from_adapter")
_ALIASES = {"to_adapter": "to_adapter", "from_adapter": "from_adapter", "client": "to_adapter",
            "adapter": "from_adapter", "in": "to_adapter", "out": "from_adapter"}


class DapIngest:
    """Feeds DAP lines to a `DapConverter`; a bad line raises RecordError and changes nothing."""

    def __init__(self, converter: DapConverter | None = None, name: str | None = None) -> None:
        self.converter = converter or DapConverter(tool="dap", name=name)
        self.lines = 0

    def feed_line(self, line: str) -> list[dict[str, Any]]:
        direction, msg, ts = parse_line(line)
        self.lines += 1
        return self.converter.observe(direction, msg, ts)

    def finish(self) -> list[dict[str, Any]]:
        """End of input: pending stops become snapshots; the session ends if the stream said so."""
        return self.converter.finish()


def parse_line(line: str) -> tuple[str, Mapping[str, Any], float | None]:
    """(direction, message, ts) of one line, or RecordError with a reason that never quotes the line."""
    text = line.strip()
    if not text:
        raise RecordError("empty line")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        # The line may hold a secret: say where it broke, not what it said.
        raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(obj, dict):
        raise RecordError(f"a DAP line must be a JSON object, not {type(obj).__name__}")
    ts: float | None = None
    if "msg" in obj and "type" not in obj:
        msg = obj["msg"]
        if obj.get("ts") is not None:
            if isinstance(obj["ts"], bool) or not isinstance(obj["ts"], (int, float)):
                raise RecordError("ts must be seconds since the epoch (a number)")
            ts = float(obj["ts"])
        raw_dir = obj.get("dir", obj.get("direction"))
        if raw_dir is not None and raw_dir not in _ALIASES:
            raise RecordError(f"dir must be one of {', '.join(DIRECTIONS)}, not {raw_dir!r}")
        if not isinstance(msg, dict):
            raise RecordError("msg must be a DAP message object")
        direction = _ALIASES[raw_dir] if raw_dir is not None else _infer(msg)
    else:
        msg = obj
        direction = _infer(msg)
    kind = msg.get("type")
    if kind not in ("request", "response", "event"):
        raise RecordError(f"DAP message type must be request, response or event, not {kind!r}")
    if kind == "request" and not isinstance(msg.get("command"), str):
        raise RecordError("a DAP request needs a command")
    if kind == "response" and not isinstance(msg.get("request_seq"), int):
        raise RecordError("a DAP response needs an integer request_seq")
    if kind == "event" and not isinstance(msg.get("event"), str):
        raise RecordError("a DAP event needs an event name")
    if kind == "request" and not isinstance(msg.get("seq"), int):
        raise RecordError("a DAP request needs an integer seq")
    return direction, msg, ts


def _infer(msg: Mapping[str, Any]) -> str:
    return "to_adapter" if msg.get("type") == "request" else "from_adapter"
