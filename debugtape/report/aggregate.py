"""Turning a store's sessions into the compact, already-aggregated data the HTML report draws."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from debugtape.events import Event, now_ts, parse_ts
from debugtape.redact.engine import Redactor
from debugtape.report.changes import CHANGE_TYPES, change_of, changes_between, event_time, row_event
from debugtape.report.samples import FrameKey, Progress, Stack, no_progress, session_stacks
from debugtape.report.source import SourceLines
from debugtape.store.rows import snapshot_id

if TYPE_CHECKING:
    from debugtape.store import Store

__all__ = ["ReportLimits", "build_report_data", "Progress"]


@dataclass(frozen=True)
class ReportLimits:
    """Bounds that keep the page small and fast whatever the session's size."""

    flame_min_fraction: float = 1 / 3000  # flame boxes thinner than this are left out
    hot_rows: int = 60
    changes: int = 2000
    notes: int = 2000


class _Names:
    """Interned strings: the page refers to repeated names by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []

    def __call__(self, name: str) -> int:
        i = self.index.get(name)
        if i is None:
            i = self.index[name] = len(self.names)
            self.names.append(name)
        return i


class _Flame:
    """Sampled stacks counted once per distinct stack; the tree and the hot spots come from the counts."""

    def __init__(self) -> None:
        self.counts: dict[Stack, int] = {}
        self.samples = 0

    def add(self, stack: Stack, n: int = 1) -> None:
        self.samples += n
        self.counts[stack] = self.counts.get(stack, 0) + n

    def encode(self, names: _Names, min_count: int) -> list[Any]:
        """[name index, total, children], children below min_count left out (drawn as gaps).

        Built top-down by grouping stacks on their frame at each depth, descending only into
        groups big enough to be drawn: the work stops where the boxes become too thin to see,
        which matters when a long run has hundreds of thousands of distinct stacks.
        """

        def grow(items: list[tuple[Stack, int]], depth: int) -> list[list[Any]]:
            groups: dict[FrameKey, list[Any]] = {}
            for stack, n in items:
                if len(stack) > depth:
                    group = groups.get(stack[depth])
                    if group is None:
                        group = groups[stack[depth]] = [0, []]
                    group[0] += n
                    group[1].append((stack, n))
            kids = [[names(_label(key)), total, grow(members, depth + 1)]
                    for key, (total, members) in groups.items() if total >= min_count]
            kids.sort(key=lambda k: -k[1])
            return kids

        return [names("all samples"), self.samples, grow(list(self.counts.items()), 0)]

    def hot(self, rows: int) -> list[dict[str, Any]]:
        self_counts: dict[FrameKey, int] = {}
        totals: dict[FrameKey, int] = {}
        for stack, n in self.counts.items():
            leaf = stack[-1]
            self_counts[leaf] = self_counts.get(leaf, 0) + n
            for key in set(stack):
                totals[key] = totals.get(key, 0) + n
        keys = sorted(totals, key=lambda k: (-self_counts.get(k, 0), -totals[k], k))
        return [{"symbol": k[0], "file": k[1], "self": self_counts.get(k, 0), "total": totals[k]}
                for k in keys[:rows]]


def _label(key: FrameKey) -> str:
    base = key[1].rsplit("/", 1)[-1]
    return f"{key[0]} ({base})" if base else key[0]


def _loc(frame: Mapping[str, Any]) -> str:
    file = str(frame.get("file") or "")
    base = file.rsplit("/", 1)[-1]
    line = frame.get("line")
    return f"{base}:{line}" if base and line else base


def _bp_key(data: Mapping[str, Any]) -> str:
    for field in ("stable_id", "location"):
        if data.get(field):
            return str(data[field])
    if data.get("file") and data.get("line"):
        return f"{data['file']}:{data['line']}"
    return f"#{data.get('bp_id')}"


def _bp_label(data: Mapping[str, Any]) -> str:
    if data.get("file") and data.get("line"):
        label = f"{str(data['file']).rsplit('/', 1)[-1]}:{data['line']}"
    else:
        label = str(data.get("location") or f"#{data.get('bp_id')}")
    if data.get("symbol"):
        label += f" in {data['symbol']}"
    if data.get("condition"):
        label += f" if {data['condition']}"
    return label


def _session_row(store: Store, sid: str) -> dict[str, Any]:
    row = dict(store.session(sid) or {})
    row.setdefault("id", sid)
    # The store keeps the commit context flat (commit hash, branch, dirty); the page takes one object.
    commit = row.get("commit")
    if commit is not None and not isinstance(commit, Mapping):
        row["commit"] = {"head": commit, "branch": row.get("branch"), "dirty": row.get("dirty")}
    return row


# Everything the page shows except samples, which are read apart (see samples.session_stacks).
SHOWN_TYPES = ("session_started", "session_ended", "debug_snapshot", "breakpoint_set",
               "breakpoint_changed", "breakpoint_removed", "note", *CHANGE_TYPES)


class _SessionBuilder:
    """Folds one session's events, in order, into what the page shows for it."""

    def __init__(self, row: dict[str, Any], index: int, names: _Names, sources: SourceLines,
                 details: list[dict[str, Any]]) -> None:
        self.row = row
        self.index = index
        self.names = names
        self.sources = sources
        self.details = details
        self.t0: float | None = parse_ts(row["started"]) if row.get("started") else None
        self.t_last = self.t0 or 0.0
        self.snaps: dict[str, list[Any]] = {k: [] for k in ("i", "t", "seq", "r", "bp", "sym", "loc", "th")}
        self.breakpoints: dict[str, dict[str, Any]] = {}
        self.bp_by_id: dict[str, str] = {}
        self.hits: Counter[str] = Counter()
        self.notes: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.flame = _Flame()
        self.meta: dict[str, Any] = {}

    def rel(self, t: float) -> float:
        if self.t0 is None:
            self.t0 = t
        self.t_last = max(self.t_last, t)
        return round(t - self.t0, 3)

    def add(self, event: Event) -> None:
        data = event.data
        kind = event.type
        if kind == "debug_snapshot":
            self._snapshot(event)
        elif kind in ("breakpoint_set", "breakpoint_changed", "breakpoint_removed"):
            key = _bp_key(data)
            bp_id = str(data.get("bp_id"))
            known = self.bp_by_id.get(bp_id)
            if kind == "breakpoint_changed" and known:
                key = known  # a moved or edited breakpoint keeps its row
            self.bp_by_id[bp_id] = key
            entry = self.breakpoints.setdefault(key, {"key": key, "label": _bp_label(data)})
            entry["recorded_hits"] = data.get("hits", entry.get("recorded_hits"))
            if kind == "breakpoint_removed":
                entry["removed"] = True
        elif kind == "note":
            self.notes.append({"t": self.rel(event_time(event)), "text": str(data.get("text", ""))})
        elif kind in CHANGE_TYPES:
            self.changes.append(change_of(event, self.row["id"]))
        elif kind == "session_started":
            self.meta = {k: data.get(k) for k in ("program", "argv", "cwd", "pid")}
            if data.get("commit") and not self.row.get("commit"):
                self.row["commit"] = data.get("commit")
            self.rel(event_time(event))
        elif kind == "session_ended":
            self.meta["end_reason"] = data.get("reason")
            self.meta["exit_code"] = data.get("exit_code")
            self.rel(event_time(event))

    def _snapshot(self, event: Event) -> None:
        data = event.data
        frames = [f for f in data.get("frames") or [] if isinstance(f, Mapping)]
        top = frames[0] if frames else {}
        bp_id = data.get("bp_id")
        bp_key = self.bp_by_id.get(str(bp_id)) if bp_id is not None else None
        if bp_id is not None and bp_key is None:
            bp_key = f"#{bp_id}"
            self.bp_by_id[str(bp_id)] = bp_key
            self.breakpoints.setdefault(bp_key, {"key": bp_key, "label": f"breakpoint {bp_id}"})
        if bp_key:
            self.hits[bp_key] += 1
        thread = data.get("thread")
        thread_name = (thread.get("name") or thread.get("id")) if isinstance(thread, Mapping) else thread
        t = self.rel(event_time(event))
        i = len(self.details)
        s = self.snaps
        s["i"].append(i)
        s["t"].append(t)
        s["seq"].append(event.seq)
        s["r"].append(self.names(str(data.get("reason") or "")))
        s["bp"].append(self.names(bp_key) if bp_key else -1)
        s["sym"].append(self.names(str(top.get("symbol") or "??")))
        s["loc"].append(self.names(_loc(top)))
        s["th"].append(self.names(str(thread_name)) if thread_name is not None else -1)
        if data.get("note"):
            self.notes.append({"t": t, "text": str(data["note"]), "snap": i})
        self.details.append({
            "session": self.index,
            "seq": event.seq,
            "ts": event.ts,
            "snap_id": data.get("snap_id") or snapshot_id(event.session, event.seq),
            "reason": data.get("reason"),
            "thread": thread,
            "bp": bp_key,
            "note": data.get("note"),
            "signal": data.get("signal"),
            "exception": data.get("exception"),
            "commit": data.get("commit"),
            "truncation": data.get("truncation") or [],
            "frames": [_frame(f, self.sources) for f in frames],
        })

    def finish(self, names: _Names, limits: ReportLimits) -> dict[str, Any]:
        min_count = max(1, int(self.flame.samples * limits.flame_min_fraction))
        row = self.row
        return {
            "id": row["id"],
            "name": row.get("name") or "",
            "tool": row.get("tool") or "",
            "status": row.get("status") or "",
            "started": row.get("started"),
            "ended": row.get("ended"),
            "commit": row.get("commit"),
            "counts": row.get("counts") or {},
            "meta": self.meta,
            "t0": self.t0,
            "duration": round(max(0.0, self.t_last - (self.t0 or self.t_last)), 3),
            "snaps": self.snaps,
            "hits": dict(self.hits),
            "recorded_hits": {k: b.get("recorded_hits") for k, b in self.breakpoints.items()
                              if b.get("recorded_hits") is not None},
            "samples": self.flame.samples,
            "flame": self.flame.encode(names, min_count) if self.flame.samples else None,
            "hot": self.flame.hot(limits.hot_rows),
            "notes": self.notes[: limits.notes],
        }


def _frame(frame: Mapping[str, Any], sources: SourceLines) -> dict[str, Any]:
    out = {k: frame.get(k) for k in ("index", "symbol", "file", "line", "module", "address",
                                      "args", "locals", "types", "blame") if frame.get(k) is not None}
    src = sources.line(frame.get("file"), frame.get("line"))
    if src is not None:
        out["src"] = src
    return out


def build_report_data(
    store: Store,
    session_ids: Sequence[str],
    *,
    redactor: Redactor | None = None,
    limits: ReportLimits = ReportLimits(),
    progress: Progress = no_progress,
    title: str | None = None,
) -> dict[str, Any]:
    """Everything the page needs, aggregated: per-session summaries, snapshot details, flame trees.

    The result has two parts the page treats differently: `summary` (small, parsed at load) and
    `details` (one entry per snapshot, parsed on the first click).
    """
    names = _Names()
    sources = SourceLines(redactor or Redactor())
    details: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    bp_labels: dict[str, str] = {}
    all_changes: list[dict[str, Any]] = []
    for index, sid in enumerate(session_ids):
        row = _session_row(store, sid)
        builder = _SessionBuilder(row, index, names, sources, details)
        label = f"report {row.get('name') or sid[:8]}"
        events = list(store.events(session=sid, types=list(SHOWN_TYPES)))
        for r in progress(events, len(events), label):
            builder.add(row_event(r))
        stacks: Counter[Stack] = Counter()
        last_ms = 0
        for ts_ms, _thread, stack in session_stacks(store, sid, progress, f"{label}: samples"):
            stacks[stack] += 1
            last_ms = ts_ms
        for stack, n in stacks.items():
            builder.flame.add(stack, n)
        if last_ms:
            builder.rel(last_ms / 1000)
        for key, bp in builder.breakpoints.items():
            bp_labels.setdefault(key, bp["label"])
        all_changes.extend(builder.changes)
        sessions.append(builder.finish(names, limits))
    changes = changes_between(store, sessions, all_changes, sources.redactor, limits.changes)
    summary = {
        "title": title or "debugtape report",
        "generated": now_ts(),
        "names": names.names,
        "sessions": sessions,
        "breakpoints": [{"key": k, "label": v} for k, v in bp_labels.items()],
        "changes": changes,
        "snapshots": len(details),
    }
    return {"summary": summary, "details": details}
