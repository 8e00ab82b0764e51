"""`debugtape record --python`: run a program under debugpy and record every stop.

The recorder is an ordinary DAP client. It starts the program under debugpy's server and talks
DAP to it directly (`direct.py`: no adapter process in between), or, with `direct=False` (and
`DEBUGTAPE_DEBUGPY_ADAPTER=1`), through `python -m debugpy.adapter` over stdio, as an editor
does. Either way with the TCP_NODELAY boot of `launch.py`. It performs the handshake in the order
debugpy needs, and at each breakpoint, snappoint or exception fetches exactly what
`DapConverter.plan` says is missing, then continues. Sampling uses py-spy when present and
permitted, else DAP pause requests.

A stop is read by `_StopDriver` on the client's reader thread: each batch of requests goes out in
one write, the next batch as soon as the last reply of the one before is in, and `continue` as
soon as every stopped thread is read. The main thread only counts, prints output and watches the
deadline; the snapshot reaches the pipeline through `RecordSink`'s own thread.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from debugtape.adapters.common.options import RecordOptions, split_condition
from debugtape.adapters.dap import direct as direct_mod
from debugtape.adapters.dap.convert import DapConverter
from debugtape.adapters.dap.launch import (
    adapter_command,
    describe,
    launch_arguments,
    split_interpreter,
    split_program,
)
from debugtape.adapters.dap.protocol import DapClient, DapError, DapTimeout, when_all
from debugtape.adapters.dap.sampling import PySpySampler, permitted, py_spy_path
from debugtape.adapters.dap.sink import RecordSink
from debugtape.adapters.dap.values import CaptureBounds

__all__ = ["record", "HeadlessRecorder", "parse_locations"]

log = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT = 30.0  # debugpy starts a launcher and the debuggee before `initialized`
REQUEST_TIMEOUT = 15.0
PAUSE_SWITCH_INTERVAL = 0.0005  # the debuggee's GIL switch interval while pause-sampling
WATCH_INTERVAL = 0.5  # how often the main thread looks at the deadline of a stop being read
EXIT_GRACE = 5.0  # direct: how long the program may take to exit once debugpy in it has gone
ADAPTER = "debugpy's adapter"
_DRIVER_FAILED = "debugtape/stop-driver-failed"  # an event the driver queues to wake the main thread
CHILDREN_NOTE = ("child processes are not recorded: debugtape runs debugpy with subProcess=false; "
                 "record a child with its own `debugtape record --python`")


def record(opts: RecordOptions) -> str:
    """Record `opts.program` under debugpy into the store at `opts.db`; returns the session id."""
    from debugtape.pipeline import open_pipeline

    if opts.attach is not None:
        # debugpy attaches to a running process by injecting code with gdb; that is not a
        # recording debugtape can promise to end cleanly, so it is refused.
        raise DapError("--attach is not supported with --python: start the program under "
                       "`debugtape record --python`, or attach from an editor through `debugtape dap`")
    try:
        recorder = HeadlessRecorder(opts)
    except ValueError as exc:
        raise DapError(str(exc)) from exc
    with open_pipeline(opts.db, cwd=opts.cwd or os.getcwd()) as pipeline:
        recorder.run(pipeline.feed)
        session = pipeline.session_id
    if not session:
        raise DapError("the session recorded nothing (the program did not start)")
    return str(session)


def parse_locations(specs: list[str], cwd: str) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """FILE:LINE[:COND] -> per-file source breakpoints; a bare name -> function breakpoints."""
    files: dict[str, list[dict[str, Any]]] = {}
    functions: list[dict[str, Any]] = []
    for spec in specs:
        loc, cond = split_condition(spec)
        path, sep, line = loc.rpartition(":")
        if sep and line.isdigit():
            bp: dict[str, Any] = {"line": int(line)}
            if cond:
                bp["condition"] = cond
            files.setdefault(os.path.normpath(os.path.join(cwd, path)), []).append(bp)
        else:
            fbp: dict[str, Any] = {"name": loc}
            if cond:
                fbp["condition"] = cond
            functions.append(fbp)
    return files, functions


class HeadlessRecorder:
    """One recording run; `run(feed)` returns when the program has ended."""

    def __init__(self, opts: RecordOptions, nodelay: bool = True, bounds: CaptureBounds | None = None,
                 python: str | None = None, direct: bool | None = None) -> None:
        """`nodelay=False`: debugpy as it comes (its adapter, no TCP fixes): the benchmark's plain
        client. `direct`: without debugpy's adapter process (default: with `nodelay`, unless
        DEBUGTAPE_DEBUGPY_ADAPTER=1)."""
        interpreter, program = split_interpreter(opts.program, opts.cwd)  # `-- python3 app.py` works too
        self.opts = opts = dataclasses.replace(opts, program=program)
        self.nodelay = nodelay
        if direct is None:
            direct = nodelay and os.environ.get("DEBUGTAPE_DEBUGPY_ADAPTER", "0") in ("", "0")
        self.direct = direct
        self.peer = direct_mod.PEER if direct else ADAPTER  # who answers, in error messages
        self.cwd = opts.cwd or os.getcwd()
        self.python = python or interpreter or sys.executable
        split_program(opts.program, self.cwd)  # fails early, before any process starts, on a bad target
        self.breaks, self.functions = parse_locations(opts.breaks, self.cwd)
        snaps, snap_functions = parse_locations(opts.snappoints, self.cwd)
        self.functions += snap_functions
        for path, bps in snaps.items():
            self.breaks.setdefault(path, []).extend(bps)
        snappoints = [(p, bp["line"]) for p, bps in snaps.items() for bp in bps]
        self.use_py_spy = bool(opts.sample_hz and py_spy_path() and permitted()
                               and os.environ.get("DEBUGTAPE_PY_SPY", "1") != "0")
        self.converter = DapConverter(
            bounds=bounds, tool="python", name=opts.name, snappoints=snappoints,
            pause_is_sample=bool(opts.sample_hz) and not self.use_py_spy,
            start_extra={"recorder": "debugtape record --python", "sampling": self._sampling_name()},
            end_on_terminated=False,  # py-spy's samples arrive after the program ended
            frame_locals=None,  # debugpy reads a frame id as its locals: checked at the first stop
        )
        self.hits = 0
        self.samples = 0
        self.exit_code: int | None = None
        self.pid: int | None = None
        self._early: list[dict[str, Any]] = []  # events that came before `initialized`
        self._sink: RecordSink | None = None
        self._driver: _StopDriver | None = None
        self._terminated = False

    def _sampling_name(self) -> str | None:
        if not self.opts.sample_hz:
            return None
        return "py-spy" if self.use_py_spy else "dap-pause"

    def run(self, feed: Callable[[Mapping[str, Any]], None]) -> None:
        sink = self._sink = RecordSink(feed)
        conv = self.converter
        # Each child would need a DAP session of its own; say plainly that they are not followed.
        sink.put(conv.note(CHILDREN_NOTE))

        def observe(direction: str, msg: Mapping[str, Any]) -> None:
            sink.put(conv.observe(direction, msg))

        if self.direct:
            client, proc = direct_mod.start(self.opts.program, self.cwd, os.environ, self.python, self.opts.quiet,
                                            observer=observe, switch_interval=self._switch_interval())
        else:
            command = adapter_command(self.python, nodelay=self.nodelay)
            log.info("starting the debug adapter: %s", describe(command))
            client, proc = DapClient.spawn(command, observer=observe, cwd=self.cwd)
        driver = self._driver = _StopDriver(client, conv, REQUEST_TIMEOUT, self.peer)
        client.on_event = driver.on_event
        pyspy: PySpySampler | None = None
        finished = False
        try:
            self._handshake(client)
            pyspy = self._loop(client)
            if self.direct:
                self._reap(proc)
            finished = True
        except KeyboardInterrupt:
            sink.put(conv.finish("killed"))
            self._disconnect(client, terminate=True)
            raise
        finally:
            if not finished:
                self._disconnect(client, terminate=True)
            if pyspy is not None:
                samples = pyspy.stop()
                self.samples += len(samples)
                sink.put(samples)
            if finished and self._terminated:
                sink.put(conv.finish("exited" if self.exit_code is not None else "stopped", self.exit_code))
            else:
                # Cut short (an error, the adapter gone): every stop read so far is stored, and
                # without an end record the session reads as interrupted.
                sink.put(conv.finish())
            client.close()
            try:
                proc.wait(5)
            except Exception:
                proc.kill()
            sink.close()
        if sink.failed:
            raise DapError(f"recording failed: {sink.failed}")
        if not self._terminated:
            gone = ("closed its connection while the program ran on (the program was stopped)" if self.direct
                    else "exited before the program ended (it crashed or was killed)")
            raise DapError(f"{self.peer} {gone}; what was read until then is recorded, and the session is "
                           "marked interrupted")

    def _switch_interval(self) -> float | None:
        return PAUSE_SWITCH_INTERVAL if self.converter.pause_is_sample else None

    def _reap(self, proc: subprocess.Popen[bytes]) -> None:
        """Direct: the connection to debugpy in the program has ended; so must the program.
        Its exit code is the session's (no adapter reports it)."""
        try:
            code = proc.wait(EXIT_GRACE)
        except subprocess.TimeoutExpired:  # running on without its debugger: stopped, and run() says so
            proc.kill()
            proc.wait()
            return
        self.exit_code = direct_mod.exit_status(code)
        self._terminated = True

    # -- the handshake debugpy needs: initialize, launch (no wait), initialized, breakpoints,
    # configurationDone, and only then the launch response.
    def _handshake(self, client: DapClient) -> None:
        client.request("initialize", {
            "clientID": "debugtape", "clientName": "debugtape record", "adapterID": "debugpy",
            "pathFormat": "path", "linesStartAt1": True, "columnsStartAt1": True,
            "supportsVariableType": True, "supportsRunInTerminalRequest": False,
        }, timeout=HANDSHAKE_TIMEOUT)
        opts = self.opts
        # Library frames matter in a recording; but with --exceptions raised, justMyCode keeps
        # the thousands of exceptions the standard library raises and catches out of the tape.
        just_my_code = opts.exceptions == "raised"
        # The environment is passed explicitly (it is what the program inherits anyway) so the
        # session records it; the pipeline redacts it like everything else.
        # Direct, the program's output goes straight to debugtape's stdout and stderr.
        launched = client.send("launch", launch_arguments(
            opts.program, cwd=self.cwd, nodelay=self.nodelay, just_my_code=just_my_code, python=self.python,
            env=dict(os.environ), switch_interval=self._switch_interval(), redirect_output=not self.direct))
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT
        while True:
            if launched.done() and launched.exception() is not None:
                raise DapError(f"debugpy refused to launch the program: {launched.exception()}")
            try:
                ev = client.events.get(timeout=0.1)
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise DapError(f"debugpy sent no `initialized` event within {HANDSHAKE_TIMEOUT} s") from None
                continue
            if ev is None:
                raise DapError(f"{self.peer} exited during the handshake")
            if ev.get("event") == "initialized":
                break
            self._early.append(ev)
        for path, bps in self.breaks.items():
            if not Path(path).exists():
                log.warning("breakpoint file %s does not exist", path)
            client.request("setBreakpoints", {"source": {"path": path}, "breakpoints": bps}, timeout=REQUEST_TIMEOUT)
        if self.functions:
            client.request("setFunctionBreakpoints", {"breakpoints": self.functions}, timeout=REQUEST_TIMEOUT)
        filters = {"raised": ["raised", "uncaught"], "uncaught": ["uncaught"]}.get(opts.exceptions or "", [])
        client.request("setExceptionBreakpoints", {"filters": filters}, timeout=REQUEST_TIMEOUT)
        client.request("configurationDone", {}, timeout=REQUEST_TIMEOUT)
        try:
            launched.result(HANDSHAKE_TIMEOUT)
        except DapError as exc:
            raise DapError(f"debugpy could not launch {' '.join(opts.program)}: {exc}") from exc

    def _loop(self, client: DapClient) -> PySpySampler | None:
        conv = self.converter
        period = 1.0 / self.opts.sample_hz if self.opts.sample_hz else None
        pyspy: PySpySampler | None = None
        next_sample = time.monotonic() + (period or 0)
        pauses_sent = 0
        main_thread: int | None = None
        driver = self._driver
        assert driver is not None
        while True:
            timeout = WATCH_INTERVAL
            if period is not None and pyspy is None:
                # At least a millisecond: while a stop is read the pause waits, without spinning.
                timeout = min(timeout, max(0.001, next_sample - time.monotonic()))
            try:
                ev = self._early.pop(0) if self._early else client.events.get(timeout=timeout)
            except queue.Empty:
                ev = {}
            driver.check()  # a stop that cannot be read ends the recording with a clear error
            self.hits, self.samples = driver.hits, driver.samples
            if ev is None:
                return pyspy
            name = ev.get("event")  # stopped and continued never come here: the driver has them
            body = ev.get("body") or {}
            if name == "process":
                self.pid = int(body.get("systemProcessId") or 0) or None
                if self.use_py_spy and self.pid and period is not None:
                    pyspy = self._start_py_spy(self.pid)
            elif name == "thread" and body.get("reason") == "started":
                main_thread = main_thread or int(body.get("threadId") or 0)
            elif name == "output":
                self._print_output(body)
            elif name == "exited":
                self.exit_code = int(body.get("exitCode") or 0)
            elif name == "terminated":
                self._terminated = not self.direct  # direct: once the process has exited (`_reap`)
                self._disconnect(client, terminate=False)
                return pyspy
            main_thread = main_thread or driver.first_thread
            if period is not None and pyspy is None and pauses_sent <= driver.pauses and time.monotonic() >= next_sample \
                    and main_thread and not conv.stopped_threads():
                # debugpy's adapter makes every pause "*" (all threads), as pydevd needs for a
                # sample of every thread's stack; direct, it is asked for.
                client.send("pause", {"threadId": "*" if self.direct else main_thread})
                pauses_sent = driver.pauses + 1
                next_sample = max(next_sample + period, time.monotonic())

    def _print_output(self, body: Mapping[str, Any]) -> None:
        """The program's own stdout and stderr, passed on as it arrives."""
        stream = {"stdout": sys.stdout, "stderr": sys.stderr}.get(str(body.get("category")))
        if stream is None or self.opts.quiet:
            return
        try:
            stream.write(str(body.get("output", "")))
            stream.flush()
        except (OSError, ValueError):
            pass

    def _start_py_spy(self, pid: int) -> PySpySampler | None:
        exe = py_spy_path()
        assert exe is not None and self.opts.sample_hz
        sampler = PySpySampler(pid, self.opts.sample_hz, exe)
        if sampler.check_started(0.3):
            return sampler
        text = f"py-spy cannot sample this program ({sampler.error}); sampling falls back to DAP pause requests"
        log.warning("%s", text)
        if self._sink is not None:
            self._sink.put(self.converter.note(text))
        self.converter.pause_is_sample = True
        self.use_py_spy = False
        return None

    def _disconnect(self, client: DapClient, terminate: bool) -> None:
        if client.closed.is_set():
            return
        try:
            client.request("disconnect", {"terminateDebuggee": terminate}, timeout=5)
        except DapError:
            pass


class _StopDriver:
    """Reads every stop to the end and continues, from the client's reader thread.

    `on_event` is the client's event hook. At a `stopped` event it sends the first batch that
    `DapConverter.plan` names for the stopped thread (and for every other thread stopped by then);
    the last reply of a batch sends the next batch, and when no thread lacks anything, `continue`.
    No step waits for the recorder's main thread to be scheduled. A stop that another thread
    reports while one is being read is read before that `continue`. It consumes the `stopped` and
    `continued` events (the main thread is not woken twice a hit): `hits`, `samples`, `pauses`
    and `first_thread` are what the main thread needs of them.

    `deadline` (monotonic) is when the batch in flight must be answered, `waiting_for` names its
    requests; `error` is an exception the driver met (it then queues a `_DRIVER_FAILED` event).
    """

    def __init__(self, client: DapClient, converter: DapConverter, timeout: float, peer: str = ADAPTER) -> None:
        self._client = client
        self._conv = converter
        self._timeout = timeout
        self._peer = peer
        self._lock = threading.RLock()
        self._threads: list[int] = []  # stopped threads still to read, in order
        self._resume: int | None = None  # the thread `continue` names once they are read
        self.deadline: float | None = None
        self.waiting_for = ""
        self.error: BaseException | None = None
        self.hits = 0
        self.samples = 0
        self.pauses = 0  # stops for a pause request
        self.first_thread: int | None = None

    def on_event(self, ev: dict[str, Any]) -> bool:
        name = ev.get("event")
        if name == "continued":
            return True
        if name != "stopped":
            return False
        body = ev.get("body") or {}
        tid = int(body.get("threadId") or 0)
        self.first_thread = self.first_thread or tid
        if body.get("reason") == "pause":
            self.pauses += 1
        if body.get("reason") == "pause" and self._conv.pause_is_sample:
            self.samples += 1
        else:
            self.hits += 1
        self._read(tid)
        return True

    def _read(self, tid: int) -> None:
        with self._lock:
            if self._resume is not None:  # a stop is being read: read this thread too, then continue
                if tid not in self._threads:
                    self._threads.append(tid)
                return
            # `continue` resumes every thread, so every stopped thread is read first: two
            # threads can reach a breakpoint together and report two stops.
            self._resume = tid
            self._threads = [tid, *(t for t in self._conv.stopped_threads() if t != tid)]
        self._step()

    def _continued(self, _: object) -> None:
        with self._lock:
            if self._resume is None and self.waiting_for == "continue":  # no newer stop is being read
                self.deadline = None

    def check(self) -> None:
        """Raise when the driver failed or the batch in flight is overdue (main thread)."""
        if self.error is not None:
            raise self.error
        deadline = self.deadline
        if deadline is not None and time.monotonic() > deadline:
            raise DapTimeout(f"no response from {self._peer} within {self._timeout:g} s to "
                             f"{self.waiting_for} while the program was stopped; what was read so far is "
                             f"recorded", self.waiting_for.split(", ")[0] or None)

    def _step(self) -> None:
        try:
            with self._lock:
                batch: list[tuple[str, dict[str, Any]]] = []
                while self._threads and not (batch := self._conv.plan(self._threads[0])):
                    self._threads.pop(0)
                if not batch:
                    tid, self._resume, self.deadline = self._resume, None, None
                    if tid is not None:
                        # Not waited for, but watched: a debugpy that never answers `continue`
                        # (seen when threads start while others stop) is an error, not a hang.
                        self.deadline = time.monotonic() + self._timeout
                        self.waiting_for = "continue"
                        self._client.send("continue", {"threadId": tid}).add_done_callback(self._continued)
                    return
                self.deadline = time.monotonic() + self._timeout
                self.waiting_for = ", ".join(sorted({cmd for cmd, _ in batch}))
            when_all(self._client.send_all(batch), self._step)
        except Exception as exc:  # on the reader thread: hand it to the main thread
            log.exception("reading a stop failed")
            self.error = exc
            self._client.events.put({"type": "event", "event": _DRIVER_FAILED})
