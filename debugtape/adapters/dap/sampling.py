"""Stack sampling of a Python debuggee: py-spy when it is installed and allowed to attach.

DAP pause sampling (the fallback) lives in the recorder, because it shares the DAP session.
py-spy writes a Chrome trace at the end; identical consecutive samples are merged there into one
begin/end pair, so the samples are rebuilt at the sampling rate from those intervals.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sysconfig
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["PySpySampler", "program_threads", "py_spy_path", "samples_from_chrome_trace"]

log = logging.getLogger(__name__)


def py_spy_path() -> str | None:
    """py-spy on PATH, else beside this interpreter's own scripts: `debugtape[sampling]` installs it
    there, and an editor that starts debugtape by its path has not put that folder on PATH."""
    return shutil.which("py-spy") or shutil.which("py-spy", path=sysconfig.get_path("scripts"))


class PySpySampler:
    """Runs `py-spy record` against a pid until it exits; `samples()` then gives sample records."""

    def __init__(self, pid: int, rate_hz: float, exe: str) -> None:
        self.pid = pid
        self.rate = max(1, int(round(rate_hz)))
        self._dir = tempfile.mkdtemp(prefix="debugtape-pyspy-")
        self._out = Path(self._dir) / "trace.json"
        self.started = time.time()
        # The trace holds function names, files and lines only: no values, nothing to redact.
        # --idle: every thread, waiting or not, as gdb's, lldb's and DAP pause samples show them
        # (py-spy alone would leave out a thread that sleeps, waits on a lock or on I/O).
        self._proc = subprocess.Popen(
            [exe, "record", "--format", "chrometrace", "--nonblocking", "--full-filenames", "--idle",
             "-r", str(self.rate), "-p", str(pid), "-o", str(self._out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )
        self.error: str | None = None

    def check_started(self, grace: float = 0.5) -> bool:
        """False (with `error` set) when py-spy quit at once, e.g. not permitted to attach."""
        try:
            self._proc.wait(grace)
        except subprocess.TimeoutExpired:
            return True
        err = self._proc.stderr.read().decode("utf-8", "replace") if self._proc.stderr else ""
        self.error = err.strip().splitlines()[-1] if err.strip() else f"py-spy exited with {self._proc.returncode}"
        return False

    def stop(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait for py-spy to write its trace (it stops when the program exits) and read it."""
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.send_signal(2)  # SIGINT makes py-spy write what it has
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        try:
            events = json.loads(self._out.read_text())
        except (OSError, ValueError) as exc:
            log.warning("py-spy wrote no usable trace: %s", exc)
            events = []
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
        samples = []
        for rec in samples_from_chrome_trace(events, self.started, self.rate):
            threads = program_threads(rec["threads"])
            if threads:
                samples.append({**rec, "threads": threads, "rate_hz": self.rate})
        return samples


def samples_from_chrome_trace(events: Sequence[Mapping[str, Any]], t0: float, rate: float) -> list[dict[str, Any]]:
    """Sample records at `rate` Hz from py-spy's begin/end trace (`ts` in µs from `t0`).

    Each thread's stack is rebuilt as a list of (time, stack) changes; then one sample per tick
    between the first and last event holds every thread's stack at that tick.
    """
    timelines: dict[int, list[tuple[int, tuple[dict[str, Any], ...]]]] = {}
    stacks: dict[int, list[dict[str, Any]]] = {}
    for ev in sorted(events, key=lambda e: int(e.get("ts", 0))):  # stable: E before B at one ts
        tid = int(ev.get("tid", 0))
        args = ev.get("args") or {}
        stack = stacks.setdefault(tid, [])
        if ev.get("ph") == "B":
            stack.append({"symbol": ev.get("name"), "file": args.get("filename"), "line": args.get("line")})
        elif ev.get("ph") == "E" and stack:
            stack.pop()
        else:
            continue
        line = timelines.setdefault(tid, [])
        ts = int(ev.get("ts", 0))
        if line and line[-1][0] == ts:
            line[-1] = (ts, tuple(stack))
        else:
            line.append((ts, tuple(stack)))
    if not timelines:
        return []
    first = min(tl[0][0] for tl in timelines.values())
    last = max(tl[-1][0] for tl in timelines.values())
    step = 1e6 / rate
    cursors = dict.fromkeys(timelines, 0)
    out: list[dict[str, Any]] = []
    tick = float(first)
    while tick < last:
        threads = []
        for tid, tl in sorted(timelines.items()):
            i = cursors[tid]
            while i + 1 < len(tl) and tl[i + 1][0] <= tick:
                i += 1
            cursors[tid] = i
            if tl[i][0] <= tick and tl[i][1]:
                threads.append({"id": tid, "name": "", "frames": list(reversed(tl[i][1]))})
        if threads:
            out.append({"kind": "sample", "ts": t0 + tick / 1e6, "threads": threads})
        tick += step
    return out


_DEBUGPY_DIR = os.sep + "debugpy" + os.sep
_THREADING = os.sep + "threading.py"


def program_threads(threads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The program's own threads, without debugpy's: py-spy sees pydevd's threads and the
    tracing frames it puts on top of the program's, which DAP hides."""
    out = []
    for t in threads:
        frames = t.get("frames") or []
        outer = next((f for f in reversed(frames) if not str(f.get("file", "")).endswith(_THREADING)), None)
        if outer is None or _DEBUGPY_DIR in str(outer.get("file", "")):
            continue  # a debugger thread (or an idle one that is all threading.py)
        own = [f for f in frames if _DEBUGPY_DIR not in str(f.get("file", ""))]
        if own:
            out.append({**t, "frames": own})
    return out


def permitted() -> bool:
    """Whether attaching with ptrace is likely allowed (root, or yama scope 0)."""
    if os.geteuid() == 0:
        return True
    try:
        return Path("/proc/sys/kernel/yama/ptrace_scope").read_text().strip() == "0"
    except OSError:
        return True
