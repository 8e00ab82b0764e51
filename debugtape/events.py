"""The typed events of debugtape: envelope, catalog and their JSON form (standard library only)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from debugtape.catalog import Payload

__all__ = [
    "EVENT_TYPES",
    "BINARY_CODES",
    "VISIBILITIES",
    "Event",
    "new_session_id",
    "now_ts",
    "parse_ts",
]

# The catalog: each type's fields. The typed payload classes in debugtape.catalog carry the same
# fields (a test keeps the two equal; the classes load only when used, to keep start-up fast).
# Readers ignore any other field. The README's "Events" section documents every field.
_BREAKPOINT = ("bp_id", "location", "file", "line", "condition", "hits", "symbol", "enabled", "kind", "stable_id")
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "session_started": ("name", "tool", "program", "argv", "cwd", "env", "pid", "commit", "meta"),
    "session_ended": ("reason", "counts", "exit_code"),
    "breakpoint_set": _BREAKPOINT,
    "breakpoint_changed": _BREAKPOINT,
    "breakpoint_removed": ("bp_id", "location", "file", "line", "symbol", "hits"),
    "debug_snapshot": ("snap_id", "reason", "thread", "frames", "truncation", "commit", "note", "bp_id",
                       "redactions", "signal", "exception"),
    "stack_sample": ("threads", "stacks", "frames", "rate_hz"),
    "debug_session": ("tool", "breakpoints", "stack_summary", "commits", "symbols", "counts"),
    "file_changed": ("path", "kind", "size", "lines", "dest"),
    "watch_started": ("root", "files"),
    "batch_processed": ("count", "paths", "source"),
    "vcs_commit": ("hash", "author", "message", "files", "parents", "branch", "author_time"),
    "note": ("text",),
}

# Numeric codes for binary forms (DESIGN.md).
BINARY_CODES: dict[str, int] = {"debug_session": 0x4000, "debug_snapshot": 0x4001, "vcs_commit": 0x5000}

VISIBILITIES = ("private", "team", "public")

_ENVELOPE = ("ts", "session", "seq", "type", "actor", "visibility", "data")


def now_ts(t: float | None = None) -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-23T18:15:45.123Z."""
    if t is None:
        t = time.time()
    ms = int(round(t * 1000))
    sec, milli = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{milli:03d}Z"


def parse_ts(ts: str) -> float:
    """Seconds since the epoch for an event timestamp (accepts any ISO 8601 offset)."""
    text = ts.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def new_session_id() -> str:
    """A unique session id: 64 random bits as hex, so short prefixes are unique (like git's)."""
    import secrets  # here: hashlib behind it costs every command's start-up 4-5 ms

    return secrets.token_hex(8)


_new = object.__new__
_CHECKED_TYPES: set[str] = set()  # event types already found to be snake case


@dataclass(frozen=True)
class Event:
    """One stored event. `data` holds the type's fields (see EVENT_TYPES) as JSON values."""

    type: str
    session: str
    data: Mapping[str, Any] = field(default_factory=dict)
    seq: int = 0
    ts: str = field(default_factory=now_ts)
    actor: str = "debugtape"
    visibility: str = "private"

    def __post_init__(self) -> None:
        if self.type not in _CHECKED_TYPES:
            if not self.type or not self.type.replace("_", "").isalnum() or self.type.lower() != self.type:
                raise ValueError(f"event type must be snake case: {self.type!r}")
            if len(_CHECKED_TYPES) < 10_000:  # types seen are few; never grow without bound
                _CHECKED_TYPES.add(self.type)
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {VISIBILITIES}: {self.visibility!r}")

    @classmethod
    def from_store(cls, type: str, session: str, data: Mapping[str, Any], seq: int, ts: str, actor: str,
               visibility: str) -> Event:
        """An event read back from the store, its fields checked when it was written: made
        without __init__ and its checks (a third of the cost of a read's Python objects)."""
        ev = _new(cls)
        ev.__dict__.update(type=type, session=session, data=data, seq=seq, ts=ts, actor=actor,
                           visibility=visibility)
        return ev

    @property
    def known(self) -> bool:
        return self.type in EVENT_TYPES

    def payload(self) -> Payload | None:
        """The typed, immutable view of `data` (None for a type this version does not know)."""
        from debugtape.catalog import PAYLOADS

        cls = PAYLOADS.get(self.type)
        return cls.from_data(self.data) if cls else None

    @classmethod
    def of(cls, payload: Payload, session: str, seq: int = 0, **envelope: Any) -> Event:
        """An event from a typed payload."""
        return cls(type=payload.type, session=session, seq=seq, data=payload.to_data(), **envelope)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ts": self.ts,
            "session": self.session,
            "seq": self.seq,
            "type": self.type,
            "actor": self.actor,
            "visibility": self.visibility,
            "data": dict(self.data),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=False)

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Event:
        """Build from a decoded envelope; unknown envelope fields are ignored."""
        data = obj.get("data") or {}
        if not isinstance(data, Mapping):
            raise ValueError("event data must be a JSON object")
        return cls(
            type=str(obj["type"]),
            session=str(obj["session"]),
            data=dict(data),
            seq=int(obj.get("seq", 0)),
            ts=str(obj.get("ts") or now_ts()),
            actor=str(obj.get("actor", "debugtape")),
            visibility=str(obj.get("visibility", "private")),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        obj = json.loads(text)
        if not isinstance(obj, Mapping):
            raise ValueError("an event is a JSON object")
        return cls.from_dict(obj)

    def with_(self, **changes: Any) -> Event:
        """A copy with some envelope fields replaced."""
        values = {k: getattr(self, k) for k in _ENVELOPE}
        values.update(changes)
        return Event(**values)

    def __hash__(self) -> int:
        return hash((self.session, self.seq, self.type, self.ts))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return self.to_dict() == other.to_dict()
