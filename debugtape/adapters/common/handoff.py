"""Hand raw records from inside a debugger to a child `debugtape ingest` process (standard library only).

The debugger thread encodes a record and writes it to the child's stdin while the pipe has room;
the rest waits for a daemon thread, so a slow disk never stalls the debugger, and a crash of either
side leaves the other alive.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import queue
import select
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

__all__ = ["IngestChild", "LineWriter", "ingest_command", "debugtape_command", "HandoffError"]

log = logging.getLogger(__name__)

_STOP = object()


class HandoffError(RuntimeError):
    """The ingest child could not be started or has gone away."""


def debugtape_command(args: Sequence[str]) -> list[str]:
    """`debugtape ARGS...` run with the user's own Python, not the debugger's.

    DEBUGTAPE_PYTHON (set by the init line `debugtape gdb-init` / `lldb-init` prints) names it;
    otherwise the `debugtape` script on PATH; otherwise this interpreter.
    """
    python = os.environ.get("DEBUGTAPE_PYTHON")
    if python:
        return [python, "-m", "debugtape", *args]
    script = shutil.which("debugtape")
    if script:
        return [script, *args]
    return [sys.executable, "-m", "debugtape", *args]


def ingest_command(db: str | None = None, extra: Sequence[str] = ()) -> list[str]:
    """The command that starts `debugtape ingest` (see `debugtape_command`)."""
    cmd = debugtape_command(["ingest"])
    if db:
        cmd += ["--db", db]
    return cmd + list(extra)


# Debuggers hand us bytes and odd objects (repr them: encoding never raises in the writer thread).
# One encoder for every record: json.dumps builds a new one per call when given options.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=repr, separators=(",", ":"))


def _encode(record: Mapping[str, Any]) -> bytes:
    return (_ENCODER.encode(record) + "\n").encode("utf-8", "replace")


class LineWriter:
    """Writes each record as one JSON line to a pipe, never blocking the caller.

    The caller's thread encodes the record and writes it while the pipe has room: measured in
    gdb, handing every record to a thread cost more (waking it, then both wanting the GIL) than
    encoding it in place (about 50 us for a snapshot). What does not fit in the pipe waits in a
    queue that a daemon thread drains as the reader catches up, so order is kept.

    With `batch` seconds (0: off), records that come in quick succession are gathered and
    written together once the oldest has waited that long (the daemon thread writes a batch that
    nobody adds to): one write and one wake-up of the reader for many records, measured in lldb
    at 0.1 to 0.3 ms a record. With `lone_at_once`, a record that comes after `batch` seconds
    without any (a stop the user looks at, not a hot breakpoint) is written at once. A record
    reaches the pipe at most about 2 x `batch` late, and a batching writer holds at most
    `max_backlog` bytes queued: past that, `send` waits for the reader to catch up.
    """

    def __init__(self, stream: IO[bytes], what: str, status: Callable[[], str] = lambda: "",
                 batch: float = 0.0, max_backlog: int = 16 << 20, lone_at_once: bool = False) -> None:
        self.sent = 0
        self.failed: str | None = None
        self._stream = stream
        stream.flush()
        self._fd = stream.fileno()
        os.set_blocking(self._fd, False)
        self._what = what
        self._status = status
        self._backlog = 0  # chunks queued and not completely written yet
        self._queued = 0  # bytes in those chunks
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._batch = batch
        self._max_backlog = max_backlog
        self._gathered: list[bytes] = []  # encoded records not handed on yet (batch mode)
        self._gathered_since = 0.0
        # when records were last handed on (batch mode; only kept with lone_at_once)
        self._handed_at = float("-inf")
        self._lone_at_once = lone_at_once
        self._thread = threading.Thread(target=self._pump, name="debugtape-handoff", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self.failed is None

    def send(self, record: Mapping[str, Any]) -> None:
        """Write or queue one record; never raises, and never blocks unless a batching writer's
        reader has fallen `max_backlog` bytes behind."""
        if self.failed:
            return
        try:
            data = _encode(record)
        except (TypeError, ValueError, RecursionError) as exc:  # e.g. a self-referencing dict
            log.warning("%s: a record could not be encoded (%s); dropped", self._what, type(exc).__name__)
            return
        if not self._batch:
            self._hand_on(data, 1)
            return
        with self._lock:
            now = time.monotonic()
            if self._gathered or not self._lone_at_once or now - self._handed_at < self._batch:
                if not self._gathered:
                    self._gathered_since = now
                self._gathered.append(data)
                if now - self._gathered_since < self._batch:
                    return
                chunk, count = self._take_gathered()
            else:  # the first record after a quiet spell: nothing to gather it with
                chunk, count = data, 1
            self._handed_at = now
        self._hand_on(chunk, count)
        if self._queued > self._max_backlog:
            self.flush()

    def _take_gathered(self) -> tuple[bytes, int]:
        """The gathered records as one chunk (call with the lock held)."""
        gathered, self._gathered = self._gathered, []
        return b"".join(gathered), len(gathered)

    def _hand_on(self, data: bytes, count: int) -> None:
        """Write `data` (`count` records) now if nothing is queued before it, else queue it."""
        if self._backlog == 0:
            try:
                n = os.write(self._fd, data)
            except BlockingIOError:
                n = 0
            except OSError as exc:
                self._fail(exc)
                return
            if n == len(data):
                self.sent += count
                return
            data = data[n:]
        with self._lock:
            self._backlog += 1
            self._queued += len(data)
        self._queue.put((data, count))

    def _take_stale(self, stale_only: bool) -> tuple[bytes, int] | None:
        """The gathered records as a chunk, counted as queued so the caller's thread writes
        behind it; None if there are none (or none waited `batch` s, with `stale_only`)."""
        with self._lock:
            if not self._gathered or (stale_only and time.monotonic() - self._gathered_since < self._batch):
                return None
            chunk, count = self._take_gathered()
            self._backlog += 1
            self._queued += len(chunk)
            self._handed_at = time.monotonic()
        return chunk, count

    def _queue_gathered(self) -> None:
        """Queue the records a batching writer has gathered (behind everything queued before)."""
        gathered = self._take_stale(stale_only=False)
        if gathered is not None:
            self._queue.put(gathered)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything sent so far has been written."""
        self._queue_gathered()
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self, timeout: float = 30.0) -> int | None:
        """Write what is queued, then close the stream (the reader sees end of input)."""
        self._queue_gathered()
        self._queue.put(_STOP)
        self._thread.join(timeout)
        return None if self.failed else 0

    def _fail(self, exc: BaseException) -> None:
        if self.failed is None:
            self.failed = f"{self._what} stopped reading ({exc}){self._status()}"
            log.warning(self.failed)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self._fd, view)
            except BlockingIOError:
                select.select([], [self._fd], [], 1.0)
                continue
            view = view[n:]

    def _pump(self) -> None:
        while True:
            if self._batch:
                try:
                    item = self._queue.get(timeout=self._batch)
                except queue.Empty:
                    # Nothing queued and nobody sent for a while: write the batch from here, in
                    # order (the queue is empty), before anything queued after it.
                    stale = self._take_stale(stale_only=True)
                    if stale is not None:
                        self._write_chunk(*stale)
                    continue
            else:
                item = self._queue.get()
            if item is _STOP:
                break
            if isinstance(item, threading.Event):
                item.set()
                continue
            assert isinstance(item, tuple)
            self._write_chunk(item[0], item[1])
        try:
            self._stream.close()
        except (OSError, ValueError):
            pass

    def _write_chunk(self, data: bytes, count: int) -> None:
        if not self.failed:
            try:
                self._write_all(data)
                self.sent += count
            except (OSError, ValueError) as exc:
                self._fail(exc)
        with self._lock:
            self._backlog -= 1
            self._queued -= len(data)


def _grow_pipe(fd: int, nbytes: int) -> None:
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setsize is None:
        return
    try:
        fcntl.fcntl(fd, setsize, nbytes)
    except OSError as exc:  # above the system's limit: keep the default size
        log.debug("cannot grow the pipe to %d bytes: %s", nbytes, exc)


class IngestChild:
    """A running `debugtape ingest` child fed from a queue by a writer thread."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None = None,
                 batch: float = 0.0, pipe_bytes: int | None = None, lone_at_once: bool = False) -> None:
        """`batch`, `lone_at_once`: see LineWriter. `pipe_bytes`: grow the pipe to the child (Linux; up to
        /proc/sys/fs/pipe-max-size, 1 MiB by default), so a child that falls behind for a while
        costs the debugger nothing, and what is in the pipe outlives the debugger."""
        self.command = list(command)
        self._stderr_tail = b""
        try:
            # Own session: Ctrl-C in the debugger must not kill the recorder.
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
                env=dict(env) if env is not None else None,
            )
        except OSError as exc:
            raise HandoffError(f"cannot start {self.command[0]}: {exc}") from exc
        assert self._proc.stdin is not None
        # A child that writes much to stderr must never block on a full pipe: keep its tail.
        self._stderr_thread = threading.Thread(target=self._drain_stderr, name="debugtape-ingest-stderr", daemon=True)
        self._stderr_thread.start()
        if pipe_bytes:
            _grow_pipe(self._proc.stdin.fileno(), pipe_bytes)
        self._writer = LineWriter(self._proc.stdin, "debugtape ingest",
                                  lambda: f"; exit code {self._proc.poll()}", batch=batch,
                                  lone_at_once=lone_at_once)

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def sent(self) -> int:
        return self._writer.sent

    @property
    def failed(self) -> str | None:
        return self._writer.failed

    def alive(self) -> bool:
        return self._writer.alive() and self._proc.poll() is None

    def send(self, record: Mapping[str, Any]) -> None:
        """Queue one record; never blocks and never raises."""
        self._writer.send(record)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued so far has been written to the child."""
        self._writer.flush(timeout)

    def close(self, timeout: float = 30.0) -> int | None:
        """Write what is queued, close stdin (end of input) and wait for the child to finish."""
        self._writer.close(timeout)
        try:
            code = self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._stderr_thread.join(2)
        return code

    def error_output(self) -> str:
        if self._proc.poll() is None:
            return ""
        self._stderr_thread.join(2)
        return self._stderr_tail.decode("utf-8", "replace")

    def _drain_stderr(self) -> None:
        err = self._proc.stderr
        if err is None:
            return
        try:
            fd = err.fileno()
            for chunk in iter(lambda: os.read(fd, 4096), b""):
                self._stderr_tail = (self._stderr_tail + chunk)[-8192:]
        except (OSError, ValueError):
            pass
