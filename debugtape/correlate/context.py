"""Commit context of a work tree (HEAD, branch, dirty flag, diff hash), cheap to ask again."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from debugtape.correlate.git import GitError, run_git, toplevel

__all__ = ["Repo", "repo_for", "commit_context"]

log = logging.getLogger(__name__)

ZERO_OID = "0" * 40

# How long a computed diff hash is trusted when no git metadata changed: an edit to a file
# outside the stack is noticed within this many seconds, and a tight breakpoint loop pays for
# `git diff` at most this often.
DIFF_TTL = 2.0


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class Repo:
    """One work tree: its root, git folders and cached answers keyed by file stats."""

    def __init__(self, root: Path) -> None:
        self.root = root
        out = run_git(["rev-parse", "--absolute-git-dir", "--git-common-dir"], root, timeout=10)
        lines = out.splitlines()
        self.git_dir = Path(lines[0])
        common = Path(lines[1]) if len(lines) > 1 else self.git_dir
        self.common_dir = common if common.is_absolute() else (root / common).resolve()
        self._lock = threading.Lock()
        self._head_key: tuple[Any, ...] | None = None
        self._head: tuple[str | None, str | None] = (None, None)
        self._ctx_key: tuple[Any, ...] | None = None
        self._ctx: dict[str, Any] | None = None
        self._ctx_time = 0.0
        self._dirty_files: list[Path] = []

    # -- HEAD, read from the files git keeps, falling back to git itself -------------------

    def head(self) -> tuple[str | None, str | None]:
        """(commit id or None on an unborn branch, branch name or None when detached)."""
        key = self._head_stats()
        with self._lock:
            if key == self._head_key:
                return self._head
        head = self._read_head()
        with self._lock:
            self._head_key, self._head = key, head
        return head

    def _head_stats(self) -> tuple[Any, ...]:
        head_file = self.git_dir / "HEAD"
        try:
            text = head_file.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        ref_stat = None
        if text.startswith("ref: "):
            ref_stat = _stat_key(self.common_dir / text[5:]) or _stat_key(self.git_dir / text[5:])
        return (text, ref_stat, _stat_key(self.common_dir / "packed-refs"))

    def _read_head(self) -> tuple[str | None, str | None]:
        try:
            oid: str | None = run_git(["rev-parse", "--verify", "-q", "HEAD"], self.root).strip()
        except GitError:
            oid = None  # unborn branch: no commit yet
        try:
            branch: str | None = run_git(["symbolic-ref", "-q", "--short", "HEAD"], self.root).strip()
        except GitError:
            branch = None  # detached HEAD
        return oid or None, branch or None

    # -- the whole context ----------------------------------------------------------------

    def context(self, watch_files: list[Path] | None = None, max_age: float = DIFF_TTL) -> dict[str, Any]:
        """HEAD, branch, detached, dirty, diff_hash; recomputed when git metadata, a watched
        file or a known-dirty file changed, or when the last answer is older than `max_age`."""
        head, branch = self.head()
        files = sorted(set(self._dirty_files) | set(watch_files or ()))
        key = (head, branch, _stat_key(self.git_dir / "index"), tuple(_stat_key(f) for f in files), tuple(files))
        now = time.monotonic()
        with self._lock:
            if self._ctx is not None and key == self._ctx_key and now - self._ctx_time < max_age:
                return dict(self._ctx)
        dirty_files, digest = self._diff(head)
        ctx: dict[str, Any] = {
            "head": head,
            "branch": branch,
            "detached": branch is None and head is not None,
            "dirty": bool(dirty_files),
            "diff_hash": digest,
            "root": str(self.root),
        }
        with self._lock:
            self._dirty_files = dirty_files
            files = sorted(set(dirty_files) | set(watch_files or ()))
            self._ctx_key = (head, branch, _stat_key(self.git_dir / "index"),
                             tuple(_stat_key(f) for f in files), tuple(files))
            self._ctx, self._ctx_time = ctx, now
        return dict(ctx)

    def _diff(self, head: str | None) -> tuple[list[Path], str | None]:
        """Tracked files that differ from HEAD, and a digest of that difference (None if clean)."""
        base = head or "--cached"  # an unborn branch: everything staged is the difference
        args = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--binary", "--full-index"]
        try:
            names = run_git([*args[:1], "--name-only", "-z", base], self.root)
            diff = run_git([*args, base], self.root) if names else ""
        except GitError as exc:
            log.warning("cannot compute the working-tree diff: %s", exc)
            return [], None
        if not names:
            return [], None
        files = [self.root / n for n in names.split("\0") if n]
        digest = hashlib.sha256(diff.encode("utf-8", "surrogateescape")).hexdigest()
        return files, digest

    def relpath(self, path: Path) -> str | None:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None


_repos: dict[Path, Repo | None] = {}
_dir_top: dict[str, Path | None] = {}
_lock = threading.Lock()


def repo_for(path: str | os.PathLike[str]) -> Repo | None:
    """The Repo holding a file or folder (cached per folder), or None outside any repository."""
    p = Path(path)
    folder = os.fspath(p if p.is_dir() else p.parent)
    with _lock:
        known = folder in _dir_top
        top = _dir_top.get(folder)
    if not known:
        top = toplevel(folder)
        with _lock:
            _dir_top[folder] = top
    if top is None:
        return None
    with _lock:
        if top in _repos:
            return _repos[top]
    try:
        repo: Repo | None = Repo(top)
    except GitError as exc:
        log.warning("cannot read repository %s: %s", top, exc)
        repo = None
    with _lock:
        _repos[top] = repo
    return repo


def commit_context(cwd: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """The commit context of the repository holding `cwd` (default: the current folder), or None."""
    repo = repo_for(cwd or os.getcwd())
    return None if repo is None else repo.context(max_age=0.0)
