"""File changes and commits between the runs a report shows: recorded ones, and git's history."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from debugtape.errors import DebugtapeError
from debugtape.events import Event, now_ts, parse_ts
from debugtape.redact.engine import Redactor

if TYPE_CHECKING:
    from debugtape.store import Store

__all__ = ["CHANGE_TYPES", "event_time", "row_event", "change_of", "changes_between"]

log = logging.getLogger(__name__)

CHANGE_TYPES = ("file_changed", "vcs_commit")


def event_time(event: Event) -> float:
    try:
        return parse_ts(event.ts)
    except (ValueError, TypeError):
        return 0.0


def row_event(row: Any) -> Event:
    return row.event if hasattr(row, "event") else row


def change_of(event: Event, sid: str | None) -> dict[str, Any]:
    """What the page shows of a `file_changed` or `vcs_commit` event."""
    data = event.data
    out: dict[str, Any] = {"ts": event.ts, "t": event_time(event), "type": event.type, "session": sid}
    if event.type == "vcs_commit":
        out.update({k: data.get(k) for k in ("hash", "author", "message", "branch")})
        files = data.get("files")
        out["files"] = len(files) if isinstance(files, (list, dict)) else files
    else:
        out.update({k: data.get(k) for k in ("path", "kind", "lines", "dest")})
    return out


def _recorded(store: Store, first: float, last: float, limit: int) -> list[dict[str, Any]]:
    """File changes and commits recorded anywhere in the store (e.g. by a watcher) during the runs."""
    try:
        rows = store.events(types=list(CHANGE_TYPES), since=first, until=last, limit=limit)
    except DebugtapeError as exc:  # the sessions' own changes remain
        log.info("changes between runs not read from the whole store: %s", exc)
        return []
    return [change_of(row_event(r), row_event(r).session) for r in rows]


def _head(commit: Any) -> str | None:
    head = commit.get("head") if isinstance(commit, Mapping) else commit
    return str(head) if head else None


def _from_git(store: Store, runs: Sequence[Mapping[str, Any]], redactor: Redactor) -> list[dict[str, Any]]:
    """The commits between the HEADs of runs that follow each other in time, from git.

    A commit made without a watcher running was never recorded, yet it is what changed between
    two runs on two commits. Needs the repository on this machine; without it there is nothing
    to add. Each commit sits between the two runs on the time axis (its author time may be older).
    """
    from debugtape.correlate.queries import session_commits

    ordered = sorted((r for r in runs if r.get("t0") is not None), key=lambda r: r["t0"])
    out: list[dict[str, Any]] = []
    for before, after in zip(ordered, ordered[1:]):
        heads = [_head(r.get("commit")) for r in (before, after)]
        if not all(heads) or heads[0] == heads[1]:
            continue
        try:
            commits = session_commits(store, before["id"], after["id"])["commits"]
        except DebugtapeError as exc:
            log.info("commits between %s and %s not listed: %s", before["id"], after["id"], exc)
            continue
        lo = before["t0"] + before["duration"]
        hi = max(lo, after["t0"])
        for c in commits:
            when = c.get("author_time")
            t = min(hi, max(lo, float(when))) if isinstance(when, int) else hi
            files = c.get("files") or []
            out.append({
                "ts": now_ts(float(when)) if isinstance(when, int) else "",
                "t": t, "type": "vcs_commit", "session": None, "source": "git",
                "hash": c.get("hash"), "branch": c.get("branch"),
                # read from git at report time, so redacted here as the recorded ones were at ingest
                "author": redactor.redact_text(str(c.get("author") or ""))[0],
                "message": redactor.redact_text(str(c.get("message") or ""))[0],
                "files": len(files),
            })
    return out


def changes_between(store: Store, runs: Sequence[Mapping[str, Any]], own: list[dict[str, Any]],
                    redactor: Redactor, limit: int) -> list[dict[str, Any]]:
    """The runs' own changes, those recorded elsewhere in the store while they ran, and the commits
    between their HEADs; each change once (a commit by its hash), in time order, at most `limit`."""
    times = [(r["t0"], r["t0"] + r["duration"]) for r in runs if r.get("t0") is not None]
    found: list[dict[str, Any]] = list(own)
    if times:
        found += _recorded(store, min(t for t, _ in times), max(t for _, t in times), limit + len(own))
        found += _from_git(store, runs, redactor)
    seen: set[Any] = set()
    out = []
    for change in found:
        ident = change.get("hash") or (change["session"], change["ts"], change.get("path"))
        if ident not in seen:
            seen.add(ident)
            out.append(change)
    out.sort(key=lambda c: c["t"])
    return out[:limit]
