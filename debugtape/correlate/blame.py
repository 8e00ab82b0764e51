"""Per-line blame, one `git blame --porcelain` per file for all the lines asked, then cached."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from debugtape.correlate.context import Repo, repo_for
from debugtape.correlate.git import GitError, run_git

__all__ = ["BlameCache", "parse_porcelain", "line_ranges", "count_lines"]

log = logging.getLogger(__name__)

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

    def blame(self, locations: Sequence[tuple[str | None, int | None]]) -> list[dict[str, Any]]:
        """One answer per (absolute file, line): {commit, author_time} or {status[, reason]}."""
        answers: list[dict[str, Any] | None] = [None] * len(locations)
        todo: dict[str, tuple[Repo, _FileBlame, set[int]]] = {}
        for i, (path, line) in enumerate(locations):
            if not path or not isinstance(line, int) or line < 1:
                answers[i] = {"status": "unknown", "reason": "no file and line"}
                continue
            answer, work = self._lookup(path, line)
            if answer is not None:
                answers[i] = answer
            elif work is not None:
                repo, fb = work
                todo.setdefault(path, (repo, fb, set()))[2].add(line)
        if todo:
            self._run(todo)
            for i, (path, line) in enumerate(locations):
                if answers[i] is None and path and isinstance(line, int):
                    answers[i] = self._lookup(path, line)[0] or {"status": "unknown", "reason": "git blame gave no answer"}
        return [a if a is not None else {"status": "unknown"} for a in answers]

    def _lookup(self, path: str, line: int) -> tuple[dict[str, Any] | None, tuple[Repo, _FileBlame] | None]:
        try:
            st = os.stat(path)
        except OSError:
            return {"status": "unknown", "reason": "file not found"}, None
        repo = repo_for(path)
        if repo is None:
            return {"status": "outside_repo"}, None
        head, _ = repo.head()
        key = (head, st.st_mtime_ns, st.st_size)
        with self._lock:
            fb = self._files.get(path)
            if fb is not None and fb.key == key:
                self._files.move_to_end(path)
                if fb.failed is not None:
                    return dict(fb.failed), None
                if line > fb.line_count:
                    return {"status": "unknown", "reason": f"line {line} is past the end of the file ({fb.line_count} lines)"}, None
                hit = fb.lines.get(line)
                if hit is not None:
                    return dict(hit), None
                return None, (repo, fb)
        if head is None:
            return {"status": "uncommitted", "reason": "the repository has no commit yet"}, None
        try:
            count = count_lines(path)
        except OSError:
            return {"status": "unknown", "reason": "file cannot be read"}, None
        fb = _FileBlame(key, count)
        with self._lock:
            self._files[path] = fb
            while len(self._files) > self._max:
                self._files.popitem(last=False)
        if line > count:
            return {"status": "unknown", "reason": f"line {line} is past the end of the file ({count} lines)"}, None
        return None, (repo, fb)

    def _run(self, todo: dict[str, tuple[Repo, _FileBlame, set[int]]]) -> None:
        jobs = list(todo.items())
        if len(jobs) == 1:
            self._blame_file(*jobs[0])
            return
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(jobs))) as pool:
            list(pool.map(lambda job: self._blame_file(*job), jobs))

    def _blame_file(self, path: str, work: tuple[Repo, _FileBlame, set[int]]) -> None:
        repo, fb, lines = work
        wanted = set(lines)
        if self._widen is not None:
            for line in lines:
                span = self._widen(path, line)
                if span is not None:
                    lo = max(1, span[0], line - MAX_WIDEN)
                    hi = min(fb.line_count, span[1], line + MAX_WIDEN)
                    wanted.update(n for n in range(lo, hi + 1) if n not in fb.lines)
        rel = repo.relpath(Path(path).resolve()) or repo.relpath(Path(path))
        if rel is None:
            fb.failed = {"status": "outside_repo"}
            return
        args = ["blame", "--porcelain"]
        for lo, hi in line_ranges(wanted):
            args += ["-L", f"{lo},{hi}"]
        try:
            found = parse_porcelain(run_git([*args, "--", rel], repo.root))
        except GitError as exc:
            fb.failed = _blame_failure(exc)
            if fb.failed["status"] == "unknown":
                log.warning("blame of %s failed: %s", path, exc)
            found = {}
        with self._lock:
            fb.lines.update(found)
            self.git_calls += 1  # counted once the answer is in the cache


def _blame_failure(exc: GitError) -> dict[str, Any]:
    msg = exc.stderr
    if "no such path" in msg:
        return {"status": "untracked"}
    if "outside repository" in msg:
        return {"status": "outside_repo"}
    if "has only" in msg:
        return {"status": "unknown", "reason": "the file changed while it was blamed"}
    return {"status": "unknown", "reason": str(exc)}

