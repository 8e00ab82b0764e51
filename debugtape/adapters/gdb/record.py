"""`debugtape record --gdb`: record a program under gdb with nobody at the keyboard.

gdb runs in MI mode (parsed with pygdbmi's parser, commands matched to replies by token). The
snapshots are taken inside gdb by the same code as the interactive `tape` commands, so both
paths record identical events; they come back as JSON lines over a pipe and feed the pipeline
in this process. If gdb dies, the pipe closes without an `end` record and the session is left
interrupted with everything recorded so far.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

from debugtape.adapters.common.options import RecordOptions, split_condition
from debugtape.adapters.common.sampler import SignalSampler
from debugtape.adapters.gdb.mi import GdbDied, MiClient, MiError, mi_quote
from debugtape.errors import AdapterError

__all__ = ["record", "gdb_argv"]

log = logging.getLogger(__name__)

_ROOT = str(Path(__file__).resolve().parents[3])  # the folder holding the debugtape package


def gdb_argv(gdb: str) -> list[str]:
    return [gdb, "--nx", "--quiet", "--interpreter=mi3", "-iex", "set debuginfod enabled off"]


class _Interrupted(Exception):
    """The record stream ended without an end record."""


class _Feeder(threading.Thread):
    """Reads the JSON lines gdb writes and feeds them to the pipeline, in order."""

    def __init__(self, fd: int, db: Path, cwd: str | None) -> None:
        super().__init__(name="debugtape-gdb-feeder", daemon=True)
        self.fd = fd
        self.db = db
        self.cwd = cwd
        self.session_id: str | None = None
        self.error: BaseException | None = None
        self.malformed = 0
        self.ended = False

    def run(self) -> None:
        from debugtape.pipeline import open_pipeline
        from debugtape.records import RecordError, validate

        try:
            with os.fdopen(self.fd, "rb") as stream, open_pipeline(self.db, cwd=self.cwd) as pipeline:
                for lineno, line in enumerate(stream, 1):
                    if self.ended or not line.strip():
                        continue
                    try:
                        rec = validate(json.loads(line))
                        pipeline.feed(rec)
                    except (ValueError, RecordError) as exc:
                        self.malformed += 1
                        log.error("record %d from gdb is malformed (%s); skipped", lineno,
                                  getattr(exc, "reason", type(exc).__name__))
                        continue
                    self.session_id = pipeline.session_id or self.session_id
                    if rec["kind"] == "end":
                        self.ended = True
                if not self.ended and self.session_id:
                    raise _Interrupted()
        except _Interrupted:
            log.warning("gdb went away before the session ended; session %s is interrupted", self.session_id)
        except BaseException as exc:  # reported by record() on the main thread
            self.error = exc


def _tape(mi: MiClient, line: str) -> None:
    """Run a `tape` command; its errors (printed by the command, never raised) become AdapterError."""
    mi.console(line)
    errors = [e for e in list(mi.events) if e.get("type") == "log"
              and str(e.get("payload", "")).startswith("debugtape: error")]
    for e in errors:
        mi.events.remove(e)
    if errors:
        raise AdapterError("gdb", str(errors[0]["payload"]).strip().removeprefix("debugtape: error: "))


def _setup(mi: MiClient, opts: RecordOptions, write_fd: int) -> None:
    # -exec-interrupt needs mi-async on before the program starts.
    mi.call("-gdb-set mi-async on")
    mi.call("-gdb-set confirm off")
    mi.console(f"python import sys; sys.path.insert(0, {_ROOT!r}) if {_ROOT!r} not in sys.path else None")
    mi.console(f"python import debugtape.adapters.gdb.commands as _dt; _dt.use_pipe({write_fd})")
    if opts.attach is not None and not opts.program:
        try:  # the symbols first, so breakpoints can be placed before attaching
            mi.call(f"-file-exec-and-symbols {mi_quote(os.readlink(f'/proc/{int(opts.attach)}/exe'))}")
        except OSError as exc:
            raise AdapterError("gdb", f"cannot attach to process {opts.attach}: {exc}") from exc
    if opts.program:
        mi.call(f"-file-exec-and-symbols {mi_quote(opts.program[0])}")
        # gdb starts the program through the shell: its stdout goes to stderr, so that
        # `debugtape record` prints nothing but the session id on stdout, and its stdin is not
        # gdb's (the MI command stream).
        args = [shlex.quote(a) for a in opts.program[1:]]
        mi.call("-exec-arguments " + " ".join([*args, "</dev/null", "1>&2"]))
    for spec in opts.breaks:
        # Recorded and continued inside gdb: no stop, so no MI round trip per hit.
        loc, cond = split_condition(spec)
        _tape(mi, f"python _dt.headless_break({loc!r}, {cond!r})")
    for spec in opts.snappoints:
        loc, cond = split_condition(spec)
        _tape(mi, f"tape snappoint {loc}" + (f" if {cond}" if cond else ""))
    if opts.attach is None:
        _start(mi, opts)


def _start(mi: MiClient, opts: RecordOptions) -> None:
    start = f"tape start --db {shlex.quote(str(opts.db))}"
    _tape(mi, start + (f" {opts.name}" if opts.name else ""))
    if opts.sample_hz:
        mi.console(f"python _dt.headless_sampling(True, {opts.sample_hz!r})")


def _run(mi: MiClient, opts: RecordOptions) -> None:
    """Start or attach, then continue after every stop until the program is gone."""
    sampler: SignalSampler | None = None
    try:
        if opts.attach is not None:
            mi.call(f"-target-attach {int(opts.attach)}")
            _start(mi, opts)  # now the session knows the process id
            if opts.sample_hz:
                sampler = SignalSampler(opts.attach, opts.sample_hz)
                sampler.start()
        else:
            mi.call("-exec-run")
        while True:
            ev = mi.next_event(timeout=1.0)
            if ev is None:
                continue
            kind, msg, payload = ev.get("type"), ev.get("message"), ev.get("payload") or {}
            if kind == "notify" and msg == "thread-group-started" and opts.sample_hz and sampler is None:
                sampler = SignalSampler(int(payload["pid"]), opts.sample_hz)
                sampler.start()
            elif kind == "notify" and msg == "stopped":
                if str(payload.get("reason", "")).startswith("exited"):
                    return
                mi.post("-exec-continue")  # the snapshot or sample was taken inside gdb
            elif kind in ("output", "target") and not opts.quiet:
                sys.stderr.write(f"{payload}\n")  # the program's own output
    finally:
        if sampler is not None:
            sampler.stop()


def record(opts: RecordOptions) -> str:
    """Record `opts.program` (or attach to `opts.attach`) under gdb; returns the session id."""
    gdb = shutil.which("gdb")
    if gdb is None:
        raise AdapterError("gdb", "gdb is not installed (Debian: apt-get install gdb; `make install` does it)")
    if not opts.program and opts.attach is None:
        raise AdapterError("gdb", "nothing to record: name a program or --attach PID")
    os.makedirs(Path(opts.db).parent, mode=0o700, exist_ok=True)
    read_fd, write_fd = os.pipe()
    os.set_inheritable(write_fd, True)
    feeder = _Feeder(read_fd, Path(opts.db), opts.cwd)
    try:
        mi = MiClient(gdb_argv(gdb), pass_fds=[write_fd], echo_stderr=not opts.quiet)
    finally:
        os.close(write_fd)  # gdb holds the only write end now: its death closes the stream
    feeder.start()
    failure: BaseException | None = None
    # The feeder thread runs the pipeline (pure Python); with the default 5 ms switch interval
    # every stop would wait up to 5 ms for the GIL before gdb is told to continue.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    try:
        _setup(mi, opts, write_fd)
        _run(mi, opts)
        mi.console("tape stop")  # a no-op when the program's exit already ended the session
    except GdbDied as exc:
        failure = exc
    except KeyboardInterrupt:
        _interrupt(mi, opts)
    except MiError as exc:
        failure = exc
        _quiet_stop(mi)
    finally:
        mi.close()
        feeder.join(60)
        sys.setswitchinterval(switch)
    if feeder.error is not None:
        raise AdapterError("gdb", f"recording failed: {feeder.error}") from feeder.error
    if feeder.session_id is None:
        detail = f": {failure}" if failure else ""
        raise AdapterError("gdb", f"no session was recorded{detail}; gdb said: {mi.stderr_tail.strip()[-300:]}")
    if failure is not None:
        log.warning("%s; session %s kept as far as it got", failure, feeder.session_id)
    if feeder.malformed or mi.malformed:
        log.warning("%d malformed records skipped", feeder.malformed + mi.malformed)
    return feeder.session_id


def _quiet_stop(mi: MiClient) -> None:
    try:
        mi.console("tape stop", timeout=10)
    except Exception as exc:  # gdb may be gone: the session then reads as interrupted
        log.debug("tape stop failed: %s", exc)


def _interrupt(mi: MiClient, opts: RecordOptions) -> None:
    """Ctrl-C: stop the program, end the session cleanly, leave an attached process running."""
    try:
        mi.call("-exec-interrupt", timeout=5)
        ev: dict[str, Any] | None = {}
        while ev is not None and not (ev.get("type") == "notify" and ev.get("message") == "stopped"):
            ev = mi.next_event(timeout=5)
        _quiet_stop(mi)
        if opts.attach is not None:
            mi.call("-target-detach", timeout=10)
        else:
            mi.console("kill", timeout=10)
    except Exception as exc:
        log.debug("interrupt cleanup: %s", exc)
