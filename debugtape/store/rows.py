"""Turning one event into the rows of the denormalized tables and the timeline key index (pure)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from debugtape.events import Event, parse_ts

__all__ = ["EventRows", "event_rows", "snapshot_id", "frame_keys", "symbol_keys"]

# How many frames of a stack go into the key index: deep recursion would otherwise flood it.
INDEXED_FRAMES = 32
# Blame commits are indexed for the innermost frames only (where a suspect commit matters most).
BLAMED_FRAMES = 5


def snapshot_id(session: str, seq: int) -> str:
    """A snapshot's id: stable for (session, seq), random-looking so short prefixes are unique."""
    import hashlib  # here: a read-only command (`debugtape sessions`) never needs it at start-up

    return hashlib.sha1(f"{session}:{seq}".encode()).hexdigest()[:16]


def _mapping(value: object) -> bool:
    # Stored data is made of dicts: the exact type check first spares the ABC's slow check.
    return type(value) is dict or isinstance(value, Mapping)


def symbol_keys(symbol: str) -> list[str]:
    """Keys for a symbol: as given, and its last component (Class.method -> method, a::b -> b)."""
    for sep in ("::", "."):
        if sep in symbol:
            return ["s:" + symbol, "s:" + symbol.rpartition(sep)[2]]
    return ["s:" + symbol]


def frame_keys(frame: Mapping[str, Any], blame: bool = True) -> list[str]:
    get = frame.get
    symbol = get("symbol")
    keys = symbol_keys(symbol) if isinstance(symbol, str) and symbol else []
    path = get("file")
    if isinstance(path, str) and path:
        # Basenames only: a path given to --file is narrowed by a suffix match on `frames`.
        base = path.rpartition("/")[2].rpartition("\\")[2]
        keys.append("b:" + base)
        line = get("line")
        if isinstance(line, int):
            keys.append(f"l:{base}:{line}")
    if blame:
        b = get("blame")
        if b and _mapping(b) and isinstance(b.get("commit"), str):
            keys.append("c:" + b["commit"])
    return keys


def _commit_keys(commit: object) -> list[str]:
    if isinstance(commit, Mapping):
        head = commit.get("head") or commit.get("hash")
        if isinstance(head, str) and head:
            return ["c:" + head]
    if isinstance(commit, str) and commit:
        return ["c:" + commit]
    return []


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _str(value: object) -> str | None:
    return value if value is None or isinstance(value, str) else json.dumps(value)


class EventRows:
    """The rows one event contributes, besides its own row in `events`."""

    __slots__ = ("snapshot", "frames", "breakpoint", "sample", "keys")

    def __init__(self) -> None:
        self.snapshot: tuple[Any, ...] | None = None
        self.frames: list[tuple[Any, ...]] = []
        self.breakpoint: tuple[Any, ...] | None = None
        self.sample: tuple[Any, ...] | None = None
        self.keys: set[str] = set()


def event_rows(event_id: int, ev: Event, ts_ms: int) -> EventRows:
    """Rows for snapshots/frames/breakpoints/samples and the keys that find this event."""
    out = EventRows()
    data = ev.data
    t = ev.type
    if t == "debug_snapshot":
        frames = data.get("frames") or []
        top: Mapping[str, Any] = frames[0] if frames and isinstance(frames[0], Mapping) else {}
        thread = data.get("thread")
        tname = thread.get("name") or thread.get("id") if isinstance(thread, Mapping) else thread
        commit = data.get("commit")
        head = commit.get("head") if isinstance(commit, Mapping) else None
        out.snapshot = (
            event_id, data.get("snap_id") or snapshot_id(ev.session, ev.seq), ev.session, ev.seq,
            ts_ms, _str(data.get("reason")), _str(tname), _str(top.get("symbol")),
            _str(top.get("file")), _int(top.get("line")), head, _str(data.get("bp_id")),
        )
        rows, keys = out.frames, out.keys
        for i, frame in enumerate(frames):
            if not _mapping(frame):
                continue
            get = frame.get
            rows.append((event_id, i, _str(get("symbol")), _str(get("file")), _int(get("line")), _str(get("module"))))
            if i < INDEXED_FRAMES:
                keys.update(frame_keys(frame, blame=i < BLAMED_FRAMES))
        out.keys.update(_commit_keys(commit))
    elif t in ("breakpoint_set", "breakpoint_changed", "breakpoint_removed"):
        action = t.split("_", 1)[1]
        out.breakpoint = (
            event_id, ev.session, ev.seq, action, _str(data.get("bp_id")), _str(data.get("location")),
            _str(data.get("file")), _int(data.get("line")), _str(data.get("symbol")),
            _str(data.get("condition")), _int(data.get("hits")),
            None if data.get("enabled") is None else int(bool(data.get("enabled"))),
            _str(data.get("stable_id")),
        )
        out.keys.update(frame_keys(data))
    elif t == "stack_sample":
        threads = data.get("threads") or []
        out.sample = (event_id, ev.session, ts_ms, len(threads) if isinstance(threads, list) else 0)
    elif t == "session_started":
        out.keys.update(_commit_keys(data.get("commit")))
    elif t == "vcs_commit":
        out.keys.update(_commit_keys(data.get("hash")))
    elif t == "file_changed":
        out.keys.update(frame_keys({"file": data.get("path")}))
    elif t == "debug_session":
        for c in data.get("commits") or []:
            out.keys.update(_commit_keys(c))
    return out


_SECONDS: dict[str, int] = {}


def ts_millis(ts: str) -> int:
    """Milliseconds since the epoch; the canonical form (…:SS.mmmZ) is parsed once per second."""
    if len(ts) == 24 and ts[19] == "." and ts[23] == "Z":
        sec = _SECONDS.get(ts[:19])
        if sec is None:
            if len(_SECONDS) > 100_000:
                _SECONDS.clear()
            sec = _SECONDS[ts[:19]] = int(parse_ts(ts[:19] + "Z"))
        return sec * 1000 + int(ts[20:23])
    return int(round(parse_ts(ts) * 1000))


def all_keys(rows: Iterable[EventRows]) -> int:
    return sum(len(r.keys) for r in rows)
