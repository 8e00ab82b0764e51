"""Per-line blame, one `git blame --porcelain` per file for all the lines asked, then cached."""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from debugtape.correlate.context import Repo, repo_for
from debugtape.correlate.git import GIT_TIMEOUT, GitError, run_git
from debugtape.correlate.walk import walk_blame

__all__ = ["BlameCache", "parse_porcelain", "line_ranges", "count_lines"]

log = logging.getLogger(__name__)

# From this many cold files of one repository on, one history walk replaces per-file blame.
WALK_MIN_FILES = 3
# Seconds a stop waits for one file's blame.
BLAME_TIMEOUT = 5.0
# At most this many git blame processes at once when a stack spans several files.
MAX_PARALLEL = 4
# Lines blamed around an asked line when widening to its function: a 3,000-line function
# must not make the first stop slow.
MAX_WIDEN = 80


@dataclass
class _FileBlame:
    key: tuple[Any, ...]
    line_count: int
    lines: dict[int, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, Any] | None = None  # a whole-file answer (untracked, unknown)


def parse_porcelain(text: str) -> dict[int, dict[str, Any]]:
    """`git blame --porcelain` output -> {final line: {commit, author_time}}."""
    out: dict[int, dict[str, Any]] = {}
    times: dict[str, int] = {}
    current: str | None = None
    pending: list[int] = []
    for raw in text.splitlines():
        if raw.startswith("\t"):
            continue  # the line's content
        parts = raw.split(" ")
        if len(parts) >= 3 and len(parts[0]) in (40, 64) and parts[1].isdigit() and parts[2].isdigit():
            current = parts[0]
            pending.append(int(parts[2]))
            if current in times:
                for line in pending:
                    out[line] = _entry(current, times[current])
                pending = []
            continue
        if raw.startswith("author-time ") and current is not None:
            times[current] = int(parts[1])
        elif raw.startswith("filename ") and current is not None:
            # The first record of a commit ends with its filename line.
            for line in pending:
                out[line] = _entry(current, times.get(current))
            pending = []
    for line in pending:  # malformed tail: still say which commit
        if current is not None:
            out[line] = _entry(current, times.get(current))
    return out


def _entry(oid: str, author_time: int | None) -> dict[str, Any]:
    if oid.strip("0") == "":
        return {"status": "uncommitted"}
    return {"commit": oid, "author_time": author_time}


def line_ranges(lines: Iterable[int]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def count_lines(path: str | os.PathLike[str]) -> int:
    with open(path, "rb") as fh:
        data = fh.read()
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


class BlameCache:
    """Blame answers per (file, HEAD, file mtime and size); a repeated stop costs a few stats.

    `widen(path, line)` may return a larger range to blame along with the line (the enclosing
    function), so stepping through a function hits the cache.
    """

    def __init__(
        self,
        widen: Callable[[str, int], tuple[int, int] | None] | None = None,
        max_files: int = 512,
    ) -> None:
        self._widen = widen
        self._max = max_files
        self._files: OrderedDict[str, _FileBlame] = OrderedDict()
        self._lock = threading.Lock()
        self.git_calls = 0  # for tests and the benchmark
        self._queue: queue.SimpleQueue[tuple[str, Repo, _FileBlame, set[int]]] | None = None

    def blame(self, locations: Sequence[tuple[str | None, int | None]],
              widen: Sequence[bool] | None = None) -> list[dict[str, Any]]:
        """One answer per (absolute file, line): {commit, author_time} or {status[, reason]}.

        `widen[i]` says whether to blame the rest of location i's function in the background
        (default: all). Only the innermost frame steps, so the pipeline widens that one alone."""
        states: dict[str, dict[str, Any] | tuple[Repo, _FileBlame]] = {}
        for path, _ in locations:
            if path and path not in states:
                states[path] = self._file_state(path)  # one stat and HEAD check per file
        answers: list[dict[str, Any] | None] = []
        todo: dict[str, tuple[Repo, _FileBlame, set[int]]] = {}
        for path, line in locations:
            answer = self._answer(states, path, line)
            if answer is None:
                assert path is not None and isinstance(line, int)
                state = states[path]
                assert isinstance(state, tuple)
                todo.setdefault(path, (state[0], state[1], set()))[2].add(line)
            answers.append(answer)
        if todo:
            self._run(todo)
            later: dict[str, tuple[Repo, _FileBlame, set[int]]] = {}
            for i, (path, line) in enumerate(locations):
                if path in todo and isinstance(line, int) and (widen is None or widen[i]):
                    repo, fb, _ = todo[path]
                    later.setdefault(path, (repo, fb, set()))[2].add(line)
            self._widen_later(later)
            answers = [a if a is not None else self._answer(states, p, n)
                       or {"status": "unknown", "reason": "git blame gave no answer"}
                       for a, (p, n) in zip(answers, locations, strict=True)]
        return [a if a is not None else {"status": "unknown"} for a in answers]

    @staticmethod
    def _answer(states: Mapping[str, Any], path: str | None, line: int | None) -> dict[str, Any] | None:
        if not path or not isinstance(line, int) or isinstance(line, bool) or line < 1:
            return {"status": "unknown", "reason": "no file and line"}
        state = states[path]
        if isinstance(state, dict):
            return dict(state)
        fb = state[1]
        if fb.failed is not None:
            return dict(fb.failed)
        if line > fb.line_count:
            return {"status": "unknown", "reason": f"line {line} is past the end of the file ({fb.line_count} lines)"}
        hit = fb.lines.get(line)
        return dict(hit) if hit is not None else None

    def _file_state(self, path: str) -> dict[str, Any] | tuple[Repo, _FileBlame]:
        """A whole-file answer, or the file's cache entry (made anew when HEAD or the file changed)."""
        try:
            st = os.stat(path)
        except OSError:
            return {"status": "unknown", "reason": "file not found"}
        repo = repo_for(path)
        if repo is None:
            return {"status": "outside_repo"}
        head, _ = repo.head()
        key = (head, st.st_mtime_ns, st.st_size)
        with self._lock:
            fb = self._files.get(path)
            if fb is not None and fb.key == key:
                self._files.move_to_end(path)
                return repo, fb
        if head is None:
            return {"status": "uncommitted", "reason": "the repository has no commit yet"}
        try:
            count = count_lines(path)
        except OSError:
            return {"status": "unknown", "reason": "file cannot be read"}
        fb = _FileBlame(key, count)
        with self._lock:
            self._files[path] = fb
            while len(self._files) > self._max:
                self._files.popitem(last=False)
        return repo, fb

    def _run(self, todo: dict[str, tuple[Repo, _FileBlame, set[int]]]) -> None:
        self._walk(todo)
        jobs = [(path, (repo, fb, {n for n in lines if n not in fb.lines}))
                for path, (repo, fb, lines) in todo.items()
                if fb.failed is None and any(n not in fb.lines for n in lines)]
        if not jobs:
            return
        if len(jobs) == 1:
            self._blame_file(*jobs[0])
            return
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(jobs))) as pool:
            list(pool.map(lambda job: self._blame_file(*job), jobs))

    def _walk(self, todo: dict[str, tuple[Repo, _FileBlame, set[int]]]) -> None:
        """Many cold files of one repository: one history walk for all (walk.py); the lines it
        cannot place for certain are left for git blame."""
        by_repo: dict[Path, list[str]] = {}
        for path, (repo, _, _) in todo.items():
            by_repo.setdefault(repo.root, []).append(path)
        for paths in by_repo.values():
            if len(paths) < WALK_MIN_FILES:
                continue
            repo = todo[paths[0]][0]
            rels = {p: repo.relpath(p) for p in paths}
            wanted = {rel: set(todo[p][2]) for p, rel in rels.items() if rel is not None}
            try:
                found = walk_blame(repo.root, wanted, timeout=BLAME_TIMEOUT)
            except (GitError, OSError, subprocess.SubprocessError) as exc:
                log.debug("history walk failed, blaming file by file: %s", exc)
                continue
            with self._lock:
                self.git_calls += 1
                for p, rel in rels.items():
                    if rel is not None:
                        todo[p][1].lines.update(found.get(rel, {}))

    def _blame_file(self, path: str, work: tuple[Repo, _FileBlame, set[int]], background: bool = False) -> None:
        repo, fb, lines = work
        wanted = {n for n in lines if n not in fb.lines}
        if not wanted:
            return
        rel = repo.relpath(path) or repo.relpath(os.path.realpath(path))
        if rel is None:
            fb.failed = {"status": "outside_repo"}
            return
        args = ["blame", "--porcelain"]
        for lo, hi in line_ranges(wanted):
            args += ["-L", f"{lo},{hi}"]
        try:
            # A stop waits at most BLAME_TIMEOUT; a timed-out file stays `unknown` until it or
            # HEAD changes, so a huge history costs one wait, not one per stop.
            found = parse_porcelain(run_git([*args, "--", rel], repo.root,
                                            timeout=GIT_TIMEOUT if background else BLAME_TIMEOUT))
        except GitError as exc:
            if background:  # best effort: the stop that needs these lines will say what failed
                log.debug("background blame of %s failed: %s", path, exc)
                return
            fb.failed = _blame_failure(exc)
            if fb.failed["status"] == "unknown":
                log.warning("blame of %s failed: %s", path, exc)
            found = {}
        with self._lock:
            fb.lines.update(found)
            self.git_calls += 1  # counted once the answer is in the cache

    # -- widening in the background ---------------------------------------------------------

    def _widen_later(self, todo: dict[str, tuple[Repo, _FileBlame, set[int]]]) -> None:
        """Queue the rest of each asked line's function, blamed by a background thread, so the
        next steps through it find their lines cached while this stop paid only for its own."""
        if self._widen is None or not todo:
            return
        if self._queue is None:
            self._queue = queue.SimpleQueue()
            # A daemon thread: a blame still running must not hold up the process's exit.
            threading.Thread(target=self._widen_loop, name="debugtape-blame", daemon=True).start()
        for path, (repo, fb, lines) in todo.items():
            self._queue.put((path, repo, fb, set(lines)))

    def _widen_loop(self) -> None:
        assert self._queue is not None
        while True:
            path, repo, fb, lines = self._queue.get()
            try:
                self._blame_file(path, (repo, fb, self._widened(path, fb, lines)), background=True)
            except Exception:  # best effort: a later stop blames what it needs itself
                log.debug("background blame of %s failed", path, exc_info=True)

    def _widened(self, path: str, fb: _FileBlame, lines: set[int]) -> set[int]:
        assert self._widen is not None
        wanted = set(lines)
        for line in lines:
            span = self._widen(path, line)
            if span is not None:
                lo = max(1, span[0], line - MAX_WIDEN)
                hi = min(fb.line_count, span[1], line + MAX_WIDEN)
                wanted.update(range(lo, hi + 1))
        return wanted

    def prefetch(self, path: str, line: int) -> None:
        """Blame a line and its function in the background (a breakpoint's, before its first hit)."""
        state = self._file_state(path)
        if isinstance(state, tuple):
            self._widen_later({path: (state[0], state[1], {line})})


def _blame_failure(exc: GitError) -> dict[str, Any]:
    if exc.returncode is None:
        return {"status": "unknown", "reason": f"git blame took longer than {BLAME_TIMEOUT:g} s"}
    msg = exc.stderr
    if "no such path" in msg:
        return {"status": "untracked"}
    if "outside repository" in msg:
        return {"status": "outside_repo"}
    if "has only" in msg:
        return {"status": "unknown", "reason": "the file changed while it was blamed"}
    return {"status": "unknown", "reason": str(exc)}

