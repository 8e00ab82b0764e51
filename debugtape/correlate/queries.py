"""Read-only questions that use correlation: suspect commits, diffs and history at a breakpoint."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from debugtape.correlate.blame import parse_porcelain
from debugtape.correlate.git import GitError, run_git, toplevel
from debugtape.correlate.locations import CorrelateError, Location, parse_location
from debugtape.correlate.render import render_diff_at  # the diff command imports it from here

__all__ = [
    "suspects", "diff_at", "history", "snapshots_at", "session_root", "describe_commits",
    "session_commits", "render_diff_at", "flatten",
]

log = logging.getLogger(__name__)

SNAPSHOT = "debug_snapshot"
_MISSING: dict[str, Any] = {"$missing": True}


# ---- shared helpers ------------------------------------------------------------------------


def session_root(store: Any, session: str) -> Path | None:
    """The work tree a session ran in: its recorded commit root, else its cwd's, if still there."""
    started = store.events(session=session, types=["session_started"], limit=1)
    data = started[0].event.data if started else {}
    commit = data.get("commit")
    recorded = commit.get("root") if isinstance(commit, Mapping) else None
    for cand in (recorded, data.get("cwd")):
        if isinstance(cand, str) and Path(cand).is_dir():
            top = toplevel(cand)
            if top is not None:
                return top
    return None


def describe_commits(root: Path | None, hashes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """author, message (first line) and author_time of commits, in one git call; {} without a repo."""
    wanted = [h for h in dict.fromkeys(hashes) if h]
    if root is None or not wanted:
        return {}
    try:
        out = run_git(["log", "--no-walk=unsorted", "--no-color", "--format=%H%x00%an <%ae>%x00%at%x00%s",
                       *wanted, "--"], root)
    except GitError as exc:
        log.info("cannot describe commits: %s", exc)
        return {}
    found: dict[str, dict[str, Any]] = {}
    for line in out.splitlines():
        parts = line.split("\x00")
        if len(parts) == 4:
            found[parts[0]] = {"author": parts[1], "author_time": int(parts[2]) if parts[2].isdigit() else None,
                               "message": parts[3]}
    return found


def _session_name(store: Any, session: str, known: dict[str, str | None]) -> str | None:
    if session not in known:
        try:
            known[session] = store.session(session).get("name")
        except Exception:  # a pruned or half-written session still shows its snapshots
            known[session] = None
    return known[session]


def _frames(event_data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f for f in event_data.get("frames") or [] if isinstance(f, Mapping)]


def _head(data: Mapping[str, Any]) -> dict[str, Any]:
    c = data.get("commit")
    if not isinstance(c, Mapping):
        return {"head": None, "branch": None, "dirty": None}
    return {"head": c.get("head"), "branch": c.get("branch"), "dirty": c.get("dirty"),
            "diff_hash": c.get("diff_hash")}


# ---- suspects ------------------------------------------------------------------------------


def suspects(store: Any, snapshot_id: str, *, root: Path | None = None, as_of: int | None = None) -> dict[str, Any]:
    """The commits that last touched the lines of a snapshot's stack, ranked: innermost frame
    first, then the most recent commit. Uncommitted lines rank as the newest change.

    Frames recorded without blame are blamed now at the snapshot's recorded HEAD (`computed`)."""
    stored = store.snapshot(snapshot_id, as_of)
    data = stored.event.data
    ctx = _head(data)
    root = root or session_root(store, stored.event.session)
    groups: dict[str, dict[str, Any]] = {}
    unblamed: list[dict[str, Any]] = []
    late = _blame_missing(root, ctx.get("head"), _frames(data))
    for i, frame in enumerate(_frames(data)):
        blame = frame.get("blame")
        computed = False
        if not isinstance(blame, Mapping):
            blame, computed = late.get(i), True
        where = {"index": frame.get("index", i), "symbol": frame.get("symbol"),
                 "file": frame.get("file"), "line": frame.get("line")}
        if not isinstance(blame, Mapping):
            if frame.get("file"):
                unblamed.append({**where, "status": "unknown"})
            continue
        if blame.get("commit"):
            key = str(blame["commit"])
        elif blame.get("status") == "uncommitted":
            key = "uncommitted"
        else:
            unblamed.append({**where, "status": blame.get("status", "unknown")})
            continue
        g = groups.setdefault(key, {
            "commit": None if key == "uncommitted" else key,
            "status": "uncommitted" if key == "uncommitted" else "committed",
            "author_time": blame.get("author_time"), "frames": [], "computed": computed,
        })
        g["frames"].append(where)
    info = describe_commits(root, [k for k in groups if k != "uncommitted"])
    ranked = []
    for key, g in groups.items():
        g.update(info.get(key, {}))
        g["innermost"] = min(int(f["index"]) if isinstance(f["index"], int) else 0 for f in g["frames"])
        ranked.append(g)
    newest = float("inf")
    ranked.sort(key=lambda g: (g["innermost"],
                               -(newest if g["status"] == "uncommitted" else g.get("author_time") or 0)))
    for n, g in enumerate(ranked, 1):
        g["rank"] = n
    return {"snapshot": data.get("snap_id"), "session": stored.event.session,
            "session_name": _session_name(store, stored.event.session, {}), "ts": stored.event.ts,
            "commit": ctx, "suspects": ranked, "unblamed": unblamed}


def _blame_missing(root: Path | None, head: Any, frames: list[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """Blame at the recorded HEAD for frames stored without blame (older or uncorrelated tapes)."""
    if root is None or not isinstance(head, str):
        return {}
    by_file: dict[str, list[tuple[int, int]]] = {}
    for i, f in enumerate(frames):
        if isinstance(f.get("blame"), Mapping) or not isinstance(f.get("line"), int):
            continue
        path = f.get("file")
        if not isinstance(path, str):
            continue
        try:
            rel = Path(path).resolve().relative_to(root.resolve()).as_posix() if Path(path).is_absolute() else path
        except ValueError:
            continue
        by_file.setdefault(rel, []).append((i, int(f["line"])))
    out: dict[int, dict[str, Any]] = {}
    for rel, items in by_file.items():
        args = ["blame", "--porcelain"]
        for _, line in items:
            args += ["-L", f"{line},{line}"]
        try:
            found = parse_porcelain(run_git([*args, head, "--", rel], root))
        except GitError as exc:
            log.info("cannot blame %s at %s: %s", rel, head, exc)
            continue
        for i, line in items:
            if line in found:
                out[i] = found[line]
    return out


# ---- snapshots at a location ---------------------------------------------------------------


def snapshots_at(store: Any, location: Location, session: str | None = None,
                 as_of: int | None = None) -> list[Any]:
    """Stored snapshots whose innermost frame is at `location`, in time order (as the store
    stood at event `as_of`, when given)."""
    kw: dict[str, Any] = {"types": [SNAPSHOT], "as_of": as_of}
    if session:
        kw["session"] = session
    if location.basename:
        kw["file"] = location.basename  # the key index narrows to stacks touching that file
    elif location.index_symbol:
        kw["symbol"] = location.index_symbol
    out = []
    for se in store.events(**kw):
        frames = _frames(se.event.data)
        if frames and location.matches(frames[0]):
            out.append(se)
    return out


def _value_at(values: Mapping[str, Any], path: str) -> Any:
    """`node.left.count` or `items[2]` inside a frame's locals and args."""
    cur: Any = values
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _MISSING
    return cur


def _frame_values(frame: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("args", "locals"):
        v = frame.get(key)
        if isinstance(v, Mapping):
            values.update(v)
    return values


# ---- history -------------------------------------------------------------------------------


def history(store: Any, location: str, vars: Sequence[str] = (), *, limit: int | None = None,
            cwd: str | None = None, as_of: int | None = None) -> dict[str, Any]:
    """Every snapshot taken at `location` across sessions and commits, oldest first, with the
    values of the named locals (all of them when none are named)."""
    loc = parse_location(location, cwd)
    rows = []
    names: dict[str, str | None] = {}
    for se in snapshots_at(store, loc, as_of=as_of):
        data = se.event.data
        top = _frames(data)[0]
        values = _frame_values(top)
        shown = {v: _value_at(values, v) for v in vars} if vars else values
        rows.append({
            "ts": se.event.ts, "session": se.event.session,
            "session_name": _session_name(store, se.event.session, names),
            "snapshot": data.get("snap_id"), "seq": se.event.seq, "reason": data.get("reason"),
            "symbol": top.get("symbol"), "file": top.get("file"), "line": top.get("line"),
            "stable_id": top.get("stable_id"), "commit": _head(data), "values": shown,
        })
    if limit:
        rows = rows[-limit:]
    return {"location": _describe(loc), "vars": list(vars), "snapshots": rows}


def _describe(loc: Location) -> dict[str, Any]:
    return {"text": loc.text, "stable_id": str(loc.stable) if loc.stable else None,
            "file": loc.file, "line": loc.line, "symbol": loc.symbol}


# ---- diff at a location --------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}, "c": [5]} -> {"a.b": 1, "c[0]": 5}; special one-key values stay whole."""
    out: dict[str, Any] = {}
    if isinstance(value, Mapping) and value and not (len(value) == 1 and next(iter(value)).startswith("$")):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def diff_at(store: Any, location: str, session_a: str, session_b: str, *, hit: int = 1,
            cwd: str | None = None, as_of: int | None = None) -> dict[str, Any]:
    """Compare the locals of the `hit`-th snapshot (1 = first) at the same stable location in two
    sessions. Raises CorrelateError when a session never stopped there."""
    loc = parse_location(location, cwd)
    if hit < 1:
        raise CorrelateError(f"--hit counts from 1, not {hit}")
    sides = []
    for ident in (session_a, session_b):
        sid = store.resolve_session(ident, as_of)
        snaps = snapshots_at(store, loc, sid, as_of)
        if len(snaps) < hit:
            raise CorrelateError(
                f"session {sid[:12]} has {len(snaps)} snapshot(s) at {location}, so no hit {hit}"
                " (try `debugtape history LOCATION` to see where snapshots were taken)")
        se = snaps[hit - 1]
        top = _frames(se.event.data)[0]
        sides.append((sid, se, top, len(snaps)))
    (sa, ea, fa, na), (sb, eb, fb, nb) = sides
    va, vb = flatten(_frame_values(fa)), flatten(_frame_values(fb))
    changes = []
    for name in sorted(set(va) | set(vb)):
        if name not in va:
            changes.append({"name": name, "change": "added", "a": None, "b": vb[name]})
        elif name not in vb:
            changes.append({"name": name, "change": "removed", "a": va[name], "b": None})
        elif va[name] != vb[name]:
            changes.append({"name": name, "change": "changed", "a": va[name], "b": vb[name]})

    def side(sid: str, se: Any, top: Mapping[str, Any], count: int) -> dict[str, Any]:
        return {"session": sid, "session_name": _session_name(store, sid, {}), "snapshot": se.event.data.get("snap_id"), "ts": se.event.ts,
                "hits": count, "commit": _head(se.event.data), "symbol": top.get("symbol"),
                "file": top.get("file"), "line": top.get("line"), "stable_id": top.get("stable_id")}

    return {"location": _describe(loc), "hit": hit, "a": side(sa, ea, fa, na), "b": side(sb, eb, fb, nb),
            "changes": changes, "unchanged": sorted(k for k in set(va) & set(vb) if va[k] == vb[k])}


def session_commits(store: Any, session_a: str, session_b: str) -> dict[str, Any]:
    """The commits between the HEADs two sessions ran on (reachable from B's, not from A's), as
    `vcs_commit` data, oldest first."""
    from debugtape.correlate.commits import commits_between

    ends = []
    for ident in (session_a, session_b):
        sid = store.resolve_session(ident)
        row = store.session(sid)
        ends.append({"session": sid, "head": row.get("commit"), "branch": row.get("branch")})
    if not ends[1]["head"]:
        raise CorrelateError(f"session {ends[1]['session'][:12]} has no commit (recorded outside a repository)")
    root = session_root(store, ends[1]["session"]) or session_root(store, ends[0]["session"])
    if root is None:
        raise CorrelateError("neither session's work tree is here any more; run this inside the repository")
    try:
        commits = commits_between(root, ends[0]["head"], ends[1]["head"], branch=ends[1]["branch"])
    except GitError as exc:
        raise CorrelateError(f"cannot list the commits between the sessions in {root}: {exc}") from exc
    result = {"from": ends[0], "to": ends[1], "root": str(root), "commits": commits}
    if not commits and ends[0]["head"] and ends[0]["head"] != ends[1]["head"]:
        try:  # A ran on a later commit than B: the user most likely swapped them
            run_git(["merge-base", "--is-ancestor", ends[1]["head"], ends[0]["head"]], root)
            result["hint"] = "session A ran on a later commit than session B: swap them"
        except GitError:
            pass
    return result

