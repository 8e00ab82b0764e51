"""Plain-text forms of the correlation queries' answers (the CLI prints these without --json)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["render_suspects", "render_history", "render_diff_at", "render_commits", "short_value"]


def short_value(value: Any, width: int = 40) -> str:
    if isinstance(value, Mapping) and value.get("$missing") is True:
        return "(missing)"  # the name did not exist in that snapshot
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _session(row: Mapping[str, Any], id_key: str = "session", name_key: str = "session_name") -> str:
    """A session as people named it, else its id."""
    return str(row.get(name_key) or str(row.get(id_key))[:12])


def _when(t: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(t)) if isinstance(t, (int, float)) else "?"


def _commit(ctx: Mapping[str, Any] | None) -> str:
    if not ctx or not ctx.get("head"):
        return "no commit"
    text = str(ctx["head"])[:10]
    if ctx.get("dirty"):
        text += "+dirty"
    return text


def _where(f: Mapping[str, Any]) -> str:
    where = f"{f.get('file') or '?'}:{f.get('line') or '?'}"
    return f"{f['symbol']} ({where})" if f.get("symbol") else where


def render_suspects(result: Mapping[str, Any]) -> str:
    lines = [f"snapshot {result.get('snapshot')} in session {_session(result)} "
             f"at {_commit(result.get('commit'))}"]
    if not result.get("suspects"):
        lines.append("no suspect commits: no frame with a file and line inside a repository")
    for s in result.get("suspects", []):
        frames = ", ".join(f"#{f.get('index')} {_where(f)}" for f in s["frames"][:4])
        more = f" and {len(s['frames']) - 4} more" if len(s["frames"]) > 4 else ""
        if s["status"] == "uncommitted":
            head = f"{s['rank']:>3}. uncommitted change in the working tree"
        else:
            head = f"{s['rank']:>3}. {str(s['commit'])[:10]} {_when(s.get('author_time'))}"
            if s.get("author"):
                head += f" {s['author']}"
            if s.get("message"):
                head += f"  {short_value(s['message'], 60)}"
        lines.append(head)
        lines.append(f"       {frames}{more}" + ("  (blamed now, at the recorded HEAD)" if s.get("computed") else ""))
    for u in result.get("unblamed", []):
        lines.append(f"     - #{u.get('index')} {_where(u)}: {u.get('status')}")
    return "\n".join(lines)


def render_history(result: Mapping[str, Any]) -> str:
    loc = result.get("location") or {}
    rows = result.get("snapshots") or []
    head = f"{len(rows)} snapshot(s) at {loc.get('text')}"
    if loc.get("stable_id") and loc.get("stable_id") != loc.get("text"):
        head += f" (stable id {loc['stable_id']})"
    lines = [head]
    width = max((len(_session(r)) for r in rows), default=0)
    for r in rows:
        vals = "  ".join(f"{k}={short_value(v)}" for k, v in (r.get("values") or {}).items())
        lines.append(f"{r['ts'][:19]}  {_session(r):<{width}}  {str(r.get('snapshot'))[:8]}  "
                     f"{_commit(r.get('commit')):<16}  line {r.get('line')!s:<5} {vals}")
    return "\n".join(lines)


def render_diff_at(result: Mapping[str, Any]) -> str:
    a, b = result["a"], result["b"]
    width = max(len(_session(a)), len(_session(b)))
    lines = [f"at {result['location']['text']} (hit {result['hit']})"]
    for mark, side in (("A", a), ("B", b)):
        lines.append(f"  {mark} {_session(side):<{width}}  {_commit(side.get('commit')):<16}  "
                     f"line {side.get('line')}, {side['hits']} hit(s) there")
    if not result["changes"]:
        lines.append("no differences in the locals")
    for c in result["changes"]:
        if c["change"] == "added":
            lines.append(f"+ {c['name']}: {short_value(c['b'])}  (only in B)")
        elif c["change"] == "removed":
            lines.append(f"- {c['name']}: {short_value(c['a'])}  (only in A)")
        else:
            lines.append(f"~ {c['name']}: {short_value(c['a'])} -> {short_value(c['b'])}")
    return "\n".join(lines)


def render_commits(result: Mapping[str, Any]) -> str:
    commits = result.get("commits") or []
    lines = [f"{len(commits)} commit(s) from {str(result.get('from', {}).get('head'))[:10]} to "
             f"{str(result.get('to', {}).get('head'))[:10]}"]
    for c in commits:
        files = ", ".join(c.get("files") or [])
        lines.append(f"{c['hash'][:10]} {_when(c.get('author_time'))} {c.get('author')}  {c.get('message')}")
        if files:
            lines.append(f"           {short_value(files, 90)}")
    if result.get("hint"):
        lines.append(str(result["hint"]))
    return "\n".join(lines)
