"""Blame of a few lines in many files with one history walk (`git log -p -U0 --first-parent`).

`git blame` walks the history once per file; a cold stack spread over many files pays that walk
again and again. Here one `git log` over all the files follows each asked line back through
the diffs until it meets the commit that wrote it, and stops reading as soon as every line is
placed. Whatever this cannot place for certain (a line that came through a merge, a file that
appeared in a non-root commit and may have been renamed, a binary or oddly named file) is left
for `git blame` to answer.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from debugtape.correlate.git import GitError, popen_git, run_git

__all__ = ["walk_blame", "map_through_hunks"]

log = logging.getLogger(__name__)

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")

Hunk = tuple[int, int, int, int]  # old start, old count, new start, new count


def map_through_hunks(line: int, hunks: list[Hunk]) -> int | None:
    """The line's number on the old side of a -U0 diff, or None when the diff wrote it."""
    delta = 0
    for _a, b, c, d in hunks:
        if d == 0:
            if line <= c:
                break
        else:
            if line < c:
                break
            if line < c + d:
                return None
        delta += d - b
    return line - delta


def _hunks_by_file(text: str) -> Iterator[tuple[str | None, bool, list[Hunk]]]:
    """(path on the new side, whether the old side is /dev/null, hunks) per file of a diff."""
    path: str | None = None
    added = False
    hunks: list[Hunk] = []
    started = False
    for raw in text.splitlines():
        if raw.startswith("diff --git "):
            if started:
                yield path, added, hunks
            path, added, hunks, started = None, False, [], True
        elif raw.startswith("--- "):
            added = raw.rstrip("\t") == "--- /dev/null"
        elif raw.startswith("+++ "):
            # git ends a name holding a space with a tab; a quoted name ("…") is not followed.
            path = raw[6:].rstrip("\t") if raw.startswith("+++ b/") else None
        elif raw.startswith("@@ "):
            m = _HUNK.match(raw)
            if m:
                a, b, c, d = m.groups()
                hunks.append((int(a), 1 if b is None else int(b), int(c), 1 if d is None else int(d)))
        elif raw.startswith("Binary files "):
            path = None  # cannot follow lines through a binary change
    if started:
        yield path, added, hunks


def walk_blame(root: str | os.PathLike[str], wanted: dict[str, set[int]],
               timeout: float = 20.0) -> dict[str, dict[int, dict[str, Any]]]:
    """{relative path: {working-tree line: answer}} for the lines it can place for certain;
    answers are {commit, author_time} or {status: uncommitted}. Lines it leaves out need
    `git blame`."""
    out: dict[str, dict[int, dict[str, Any]]] = {p: {} for p in wanted}
    # The working tree against HEAD first: changed lines are uncommitted, the rest move to
    # their HEAD numbers.
    paths = sorted(wanted)
    try:
        diff = run_git(["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
                        "HEAD", "--", *paths], root, timeout=timeout)
    except GitError as exc:
        log.debug("working-tree diff failed: %s", exc)
        return out
    tracking: dict[str, dict[int, int]] = {p: {n: n for n in lines} for p, lines in wanted.items()}
    for path, _added, hunks in _hunks_by_file(diff):
        if path is None or path not in tracking:
            continue
        for wt_line in list(tracking[path]):
            old = map_through_hunks(wt_line, hunks)
            if old is None:
                out[path][wt_line] = {"status": "uncommitted"}
                del tracking[path][wt_line]
            else:
                tracking[path][wt_line] = old
    left = sum(len(v) for v in tracking.values())
    if not left:
        return out
    deadline = time.monotonic() + timeout
    proc = popen_git(["log", "-p", "-U0", "--first-parent", "--no-renames", "--no-color", "--no-ext-diff",
                      "--no-textconv", "--format=%x01%H %at %P", "HEAD", "--", *paths], root)
    # The deadline is also enforced while git is silent (a long stretch of history that does not
    # touch these files prints nothing): the timer ends git, which ends the read.
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.daemon = True
    watchdog.start()
    try:
        for oid, atime, parents, body in _commits(proc.stdout):
            for path, added, hunks in _hunks_by_file(body):
                if path is None or path not in tracking or not tracking[path]:
                    continue
                for wt_line, line in list(tracking[path].items()):
                    old = map_through_hunks(line, hunks) if not added else None
                    if old is not None:
                        tracking[path][wt_line] = old
                        continue
                    del tracking[path][wt_line]
                    left -= 1
                    # A merge's first-parent diff shows lines from the other side as new, and a
                    # file "added" after the root may be a rename: git blame knows better.
                    if (len(parents) == 1 and not added) or not parents:
                        out[path][wt_line] = {"commit": oid, "author_time": atime}
            if left <= 0 or time.monotonic() > deadline:
                break
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait(timeout=timeout)
    return out


def _commits(stream: Any) -> Iterator[tuple[str, int | None, list[str], str]]:
    """(commit, author time, parents, diff text) from `git log -p --format=%x01%H %at %P`."""
    header: str | None = None
    body: list[str] = []
    for raw in stream:
        line = raw.decode("utf-8", "surrogateescape")
        if line.startswith("\x01"):
            if header is not None:
                yield _parse_header(header, body)
            header, body = line[1:].strip(), []
        else:
            body.append(line)
    if header is not None:
        yield _parse_header(header, body)


def _parse_header(header: str, body: list[str]) -> tuple[str, int | None, list[str], str]:
    parts = header.split()
    oid = parts[0]
    atime = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return oid, atime, parts[2:], "".join(body)
