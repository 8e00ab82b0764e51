"""Comparing two snapshots, and rebuilding a session's final state from its events alone (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from debugtape.events import Event

__all__ = ["diff_values", "diff_snapshots", "replay"]


def diff_values(a: Any, b: Any, path: str, out: list[dict[str, Any]]) -> None:
    """Append the differences between two JSON values, as path-level changes."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in a:
            if k not in b:
                out.append({"path": f"{path}.{k}", "kind": "removed", "a": a[k], "b": None})
            else:
                diff_values(a[k], b[k], f"{path}.{k}", out)
        for k in b:
            if k not in a:
                out.append({"path": f"{path}.{k}", "kind": "added", "a": None, "b": b[k]})
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff_values(x, y, f"{path}[{i}]", out)
        return
    if a != b:
        out.append({"path": path, "kind": "changed", "a": a, "b": b})


def _where(f: Mapping[str, Any]) -> dict[str, Any]:
    return {k: f.get(k) for k in ("symbol", "file", "line") if f.get(k) is not None}


def diff_snapshots(a: Event, b: Event) -> dict[str, Any]:
    """Frame by frame from the innermost: location and locals/args that differ."""
    fa = [f for f in a.data.get("frames") or [] if isinstance(f, Mapping)]
    fb = [f for f in b.data.get("frames") or [] if isinstance(f, Mapping)]
    frames: list[dict[str, Any]] = []
    for i in range(max(len(fa), len(fb))):
        x = fa[i] if i < len(fa) else None
        y = fb[i] if i < len(fb) else None
        changes: list[dict[str, Any]] = []
        if x is not None and y is not None:
            for kind in ("args", "locals"):
                if kind in x or kind in y:
                    diff_values(x.get(kind) or {}, y.get(kind) or {}, kind, changes)
        same = (x is not None and y is not None
                and x.get("symbol") == y.get("symbol") and _base(x.get("file")) == _base(y.get("file")))
        frames.append({
            "index": i, "a": _where(x) if x else None, "b": _where(y) if y else None,
            "same_location": same, "same_line": same and x.get("line") == y.get("line") if x and y else False,
            "changes": changes,
        })
    return {
        "a": {"snapshot": a.data.get("snap_id"), "session": a.session, "seq": a.seq, "ts": a.ts,
              "commit": (a.data.get("commit") or {}).get("head") if isinstance(a.data.get("commit"), Mapping) else None},
        "b": {"snapshot": b.data.get("snap_id"), "session": b.session, "seq": b.seq, "ts": b.ts,
              "commit": (b.data.get("commit") or {}).get("head") if isinstance(b.data.get("commit"), Mapping) else None},
        "frames": frames,
        "identical": all(f["same_location"] and f["same_line"] and not f["changes"] for f in frames),
    }


def _base(path: Any) -> Any:
    return path.rsplit("/", 1)[-1] if isinstance(path, str) else path


def replay(events: Iterable[Event]) -> dict[str, Any]:
    """A session's final state from its events alone (no denormalized table is read)."""
    state: dict[str, Any] = {
        "session": None, "name": None, "tool": None, "status": "interrupted", "started": None,
        "ended": None, "end_reason": None, "commit": None, "breakpoints": {}, "snapshots": 0,
        "samples": 0, "notes": [], "last_snapshot": None, "threads": {}, "files_changed": [],
        "commits": [], "events": 0, "last_seq": 0, "counts": None,
    }
    bps: dict[str, dict[str, Any]] = state["breakpoints"]
    for ev in events:
        state["events"] += 1
        state["last_seq"] = ev.seq
        d = ev.data
        t = ev.type
        if t == "session_started":
            state.update(session=ev.session, name=d.get("name"), tool=d.get("tool"), started=ev.ts,
                         commit=(d.get("commit") or {}).get("head") if isinstance(d.get("commit"), Mapping) else None)
        elif t.startswith("breakpoint_"):
            bp_id = str(d.get("bp_id"))
            cur = bps.setdefault(bp_id, {"id": bp_id})
            for k in ("location", "file", "line", "symbol", "condition", "hits", "enabled", "kind", "stable_id"):
                if k in d:
                    cur[k] = d[k]
            cur["removed"] = t == "breakpoint_removed"
        elif t == "debug_snapshot":
            state["snapshots"] += 1
            frames = d.get("frames") or []
            top = frames[0] if frames and isinstance(frames[0], Mapping) else {}
            state["last_snapshot"] = {"id": d.get("snap_id"), "seq": ev.seq, "reason": d.get("reason"),
                                      **_where(top)}
            th = d.get("thread")
            if isinstance(th, Mapping) and th.get("id") is not None:
                state["threads"][str(th["id"])] = th.get("name")
        elif t == "stack_sample":
            state["samples"] += 1
            for th in d.get("threads") or []:
                if isinstance(th, Mapping) and th.get("id") is not None:
                    state["threads"][str(th["id"])] = th.get("name")
        elif t == "note":
            state["notes"].append(d.get("text"))
        elif t == "file_changed":
            state["files_changed"].append(d.get("path"))
        elif t == "vcs_commit":
            state["commits"].append(d.get("hash"))
        elif t == "session_ended":
            state.update(status="completed", ended=ev.ts, end_reason=d.get("reason"), counts=d.get("counts"))
    state["breakpoints"] = list(bps.values())
    return state
