"""The `tape` commands inside lldb: `command script import debugtape.adapters.lldb.commands`.

Runs in lldb's embedded Python, so it imports only the standard library and debugtape's light
modules. Every entry point (command, stop hook, snappoint callback, exit watcher, destroy
callback) catches everything and reports it in lldb: a debugtape failure never breaks the
user's lldb session.

lldb keeps the records flowing without atexit (batch mode never runs it): each entry point that
hands the prompt back flushes the hand-off before it returns (snappoint hits and samples leave
it to the hand-off's batching, see BATCH_INTERVAL), a small thread notices when the program
exits, and the debugger's destroy callback ends the session when lldb quits.
"""

from __future__ import annotations

import logging
import os
import shlex
import threading
import time
from typing import Any

import lldb  # type: ignore[import-not-found]  # provided by lldb itself

from debugtape.adapters.common.handoff import IngestChild, ingest_command
from debugtape.adapters.common.recorder import Recorder, Sink, TapeError
from debugtape.adapters.common.sampler import SAMPLE_SIGNAL
from debugtape.adapters.lldb.backend import LldbBackend, stop_reason
from debugtape.adapters.lldb.sampling import RunningOnlySampler
from debugtape.records import parse_rate

__all__ = ["StopHook", "snappoint_callback", "tape_state"]

log = logging.getLogger(__name__)

MODULE = __name__
WATCH_INTERVAL = 0.1
# Snappoint hits and samples are written to `debugtape ingest` in batches, once the oldest waited
# this long: a write per record (waking the child each time) cost 0.1 to 0.3 ms a hit, and a
# flush (handing the GIL to the writer thread and waiting for the pipe) about 3 ms. If lldb is
# killed, at most the last 2 x BATCH_INTERVAL of records is lost.
BATCH_INTERVAL = 0.25
PIPE_BYTES = 1 << 20  # the child may fall behind by about 500 snapshots without slowing lldb

HELP = """debugtape records what you see while debugging into its event store.

  tape start [--watch] [--db PATH] [NAME]
                               begin recording (a snapshot at every stop from now on);
                               --watch also records file changes and commits
  tape stop                    end the session
  tape status                  what is being recorded
  tape snap [NOTE]             a snapshot of the selected thread now
  tape note TEXT               a note in the timeline
  tape sample RATE|off         sample every thread's stack while the program runs (e.g. 100hz)
  tape snappoint LOC [if COND] a breakpoint that records a snapshot and carries on
  tape timeline [N]            the last N events of this session (default 20)
  tape restore [SESSION]       recreate the breakpoints of a session (default: the latest)

The store is --db's, else $DEBUGTAPE_DB, else <git top>/.debugtape/tape.db. See docs/lldb.md."""


class _Tape:
    """debugtape's state in one lldb process."""

    def __init__(self, debugger: Any) -> None:
        self.backend = LldbBackend(lldb, debugger)
        self.recorder = Recorder(self.backend, sink_factory=_ingest_sink)
        self.lock = threading.RLock()
        self.known: dict[str, dict[str, Any]] = {}  # breakpoint fields as last recorded, minus hits
        self.sampler: RunningOnlySampler | None = None
        self.hook_target: Any = None
        self.hook_id: int | None = None
        self.watcher: threading.Thread | None = None
        self.process: Any = None  # the last process seen: at lldb's exit the target may be gone
        self.sampled = False

    @property
    def debugger(self) -> Any:
        return self.backend.debugger

    # -- breakpoints -----------------------------------------------------------------------------

    def sync_breakpoints(self) -> None:
        """Record breakpoints set, changed or removed since the last look (hit counts aside)."""
        if not self.recorder.recording:
            return
        now = {}
        for fields in self.backend.breakpoints():
            now[str(fields["bp_id"])] = fields
        for bp_id, fields in now.items():
            shape = {k: v for k, v in fields.items() if k != "hits"}
            before = self.known.get(bp_id)
            if before is None:
                self.recorder.on_breakpoint("set", fields)
            elif before != shape:
                self.recorder.on_breakpoint("changed", fields)
            self.known[bp_id] = shape
        for bp_id in [b for b in self.known if b not in now]:
            gone = self.known.pop(bp_id)
            self.recorder.on_breakpoint("removed", {k: gone.get(k) for k in ("bp_id", "location", "file", "line", "symbol")})

    def prime_breakpoints(self) -> None:
        self.known = {str(f["bp_id"]): {k: v for k, v in f.items() if k != "hits"} for f in self.backend.breakpoints()}

    # -- session ---------------------------------------------------------------------------------

    def start(self, name: str | None, db: str | None = None, watch: bool = False) -> str:
        self.check_exit()
        session = self.recorder.start(name, db=db, watch=watch)
        process = self.backend.process()
        self.process = process if process is not None and process.IsValid() else None
        self.prime_breakpoints()
        self._add_stop_hook()
        self.flush()
        self.watcher = threading.Thread(target=self._watch, args=(session,), name="debugtape-exit", daemon=True)
        self.watcher.start()
        return session

    def stop(self, reason: str = "stopped", exit_code: int | None = None) -> str | None:
        self.stop_sampling()
        if self.recorder.recording:
            try:
                self.sync_breakpoints()
            except Exception as exc:  # a half torn-down target must not keep the session open
                log.debug("breakpoints unreadable at stop: %s", exc)
        self._remove_stop_hook()
        return self.recorder.stop(reason=reason, exit_code=exit_code)

    def flush(self) -> None:
        sink = self.recorder.sink
        if sink is not None:
            sink.flush()

    def check_exit(self) -> bool:
        """End the session if the program has exited since the last look; True if it did."""
        if not self.recorder.recording:
            return False
        process = self.backend.process()
        if process is not None and process.IsValid():
            self.process = process
        elif self.process is not None and self.process.IsValid():
            process = self.process
        else:
            return False
        state = process.GetState()
        if state == lldb.eStateExited:
            killed = (process.GetExitDescription() or "").startswith("killed")
            self.stop("killed" if killed else "exited", process.GetExitStatus())
            return True
        if state == lldb.eStateDetached:
            self.stop("detached")
            return True
        return False

    def _watch(self, session: str) -> None:
        # lldb has no Python hook for "the process exited": poll its state while recording. The
        # state is read without the lock: in synchronous mode lldb holds its API lock while the
        # program runs, and a stop hook waiting for our lock meanwhile would deadlock.
        while True:
            time.sleep(WATCH_INTERVAL)
            if not self.recorder.recording or self.recorder.session != session:
                return
            process = self.process
            if process is None or not process.IsValid():
                continue
            if process.GetState() not in (lldb.eStateExited, lldb.eStateDetached):
                continue
            with self.lock:
                if not self.recorder.recording or self.recorder.session != session:
                    return
                try:
                    self.check_exit()
                except Exception as exc:
                    log.warning("debugtape: ending the session failed: %s", exc)
                return

    def _add_stop_hook(self) -> None:
        if self.hook_id is not None:
            return
        result = lldb.SBCommandReturnObject()
        self.debugger.GetCommandInterpreter().HandleCommand(f"target stop-hook add -P {MODULE}.StopHook", result)
        if not result.Succeeded():
            raise TapeError(f"cannot add the stop hook: {result.GetError()}")
        words = (result.GetOutput() or "").replace("#", " ").split()
        self.hook_id = next((int(w) for w in words if w.isdigit()), None)
        self.hook_target = self.backend.target()

    def _remove_stop_hook(self) -> None:
        hook_id, self.hook_id = self.hook_id, None
        target, self.hook_target = self.hook_target, None
        if hook_id is None:
            return
        if target is not None and target.IsValid():
            target.GetDebugger().HandleCommand(f"target stop-hook delete {hook_id}")
        else:
            self.debugger.HandleCommand(f"target stop-hook delete {hook_id}")

    # -- sampling --------------------------------------------------------------------------------

    def sample(self, rate_text: str) -> str:
        try:
            rate = parse_rate(rate_text)
        except ValueError as exc:
            raise TapeError(str(exc)) from exc
        if rate is None:
            self.stop_sampling()
            return "debugtape: sampling off"
        self.recorder._need()
        process = self.backend.process()
        if process is None or not process.IsValid() or not process.GetProcessID():
            raise TapeError("no running program to sample; `run` it first (sampling starts at `continue`)")
        signals = process.GetUnixSignals()
        # Stop on the sampling signal without printing or passing it on; the stop hook samples
        # and returns False, so lldb carries on without handing the terminal back.
        signals.SetShouldStop(SAMPLE_SIGNAL, True)
        signals.SetShouldNotify(SAMPLE_SIGNAL, False)
        signals.SetShouldSuppress(SAMPLE_SIGNAL, True)
        self.stop_sampling()
        self.sampler = RunningOnlySampler(process.GetProcessID(), rate)
        self.sampler.start()
        self.recorder.sample_hz = rate
        return f"debugtape: sampling every thread at {rate:g} Hz while the program runs"

    def stop_sampling(self) -> None:
        sampler, self.sampler = self.sampler, None
        if sampler is not None:
            sampler.stop()
        self.recorder.sample_hz = None

    # -- restore ---------------------------------------------------------------------------------

    def restore(self, session: str | None) -> str:
        lines, skipped = self.recorder.restore_commands(session)
        done = []
        for line in lines:
            try:
                self.backend.execute(line)
                done.append(line)
            except ValueError as exc:
                done.append(f"{line}   # failed: {exc}")
        done += [f"debugtape: {note}" for note in skipped]
        return "\n".join(done) if done else "debugtape: that session had no breakpoints"


def _ingest_sink(db: str) -> Sink:
    return IngestChild(ingest_command(db), batch=BATCH_INTERVAL, pipe_bytes=PIPE_BYTES)


_TAPES: dict[int, _Tape] = {}


def tape_state(debugger: Any) -> _Tape:
    """The `_Tape` of this debugger (one per lldb debugger instance)."""
    key = debugger.GetID()
    tape = _TAPES.get(key)
    if tape is None:
        tape = _TAPES[key] = _Tape(debugger)
    return tape


def _tape_for_target(target: Any) -> _Tape | None:
    if target is None or not target.IsValid():
        return None
    return _TAPES.get(target.GetDebugger().GetID())


# -- lldb entry points -------------------------------------------------------------------------


class StopHook:
    """`target stop-hook add -P`: a snapshot at every stop while recording; samples auto-continue."""

    def __init__(self, target: Any, extra_args: Any, internal_dict: Any) -> None:
        self.target = target

    def handle_stop(self, exe_ctx: Any, stream: Any) -> bool:
        tape = _tape_for_target(exe_ctx.target) or _tape_for_target(self.target)
        if tape is None:
            return True
        with tape.lock:
            if not tape.recorder.recording:
                return True
            tape.process = exe_ctx.process
            tape.sampled = False
            prompt = True
            try:
                prompt = _on_stop(tape, exe_ctx.thread)
                return prompt
            except Exception as exc:
                stream.Print(f"debugtape: {exc}\n")
                return True
            finally:
                if prompt:  # the user may change settings, symbols, modules: describe frames afresh
                    tape.backend.frame_cache.clear()
                if not tape.sampled:  # a sample is left to the batching, like a snappoint hit
                    tape.flush()


def _on_stop(tape: _Tape, thread: Any) -> bool:
    reason, extra = stop_reason(lldb, thread)
    if reason == "signal" and extra.get("signo") == SAMPLE_SIGNAL and tape.sampler is not None:
        tape.recorder.sample_now()
        tape.sampled = True
        return False  # vote to continue: a sample never hands the terminal back
    tape.sync_breakpoints()
    if reason is None:
        return True
    if reason == "breakpoint" and extra.get("bp_id") in tape.backend.snappoint_ids:
        return True  # the callback already recorded it
    with tape.backend.focus(thread):
        tape.recorder.on_stop(reason, bp_id=extra.get("bp_id"), signal_name=extra.get("signal_name"),
                              exception=extra.get("exception"))
    return True


def snappoint_callback(frame: Any, bp_loc: Any, internal_dict: Any) -> bool:
    """Breakpoint callback of a snappoint: record a snapshot and return False (do not stop)."""
    try:
        tape = _tape_for_target(frame.GetThread().GetProcess().GetTarget())
        if tape is None:
            return False
        with tape.lock:
            if tape.recorder.recording:
                with tape.backend.focus(frame.GetThread()):
                    tape.recorder.on_snappoint(str(bp_loc.GetBreakpoint().GetID()))
    except Exception as exc:
        print(f"debugtape: snappoint failed: {exc}")
    return False


def _on_destroy(*_args: Any) -> None:
    # lldb is quitting (batch mode never runs atexit): end every session still open.
    for tape in list(_TAPES.values()):
        with tape.lock:
            try:
                if tape.recorder.recording and not tape.check_exit():
                    # lldb kills a program it launched when it quits (and detaches an attached one)
                    alive = tape.process is not None and tape.process.IsValid() and tape.process.GetState() in (
                        lldb.eStateStopped, lldb.eStateRunning, lldb.eStateSuspended)
                    tape.stop("killed" if alive else "stopped")
            except Exception as exc:
                print(f"debugtape: could not end the session: {exc}")


class _TapeCommand:
    """One `tape SUBCOMMAND`: parse, run under the lock, print; never raise into lldb."""

    usage = ""
    short = ""

    def __init__(self, debugger: Any, internal_dict: Any) -> None:
        self.debugger = debugger

    def get_short_help(self) -> str:
        return self.short

    def get_long_help(self) -> str:
        return f"{self.short}\n\nUsage: {self.usage}\n\n{HELP}"

    def __call__(self, debugger: Any, command: str, exe_ctx: Any, result: Any) -> None:
        tape = tape_state(debugger)
        try:
            with tape.lock:
                tape.backend.frame_cache.clear()  # settings may have changed since the last look
                process = tape.backend.process()
                if process is not None and process.IsValid():
                    tape.process = process
                if self.__class__ is not TapeStop:
                    tape.check_exit()
                try:
                    out = self.run(tape, command.strip())
                finally:
                    tape.flush()
            if out:
                result.AppendMessage(out)
        except TapeError as exc:
            result.SetError(f"debugtape: {exc}")
        except Exception as exc:  # never break the user's lldb
            log.debug("tape command failed", exc_info=True)
            result.SetError(f"debugtape: {type(exc).__name__}: {exc}")

    def run(self, tape: _Tape, args: str) -> str:
        raise NotImplementedError


class TapeStart(_TapeCommand):
    usage = "tape start [--watch] [--db PATH] [NAME]"
    short = "Start recording a debugtape session."

    def run(self, tape: _Tape, args: str) -> str:
        words = shlex.split(args)
        watch = "--watch" in words
        words = [w for w in words if w != "--watch"]
        db = None
        if words[:1] == ["--db"]:
            if len(words) < 2:
                raise TapeError(f"usage: {self.usage}")
            db, words = words[1], words[2:]
        session = tape.start(" ".join(words) or None, db, watch=watch)
        return f"debugtape: recording session {session} into {tape.recorder.db}"


class TapeStop(_TapeCommand):
    usage = "tape stop"
    short = "Stop recording and close the session."

    def run(self, tape: _Tape, args: str) -> str:
        if not tape.recorder.recording:
            return "debugtape: not recording"
        session = tape.recorder.session
        if not tape.check_exit():
            tape.stop("stopped")
        return f"debugtape: session {session} saved in {tape.recorder.db}"


class TapeStatus(_TapeCommand):
    usage = "tape status"
    short = "Show what debugtape is recording."

    def run(self, tape: _Tape, args: str) -> str:
        return tape.recorder.status()


class TapeSnap(_TapeCommand):
    usage = "tape snap [NOTE]"
    short = "Record a snapshot of the selected thread now."

    def run(self, tape: _Tape, args: str) -> str:
        tape.sync_breakpoints()
        record = tape.recorder.snap(args or None)
        top = record["frames"][0] if record["frames"] else {}
        where = f" at {top.get('symbol')} {top.get('file') or ''}:{top.get('line') or ''}" if top else ""
        return f"debugtape: snapshot of {len(record['frames'])} frames{where}"


class TapeNote(_TapeCommand):
    usage = "tape note TEXT"
    short = "Add a note to the session's timeline."

    def run(self, tape: _Tape, args: str) -> str:
        tape.recorder.note(args)
        return "debugtape: noted"


class TapeSample(_TapeCommand):
    usage = "tape sample RATE|off   (e.g. tape sample 100hz)"
    short = "Sample every thread's stack while the program runs."

    def run(self, tape: _Tape, args: str) -> str:
        if not args:
            raise TapeError(f"usage: {self.usage}")
        return tape.sample(args)


class TapeSnappoint(_TapeCommand):
    usage = "tape snappoint LOCATION [if CONDITION]   (FILE:LINE, FUNCTION or 0xADDRESS)"
    short = "Record a snapshot each time LOCATION is reached, without stopping."

    def run(self, tape: _Tape, args: str) -> str:
        location, _, condition = args.partition(" if ")
        if not location.strip():
            raise TapeError(f"usage: {self.usage}")
        try:
            fields = tape.recorder.snappoint(location.strip(), condition.strip() or None)
        except ValueError as exc:
            raise TapeError(str(exc)) from exc
        tape.sync_breakpoints()
        cond = f" if {condition.strip()}" if condition.strip() else ""
        return f"debugtape: snappoint {fields['bp_id']} at {fields.get('location')}{cond}"


class TapeTimeline(_TapeCommand):
    usage = "tape timeline [N]"
    short = "Show the last N events of this session."

    def run(self, tape: _Tape, args: str) -> str:
        try:
            limit = int(args) if args else 20
        except ValueError as exc:
            raise TapeError(f"usage: {self.usage}") from exc
        return tape.recorder.timeline(limit).rstrip()


class TapeRestore(_TapeCommand):
    usage = "tape restore [SESSION]"
    short = "Recreate the breakpoints of a recorded session."

    def run(self, tape: _Tape, args: str) -> str:
        words = shlex.split(args)
        return tape.restore(words[0] if words else None)


SUBCOMMANDS: dict[str, type[_TapeCommand]] = {
    "start": TapeStart, "stop": TapeStop, "status": TapeStatus, "snap": TapeSnap, "note": TapeNote,
    "sample": TapeSample, "snappoint": TapeSnappoint, "timeline": TapeTimeline, "restore": TapeRestore,
}


def __lldb_init_module(debugger: Any, internal_dict: Any) -> None:
    try:
        interp = debugger.GetCommandInterpreter()
        result = lldb.SBCommandReturnObject()
        if not interp.CommandExists("tape"):
            summary = "debugtape flight recorder: record breakpoints, stacks and samples."
            interp.HandleCommand(f"command container add -h '{summary}' -H '{summary}' tape", result)
        for name, cls in SUBCOMMANDS.items():
            interp.HandleCommand(f"command script add -o -c {MODULE}.{cls.__name__} tape {name}", result)
        if hasattr(debugger, "SetDestroyCallback"):
            debugger.SetDestroyCallback(_on_destroy)
        tape_state(debugger)
        if os.environ.get("DEBUGTAPE_VERBOSE"):
            print("debugtape: `tape` commands loaded (help tape)")
    except Exception as exc:
        print(f"debugtape: could not load the tape commands: {exc}")
