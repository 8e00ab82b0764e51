"""`debugtape watch` as a child of a recording: started, confirmed watching, stopped.

Standard library only, so a debugger's Python can import it too.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from debugtape.errors import DebugtapeError

__all__ = ["BackgroundWatchError", "start_background", "stop_background", "READY_TIMEOUT"]

READY_TIMEOUT = 30.0  # seconds; a 10,000-file tree is ready in well under one


class BackgroundWatchError(DebugtapeError):
    """`debugtape watch` could not be started next to the recording."""


def _to_stderr(line: str) -> None:
    try:
        sys.stderr.write(line)
        sys.stderr.flush()
    except (OSError, ValueError):  # our own stderr is gone: the watcher's lines go nowhere
        pass


def start_background(db: Path | str, *, cwd: str | None = None, command: Sequence[str] | None = None,
                     on_line: Callable[[str], None] = _to_stderr,
                     timeout: float = READY_TIMEOUT) -> subprocess.Popen[bytes]:
    """Start `debugtape watch --db DB --exit-with-parent` and return once it watches, so an edit
    made right after this call is recorded.

    Its stdin is a pipe this process holds: if we die, the watcher stops too. Its stderr lines
    (the "watching ..." banner, warnings) go to `on_line`. `command` is how to run debugtape
    (default: this interpreter's `-m debugtape`). Raises BackgroundWatchError if it exits first.
    """
    cmd = [*(command or [sys.executable, "-m", "debugtape"]), "watch", "--db", str(db),
           "--exit-with-parent"]
    try:
        # A session of its own: a Ctrl-C meant for the recording reaches the watcher only
        # through stop_background, after the recording has stored its last event.
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        raise BackgroundWatchError(f"cannot start `debugtape watch`: {exc}") from exc
    ready = threading.Event()
    watching = threading.Event()
    tail: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for raw in iter(proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace")
            tail[:] = (tail + [line])[-5:]
            if line.startswith("watching "):
                watching.set()
                ready.set()
            on_line(line)
        ready.set()  # its stderr closed: it is exiting

    threading.Thread(target=drain, name="debugtape-watch-stderr", daemon=True).start()
    if not ready.wait(timeout):
        on_line(f"debugtape: `debugtape watch` is not watching yet after {timeout:g} s; carrying on\n")
    elif not watching.is_set():
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is not None:
        raise BackgroundWatchError(f"`debugtape watch` exited at once (code {proc.returncode}): "
                                   + "".join(tail).strip()[-300:])
    return proc


def stop_background(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop the watcher cleanly (it flushes what it saw and ends its session); kill it if it
    does not finish within `timeout`."""
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    except OSError:
        pass
    if proc.stdin is not None:
        try:
            proc.stdin.close()
        except OSError:
            pass
