"""Boot of a debuggee under debugpy with fast sockets (runs as a script; standard library only).

Usage: python _boot_debuggee.py [--switch-interval=S] [--parent=PID] [-X OPT]... <debugpy dir> ARGS...

- TCP_NODELAY on every socket (see `_debugtape_fast_sockets`).
- pydevd's suspended thread takes one queued command per wake-up and then clears its wake-up
  event: when two requests for a stopped thread arrive together (pipelined `variables`), the
  second waits for pydevd's 0.2 s poll. The event it waits on is wrapped so that a wait with
  commands still queued returns at once (`_drain_queued_commands`). No effect on a client that
  sends one request at a time (debugpy's adapter does).
- debugpy's report of the environment (every installed package) is built only when debugpy
  logs to files (`_quiet_environment_report`).
- The token debugpy answers `pydevdAuthorize` with is read from DEBUGTAPE_DEBUGPY_TOKEN (and
  removed from the environment), so it never shows on the command line.
- `--switch-interval=S`: the GIL switch interval (pause sampling, see record.py).
- `--parent=PID` (debugtape started the program itself, without debugpy's launcher): a process
  group of its own, as debugpy's launcher gives it (Ctrl-C reaches debugtape, which ends the
  program through pydevd), and on Linux the program is killed when PID dies.
"""

import os
import sys
from typing import Any

MAX_EARLY = 100  # more commands than debugtape ever has in flight for one stopped thread


def _drain_queued_commands(pydevd: Any) -> None:
    cls: Any = getattr(pydevd, "PyDB", None)
    get = getattr(cls, "get_internal_queue_and_event", None)
    if get is None:  # another pydevd: leave it as it is
        return

    class QueueAwareEvent:
        """The thread's wake-up event; `wait` returns at once while commands are queued."""

        __slots__ = ("_queue", "_event", "_early")

        def __init__(self, queue: Any, event: Any) -> None:
            self._queue, self._event = queue, event
            self._early = 0  # waits in a row that returned at once

        def set(self) -> None:
            self._event.set()

        def clear(self) -> None:
            self._event.clear()

        def is_set(self) -> bool:
            return bool(self._event.is_set())

        def wait(self, timeout: Any = None) -> bool:
            # A command queued before the last clear() is still in the queue here, and one
            # queued after it has set the event: none waits for the poll. A command the thread
            # puts back (pydevd: "shouldn't really happen") would make that a busy loop, so
            # after MAX_EARLY early returns in a row the wait is pydevd's own again.
            if self._early < MAX_EARLY and not self._queue.empty():
                self._early += 1
                return True
            self._early = 0
            return bool(self._event.wait(timeout))

    def get_internal_queue_and_event(self: Any, thread_id: Any) -> Any:
        queue, event = get(self, thread_id)
        return queue, QueueAwareEvent(queue, event)

    cls.get_internal_queue_and_event = get_internal_queue_and_event


def _quiet_environment_report(log: Any) -> None:
    """debugpy describes the environment (every installed package, read through
    importlib.metadata) right before it runs the program, with the program already traced: 0.5
    to 2 s of every start, seen as the program's own time by pause sampling. The description is
    logged at info level, which goes nowhere unless debugpy logs to files: build it only then."""
    describe = getattr(log, "describe_environment", None)
    if describe is None or not hasattr(log, "log_dir"):  # another debugpy: leave it as it is
        return

    def describe_environment(header: Any) -> None:
        files = list(getattr(log, "_files", {}).values())
        if log.log_dir is not None or any("info" in getattr(f, "levels", ("info",)) for f in files):
            describe(header)

    log.describe_environment = describe_environment


def _die_with(parent: int) -> None:
    try:
        os.setpgrp()  # already done by debugtape on Python 3.11+ (no-op then)
    except (AttributeError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)


def _run() -> None:
    import _debugtape_fast_sockets  # beside this file: sys.path[0] when run as a script

    _debugtape_fast_sockets.install()
    args = sys.argv[1:]
    while args and args[0].startswith("--") and "=" in args[0]:
        name, value = args[0][2:].split("=", 1)
        if name == "switch-interval":
            # Pause sampling needs pydevd's reader thread to get the GIL from a busy program
            # quickly; the default 5 ms interval makes each pause wait several of those.
            sys.setswitchinterval(float(value))
        elif name == "parent":
            _die_with(int(value))
        args = args[1:]
    while args[:1] == ["-X"]:  # the launcher's `-X frozen_modules=off`, already applied by us
        args = args[2:]
    # debugtape's token for pydevdAuthorize comes in the environment, not on the command line
    # (which every user sees in `ps`); the program and its children do not inherit it.
    token = os.environ.pop("DEBUGTAPE_DEBUGPY_TOKEN", None)
    if token:
        args = [args[0], "--adapter-access-token", token, *args[1:]]
    # What debugpy's __main__ does when run as `python <debugpy dir>`: import debugpy from the
    # directory above, then drop that entry. Done here so pydevd can be fixed before it runs.
    sys.path[0] = os.path.join(args[0], "..")
    try:
        import debugpy.server  # noqa: F401  (puts debugpy's own pydevd on the path)
        import pydevd
        from debugpy.common import log
    except ImportError:
        sys.path[0] = args[0]  # debugpy's __main__ tries again, and says what is wrong
    else:
        _drain_queued_commands(pydevd)
        _quiet_environment_report(log)
        del sys.path[0]
    main = os.path.join(args[0], "__main__.py")
    sys.argv = args
    with open(main, "rb") as f:
        code = compile(f.read(), main, "exec")
    exec(code, {"__name__": "__main__", "__file__": main, "__builtins__": __builtins__})


if __name__ == "__main__":  # importing this module (a test, a doc tool) must not start debugpy
    _run()
