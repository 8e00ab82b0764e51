"""One session's pipeline: raw records -> bound -> redact -> correlate -> hooks -> gate -> seq -> writer."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

from debugtape.events import EVENT_TYPES, Event, new_session_id, now_ts
from debugtape.pipeline.bound import (
    Bounds,
    bound_sample,
    bound_snapshot,
    bound_value,
    cap_event,
    text_size,
)
from debugtape.pipeline.ratelimit import RateLimits, TokenBucket
from debugtape.pipeline.stages import Correlator, EventSink, Hooks, NullCorrelator, NullHooks
from debugtape.records import RecordError
from debugtape.redact import RedactedEvent, RedactionStats, Redactor, redact_event
from debugtape.redact.gate import redaction_kinds
from debugtape.store.rows import snapshot_id

__all__ = ["SessionPipeline"]

log = logging.getLogger(__name__)

# Bounds of the session summary (debug_session).
_SUMMARY_ITEMS = 50


_FRAME_VARS = ("args", "locals", "types")  # the heavy part of a frame


# The last whole second formatted by _ts_text and its text up to the milliseconds.
_last_second: tuple[int, str] = (-1, "")


def _ts_text(t: float) -> str:
    """now_ts(t), formatting each whole second once: a burst of records shares it."""
    global _last_second
    sec, milli = divmod(int(round(t * 1000)), 1000)
    known = _last_second  # one read: another pipeline's thread may swap it
    if known[0] != sec:
        known = _last_second = (sec, now_ts(float(sec))[:-4])
    return f"{known[1]}{milli:03d}Z"


def _record_ts(record: Mapping[str, Any]) -> str:
    ts = record.get("ts")
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        return _ts_text(float(ts))
    if isinstance(ts, str) and ts:
        try:
            from debugtape.events import parse_ts

            return now_ts(parse_ts(ts))
        except ValueError:
            pass
    return now_ts()


class SessionPipeline:
    """Turns the raw records of one session into stored events. Not thread-safe: one feeder."""

    def __init__(
        self,
        sink: EventSink,
        redactor: Redactor,
        *,
        bounds: Bounds | None = None,
        limits: RateLimits | None = None,
        correlator: Correlator | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        self.sink = sink
        self.redactor = redactor
        self.bounds = bounds or Bounds()
        limits = limits or RateLimits()
        self.correlator: Correlator = correlator or NullCorrelator()
        self.hooks: Hooks = hooks or NullHooks()
        self.snap_bucket = TokenBucket(limits.snapshots_per_s, limits.snapshot_burst)
        self.sample_bucket = TokenBucket(limits.samples_per_s, limits.sample_burst)
        self.session_id: str | None = None
        self.tool = "unknown"
        self.seq = 0
        self.ended = False
        self.counts: Counter[str] = Counter()
        self.redactions = RedactionStats()
        self.commit: dict[str, Any] | None = None
        self._breakpoints: dict[str, dict[str, Any]] = {}
        self._top_symbols: Counter[str] = Counter()
        self._commits: list[str] = []
        self._symbols: dict[str, None] = {}
        self._head: str | None = None  # the HEAD whose commits are recorded (see _new_commits)

    # -- entry points --------------------------------------------------------------------------
    def feed(self, record: Mapping[str, Any]) -> None:
        """Process one validated raw record (see debugtape.records)."""
        kind = record["kind"]
        if self.ended:
            raise RecordError(f"{kind} record after the session ended; send a start record first")
        if kind == "start":
            if self.session_id is not None:
                raise RecordError("a second start record in one session; send end first")
            self._start(record)
            return
        if self.session_id is None:
            self._start({"kind": "start", "tool": record.get("tool", "unknown")})
        if kind == "snapshot":
            self._snapshot(record)
        elif kind == "sample":
            self._sample(record)
        elif kind == "breakpoint":
            self._breakpoint(record)
        elif kind == "note":
            self._emit("note", {"text": record["text"]}, record, visibility=record.get("visibility"))
            self.counts["notes"] += 1
        elif kind == "event":
            self._passthrough(record)
        elif kind == "end":
            self._end(record)

    def finish(self, interrupted: bool = False, reason: str = "stopped") -> None:
        """End of input. Interrupted: no session_ended, the session reads as interrupted."""
        if self.session_id is None or self.ended:
            return
        if interrupted:
            self.ended = True
            return
        self._end({"kind": "end", "reason": reason})

    # -- record kinds --------------------------------------------------------------------------
    def _start(self, record: Mapping[str, Any]) -> None:
        sid = record.get("session")
        self.session_id = str(sid) if sid else new_session_id()
        self.tool = str(record.get("tool") or "unknown")
        cwd = record.get("cwd")
        try:
            self.commit = self.correlator.session_context(str(cwd) if cwd else None)
        except Exception as exc:  # correlation must never cost a session
            log.warning("commit context failed: %s", exc)
            self.commit = None
        self._head = self.commit.get("head") if isinstance(self.commit, Mapping) else None
        b = self.bounds
        cuts: list[dict[str, Any]] = []
        data: dict[str, Any] = {"name": record.get("name"), "tool": self.tool}
        for key in ("program", "argv", "cwd", "env", "pid"):
            if record.get(key) is not None:
                data[key] = bound_value(record[key], key, cuts, chars=b.meta_chars, depth=2, items=b.meta_items)
        meta = dict(record.get("meta") or {}) if isinstance(record.get("meta"), Mapping) else {}
        meta.setdefault("writer_pid", os.getpid())
        data["meta"] = bound_value(meta, "meta", cuts, chars=b.meta_chars, depth=b.depth, items=b.meta_items)
        data["commit"] = self.commit
        if cuts:
            data["truncation"] = cuts
        data = self._redact(data)
        self._call_hook("session_started", data)
        self._emit("session_started", data, record, redacted=True)

    def _snapshot(self, record: Mapping[str, Any]) -> None:
        if not self.snap_bucket.allow():
            self.counts["dropped_snapshots"] += 1
            return
        data, cuts = bound_snapshot(record, self.bounds)
        data.setdefault("reason", "manual")
        data["snap_id"] = snap_id = snapshot_id(self.session_id or "", self.seq + 1)
        if cuts:
            self.counts["truncations"] += len(cuts)
        # Plugins see redacted data only. Without a snapshot plugin, only the light part (the
        # frames' locations and the other fields: what correlation reads and may log) is redacted
        # here, and the gate's pass in _emit is the one walk of the variables.
        plugins = self._wants("snapshot")
        data = self._redact(data) if plugins else self._redact_light(data)
        try:
            data = self.correlator.snapshot(data)
        except Exception as exc:
            log.warning("correlation of a snapshot failed: %s", exc)
        if self.commit and "commit" not in data:
            data["commit"] = self.commit
        head = data["commit"].get("head") if isinstance(data.get("commit"), Mapping) else None
        if head and head != self._head:
            self._new_commits(record)  # HEAD moved since the last stop: its commits come first
            self._head = head  # also after a reset to an older commit, which lists none
        kept = self._call_hook("snapshot", data, default=data)
        if kept is None:
            self.counts["dropped_by_plugins"] += 1
            return
        data = kept if isinstance(kept, dict) else data
        data["snap_id"] = snap_id  # what a plugin may not change
        self.counts["snapshots"] += 1
        frames = data.get("frames") or []
        if frames and isinstance(frames[0], Mapping) and frames[0].get("symbol"):
            self._top_symbols[str(frames[0]["symbol"])] += 1
        for f in frames:
            if isinstance(f, Mapping) and f.get("symbol") and len(self._symbols) < _SUMMARY_ITEMS * 4:
                self._symbols[str(f["symbol"])] = None
        bp = data.get("bp_id")
        if bp is not None and str(bp) in self._breakpoints:
            self._breakpoints[str(bp)]["snapshots"] = self._breakpoints[str(bp)].get("snapshots", 0) + 1
        head = (data.get("commit") or {}).get("head") if isinstance(data.get("commit"), Mapping) else None
        if head and head not in self._commits:
            self._commits.append(head)
        self._emit("debug_snapshot", data, record, redacted=plugins)

    def _sample(self, record: Mapping[str, Any]) -> None:
        if not self.sample_bucket.allow():
            self.counts["dropped_samples"] += 1
            return
        data, cuts = bound_sample(record, self.bounds)
        if cuts:
            self.counts["truncations"] += len(cuts)
        self.counts["samples"] += 1
        self._emit("stack_sample", data, record)  # no hook sees samples: the gate's pass is the one

    def _breakpoint(self, record: Mapping[str, Any]) -> None:
        action = record["action"]
        cuts: list[dict[str, Any]] = []
        data: dict[str, Any] = {}
        for key in EVENT_TYPES["breakpoint_set"]:
            if record.get(key) is not None:
                data[key] = bound_value(record[key], key, cuts, chars=self.bounds.meta_chars, depth=2, items=25)
        # The record's own "kind" is "breakpoint"; the breakpoint's kind travels as "bp_kind".
        data["kind"] = str(record.get("bp_kind") or "breakpoint")
        if cuts:
            data["truncation"] = cuts
        data = self._redact(data)
        try:
            data = self.correlator.breakpoint(data)
        except Exception as exc:
            log.warning("correlation of a breakpoint failed: %s", exc)
        self._call_hook("breakpoint", data)
        bp_id = str(data.get("bp_id", len(self._breakpoints) + 1))
        state = self._breakpoints.setdefault(bp_id, {"bp_id": bp_id})
        state.update({k: data[k] for k in ("location", "file", "line", "symbol", "condition", "hits",
                                           "kind", "stable_id") if k in data})
        if action == "removed":
            state["removed"] = True
        self.counts["breakpoint_events"] += 1
        self._emit(f"breakpoint_{action}", data, record, redacted=True)

    def _passthrough(self, record: Mapping[str, Any]) -> None:
        etype = str(record["type"])
        if etype in ("session_started", "session_ended", "debug_session"):
            raise RecordError(f"{etype} is written by the pipeline itself; use start/end records")
        b = self.bounds
        cuts: list[dict[str, Any]] = []
        data = bound_value(record["data"], "data", cuts, chars=b.meta_chars * 4, depth=b.depth + 2,
                           items=b.meta_items * 5)
        if cuts:
            data["truncation"] = cuts
        data = self._redact(data)
        if etype == "file_changed":
            self._call_hook("file_changed", data)
        elif etype == "vcs_commit":
            self._call_hook("commit_seen", data)
            h = data.get("hash")
            if isinstance(h, str) and h not in self._commits:
                self._commits.append(h)
        self.counts[etype] += 1
        self._emit(etype, data, record, redacted=True, visibility=record.get("visibility"))

    def _new_commits(self, record: Mapping[str, Any]) -> None:
        """Record as `vcs_commit` events the commits HEAD moved to since the last look (made,
        pulled or checked out while recording); seen at stops and at the end of the session."""
        if self.commit is None:  # no repository (or no context) at the start: nothing to compare
            return
        new_commits = getattr(self.correlator, "new_commits", None)
        if new_commits is None:
            return
        try:
            found = new_commits(self._head)
        except Exception as exc:  # correlation must never cost a session
            log.warning("listing new commits failed: %s", exc)
            return
        for data in found:
            self._passthrough({"kind": "event", "type": "vcs_commit", "data": data, "ts": record.get("ts")})
            self._head = data.get("hash") or self._head

    def _end(self, record: Mapping[str, Any]) -> None:
        self._new_commits(record)
        summary: dict[str, Any] = {
            "tool": self.tool,
            "breakpoints": list(self._breakpoints.values())[:_SUMMARY_ITEMS],
            "stack_summary": [{"symbol": s, "snapshots": n} for s, n in self._top_symbols.most_common(20)],
            "commits": self._commits[:_SUMMARY_ITEMS],
            "symbols": list(self._symbols)[: _SUMMARY_ITEMS * 2],
            "counts": self._counts(),
        }
        self._emit("debug_session", self._redact(summary), record, redacted=True)
        data: dict[str, Any] = {"reason": str(record.get("reason") or "stopped")}
        if record.get("exit_code") is not None:
            data["exit_code"] = record.get("exit_code")
        data["counts"] = self._counts()
        self._call_hook("session_ended", data)
        data["counts"] = self._counts()  # plugin failures of the hook itself count too
        self._emit("session_ended", data, record, redacted=True)
        self.ended = True

    # -- helpers -------------------------------------------------------------------------------
    def _counts(self) -> dict[str, Any]:
        return {
            "snapshots": self.counts["snapshots"],
            "samples": self.counts["samples"],
            "breakpoints": len(self._breakpoints),
            "notes": self.counts["notes"],
            "files_changed": self.counts["file_changed"],
            "commits": self.counts["vcs_commit"],
            "dropped_snapshots": self.counts["dropped_snapshots"],
            "dropped_samples": self.counts["dropped_samples"],
            "dropped_by_plugins": self.counts["dropped_by_plugins"],
            "truncations": self.counts["truncations"],
            "redactions": self.redactions.count,
            "redactions_by_kind": redaction_kinds(self.redactions.kinds),
            "plugin_failures": int(getattr(self.hooks, "failures", 0) or 0),
            "malformed_records": self.counts["malformed_records"],
        }

    def _redact(self, data: dict[str, Any]) -> dict[str, Any]:
        out, stats = self.redactor.redact(data)
        if stats.count:
            self.redactions = self.redactions.merged(stats)
        if not isinstance(out, dict):
            return {"redacted": out}
        if stats.count:
            out["redactions"] = redaction_kinds(stats.kinds)
        return out

    def _redact_light(self, data: dict[str, Any]) -> dict[str, Any]:
        """Redact a bounded snapshot except its frames' variables, which are put back unwalked."""
        frames = data.get("frames")
        if not isinstance(frames, list):
            return self._redact(data)
        heavy = [{k: f.pop(k) for k in _FRAME_VARS if k in f} if isinstance(f, dict) else {} for f in frames]
        out = self._redact(data)
        for frame, held in zip(out.get("frames") or [], heavy):
            if isinstance(frame, dict):  # a frame the redactor replaced whole keeps nothing back
                frame.update(held)
        return out

    def _wants(self, hook: str) -> bool:
        wants = getattr(self.hooks, "wants", None)
        return True if wants is None else bool(wants(hook))

    def _call_hook(self, name: str, data: dict[str, Any], default: Any = None) -> Any:
        try:
            return getattr(self.hooks, name)(data)
        except Exception as exc:  # the hooks wrapper should catch; this is the last line
            log.warning("plugin hook %s failed: %s", name, exc)
            self.counts["plugin_failures_unwrapped"] += 1
            return default

    def _emit(
        self,
        etype: str,
        data: dict[str, Any],
        record: Mapping[str, Any],
        *,
        redacted: bool = False,
        visibility: Any = None,
    ) -> None:
        vis = visibility if visibility in ("private", "team", "public") else "private"
        self.seq += 1
        event = Event(
            type=etype, session=self.session_id or "", data=data, seq=self.seq,
            ts=_record_ts(record), actor=str(record.get("actor") or self.tool), visibility=vis,
        )
        # The gate. After the pipeline's own pass (redacted=True) it catches what stages added;
        # otherwise it is the one pass, and notes in the data what it redacted.
        gated = redact_event(event, self.redactor, note=not redacted)
        limit = self.bounds.event_bytes
        text = gated.data_json
        if len(text) * 4 > limit and text_size(text) > limit:
            # The hard cap, measured on the very text the store would write (the gate encodes it
            # anyway): cut the redacted data and pass the rest through the gate again.
            self._count_gate(gated)
            gated = redact_event(gated.event.with_(data=cap_event(dict(gated.event.data), limit)), self.redactor)
        self._count_gate(gated)
        self.sink.emit(gated)

    def _count_gate(self, gated: RedactedEvent) -> None:
        if gated.redactions:
            self.redactions = self.redactions.merged(RedactionStats(dict(gated.redactions)))
