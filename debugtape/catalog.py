"""Typed, immutable payloads for each event type of the catalog (standard library only).

`Event.data` stays plain JSON so readers can ignore what they do not know; `payload(event)` gives
the typed view, and `Payload.to_data()` / `from_data()` round-trip exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

__all__ = [
    "Payload", "SessionStarted", "SessionEnded", "BreakpointSet", "BreakpointChanged", "BreakpointRemoved",
    "DebugSnapshot", "StackSample", "DebugSession", "FileChanged", "WatchStarted", "BatchProcessed",
    "VcsCommit", "Note", "PAYLOADS", "payload_class",
]

JSON = Any
Obj = Mapping[str, Any]


def _freeze(value: Any) -> Any:
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else value


def _thaw(value: Any) -> Any:
    return [_thaw(v) for v in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Payload:
    """Base of the typed payloads. Fields left as None are absent from the JSON."""

    type: ClassVar[str] = ""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_data(cls, data: Obj) -> Payload:
        """The typed view of an event's data; unknown fields are ignored."""
        return cls(**{k: _freeze(data[k]) for k in cls.field_names() if k in data})

    def to_data(self) -> dict[str, Any]:
        return {k: _thaw(getattr(self, k)) for k in self.field_names() if getattr(self, k) is not None}


@dataclass(frozen=True)
class SessionStarted(Payload):
    type: ClassVar[str] = "session_started"
    name: str | None = None
    tool: str | None = None
    program: str | None = None
    argv: tuple[str, ...] | None = None
    cwd: str | None = None
    env: Obj | None = None
    pid: int | None = None
    commit: Obj | None = None
    meta: Obj | None = None


@dataclass(frozen=True)
class SessionEnded(Payload):
    type: ClassVar[str] = "session_ended"
    reason: str | None = None
    counts: Obj | None = None
    exit_code: int | None = None


@dataclass(frozen=True)
class _Breakpoint(Payload):
    bp_id: str | None = None
    location: str | None = None
    file: str | None = None
    line: int | None = None
    condition: str | None = None
    hits: int | None = None
    symbol: str | None = None
    enabled: bool | None = None
    kind: str | None = None
    stable_id: str | None = None


@dataclass(frozen=True)
class BreakpointSet(_Breakpoint):
    type: ClassVar[str] = "breakpoint_set"


@dataclass(frozen=True)
class BreakpointChanged(_Breakpoint):
    type: ClassVar[str] = "breakpoint_changed"


@dataclass(frozen=True)
class BreakpointRemoved(Payload):
    type: ClassVar[str] = "breakpoint_removed"
    bp_id: str | None = None
    location: str | None = None
    file: str | None = None
    line: int | None = None
    symbol: str | None = None
    hits: int | None = None


@dataclass(frozen=True)
class DebugSnapshot(Payload):
    type: ClassVar[str] = "debug_snapshot"
    snap_id: str | None = None
    reason: str | None = None
    thread: Obj | None = None
    frames: tuple[Obj, ...] | None = None
    truncation: tuple[Obj, ...] | None = None
    commit: Obj | None = None
    note: str | None = None
    bp_id: str | None = None
    redactions: tuple[Obj, ...] | None = None
    signal: str | None = None
    exception: Obj | None = None


@dataclass(frozen=True)
class StackSample(Payload):
    type: ClassVar[str] = "stack_sample"
    threads: tuple[Obj, ...] | None = None
    stacks: tuple[tuple[int, ...], ...] | None = None
    frames: tuple[Obj, ...] | None = None
    rate_hz: float | None = None


@dataclass(frozen=True)
class DebugSession(Payload):
    type: ClassVar[str] = "debug_session"
    tool: str | None = None
    breakpoints: tuple[Obj, ...] | None = None
    stack_summary: tuple[Obj, ...] | None = None
    commits: tuple[str, ...] | None = None
    symbols: tuple[str, ...] | None = None
    counts: Obj | None = None


@dataclass(frozen=True)
class FileChanged(Payload):
    type: ClassVar[str] = "file_changed"
    path: str | None = None
    kind: str | None = None
    size: int | None = None
    lines: tuple[JSON, ...] | None = None
    dest: str | None = None


@dataclass(frozen=True)
class WatchStarted(Payload):
    type: ClassVar[str] = "watch_started"
    root: str | None = None
    files: int | None = None


@dataclass(frozen=True)
class BatchProcessed(Payload):
    type: ClassVar[str] = "batch_processed"
    count: int | None = None
    paths: tuple[str, ...] | None = None
    source: str | None = None


@dataclass(frozen=True)
class VcsCommit(Payload):
    type: ClassVar[str] = "vcs_commit"
    hash: str | None = None
    author: str | None = None
    message: str | None = None
    files: tuple[str, ...] | None = None
    parents: tuple[str, ...] | None = None
    branch: str | None = None
    author_time: JSON = None


@dataclass(frozen=True)
class Note(Payload):
    type: ClassVar[str] = "note"
    text: str | None = None


PAYLOADS: dict[str, type[Payload]] = {
    cls.type: cls
    for cls in (SessionStarted, SessionEnded, BreakpointSet, BreakpointChanged, BreakpointRemoved,
                DebugSnapshot, StackSample, DebugSession, FileChanged, WatchStarted, BatchProcessed,
                VcsCommit, Note)
}


def payload_class(event_type: str) -> type[Payload] | None:
    return PAYLOADS.get(event_type)
