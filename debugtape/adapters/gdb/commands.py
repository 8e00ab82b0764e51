"""The `tape` commands inside gdb and the event handlers that record while a session runs.

Load it in gdb with the line `debugtape gdb-init` prints. Standard library and debugtape's light
modules only: gdb embeds its own Python. Every command and handler reports failures in gdb and
carries on, so debugtape never breaks the user's debugging session.
"""

from __future__ import annotations

import atexit
import logging
import os
import shlex
from collections.abc import Callable
from typing import Any

import gdb  # type: ignore[import-not-found]

from debugtape.adapters.common.handoff import IngestChild, LineWriter, ingest_command
from debugtape.adapters.common.recorder import Recorder, Sink, TapeError
from debugtape.adapters.common.sampler import SAMPLE_SIGNAL, SignalSampler
from debugtape.adapters.gdb.backend import WATCHPOINT_TYPES, GdbBackend, breakpoint_fields
from debugtape.records import parse_rate

__all__ = ["TAPE", "GdbTape", "use_pipe", "use_ingest", "headless_sampling"]

log = logging.getLogger(__name__)

SAMPLE_SIGNAL_NAME = f"SIG{SAMPLE_SIGNAL}"
_MAX_REPORTED = 5  # stop-handler failures shown in gdb before they are only counted
# Records that come in quick succession (a hot breakpoint, a snappoint, sampling) are written in
# batches once the oldest has waited this long: a write per record wakes the reader at every hit,
# on the core it shares with gdb and the program. A record after a quiet spell (a stop the user
# looks at) is written at once. A record reaches the pipe at most about 2 x BATCH_INTERVAL after
# it was taken; that much is lost if gdb is killed.
BATCH_INTERVAL = 0.1
PIPE_BYTES = 1 << 20  # `debugtape ingest` may fall behind by about 500 snapshots without slowing gdb


def _ingest_sink(db: str) -> Sink:
    return IngestChild(ingest_command(db), batch=BATCH_INTERVAL, pipe_bytes=PIPE_BYTES, lone_at_once=True)


def _bp_key(bp: Any) -> tuple[Any, ...]:
    return (bp.location, bp.condition, bp.enabled, bp.expression)


def _say(text: str) -> None:
    gdb.write(text.rstrip("\n") + "\n")


def _error(text: str) -> None:
    gdb.write(f"debugtape: error: {text}\n", gdb.STDERR)


class GdbTape:
    """The recorder wired to gdb's events; one per gdb."""

    def __init__(self) -> None:
        self.backend = GdbBackend()
        self.recorder = Recorder(self.backend, _ingest_sink)
        self.backend.snappoint_hit = self.recorder.on_snappoint
        self.backend.is_internal = self.is_internal
        self.sampling = False  # SIG36 stops are samples (the sample loop or a headless driver runs)
        self.last_stop_was_sample = False
        self.handler_failures = 0
        self._connected = False
        self._catchpoint: Any = None  # the silent `catch signal SIG36` while sampling
        self._creating_internal = False
        self._last_bp: dict[int, tuple[Any, ...]] = {}

    # -- gdb events ------------------------------------------------------------------------------

    def connect(self) -> None:
        if self._connected:
            return
        ev = gdb.events
        ev.stop.connect(self._guard(self.on_stop))
        ev.exited.connect(self._guard(self.on_exited))
        ev.breakpoint_created.connect(self._guard(lambda bp: self._bp("set", bp)))
        ev.breakpoint_modified.connect(self._guard(lambda bp: self._bp("changed", bp)))
        ev.breakpoint_deleted.connect(self._guard(lambda bp: self._bp("removed", bp)))
        if hasattr(ev, "gdb_exiting"):
            ev.gdb_exiting.connect(self._guard(lambda _e: self.recorder.on_debugger_exit()))
        atexit.register(self.recorder.on_debugger_exit)
        self._connected = True

    def _guard(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        def handler(event: Any) -> None:
            try:
                fn(event)
            except Exception as exc:  # a handler must never break the user's gdb session
                self.handler_failures += 1
                if self.handler_failures <= _MAX_REPORTED:
                    _error(f"while recording: {exc}")
                log.debug("handler failed", exc_info=True)
        return handler

    def on_stop(self, event: Any) -> None:
        self.last_stop_was_sample = False
        rec = self.recorder
        if not rec.recording:
            return
        if isinstance(event, gdb.SignalEvent):
            if event.stop_signal == SAMPLE_SIGNAL_NAME and self.sampling:
                self.last_stop_was_sample = True
                rec.sample_now()
                return
            rec.on_stop("signal", signal_name=event.stop_signal)
            return
        if isinstance(event, gdb.BreakpointEvent):
            bp = event.breakpoints[0]
            reason = "watchpoint" if bp.type in WATCHPOINT_TYPES else "breakpoint"
            rec.on_stop(reason, bp_id=str(bp.number))
            return
        rec.on_stop("step")

    def on_exited(self, event: Any) -> None:
        code = getattr(event, "exit_code", None)
        self.recorder.on_exit(exit_code=code, reason="exited" if code is not None else "killed")

    def seed_breakpoints(self) -> None:
        """Remember the breakpoints that exist when a session starts, to see their real changes."""
        self._last_bp = {bp.number: _bp_key(bp) for bp in gdb.breakpoints() if bp.is_valid()}

    def _bp(self, action: str, bp: Any) -> None:
        if not self.recorder.recording or not bp.visible or self.is_internal(bp):
            return
        if action == "removed":
            self.recorder.on_breakpoint("removed", {"bp_id": str(bp.number), "location": bp.location})
            return
        # gdb reports every hit as a modification; only real changes become events (the final
        # hit counts are sent when the session ends).
        key = _bp_key(bp)
        before = self._last_bp.get(bp.number)
        self._last_bp[bp.number] = key
        if action == "changed" and (before is None or before == key):
            return
        self.recorder.on_breakpoint(action, breakpoint_fields(bp))

    # -- sampling --------------------------------------------------------------------------------

    def sample_catchpoint(self, on: bool) -> None:
        """A silent `catch signal SIG36` makes each sample a stop gdb does not print; without it
        (and with `handle ... nostop noprint`) a signal still queued is dropped quietly."""
        if on and self._catchpoint is None:
            gdb.execute(f"handle {SAMPLE_SIGNAL_NAME} nostop noprint nopass", to_string=True)
            self._creating_internal = True
            try:
                gdb.execute(f"catch signal {SAMPLE_SIGNAL_NAME}", to_string=True)
            finally:
                self._creating_internal = False
            bp = gdb.breakpoints()[-1]
            bp.silent = True
            self._catchpoint = bp
        elif not on and self._catchpoint is not None:
            bp, self._catchpoint = self._catchpoint, None
            if bp.is_valid():
                bp.delete()

    def is_internal(self, bp: Any) -> bool:
        return self._creating_internal or (self._catchpoint is not None and bp == self._catchpoint)

    def sample_loop(self, rate: float) -> str:
        """Continue the program, sampling every thread `rate` times a second, until a real stop
        (breakpoint, signal, Ctrl-C, exit). Returns what gdb said while continuing."""
        pid = gdb.selected_inferior().pid
        if not pid:
            raise TapeError("the program is not running; start it (for example `start`), then `tape sample RATE`")
        self.sample_catchpoint(True)
        sampler = SignalSampler(pid, rate)
        self.sampling = True
        self.recorder.sample_hz = rate
        out = ""
        try:
            sampler.start()
            while True:
                out = str(gdb.execute("continue", to_string=True) or "")
                if not self.last_stop_was_sample or not gdb.selected_inferior().pid:
                    break
        finally:
            sampler.stop()
            self.sampling = False
            self.recorder.sample_hz = None
            self.sample_catchpoint(False)
        return "\n".join(line for line in out.splitlines()
                         if not line.startswith(("[Switching to", "Continuing.")))


TAPE = GdbTape()


def use_pipe(fd: int) -> None:
    """Headless mode: records go as JSON lines to `fd`, a pipe the driver (`debugtape record
    --gdb`) reads, instead of to a child `debugtape ingest`."""
    os.set_inheritable(fd, False)  # the debuggee must not hold the pipe open after gdb is gone
    stream = os.fdopen(fd, "wb")

    def factory(_db: str) -> Sink:
        return LineWriter(stream, "debugtape record", batch=BATCH_INTERVAL, lone_at_once=True)

    TAPE.recorder._sink_factory = factory


def headless_break(location: str, condition: str | None) -> None:
    """Headless mode: a breakpoint that records a snapshot and continues inside gdb."""
    try:
        TAPE.connect()
        fields = TAPE.backend.add_snappoint(location, condition, reason="breakpoint")
        made = [b for b in gdb.breakpoints() if str(b.number) == str(fields["bp_id"])]
        if made and made[0].pending:
            made[0].delete()
            _error(f"cannot place a breakpoint at {location}: no such location in the program")
    except Exception as exc:  # reported like any tape command failure
        _error(str(exc))


def headless_sampling(on: bool, rate: float | None = None) -> None:
    """Headless mode: the driver sends the signals and continues; samples are recorded here."""
    TAPE.sample_catchpoint(on)
    TAPE.sampling = on
    TAPE.recorder.sample_hz = rate if on else None


def use_ingest() -> None:
    TAPE.recorder._sink_factory = _ingest_sink


# -- the commands --------------------------------------------------------------------------------


class _TapeCommand(gdb.Command):  # type: ignore[misc]
    """Base: parse, run, and report any failure in gdb without raising into it."""

    name = ""

    def __init__(self) -> None:
        super().__init__(f"tape {self.name}", gdb.COMMAND_USER)

    def invoke(self, arg: str, from_tty: bool) -> None:
        self.dont_repeat()
        try:
            self.run(arg.strip())
        except TapeError as exc:
            _error(str(exc))
        except gdb.error as exc:
            _error(str(exc))
        except Exception as exc:  # never let a bug in debugtape break the gdb session
            _error(f"{type(exc).__name__}: {exc}")
            log.debug("tape %s failed", self.name, exc_info=True)

    def run(self, arg: str) -> None:
        raise NotImplementedError


class TapePrefix(gdb.Command):  # type: ignore[misc]
    """Record this debugging session with debugtape.

Usage: tape start [--watch] [--db PATH] [NAME] | stop | status | snap [NOTE] | note TEXT
       | sample RATE|off | snappoint LOCATION [if COND] | timeline [N] | restore [SESSION]
Snapshots (stack, arguments and locals, bounded and redacted) are recorded at every stop while a
session runs. See `help tape COMMAND`."""

    def __init__(self) -> None:
        super().__init__("tape", gdb.COMMAND_USER, gdb.COMPLETE_NONE, True)

    def invoke(self, arg: str, from_tty: bool) -> None:
        if arg.strip():
            _error(f"unknown tape command {arg.split()[0]!r}; see `help tape`")
        else:
            gdb.execute("help tape")


class TapeStart(_TapeCommand):
    """Start recording a session: tape start [--watch] [--db PATH] [NAME]

Records breakpoint events and a snapshot at every stop into the store (--db, else DEBUGTAPE_DB,
else .debugtape/tape.db at the top of the git work tree). --watch also records file changes."""

    name = "start"

    def run(self, arg: str) -> None:
        words = shlex.split(arg)
        watch = "--watch" in words
        words = [w for w in words if w != "--watch"]
        db = None
        if "--db" in words:
            i = words.index("--db")
            if i + 1 >= len(words):
                raise TapeError("--db needs a path")
            db = words[i + 1]
            del words[i:i + 2]
        TAPE.connect()
        TAPE.seed_breakpoints()
        session = TAPE.recorder.start(" ".join(words) or None, db=db, watch=watch)
        _say(f"debugtape: recording session {session} into {TAPE.recorder.db}")


class TapeStop(_TapeCommand):
    """Stop recording: tape stop. Ends the session and waits until it is stored."""

    name = "stop"

    def run(self, arg: str) -> None:
        session = TAPE.recorder.stop()
        _say(f"debugtape: session {session} stopped" if session else "debugtape: not recording")


class TapeStatus(_TapeCommand):
    """Show whether a session is recording, where, and what it holds: tape status"""

    name = "status"

    def run(self, arg: str) -> None:
        _say(TAPE.recorder.status())


class TapeSnap(_TapeCommand):
    """Record a snapshot of the selected thread now: tape snap [NOTE]"""

    name = "snap"

    def run(self, arg: str) -> None:
        rec = TAPE.recorder.snap(arg or None)
        _say(f"debugtape: snapshot of {len(rec['frames'])} frames recorded")


class TapeNote(_TapeCommand):
    """Add a note to the session's timeline: tape note TEXT"""

    name = "note"

    def run(self, arg: str) -> None:
        TAPE.recorder.note(arg)


class TapeSample(_TapeCommand):
    """Sample the stacks of all threads while the program runs: tape sample RATE|off

RATE is for example 100hz. The program continues, gdb stops it RATE times a second (signal
SIG36) to read every thread's stack, and you get the prompt back at the first real stop
(breakpoint, signal, Ctrl-C or exit). `tape sample off` stops sampling."""

    name = "sample"

    def run(self, arg: str) -> None:
        try:
            rate = parse_rate(arg or "")
        except ValueError as exc:
            raise TapeError(str(exc)) from exc
        if rate is None:
            TAPE.sampling = False
            TAPE.recorder.sample_hz = None
            _say("debugtape: sampling off")
            return
        if not TAPE.recorder.recording:
            raise TapeError("not recording; start with `tape start [NAME]`")
        before = TAPE.recorder.counts.get("sample", 0)
        out = TAPE.sample_loop(rate)
        taken = TAPE.recorder.counts.get("sample", 0) - before
        if out.strip():
            _say(out)
        _say(f"debugtape: {taken} samples recorded at {rate:g} Hz")


class TapeSnappoint(_TapeCommand):
    """Record a snapshot at LOCATION without stopping: tape snappoint LOCATION [if COND]"""

    name = "snappoint"

    def run(self, arg: str) -> None:
        location, _, cond = arg.partition(" if ")
        if not location.strip():
            raise TapeError("usage: tape snappoint LOCATION [if COND]")
        TAPE.connect()
        fields = TAPE.recorder.snappoint(location.strip(), cond.strip() or None)
        where = f"{fields.get('file')}:{fields.get('line')}" if fields.get("line") else "a pending location"
        _say(f"debugtape: snappoint {fields['bp_id']} at {fields.get('location')} ({where})")


class TapeTimeline(_TapeCommand):
    """Show the last N events of this session (default 20): tape timeline [N]"""

    name = "timeline"

    def run(self, arg: str) -> None:
        try:
            limit = int(arg) if arg else 20
        except ValueError as exc:
            raise TapeError("usage: tape timeline [N]") from exc
        _say(TAPE.recorder.timeline(limit))


class TapeRestore(_TapeCommand):
    """Recreate the breakpoints of a recorded session (default: the latest): tape restore [SESSION]"""

    name = "restore"

    def run(self, arg: str) -> None:
        commands, skipped = TAPE.recorder.restore_commands(arg or None)
        for line in commands:
            try:
                gdb.execute(line, to_string=True)
            except gdb.error as exc:
                _error(f"{line}: {exc}")
        _say(f"debugtape: {len(commands)} breakpoint commands replayed")
        for note in skipped:
            _say(f"debugtape: {note}")


def _register() -> None:
    TapePrefix()
    for cls in (TapeStart, TapeStop, TapeStatus, TapeSnap, TapeNote, TapeSample, TapeSnappoint,
                TapeTimeline, TapeRestore):
        cls()


_register()
