"""Raw capture records: what adapters hand to `debugtape ingest` as JSON lines (standard library only).

Every record is a JSON object with a `kind`. The README ("Raw record format") documents each one;
`validate` is the single check the pipeline applies before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["RECORD_KINDS", "SNAPSHOT_REASONS", "RecordError", "validate", "parse_rate"]

RECORD_KINDS = ("start", "breakpoint", "snapshot", "sample", "note", "event", "end", "sync")
SNAPSHOT_REASONS = (
    "breakpoint", "snappoint", "watchpoint", "step", "signal", "crash", "exception", "manual",
    "sample", "exit", "pause", "entry",
)
BREAKPOINT_ACTIONS = ("set", "changed", "removed")

# Required fields and their JSON types per kind; everything else is optional.
_REQUIRED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "start": {},
    "breakpoint": {"action": str},
    "snapshot": {"frames": list},
    "sample": {"threads": list},
    "note": {"text": str},
    "event": {"type": str, "data": dict},
    "end": {},
    # Not stored: once everything sent before it is committed, ingest creates the file at `path`
    # (how `tape timeline` in gdb and lldb waits for its own latest events).
    "sync": {"path": str},
}


class RecordError(ValueError):
    """A raw record that cannot be used; `reason` says why."""

    def __init__(self, reason: str, record: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record = record


def validate(record: object) -> Mapping[str, Any]:
    """Return the record if its shape is usable, else raise RecordError with a clear reason."""
    if not isinstance(record, Mapping):
        raise RecordError("a record must be a JSON object", record)
    kind = record.get("kind")
    if kind not in _REQUIRED:
        raise RecordError(f"unknown record kind {kind!r} (expected one of {', '.join(RECORD_KINDS)})")
    for name, typ in _REQUIRED[kind].items():
        if not isinstance(record.get(name), typ):
            raise RecordError(f"{kind} record needs {name!r} of type {_tname(typ)}")
    if kind == "breakpoint" and record["action"] not in BREAKPOINT_ACTIONS:
        raise RecordError(f"breakpoint action must be one of {BREAKPOINT_ACTIONS}")
    if kind == "snapshot":
        for i, frame in enumerate(record["frames"]):
            if not isinstance(frame, Mapping):
                raise RecordError(f"snapshot frame {i} must be an object")
    if kind == "sample":
        for i, thread in enumerate(record["threads"]):
            if not isinstance(thread, Mapping) or not isinstance(thread.get("frames", []), list):
                raise RecordError(f"sample thread {i} must be an object with a frames list")
    ts = record.get("ts")
    if ts is not None and not isinstance(ts, (int, float, str)):
        raise RecordError("ts must be seconds since the epoch or an ISO 8601 string")
    return record


def _tname(typ: type | tuple[type, ...]) -> str:
    if isinstance(typ, tuple):
        return " or ".join(t.__name__ for t in typ)
    return {"str": "string", "list": "array", "dict": "object"}.get(typ.__name__, typ.__name__)


_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(hz|/s)?\s*$", re.IGNORECASE)


def parse_rate(text: str) -> float | None:
    """'100hz', '50', '2.5/s' -> samples per second; 'off' or '0' -> None."""
    if text.strip().lower() in ("off", "0", "none", "stop"):
        return None
    m = _RATE.match(text)
    if not m:
        raise ValueError(f"sampling rate must look like 100hz or off, not {text!r}")
    rate = float(m.group(1))
    if not 0 < rate <= 10000:
        raise ValueError(f"sampling rate must be between 0 and 10000 Hz, not {rate}")
    return rate
