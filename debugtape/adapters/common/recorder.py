"""The state machine behind the `tape` commands, shared by gdb and lldb (standard library only).

A debugger adapter implements `Backend` (what the debugger can tell and do) and forwards its
events to `Recorder.on_stop`, `on_breakpoint`, `on_snappoint`, `on_exit` and `on_debugger_exit`;
its `tape` commands call `start`, `stop`, `status`, `snap`, `note`, `snappoint`, `sample_now`,
`timeline` and `restore_commands`. Records go to a `Sink` (by default a child `debugtape ingest`).
Every public method raises `TapeError` with a message fit for the user, or nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from debugtape.adapters.common.handoff import IngestChild, debugtape_command, ingest_command
from debugtape.adapters.common.snapshot import FrameView, build_snapshot, stack_of
from debugtape.adapters.common.values import Bounds, ValueAccess
from debugtape.errors import DebugtapeError
from debugtape.events import new_session_id
from debugtape.paths import resolve_db

__all__ = ["Backend", "Sink", "Recorder", "TapeError", "ENV_ALLOWLIST", "CRASH_SIGNALS"]

log = logging.getLogger(__name__)

# Environment variables whose values a session records; for the others only the names are kept,
# so a token in the environment never leaves the debugger (the redactor is the second line).
ENV_ALLOWLIST = frozenset({"LANG", "LC_ALL", "LC_CTYPE", "TERM", "SHELL", "TZ", "PWD"})
CRASH_SIGNALS = frozenset({"SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE", "SIGILL", "SIGSYS"})


class TapeError(DebugtapeError):
    """A `tape` command cannot do what was asked; the message says why and what to do."""


class Sink(Protocol):
    """Where raw records go: `IngestChild`, or a headless driver's in-process pipeline."""

    def send(self, record: Mapping[str, Any]) -> None: ...

    def flush(self, timeout: float = 5.0) -> None: ...

    def close(self, timeout: float = 30.0) -> int | None: ...

    def alive(self) -> bool: ...


class Backend(Protocol):
    """What a debugger offers the recorder. Called on the debugger's own thread only.

    `frames()` and `threads()` yield lazily, innermost frame first (see snapshot.FrameView);
    `access` describes the values those frames hold (see values.ValueAccess).
    """

    tool: str  # "gdb" | "lldb": the session's tool and the `--format` of `debugtape breakpoints`

    @property
    def access(self) -> ValueAccess[Any]:
        """Describes the values `frames()` hold (a plain attribute is fine)."""
        ...

    def process_info(self) -> dict[str, Any]:
        """program, argv, cwd, pid (None when nothing runs yet)."""
        ...

    def current_thread(self) -> dict[str, Any] | None:
        """{"id": ..., "name": ...} of the stopped (selected) thread."""
        ...

    def frames(self) -> Iterable[FrameView[Any]]:
        """The selected thread's frames."""
        ...

    def threads(self) -> Iterable[tuple[dict[str, Any], Iterable[FrameView[Any]]]]:
        """Every thread as ({"id", "name"}, its frames): what a sample reads."""
        ...

    def breakpoints(self) -> list[dict[str, Any]]:
        """The breakpoints that exist now, as breakpoint record fields (bp_id, location, file,
        line, condition, hits, symbol, enabled, kind)."""
        ...

    def add_snappoint(self, location: str, condition: str | None) -> dict[str, Any]:
        """Create a breakpoint that calls `Recorder.on_snappoint` and never stops; its fields."""
        ...

    def execute(self, command: str) -> str:
        """Run one debugger command line (used by `tape restore`)."""
        ...


SinkFactory = Callable[[str], Sink]


def _ingest_sink(db: str) -> Sink:
    return IngestChild(ingest_command(db))


class Recorder:
    """One debugger's recording state: idle, or recording one session into one sink."""

    def __init__(self, backend: Backend, sink_factory: SinkFactory = _ingest_sink, bounds: Bounds | None = None) -> None:
        self.backend = backend
        self.bounds = bounds or Bounds()
        self._sink_factory = sink_factory
        self.sink: Sink | None = None
        self.session: str | None = None
        self.name: str | None = None
        self.db: str | None = None
        self.started = 0.0
        self.counts: dict[str, int] = {}
        self.sample_hz: float | None = None
        self.snappoints: dict[str, str | None] = {}  # bp_id -> condition
        self._hits: dict[str, int] = {}
        self._watcher: subprocess.Popen[bytes] | None = None
        self.last_error: str | None = None

    # -- state ---------------------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        return self.sink is not None

    def _need(self) -> Sink:
        if self.sink is None:
            raise TapeError("not recording; start with `tape start [NAME]`")
        return self.sink

    def _send(self, record: dict[str, Any]) -> None:
        sink = self._need()
        sink.send(record)
        kind = str(record.get("kind"))
        self.counts[kind] = self.counts.get(kind, 0) + 1

    # -- commands ------------------------------------------------------------------------------

    def start(self, name: str | None = None, db: str | None = None, watch: bool = False) -> str:
        """Begin a session: the start record, then every breakpoint that already exists."""
        if self.sink is not None:
            raise TapeError(f"already recording session {self.session}; `tape stop` first")
        info = self.backend.process_info()
        cwd = info.get("cwd") or os.getcwd()
        path = str(resolve_db(db, cwd=cwd))
        try:
            os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
        except OSError as exc:
            raise TapeError(f"cannot create the store folder for {path}: {exc}") from exc
        try:
            sink = self._sink_factory(path)
        except Exception as exc:
            raise TapeError(f"cannot start `debugtape ingest` ({exc}); is debugtape installed for "
                            "DEBUGTAPE_PYTHON? see `debugtape gdb-init`") from exc
        self.sink, self.db, self.name = sink, path, name
        self.session = new_session_id()
        self.started = time.time()
        self.counts = {}
        self._hits = {}
        self._send({
            "kind": "start", "ts": self.started, "session": self.session, "name": name, "tool": self.backend.tool,
            "program": info.get("program"), "argv": info.get("argv"), "cwd": cwd,
            "env": _env_values(os.environ), "pid": info.get("pid"),
            "meta": {"env_names": sorted(k for k in os.environ if k not in ENV_ALLOWLIST),
                     "bounds": self.bounds.__dict__},
        })
        for bp in self.backend.breakpoints():
            self.on_breakpoint("set", bp)
        if watch:
            try:
                self._start_watcher(path, cwd)
            except TapeError:
                self.stop(reason="stopped")
                raise
        return self.session

    def stop(self, reason: str = "stopped", exit_code: int | None = None) -> str | None:
        """End the session: final hit counts, the end record, then wait for ingest to finish."""
        sink = self.sink
        if sink is None:
            return None
        session = self.session
        try:
            self._final_hits()
        except Exception as exc:  # the debugger may be half gone at exit; the end record matters more
            log.debug("final hit counts unavailable: %s", exc)
        end: dict[str, Any] = {"kind": "end", "ts": time.time(), "reason": reason}
        if exit_code is not None:
            end["exit_code"] = exit_code
        sink.send(end)
        self.sink = None
        self.sample_hz = None
        self._stop_watcher()
        code = sink.close()
        if code not in (0, None):
            self.last_error = f"debugtape ingest exited with code {code}"
            error_output = getattr(sink, "error_output", None)
            if callable(error_output):
                self.last_error += ": " + str(error_output()).strip()[-500:]
            raise TapeError(self.last_error)
        return session

    def status(self) -> str:
        if self.sink is None:
            return "debugtape: not recording" + (f" (last error: {self.last_error})" if self.last_error else "")
        parts = [
            f"debugtape: recording session {self.session}",
            f"name {self.name}" if self.name else "",
            f"store {self.db}",
            f"{time.time() - self.started:.0f}s",
            f"{self.counts.get('snapshot', 0)} snapshots",
            f"{self.counts.get('sample', 0)} samples",
            f"{self.counts.get('breakpoint', 0)} breakpoint events",
            f"{self.counts.get('note', 0)} notes",
            f"sampling at {self.sample_hz:g} Hz" if self.sample_hz else "",
            f"{len(self.snappoints)} snappoints" if self.snappoints else "",
            "watching files" if self._watcher is not None else "",
        ]
        if not self.sink.alive():
            parts.append("WARNING: debugtape ingest is not running; records are being lost")
        return ", ".join(p for p in parts if p)

    def snap(self, note: str | None = None) -> dict[str, Any]:
        """A manual snapshot of the selected thread."""
        self._need()
        return self.on_stop("manual", note=note)

    def note(self, text: str) -> None:
        if not text.strip():
            raise TapeError("usage: tape note TEXT")
        self._send({"kind": "note", "ts": time.time(), "text": text})

    def snappoint(self, location: str, condition: str | None = None) -> dict[str, Any]:
        if not location.strip():
            raise TapeError("usage: tape snappoint LOCATION [if COND]")
        fields = self.backend.add_snappoint(location, condition)
        self.snappoints[str(fields["bp_id"])] = condition
        return fields

    def sample_now(self) -> None:
        """One sample: the stacks of every thread, no values."""
        threads = []
        for thread, frames in self.backend.threads():
            entry = dict(thread)
            entry["frames"] = stack_of(frames, self.bounds.sample_frames)
            threads.append(entry)
        self._send({"kind": "sample", "ts": time.time(), "threads": threads})

    def timeline(self, limit: int = 20) -> str:
        """The last events of this session (or of the last one recorded here), via the CLI."""
        if self.session is None:
            raise TapeError("no session yet; `tape start` first")
        if self.sink is not None:
            self._sync()
        cmd = debugtape_command(["timeline", "--session", self.session, "--limit", str(limit)])
        if self.db:
            cmd += ["--db", self.db]
        # The ingest child commits in batches: a session a moment old may not be stored yet.
        deadline = time.monotonic() + 3.0
        while True:
            try:
                return _run(cmd, "debugtape timeline")[0]
            except TapeError as exc:
                not_yet = "no session matches" in str(exc) or "no such table" in str(exc)
                if not not_yet or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _sync(self, timeout: float = 10.0) -> None:
        """Wait until ingest has committed every record sent so far (a `sync` record)."""
        assert self.sink is not None
        folder = tempfile.mkdtemp(prefix="debugtape-sync-")
        marker = os.path.join(folder, "committed")  # empty: ingest only creates it
        try:
            self.sink.send({"kind": "sync", "path": marker})
            self.sink.flush()
            deadline = time.monotonic() + timeout
            while not os.path.exists(marker) and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def restore_commands(self, session: str | None = None) -> tuple[list[str], list[str]]:
        """The debugger commands that recreate a session's breakpoints (`debugtape breakpoints`),
        and one line per breakpoint that could not be placed, saying why."""
        cmd = debugtape_command(["breakpoints", session or "latest", "--format", self.backend.tool])
        cmd += ["--db", self.db or str(resolve_db(None, cwd=self.backend.process_info().get("cwd")))]
        out, err = _run(cmd, "debugtape breakpoints")
        commands = [line.strip() for line in out.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        skipped = [line.lstrip("# ").strip() for line in err.splitlines() if line.lstrip().startswith("#")]
        return commands, skipped

    # -- debugger events -------------------------------------------------------------------------

    def on_stop(
        self, reason: str, bp_id: str | None = None, signal_name: str | None = None,
        note: str | None = None, exception: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Snapshot the selected thread; `reason` is a snapshot reason of docs/internals.md."""
        self._need()
        if reason == "signal" and signal_name in CRASH_SIGNALS:
            reason = "crash"
        record = build_snapshot(
            self.backend.frames(), self.backend.access, reason,
            thread=self.backend.current_thread(), bounds=self.bounds,
            bp_id=bp_id, signal=signal_name, note=note, exception=exception,
        )
        self._send(record)
        return record

    def on_snappoint(self, bp_id: str, reason: str = "snappoint") -> None:
        """A snappoint passed (the program carries on): a snapshot with that reason."""
        if self.sink is not None:
            self.on_stop(reason, bp_id=bp_id)

    def on_breakpoint(self, action: str, fields: Mapping[str, Any]) -> None:
        """A breakpoint was set, changed or removed. Changes of the hit count alone are not
        sent one by one (1,000 hits would be 1,000 events): `stop` sends the final counts."""
        if self.sink is None:
            return
        bp_id = str(fields.get("bp_id"))
        if action == "removed":
            self._hits.pop(bp_id, None)
            self.snappoints.pop(bp_id, None)
        else:
            self._hits[bp_id] = int(fields.get("hits") or 0)
        # The record's own "kind" is "breakpoint"; the breakpoint's kind (breakpoint, watchpoint,
        # snappoint, catchpoint) travels as "bp_kind" so the two never collide in one object.
        record = {**fields, "kind": "breakpoint", "ts": time.time(), "action": action}
        if bp_id in self.snappoints:
            record["bp_kind"] = "snappoint"
        self._send(record)

    def on_exit(self, exit_code: int | None = None, reason: str = "exited") -> None:
        """The debuggee exited or was killed: the session ends with it."""
        if self.sink is not None:
            self.stop(reason=reason, exit_code=exit_code)

    def on_debugger_exit(self) -> None:
        """The debugger is quitting: end cleanly (a debugger that dies leaves an interrupted one)."""
        if self.sink is not None:
            try:
                self.stop(reason="stopped")
            except TapeError as exc:
                log.warning("%s", exc)

    # -- internals -------------------------------------------------------------------------------

    def _final_hits(self) -> None:
        for bp in self.backend.breakpoints():
            bp_id = str(bp.get("bp_id"))
            hits = int(bp.get("hits") or 0)
            if hits != self._hits.get(bp_id, 0):
                self._hits[bp_id] = hits
                self._send({"kind": "breakpoint", "ts": time.time(), "action": "changed", **bp})

    def _start_watcher(self, db: str, cwd: str) -> None:
        from debugtape.watch.background import BackgroundWatchError, start_background

        # Returns once it watches, so an edit right after `tape start --watch` is recorded. It
        # stops by itself when the debugger dies (its stdin pipe closes; --exit-with-parent).
        try:
            self._watcher = start_background(
                db, cwd=cwd, command=debugtape_command([]),
                on_line=lambda line: log.debug("debugtape watch: %s", line.rstrip()))
        except BackgroundWatchError as exc:
            raise TapeError(str(exc)) from exc

    def _stop_watcher(self) -> None:
        from debugtape.watch.background import stop_background

        proc, self._watcher = self._watcher, None
        if proc is not None:
            stop_background(proc)


def _env_values(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k in ENV_ALLOWLIST}


def _run(cmd: list[str], what: str) -> tuple[str, str]:
    """(stdout, stderr) of a debugtape command; TapeError when it fails."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise TapeError(f"cannot run `{what}`: {exc}") from exc
    if out.returncode != 0:
        err = (out.stderr or out.stdout).strip()
        if "No such command" in err:
            raise TapeError(f"`{what}` is not available in this debugtape yet")
        raise TapeError(f"`{what}` failed: {err[-500:]}")
    return out.stdout, out.stderr
