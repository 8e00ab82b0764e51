"""Re-placing a past session's breakpoints in today's code by their stable ids, for gdb, lldb,
VS Code or JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from debugtape.correlate.blame import count_lines
from debugtape.correlate.locations import CorrelateError, find_source
from debugtape.correlate.queries import session_root
from debugtape.correlate.stable import parse_stable_id
from debugtape.correlate.symbols import SymbolIndex, default_index

__all__ = ["RestorePlan", "breakpoints_for", "plan_restore", "FORMATS"]

FORMATS = ("gdb", "lldb", "vscode", "json")
_LATEST = ("latest", "last", "@")
_BP_TYPES = ["breakpoint_set", "breakpoint_changed", "breakpoint_removed"]
_FIELDS = ("location", "file", "line", "symbol", "condition", "hits", "enabled", "kind", "stable_id")


@dataclass
class RestorePlan:
    """Where each breakpoint goes today (`placed`) and which could not be placed and why."""

    session: str
    root: str | None
    placed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"session": self.session, "root": self.root, "placed": self.placed, "skipped": self.skipped}

    def render(self, fmt: str) -> tuple[list[str], list[str]]:
        """(lines for stdout, comment lines for stderr) in a debugger's or editor's syntax."""
        if fmt not in FORMATS:
            raise CorrelateError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        notes = [f"# skipped breakpoint {s.get('bp_id')} ({s.get('was')}): {s['reason']}" for s in self.skipped]
        if fmt == "json":
            return [json.dumps(self.to_dict(), ensure_ascii=False, indent=2)], []
        if fmt == "vscode":
            # VS Code's SourceBreakpoint fields (line 1-based, as the editor shows it); no
            # condition key for an unconditional one, as the API leaves it undefined.
            items = [{"path": p["file"], "line": p["line"], "enabled": p.get("enabled", True),
                      **({"condition": cond} if (cond := _one_line(p.get("condition"))) else {})}
                     for p in self.placed if p.get("file")]
            notes += [f"# breakpoint {p.get('bp_id')} on function {p['location']} has no file: not a "
                      "source breakpoint" for p in self.placed if not p.get("file")]
            return [json.dumps({"breakpoints": items}, ensure_ascii=False, indent=2)], notes
        lines: list[str] = []
        for p in self.placed:
            lines += _gdb(p) if fmt == "gdb" else _lldb(p)
        return lines, notes


def _one_line(cond: Any) -> str | None:
    if not isinstance(cond, str) or not cond.strip():
        return None
    return " ".join(cond.split())  # a debugger command is one line


def _where(p: Mapping[str, Any]) -> str:
    if not p.get("file"):
        return str(p["location"])
    path = str(p["file"])
    # gdb reads a quoted file name in a linespec; without quotes a space ends the location.
    return f"'{path}':{p['line']}" if any(c.isspace() for c in path) else f"{path}:{p['line']}"


def _gdb(p: Mapping[str, Any]) -> list[str]:
    cond = _one_line(p.get("condition"))
    verb = "tape snappoint" if p.get("kind") == "snappoint" else "break"
    out = [f"{verb} {_where(p)}" + (f" if {cond}" if cond else "")]
    if p.get("enabled") is False:
        out.append("disable $bpnum")
    return out


def _lldb_quote(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lldb(p: Mapping[str, Any]) -> list[str]:
    cond = _one_line(p.get("condition"))
    if p.get("kind") == "snappoint":
        return [f"tape snappoint {_where(p)}" + (f" if {cond}" if cond else "")]
    if p.get("file"):
        cmd = f"breakpoint set -f {_lldb_quote(p['file'])} -l {p['line']}"
    else:
        cmd = f"breakpoint set -n {_lldb_quote(str(p['location']))}"
    if cond:
        cmd += f" -c {_lldb_quote(cond)}"
    if p.get("enabled") is False:
        cmd += " -d"
    return [cmd]


def _final_breakpoints(store: Any, session: str, as_of: int | None) -> list[dict[str, Any]]:
    """The session's breakpoints as they stood at its end (or at event `as_of`), removed ones
    left out."""
    state: dict[str, dict[str, Any]] = {}
    for se in store.events(session=session, types=_BP_TYPES, as_of=as_of):
        d = se.event.data
        bp_id = str(d.get("bp_id", len(state) + 1))
        if se.event.type == "breakpoint_removed":
            state.pop(bp_id, None)
            continue
        cur = state.setdefault(bp_id, {"bp_id": bp_id})
        cur.update({k: d[k] for k in _FIELDS if k in d})
        if "condition" in d and d["condition"] is None:
            cur["condition"] = None
    return list(state.values())


def breakpoints_for(store: Any, session: str, root: str | os.PathLike[str] | None = None,
                    index: SymbolIndex = default_index, as_of: int | None = None) -> RestorePlan:
    """The plan to re-create a session's breakpoints in today's code under `root` (default: the
    work tree of the current folder, else the one the session ran in)."""
    if session.strip() in _LATEST:
        sid = _latest_with_breakpoints(store, as_of)
        if sid is None:
            raise CorrelateError("no finished session in this store set a breakpoint yet; "
                                 "name a session (debugtape sessions lists them)")
    else:
        sid = store.resolve_session(session, as_of)
    base: Path | None = Path(root) if root else None
    if base is None:
        from debugtape.correlate.git import toplevel

        base = toplevel(os.getcwd()) or session_root(store, sid)
    return plan_restore(sid, _final_breakpoints(store, sid, as_of), base, index)


def _latest_with_breakpoints(store: Any, as_of: int | None) -> str | None:
    """For `latest`: the newest session that is not still recording and set breakpoints (inside
    gdb, `tape restore` right after `tape start` means the previous run, not this one)."""
    for row in store.sessions(as_of=as_of, limit=200):
        if row.get("status") == "active":
            continue
        if store.events(session=row["id"], types=["breakpoint_set"], limit=1, as_of=as_of):
            return str(row["id"])
    return None


def plan_restore(session: str, bps: list[dict[str, Any]], root: Path | None,
                 index: SymbolIndex = default_index) -> RestorePlan:
    plan = RestorePlan(session, str(root) if root else None)
    for bp in bps:
        kind = bp.get("kind") or "breakpoint"
        was = bp.get("location") or (f"{bp.get('file')}:{bp.get('line')}" if bp.get("file") else "?")
        base = {"bp_id": bp.get("bp_id"), "kind": kind, "condition": bp.get("condition"),
                "enabled": bp.get("enabled", True), "hits": bp.get("hits"), "was": was,
                "stable_id": bp.get("stable_id"), "old_line": bp.get("line")}
        if kind not in ("breakpoint", "snappoint"):
            plan.skipped.append({**base, "reason": f"{kind}s are not restored: they name the old "
                                 "program's memory or events, not a line"})
            continue
        placed, reason = _place(bp, root, index)
        if placed is None:
            plan.skipped.append({**base, "reason": reason})
        else:
            plan.placed.append({**base, **placed})
    return plan


def _place(bp: Mapping[str, Any], root: Path | None, index: SymbolIndex) -> tuple[dict[str, Any] | None, str]:
    sid = parse_stable_id(bp["stable_id"]) if isinstance(bp.get("stable_id"), str) else None
    if sid is None and not bp.get("file"):
        loc = bp.get("location")
        if isinstance(loc, str) and loc.strip():
            return {"location": loc, "file": None, "line": None, "how": "location",
                    "note": "placed by its location as given (no file and line were recorded)"}, ""
        return None, "no location, file or stable id was recorded"
    rel = sid.path if sid else str(bp["file"])
    path = _today_file(rel, bp.get("file"), root)
    if path is None:
        return None, f"{rel} does not exist in today's tree" + (f" ({root})" if root else "")
    if sid is None or sid.symbol is None:
        line = sid.offset if sid else bp.get("line")
        if not isinstance(line, int):
            return None, "no line was recorded"
        count = count_lines(path)
        if line > count:
            return None, f"line {line} is past the end of {rel} ({count} lines)"
        return {"file": str(path), "line": line, "how": "recorded_line", "moved": 0,
                "note": "no enclosing function: placed at its recorded line"}, ""
    matches = index.find(path, sid.symbol)
    if not matches:
        return None, f"{sid.symbol} is no longer in {rel}"
    recorded = bp.get("line")
    old = recorded if isinstance(recorded, int) else 0
    sym = min(matches, key=lambda s: abs(s.start_line + sid.offset - old))
    line = sym.start_line + sid.offset
    if line > sym.end_line:
        return None, (f"{sid.symbol} is now {sym.end_line - sym.start_line + 1} lines long; line "
                      f"{sid.offset + 1} of it no longer exists")
    return {"file": str(path), "line": line, "symbol": sym.name, "how": "stable_id",
            "moved": line - old if old else None}, ""


def _today_file(rel: str, recorded: Any, root: Path | None) -> Path | None:
    if not Path(rel).is_absolute() and root is not None and (root / rel).is_file():
        return (root / rel).resolve()
    found = find_source(rel, root)
    if found is not None:
        return found
    if isinstance(recorded, str) and Path(recorded).is_file():
        return Path(recorded)
    return None

