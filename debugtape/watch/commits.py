"""Turns moves of HEAD and branch refs into `vcs_commit` event data, through debugtape.correlate."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from debugtape.watch.gitview import RefState

__all__ = ["ref_moves", "MAX_COMMITS_PER_MOVE"]

log = logging.getLogger(__name__)

MAX_COMMITS_PER_MOVE = 50


def _one(top: Path, oid: str, branch: str | None) -> dict[str, Any]:
    try:
        from debugtape.correlate import commit_event_data

        return commit_event_data(top, oid, branch)
    except Exception as exc:  # correlation enriches; the hash and branch alone still tell the story
        log.warning("commit %s: %s", oid[:12], exc)
        return {"hash": oid, "branch": branch}


def _between(top: Path, old: str | None, new: str, branch: str | None) -> list[dict[str, Any]]:
    try:
        from debugtape.correlate import commits_between

        return commits_between(top, old, new, branch, limit=MAX_COMMITS_PER_MOVE)
    except Exception as exc:
        log.warning("commits %s..%s: %s", (old or "")[:12], new[:12], exc)
        return []


def ref_moves(top: Path, old: RefState, new: RefState) -> list[dict[str, Any]]:
    """`vcs_commit` data for what changed between two ref states, oldest first.

    Each carries `reason` (commit: new commits on the checked-out branch; checkout: HEAD now on
    another branch or commit; reset: the branch moved to a commit that is not a descendant; ref:
    another branch moved) and `previous` (the ref's old commit).
    """
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(items: list[dict[str, Any]], reason: str, previous: str | None) -> None:
        for data in items:
            if data.get("hash") in seen:
                continue
            seen.add(str(data.get("hash")))
            out.append({**data, "reason": reason, "previous": previous})

    if new.head and new.head != old.head:
        if old.head is None or new.branch == old.branch:
            found = _between(top, old.head, new.head, new.branch)
            if found:
                add(found, "commit", old.head)
            else:
                add([_one(top, new.head, new.branch)], "reset", old.head)
        else:
            add([_one(top, new.head, new.branch)], "checkout", old.head)
    for branch, oid in sorted(new.branches.items()):
        if branch == new.branch or old.branches.get(branch) == oid:
            continue
        previous = old.branches.get(branch)
        add(_between(top, previous, oid, branch) or [_one(top, oid, branch)], "ref", previous)
    return out
