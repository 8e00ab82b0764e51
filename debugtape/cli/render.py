"""Human output: one-line event summaries, rich tables for sessions, snapshots and diffs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from debugtape.events import Event

__all__ = ["event_summary", "event_line", "sessions_table", "snapshot_panel", "value_text", "diff_table"]


def _loc(d: Mapping[str, Any]) -> str:
    f = d.get("file")
    base = f.rsplit("/", 1)[-1] if isinstance(f, str) else None
    line = d.get("line")
    if base and line is not None:
        return f"{base}:{line}"
    return str(d.get("location") or base or "?")


def value_text(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_summary(ev: Event) -> str:
    d = ev.data
    t = ev.type
    if t == "debug_snapshot":
        frames = d.get("frames") or [{}]
        top: Mapping[str, Any] = frames[0] if isinstance(frames[0], Mapping) else {}
        sid = str(d.get("snap_id", ""))[:8]
        extra = f" {d['signal']}" if d.get("signal") else ""
        return f"{d.get('reason', '?')}{extra} in {top.get('symbol', '?')} ({_loc(top)}) snap {sid}"
    if t.startswith("breakpoint_"):
        cond = f" if {d['condition']}" if d.get("condition") else ""
        hits = f" hits={d['hits']}" if d.get("hits") is not None else ""
        sym = f" in {d['symbol']}" if d.get("symbol") else ""
        return f"#{d.get('bp_id', '?')} {_loc(d)}{sym}{cond}{hits}"
    if t == "stack_sample":
        threads = d.get("threads") or []
        frames = d.get("frames") or []
        stacks = d.get("stacks") or []
        top_symbol = "?"
        if threads and stacks and frames:
            try:
                top_symbol = frames[stacks[threads[0]["stack"]][0]].get("symbol", "?")
            except (IndexError, KeyError, TypeError):
                pass
        return f"{len(threads)} thread(s), top {top_symbol}"
    if t == "note":
        return value_text(d.get("text", ""), 100)
    if t == "session_started":
        commit = d.get("commit") or {}
        head = commit.get("head", "")[:8] if isinstance(commit, Mapping) else ""
        return f"{d.get('name') or ''} tool={d.get('tool')} {('commit ' + head) if head else ''}".strip()
    if t == "session_ended":
        c = d.get("counts") or {}
        return (f"{d.get('reason')}: {c.get('snapshots', 0)} snapshots, {c.get('samples', 0)} samples, "
                f"{c.get('redactions', 0)} redactions")
    if t == "file_changed":
        return _file_change(d)
    if t == "vcs_commit":
        branch = f" on {d['branch']}" if d.get("branch") else ""
        return f"{d.get('reason') or 'commit'} {str(d.get('hash', ''))[:8]}{branch}: {d.get('message', '')}"
    if t == "watch_started":
        files = f" ({d['files']} files)" if d.get("files") is not None else ""
        return f"watching {d.get('root')}{files}"
    if t == "batch_processed":
        return _batch(d)
    if t == "debug_session":
        c = d.get("counts") or {}
        return f"summary: {len(d.get('breakpoints') or [])} breakpoints, {c.get('snapshots', 0)} snapshots"
    return value_text({k: v for k, v in d.items()}, 100)


def _few(items: Sequence[Any], total: int, shown: int = 4) -> str:
    more = total - min(len(items), shown)
    return ", ".join(str(i) for i in items[:shown]) + (f" (+{more} more)" if more > 0 else "")


def _file_change(d: Mapping[str, Any]) -> str:
    """'modified src/parser.c lines 120-130, 141', 'moved a.c -> b.c', 'modified logo.png (binary)'."""
    text = f"{d.get('kind', 'changed')} {d.get('path')}" + (f" -> {d['dest']}" if d.get("dest") else "")
    lines = d.get("lines")
    if d.get("binary"):
        text += " (binary)"
    elif isinstance(lines, list) and lines:
        ranges = [f"{r[0]}" if r[0] == r[-1] else f"{r[0]}-{r[-1]}"
                  for r in lines if isinstance(r, list) and r]
        text += " lines " + _few(ranges, int(d.get("lines_total") or len(ranges)))
    elif lines == []:
        text += " (same as HEAD)"
    return text


def _batch(d: Mapping[str, Any]) -> str:
    """A watcher batch ('2 files: a.c, b.c') or an inbox file ('inbox x.jsonl: done, 41 events')."""
    paths = d.get("paths") or []
    if d.get("source") != "inbox":
        count = int(d.get("count") or len(paths))
        return f"{count} file{'' if count == 1 else 's'}: {_few(paths, count)}"
    name = paths[0] if paths else "?"
    if d.get("status") != "done":
        return f"inbox {name}: failed: {d.get('reason', '?')}"
    result = d.get("result") or {}
    if "imported" in result:
        got = f"{result['imported']} events imported, {result.get('skipped', 0)} already present"
    else:
        got = f"{len(result.get('sessions') or [])} session(s) from a DAP log"
    return f"inbox {name}: {got}"


def event_line(event_id: int | None, ev: Event) -> str:
    ts = ev.ts.replace("T", " ").rstrip("Z")
    return f"{ts}  {ev.session[:8]} #{ev.seq:<4} {ev.type:<18} {event_summary(ev)}"


def unique_prefix_length(ids: Sequence[str], least: int = 8) -> int:
    """The shortest prefix length (at least `least`) that tells these ids apart, as git does."""
    n = least
    while n < max((len(i) for i in ids), default=0) and len({i[:n] for i in ids}) < len(set(ids)):
        n += 1
    return n


_STATUS_COLOR = {"active": "\033[32m", "interrupted": "\033[33m"}


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], color: Sequence[str | None] | None = None) -> str:
    """Aligned columns; `color` gives an ANSI color per row (used only on a terminal).

    Plain string work: rich's tables cost ~2 ms per row, too slow for a command that should
    answer in well under 150 ms.
    """
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    for k, r in enumerate(rows):
        line = "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
        code = color[k] if color else None
        lines.append(f"{code}{line}\033[0m" if code else line)
    return "\n".join(lines)


def sessions_table(rows: Sequence[Mapping[str, Any]], use_color: bool = False) -> str:
    header = ("id", "name", "tool", "status", "started", "ended", "commit", "snaps", "samples", "events")
    n = unique_prefix_length([r["id"] for r in rows])
    cells = []
    for r in rows:
        counts = r.get("counts") or {}
        commit = (r.get("commit") or "")[:8] + ("+" if r.get("dirty") else "")
        cells.append((
            r["id"][:n], r.get("name") or "", r.get("tool") or "", r["status"],
            (r.get("started") or "").replace("T", " ")[:19], (r.get("ended") or "").replace("T", " ")[:19],
            commit, str(counts.get("snapshots", 0)), str(counts.get("samples", 0)), str(r.get("events") or 0),
        ))
    colors = [_STATUS_COLOR.get(r["status"]) for r in rows] if use_color else None
    return text_table(header, cells, colors)


def _vars_lines(kind: str, variables: Mapping[str, Any], types: Mapping[str, Any]) -> Iterable[str]:
    for name, val in variables.items():
        t = f" ({types[name]})" if name in types else ""
        yield f"    {kind} {name}{t} = {value_text(val, 120)}"


def _thread(thread: Any) -> str:
    if isinstance(thread, Mapping):
        name = f" ({thread['name']})" if thread.get("name") else ""
        return f"{thread.get('id', '?')}{name}"
    return value_text(thread, 40)


def snapshot_panel(ev: Event, event_id: int | None = None) -> str:
    d = ev.data
    lines = [
        f"snapshot {d.get('snap_id')}  session {ev.session}  #{ev.seq}  {ev.ts}",
        f"reason: {d.get('reason')}" + (f"  signal: {d['signal']}" if d.get("signal") else "")
        + (f"  thread: {_thread(d['thread'])}" if d.get("thread") is not None else ""),
    ]
    commit = d.get("commit")
    if isinstance(commit, Mapping) and commit.get("head"):
        lines.append(f"commit: {commit.get('head')} {commit.get('branch') or ''}"
                     + (" (dirty)" if commit.get("dirty") else ""))
    if d.get("note"):
        lines.append(f"note: {d['note']}")
    if d.get("exception"):
        lines.append(f"exception: {value_text(d['exception'], 200)}")
    for f in d.get("frames") or []:
        if not isinstance(f, Mapping):
            continue
        blame = f.get("blame")
        b = ""
        if isinstance(blame, Mapping):
            b = f"  [{str(blame.get('commit') or blame.get('status', ''))[:8]}]"
        lines.append(f"  #{f.get('index', '?'):<2} {f.get('symbol', '?')} at {f.get('file', '?')}:{f.get('line', '?')}{b}")
        types: Mapping[str, Any] = f["types"] if isinstance(f.get("types"), Mapping) else {}
        for kind, label in (("args", "arg"), ("locals", "local")):
            if isinstance(f.get(kind), Mapping):
                lines.extend(_vars_lines(label, f[kind], types))
    cuts = d.get("truncation") or []
    if cuts:
        lines.append(f"truncated: {len(cuts)} cut(s): " + "; ".join(
            f"{c.get('path')} ({c.get('why')}, kept {c.get('kept')} of {c.get('total')})" for c in cuts[:5]
        ) + (" …" if len(cuts) > 5 else ""))
    if d.get("redactions"):
        lines.append(f"redacted: {value_text(d['redactions'], 100)}")
    return "\n".join(lines)


def diff_table(result: Mapping[str, Any]) -> str:
    out = [f"diff {result['a']['snapshot']} -> {result['b']['snapshot']}"]
    for fr in result["frames"]:
        a, b = fr.get("a") or {}, fr.get("b") or {}
        where_a = f"{a.get('symbol', '-')} {_loc(a) if a else ''}".strip()
        where_b = f"{b.get('symbol', '-')} {_loc(b) if b else ''}".strip()
        mark = "=" if fr["same_location"] else "≠"
        out.append(f"  #{fr['index']:<2} {mark} {where_a}" + ("" if fr["same_location"] else f"  ->  {where_b}"))
        for ch in fr["changes"]:
            out.append(f"      {ch['kind']:<8} {ch['path']}: {value_text(ch.get('a'), 50)} -> {value_text(ch.get('b'), 50)}")
    if not any(fr["changes"] for fr in result["frames"]) and all(fr["same_location"] for fr in result["frames"]):
        out.append("  no differences in frames and locals")
    return "\n".join(out)
