"""`debugtape ingest --dap`: DAP messages as JSON lines (either direction) to raw records.

One line is one DAP message, either bare (`{"seq": 1, "type": "request", ...}`; its direction is
inferred: requests go to the adapter, responses and events come from it) or in an envelope that
says the direction and, optionally, when it was seen:

    {"dir": "to_adapter" | "from_adapter", "ts": 1700000000.123, "msg": {...DAP message...}}

Reverse requests (e.g. runInTerminal) need the envelope, as do their responses.

Lines with a `debugtape` key are instructions from the sender (the VS Code extension):

    {"debugtape": {"session": "<id>", "name": "...", "tool": "vscode", "parent": "<id>",
                   "sample": "50hz", "meta": {...}}}      # header, before any DAP message
    {"debugtape": {"note": "text"}}                        # a note in the session
    {"debugtape": {"snapshot": "manual", "thread": 1}}     # a snapshot of that thread now

With `"sample"` in the header, the debuggee named by the adapter's `process` event
(`systemProcessId`) is sampled with py-spy (Python programs) without pausing it; its samples
join the session when the input ends. Where py-spy is missing or cannot attach, a note says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from debugtape.adapters.dap.convert import DapConverter
from debugtape.adapters.dap.sampling import PySpySampler, py_spy_path
from debugtape.records import RecordError, parse_rate

__all__ = ["DapIngest", "DIRECTIONS"]

DIRECTIONS = ("to_adapter", "from_adapter")
_ALIASES = {"to_adapter": "to_adapter", "from_adapter": "from_adapter", "client": "to_adapter",
            "adapter": "from_adapter", "in": "to_adapter", "out": "from_adapter"}


class DapIngest:
    """Feeds DAP lines to a `DapConverter`; a bad line raises RecordError and changes nothing."""

    def __init__(self, converter: DapConverter | None = None, name: str | None = None) -> None:
        self.converter = converter or DapConverter(tool="dap", name=name)
        self.lines = 0
        self.sample_hz: float | None = None
        self.sampler: PySpySampler | None = None

    def feed_line(self, line: str) -> list[dict[str, Any]]:
        control = _control(line)
        if control is not None:
            self.lines += 1
            return self._apply(control)
        direction, msg, ts = parse_line(line)
        self.lines += 1
        records = self.converter.observe(direction, msg, ts)
        if self.sample_hz and self.sampler is None and msg.get("event") == "process":
            records += self._start_sampler(msg.get("body"))
        if self.sampler is not None and any(r.get("kind") == "end" for r in records):
            records = self._with_samples(records)  # the program is gone: py-spy has finished
        return records

    def _start_sampler(self, body: object) -> list[dict[str, Any]]:
        """Sample the debuggee with py-spy (no pauses, so the person debugging sees nothing)."""
        pid = body.get("systemProcessId") if isinstance(body, Mapping) else None
        exe = py_spy_path()
        why = None
        if not isinstance(pid, int) or isinstance(pid, bool):
            why = "the adapter did not say the debuggee's process id"
        elif exe is None:
            why = "py-spy is not installed (pip install 'debugtape[sampling]')"
        else:
            self.sampler = PySpySampler(pid, self.sample_hz or 0, exe)
            if not self.sampler.check_started():
                why = f"py-spy could not sample process {pid}: {self.sampler.error}"
                self.sampler = None
        return self.converter.note(f"stack sampling off: {why}") if why else []

    def _apply(self, control: Mapping[str, Any]) -> list[dict[str, Any]]:
        conv = self.converter
        if "note" in control:
            if not isinstance(control["note"], str):
                raise RecordError("debugtape.note must be a string")
            return conv.note(control["note"])
        if "snapshot" in control:
            thread = control.get("thread")
            if not isinstance(thread, int) or isinstance(thread, bool):
                raise RecordError("debugtape.snapshot needs an integer thread")
            return conv.manual_snapshot(thread)
        # A header: who is recording and what to call the session.
        if conv.started:
            raise RecordError("a debugtape header must come before the first DAP message")
        for key in ("session", "name", "tool", "parent", "sample"):
            if control.get(key) is not None and not isinstance(control[key], str):
                raise RecordError(f"debugtape.{key} must be a string")
        meta = control.get("meta")
        if meta is not None and not isinstance(meta, dict):
            raise RecordError("debugtape.meta must be an object")
        conv.session_id = control.get("session") or conv.session_id
        conv.name = control.get("name") or conv.name
        conv.tool = control.get("tool") or conv.tool
        conv.start_extra.update(meta or {})
        for key in ("parent", "sample"):
            if control.get(key):
                conv.start_extra[key] = control[key]
        if control.get("sample"):
            try:
                self.sample_hz = parse_rate(control["sample"])
            except ValueError as exc:
                raise RecordError(f"debugtape.sample: {exc}") from exc
        return []

    def finish(self) -> list[dict[str, Any]]:
        """End of input: pending stops become snapshots, py-spy's samples join (before the end
        record); the session ends if the stream said so."""
        return self._with_samples(self.converter.finish())

    def _with_samples(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """py-spy's samples, placed before the session's end record."""
        if self.sampler is None:
            return records
        samples, self.sampler = self.sampler.stop(), None
        cut = next((i for i, r in enumerate(records) if r.get("kind") == "end"), len(records))
        return records[:cut] + samples + records[cut:]


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


def _control(line: str) -> Mapping[str, Any] | None:
    """The `debugtape` instruction of a line, if it is one (cheap test before parsing twice)."""
    if '"debugtape"' not in line[:40]:
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None  # parse_line reports it
    if isinstance(obj, dict) and set(obj) == {"debugtape"}:
        if not isinstance(obj["debugtape"], dict):
            raise RecordError("debugtape must be an object")
        return obj["debugtape"]
    return None


def _infer(msg: Mapping[str, Any]) -> str:
    return "to_adapter" if msg.get("type") == "request" else "from_adapter"
