"""`vcs_commit` event data: one commit, or the history between two revisions."""

from __future__ import annotations

import os
from typing import Any

from debugtape.correlate.git import GitError, run_git

__all__ = ["commit_event_data", "commits_between", "MAX_COMMITS", "MAX_FILES"]

# Bounds: an event is capped at 1 MiB, and a range of 10,000 commits is not a timeline.
MAX_COMMITS = 500
MAX_FILES = 200

# NUL-separated fields; a record separator (0x1e) starts each commit so file lists can follow.
_FORMAT = "%x1e%H%x00%an <%ae>%x00%at%x00%P%x00%s%x00"


def commit_event_data(repo: str | os.PathLike[str], rev: str, branch: str | None = None) -> dict[str, Any]:
    """The `vcs_commit` data of one commit: hash, author, message (first line), files, parents,
    branch (given, else the current branch when `rev` is HEAD's commit), author_time."""
    out = run_git(["show", "--no-color", "-s", "--no-notes", f"--format={_FORMAT}", rev, "--"], repo)
    found = _parse_log(out, with_files=False)
    if not found:
        raise GitError(["show", rev], 1, f"no commit {rev}", os.fspath(repo))
    data = found[0]
    data["files"], data["files_truncated"] = _files_of(repo, data["hash"], data["parents"])
    if branch is None:
        branch = _branch_if_head(repo, data["hash"])
    data["branch"] = branch
    return data


def commits_between(
    repo: str | os.PathLike[str], old: str | None, new: str, branch: str | None = None,
    limit: int = MAX_COMMITS,
) -> list[dict[str, Any]]:
    """Commits reachable from `new` but not from `old` (oldest first), as `vcs_commit` data.

    `old` None lists `new` alone. Raises GitError when a revision is unknown to this repository.
    """
    spec = [new, "--not", old] if old else [new, "-1"]
    out = run_git(
        ["log", "--no-color", "--no-notes", "--topo-order", "--reverse", f"--format={_FORMAT}",
         "--name-only", "-m", "--first-parent", f"--max-count={limit}", *spec, "--"],
        repo, timeout=60,
    )
    commits = _parse_log(out, with_files=True)
    for c in commits:
        c["branch"] = branch
    return commits


def _parse_log(out: str, with_files: bool) -> list[dict[str, Any]]:
    commits: list[dict[str, Any]] = []
    for chunk in out.split("\x1e"):
        if not chunk.strip("\n"):
            continue
        fields = chunk.split("\x00")
        if len(fields) < 6:
            continue
        oid, author, atime, parents, subject, rest = fields[:6]
        data: dict[str, Any] = {
            "hash": oid.strip(),
            "author": author,
            "author_time": int(atime) if atime.strip().isdigit() else None,
            "parents": parents.split(),
            "message": subject,
        }
        if with_files:
            files = [f for f in rest.splitlines() if f.strip()]
            data["files"] = files[:MAX_FILES]
            data["files_truncated"] = len(files) > MAX_FILES
        commits.append(data)
    return commits


def _files_of(repo: str | os.PathLike[str], oid: str, parents: list[str]) -> tuple[list[str], bool]:
    # A root commit has no parent to compare with: list its whole tree's changes.
    args = ["diff-tree", "--no-commit-id", "--name-only", "-r", "-z"]
    args += [parents[0], oid] if parents else ["--root", oid]
    files = [f for f in run_git(args, repo).split("\0") if f]
    return files[:MAX_FILES], len(files) > MAX_FILES


def _branch_if_head(repo: str | os.PathLike[str], oid: str) -> str | None:
    try:
        head = run_git(["rev-parse", "--verify", "-q", "HEAD"], repo).strip()
        if head != oid:
            return None
        return run_git(["symbolic-ref", "-q", "--short", "HEAD"], repo).strip() or None
    except GitError:
        return None

