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

__all__ = ["Repo", "repo_for", "commit_context", "stat_key"]

log = logging.getLogger(__name__)

ZERO_OID = "0" * 40

# How long a computed diff hash is trusted when no git metadata changed: an edit to a file
# outside the stack is noticed within this many seconds, and a tight breakpoint loop pays for
# `git diff` at most this often.
DIFF_TTL = 10.0
# How many files' stats a cached context keeps checking.
MAX_WATCHED = 256


def stat_key(path: str | os.PathLike[str]) -> tuple[int, int] | None:
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
        self._ctx_key: tuple[Any, Any, Any, dict[str, Any]] | None = None
        self._ctx: dict[str, Any] | None = None
        self._ctx_time = 0.0
        self._dirty_files: list[Path] = []
        self._head_file = str(self.git_dir / "HEAD")
        self._index_file = str(self.git_dir / "index")
        self._packed = str(self.common_dir / "packed-refs")
        self._head_text: tuple[tuple[int, int] | None, str, str | None] = (None, "", None)
        self.root_prefix = str(root).rstrip(os.sep) + os.sep

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
        # Three stats when nothing moved; HEAD itself is read again only when its stat changes.
        st = stat_key(self._head_file)
        known_st, text, ref_file = self._head_text
        if st != known_st or st is None:
            try:
                with open(self._head_file, encoding="utf-8") as fh:
                    text = fh.read().strip()
            except OSError:
                text = ""
            ref_file = None
            if text.startswith("ref: "):
                ref = text[5:]
                ref_file = os.path.join(self.common_dir, ref)
                if not os.path.exists(ref_file) and os.path.exists(os.path.join(self.git_dir, ref)):
                    ref_file = os.path.join(self.git_dir, ref)
            self._head_text = (st, text, ref_file)
        ref_stat = stat_key(ref_file) if ref_file else None
        return (text, ref_stat, stat_key(self._packed))

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

    def context(self, watch: dict[str, tuple[int, int] | None] | None = None,
                max_age: float = DIFF_TTL) -> dict[str, Any]:
        """HEAD, branch, detached, dirty, diff_hash. Recomputed when HEAD or the index moved, a
        watched file (path -> stat key, e.g. the stack's files) or a known-dirty file changed, or
        when the last answer is older than `max_age` seconds."""
        head, branch = self.head()
        now = time.monotonic()
        with self._lock:
            if self._ctx is not None and now - self._ctx_time < max_age and self._ctx_key is not None:
                k_head, k_branch, k_index, k_files = self._ctx_key
                if (k_head == head and k_branch == branch and k_index == stat_key(self._index_file)
                        and all(((watch.get(f) if watch else None) or stat_key(f)) == st
                                for f, st in k_files.items())
                        and not any(f not in k_files for f in watch or ())):
                    return dict(self._ctx)
        index_st = stat_key(self._index_file)
        dirty_files, digest = self._diff(head)
        ctx: dict[str, Any] = {
            "head": head,
            "branch": branch,
            "detached": branch is None and head is not None,
            "dirty": bool(dirty_files),
            "diff_hash": digest,
            "root": str(self.root),
        }
        # Keep watching what earlier stacks showed, so stacks that alternate between files do
        # not each force a new `git diff`.
        earlier = list(self._ctx_key[3])[-MAX_WATCHED:] if self._ctx_key is not None else []
        files = {f: stat_key(f) for f in earlier}
        files.update({str(f): stat_key(f) for f in dirty_files})
        files.update({f: (st if st is not None else stat_key(f)) for f, st in (watch or {}).items()})
        with self._lock:
            self._dirty_files = dirty_files
            self._ctx_key = (head, branch, index_st, files)
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

    def relpath(self, path: str | os.PathLike[str]) -> str | None:
        text = os.fspath(path)
        if not text.startswith(self.root_prefix):
            return None
        return text[len(self.root_prefix):].replace(os.sep, "/")


_repos: dict[Path, Repo | None] = {}
_dir_top: dict[str, Path | None] = {}
_by_path: dict[str, Repo | None] = {}
_lock = threading.Lock()


def repo_for(path: str | os.PathLike[str]) -> Repo | None:
    """The Repo holding a file or folder, or None outside any repository. Cached per path
    string, so asking again for a stack's files costs one dict lookup."""
    key = os.fspath(path)
    try:
        return _by_path[key]
    except KeyError:
        pass
    folder = key if os.path.isdir(key) else os.path.dirname(key) or "."
    with _lock:
        known = folder in _dir_top
        top = _dir_top.get(folder)
    if not known:
        top = toplevel(folder)
        with _lock:
            _dir_top[folder] = top
    repo: Repo | None = None
    if top is not None:
        with _lock:
            cached = top in _repos
            repo = _repos.get(top)
        if not cached:
            try:
                repo = Repo(top)
            except GitError as exc:
                log.warning("cannot read repository %s: %s", top, exc)
                repo = None
            with _lock:
                repo = _repos.setdefault(top, repo)
    with _lock:
        if len(_by_path) > 4096:
            _by_path.clear()
        _by_path[key] = repo
    return repo


def commit_context(cwd: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """The commit context of the repository holding `cwd` (default: the current folder), or None."""
    repo = repo_for(cwd or os.getcwd())
    return None if repo is None else repo.context(max_age=0.0)
