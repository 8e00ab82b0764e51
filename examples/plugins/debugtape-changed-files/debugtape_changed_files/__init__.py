"""debugtape plugin: tag snapshots whose stack passes through files changed since the last commit.

A plugin module needs no import of debugtape: functions named `debugtape_<hook>` are hooks.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from typing import Any

__all__ = ["debugtape_snapshot"]

# Seconds a repository's answer is reused: a burst of stops asks git once. (The file_changed and
# commit_seen hooks cannot invalidate it: they run in `debugtape watch`'s process, not in the
# process that writes the snapshots.)
TTL = 2.0
MAX_FRAMES = 64
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")

_lock = threading.Lock()
_tops: dict[str, str | None] = {}  # folder -> repository top (None: not in a repository)
_changes: dict[str, tuple[float, dict[str, list[tuple[int, int]]]]] = {}


def _git(args: list[str], cwd: str) -> str | None:
    try:
        out = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd,
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def _top(folder: str) -> str | None:
    if folder not in _tops:
        out = _git(["rev-parse", "--show-toplevel"], folder) if os.path.isdir(folder) else None
        _tops[folder] = out.strip() if out and out.strip() else None
    return _tops[folder]


def _changed(top: str) -> dict[str, list[tuple[int, int]]]:
    """{path relative to top: [(first, last) changed line ranges]} (empty list: whole file new)."""
    cached = _changes.get(top)
    if cached and time.monotonic() - cached[0] < TTL:
        return cached[1]
    files: dict[str, list[tuple[int, int]]] = {}
    current: str | None = None
    for line in (_git(["diff", "-U0", "--no-color", "--no-ext-diff", "HEAD"], top) or "").splitlines():
        if line.startswith("+++ "):
            name = line[4:].rstrip("\t")
            current = name[2:] if name.startswith("b/") else None
            if current is not None:
                files.setdefault(current, [])
        elif line.startswith("@@") and current is not None:
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or 1)
                files[current].append((start, start + max(count, 1) - 1))
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top) or ""
    for name in filter(None, untracked.split("\0")):
        files.setdefault(name, [])
    _changes[top] = (time.monotonic(), files)
    return files


def debugtape_snapshot(data: dict[str, Any]) -> dict[str, Any] | None:
    frames = data.get("frames")
    if not isinstance(frames, list):
        return None
    hits: list[dict[str, Any]] = []
    with _lock:  # hooks may be called from a worker thread; keep the caches consistent
        for i, frame in enumerate(frames[:MAX_FRAMES]):
            path = frame.get("file") if isinstance(frame, dict) else None
            if not isinstance(path, str) or not os.path.isabs(path):
                continue
            top = _top(os.path.dirname(path))
            if top is None:
                continue
            rel = os.path.relpath(os.path.realpath(path), os.path.realpath(top)).replace(os.sep, "/")
            ranges = _changed(top).get(rel)
            if ranges is None:
                continue
            line = frame.get("line")
            inside = isinstance(line, int) and (not ranges or any(a <= line <= b for a, b in ranges))
            hits.append({"index": frame.get("index", i), "file": rel, "line": line,
                         "in_changed_lines": inside})
    if not hits:
        return None
    tags = ["touches-changes"] + (["in-changed-lines"] if any(h["in_changed_lines"] for h in hits) else [])
    return {"tags": tags, "changed_frames": hits}
