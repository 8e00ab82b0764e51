"""`debugtape record --lldb`: run (or attach to) a program under lldb's SB API, nobody at the keyboard.

The same `Recorder` as inside lldb, fed into an in-process pipeline (`open_pipeline`). lldb runs in
asynchronous mode; this module's loop waits for process events, records a snapshot at each
breakpoint, snappoint, signal or crash, a sample at each sampling signal, and continues.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import FrameType
from typing import Any

from debugtape.adapters.common.options import RecordOptions, split_condition
from debugtape.adapters.common.recorder import Recorder, TapeError
from debugtape.adapters.common.sampler import SAMPLE_SIGNAL
from debugtape.adapters.lldb.backend import LldbBackend, stop_reason
from debugtape.adapters.lldb.locate import import_lldb
from debugtape.adapters.lldb.sampling import RunningOnlySampler
from debugtape.errors import AdapterError
from debugtape.records import validate

__all__ = ["record", "LldbRecordError", "RunStats", "LAST_RUN"]

log = logging.getLogger(__name__)

ATTACH_ATTEMPTS = 5
EVENT_WAIT = 1  # seconds per wait for a process event; the loop also checks for Ctrl-C between


@dataclass
class RunStats:
    """What the last headless run cost: stops handled and the seconds spent on them."""

    samples: int = 0
    sample_seconds: float = 0.0
    snapshots: int = 0
    snapshot_seconds: float = 0.0

    def reset(self) -> None:
        self.samples = self.snapshots = 0
        self.sample_seconds = self.snapshot_seconds = 0.0


LAST_RUN = RunStats()  # read by bench/lldb_sampling.py


class LldbRecordError(AdapterError):
    def __init__(self, message: str) -> None:
        super().__init__("lldb", message)


class _PipelineSink:
    """The recorder's sink for an in-process pipeline."""

    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def send(self, record: Mapping[str, Any]) -> None:
        self.pipeline.feed(validate(record))

    def flush(self, timeout: float = 5.0) -> None:
        pass

    def close(self, timeout: float = 30.0) -> int | None:
        return 0

    def alive(self) -> bool:
        return True


def record(opts: RecordOptions) -> str:
    """Record `opts.program` (or `opts.attach`) under lldb; returns the session id."""
    from debugtape.pipeline import open_pipeline  # heavy: only when recording headless

    lldb = import_lldb()
    debugger = lldb.SBDebugger.Create(False)
    debugger.SetAsync(True)
    LAST_RUN.reset()
    try:
        run = _Run(lldb, debugger, opts)
        # Attach before the pipeline starts its threads: lldb-server 19, spawned while this process
        # runs other threads, crashes during an attach now and then ("lost connection").
        connected = run.connect() if opts.attach is not None else None
        with open_pipeline(opts.db, cwd=opts.cwd) as pipeline:
            process, listener = connected or run.connect()
            return run.go(pipeline, process, listener)
    finally:
        lldb.SBDebugger.Destroy(debugger)


class _Run:
    def __init__(self, lldb: Any, debugger: Any, opts: RecordOptions) -> None:
        self.lldb = lldb
        self.debugger = debugger
        self.opts = opts
        self.backend = LldbBackend(lldb, debugger)
        self.recorder = Recorder(self.backend)
        self.snappoints: set[str] = set()
        self.sampler: RunningOnlySampler | None = None
        self.crashed = False
        self.interrupted = False

    def connect(self) -> tuple[Any, Any]:
        """Load the program and launch it, or attach; (process, listener)."""
        opts = self.opts
        lldb = self.lldb
        target = self._target()
        listener = self.debugger.GetListener()
        error = lldb.SBError()
        if opts.attach is not None:
            # Attach synchronously (asynchronous attach loses lldb-server here), then go async;
            # breakpoints come after, once the program's modules are known.
            self.debugger.SetAsync(False)
            for _attempt in range(ATTACH_ATTEMPTS):
                # Debian's lldb-server 19 sometimes crashes while starting an attach ("lost
                # connection", SIGSEGV in lldb-server); the program is untouched, so try again.
                error = lldb.SBError()
                process = target.AttachToProcessWithID(listener, opts.attach, error)
                if not error.Fail() or "lost connection" not in (error.GetCString() or ""):
                    break
                log.info("attach failed (%s); retrying", error.GetCString())
            self.debugger.SetAsync(True)
            if not error.Fail():
                self._add_breakpoints()
        else:
            self._add_breakpoints()
            info = lldb.SBLaunchInfo(opts.program[1:])
            if opts.cwd:
                info.SetWorkingDirectory(opts.cwd)
            info.AddOpenFileAction(0, "/dev/null", True, False)
            process = target.Launch(info, error)
        if error.Fail() or not process.IsValid():
            what = f"attach to {opts.attach}" if opts.attach is not None else f"launch {opts.program[0]}"
            raise LldbRecordError(f"cannot {what}: {error.GetCString() or 'unknown error'}")
        return process, listener

    def go(self, pipeline: Any, process: Any, listener: Any) -> str:
        """Record until the program ends (or Ctrl-C); the session id."""
        sink = _PipelineSink(pipeline)
        self.recorder = Recorder(self.backend, sink_factory=lambda _db: sink)
        session = self.recorder.start(self.opts.name, db=str(self.opts.db))
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            self._loop(process, listener)
        finally:
            signal.signal(signal.SIGINT, previous)
            self._stop_sampling()
            if self.recorder.recording:
                self.recorder.stop(reason="stopped")
        return session

    def _add_breakpoints(self) -> None:
        for spec in self.opts.breaks:
            self._breakpoint(spec)
        for spec in self.opts.snappoints:
            bp = self._breakpoint(spec)
            self.snappoints.add(str(bp.GetID()))
            self.backend.snappoint_ids.add(str(bp.GetID()))

    def _target(self) -> Any:
        opts = self.opts
        error = self.lldb.SBError()
        if opts.attach is not None:
            return self.debugger.CreateTarget("")
        if not opts.program:
            raise LldbRecordError("no program to record")
        target = self.debugger.CreateTarget(opts.program[0], None, None, True, error)
        if error.Fail() or not target.IsValid():
            raise LldbRecordError(f"cannot load {opts.program[0]}: {error.GetCString() or 'not an executable'}")
        return target

    def _breakpoint(self, spec: str) -> Any:
        location, condition = split_condition(spec)
        try:
            bp = self.backend.create_breakpoint(location, condition)
        except ValueError as exc:
            raise LldbRecordError(str(exc)) from exc
        if not bp.GetNumLocations():
            log.warning("breakpoint %s has no location yet (pending)", location)
        return bp

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = True

    def _start_sampling(self, process: Any) -> None:
        rate = self.opts.sample_hz
        if not rate or self.sampler is not None:
            return
        signals = process.GetUnixSignals()
        signals.SetShouldStop(SAMPLE_SIGNAL, True)
        signals.SetShouldNotify(SAMPLE_SIGNAL, False)
        signals.SetShouldSuppress(SAMPLE_SIGNAL, True)
        self.sampler = RunningOnlySampler(process.GetProcessID(), rate)
        self.sampler.start()
        self.recorder.sample_hz = rate

    def _stop_sampling(self) -> None:
        sampler, self.sampler = self.sampler, None
        if sampler is not None:
            sampler.stop()

    def _loop(self, process: Any, listener: Any) -> None:
        lldb = self.lldb
        event = lldb.SBEvent()
        state = process.GetState()
        if state == lldb.eStateStopped:  # attach stops the program: let it run
            self._start_sampling(process)
            process.Continue()
        while True:
            if self.interrupted:
                self._interrupt(process)
                return
            if listener.WaitForEvent(EVENT_WAIT, event):
                if not lldb.SBProcess.EventIsProcessEvent(event):
                    continue
                _forward_output(process)
                state = lldb.SBProcess.GetStateFromEvent(event)
                if state == lldb.eStateStopped and lldb.SBProcess.GetRestartedFromEvent(event):
                    continue
            else:
                # No event for a while: look at the process itself, so a missed event (seen
                # under heavy load) never leaves the program stopped with nobody to continue it.
                state = process.GetState()
                if state not in (lldb.eStateStopped, lldb.eStateExited, lldb.eStateDetached,
                                 lldb.eStateCrashed):
                    continue
            if self._handle(process, state):
                return

    def _handle(self, process: Any, state: int) -> bool:
        """Act on one process state; True when the recording is over."""
        lldb = self.lldb
        if state == lldb.eStateRunning and self.sampler is None and self.opts.sample_hz:
            self._start_sampling(process)
        elif state == lldb.eStateStopped:
            t0 = time.perf_counter()
            sampled = self._on_stopped(process)
            process.Continue()
            spent = time.perf_counter() - t0
            if sampled:
                LAST_RUN.samples += 1
                LAST_RUN.sample_seconds += spent
            else:
                LAST_RUN.snapshots += 1
                LAST_RUN.snapshot_seconds += spent
        elif state == lldb.eStateExited:
            _forward_output(process)
            self._stop_sampling()
            self.recorder.on_exit(process.GetExitStatus(), "crashed" if self.crashed else "exited")
            return True
        elif state in (lldb.eStateDetached, lldb.eStateCrashed, lldb.eStateInvalid):
            self._stop_sampling()
            reason = {lldb.eStateDetached: "detached"}.get(state, "crashed")
            self.recorder.on_exit(None, reason)
            return True
        return False

    def _on_stopped(self, process: Any) -> bool:
        """Record what this stop shows; True if it was only a sample."""
        lldb = self.lldb
        sampled = False
        snapped = False
        for thread in process:
            reason, extra = stop_reason(lldb, thread)
            if reason is None:
                continue
            if reason == "signal" and extra.get("signo") == SAMPLE_SIGNAL:
                if not sampled and self.recorder.recording:
                    self.recorder.sample_now()
                    sampled = True
                continue
            bp_id = extra.get("bp_id")
            if reason == "breakpoint" and bp_id in self.snappoints:
                reason = "snappoint"
            if reason == "signal" and extra.get("signal_name") in ("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT"):
                self.crashed = True
            snapped = True
            try:
                with self.backend.focus(thread):
                    self.recorder.on_stop(reason, bp_id=bp_id, signal_name=extra.get("signal_name"),
                                          exception=extra.get("exception"))
            except TapeError as exc:
                log.warning("snapshot failed: %s", exc)
        return sampled and not snapped

    def _interrupt(self, process: Any) -> None:
        """Ctrl-C: detach from an attached program, kill a launched one; the session ends."""
        self._stop_sampling()
        if self.opts.attach is not None:
            process.Detach()
            self.recorder.on_exit(None, "detached")
        else:
            process.Kill()
            self.recorder.on_exit(None, "killed")
        print("debugtape: interrupted", file=sys.stderr)
        time.sleep(0)


def _forward_output(process: Any) -> None:
    """Copy what the program wrote to its terminal (lldb gives it a pty) to our stdout."""
    for read in (process.GetSTDOUT, process.GetSTDERR):
        while True:
            chunk = read(65536)
            if not chunk:
                break
            sys.stdout.write(chunk)
    sys.stdout.flush()
