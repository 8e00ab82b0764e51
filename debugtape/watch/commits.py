"""Turns moves of HEAD and branch refs into `vcs_commit` event data, through debugtape.correlate.

HEAD's moves are read from its reflog, so a checkout and a commit in one batch are still two
events with the right reasons; without a reflog, the before and after states are compared.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from debugtape.watch.gitview import RefState

__all__ = ["ref_moves", "reflog_moves", "MAX_COMMITS_PER_MOVE"]

log = logging.getLogger(__name__)

MAX_COMMITS_PER_MOVE = 50
Reflog = list[tuple[str, str, str]]
# Reflog actions that bring several commits at once: list each one.
_MULTI = ("pull", "merge", "am")
_AS_COMMIT = ("commit", "cherry-pick", "revert")


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


class _Out:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.seen: set[str] = set()

    def add(self, items: list[dict[str, Any]], reason: str, previous: str | None,
            dedupe: bool = True) -> None:
        for data in items:
            if dedupe and data.get("hash") in self.seen:
                continue
            self.seen.add(str(data.get("hash")))
            self.items.append({**data, "reason": reason, "previous": previous})


def _action(subject: str) -> str:
    """'commit (amend): msg' -> 'commit'; 'checkout: moving from a to b' -> 'checkout'."""
    word = subject.split(":", 1)[0].strip().split(" ", 1)[0].lower()
    return "commit" if word in _AS_COMMIT else (word or "moved")


def reflog_moves(top: Path, last: tuple[str, str, str] | None, entries: Reflog,
                 branch: str | None) -> list[dict[str, Any]] | None:
    """`vcs_commit` data for HEAD's reflog entries newer than `last`, oldest first; None when
    `last` is not among `entries` (reflog expired or too many moves): compare states instead."""
    fresh: Reflog = []
    for entry in entries:
        if entry == last:
            break
        fresh.append(entry)
    else:
        if last is not None:
            return None
    out = _Out()
    older = entries[len(fresh)][0] if len(fresh) < len(entries) else None
    for oid, _selector, subject in reversed(fresh):
        action = _action(subject)
        if oid == older and action != "checkout":
            continue  # HEAD did not move (`git stash`'s "reset: moving to HEAD", a rebase's return)
        # The same commit may come back in a later move (checkout back, merge): each move counts.
        if action in _MULTI and older is not None:
            out.add(_between(top, older, oid, branch) or [_one(top, oid, branch)], action, older,
                    dedupe=False)
        else:
            out.add([_one(top, oid, branch)], action, older, dedupe=False)
        older = oid
    return out.items


def ref_moves(top: Path, old: RefState, new: RefState, head_done: bool = False) -> list[dict[str, Any]]:
    """`vcs_commit` data for what changed between two ref states, oldest first.

    `reason`: commit (new commits on the checked-out branch), checkout (HEAD now on another
    branch or commit), reset (moved to a commit that is not a descendant), ref (another branch
    moved); `previous` is the ref's old commit. `head_done`: HEAD was handled from the reflog.
    """
    out = _Out()
    if not head_done and new.head and new.head != old.head:
        if old.head is None or new.branch == old.branch:
            found = _between(top, old.head, new.head, new.branch)
            if found:
                out.add(found, "commit", old.head)
            else:
                out.add([_one(top, new.head, new.branch)], "reset", old.head)
        else:
            out.add([_one(top, new.head, new.branch)], "checkout", old.head)
    for branch, oid in sorted(new.branches.items()):
        if branch == new.branch or old.branches.get(branch) == oid:
            continue
        previous = old.branches.get(branch)
        out.add(_between(top, previous, oid, branch) or [_one(top, oid, branch)], "ref", previous)
    return out.items
