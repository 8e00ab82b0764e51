"""A helper process that sends a real-time signal to the debuggee at the sampling rate (standard library only).

The debugger stops on that signal, its stop handler reads every thread's stack and lets the
program carry on. The ticking lives in a separate process so the debugger's own event loop and
GIL never decide when a sample is due; it exits by itself when the debuggee is gone.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys

__all__ = ["SAMPLE_SIGNAL", "SignalSampler"]

log = logging.getLogger(__name__)

# SIGRTMIN+2 under glibc (gdb calls it SIG36): glibc keeps 32 and 33 for itself and programs
# seldom use the real-time range.
SAMPLE_SIGNAL = 36

# The ticker: absolute deadlines so a slow stop does not shift every later tick.
_TICKER = """
import os, sys, time
pid, sig, period = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
nxt = time.monotonic()
while True:
    nxt += period
    delay = nxt - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    else:
        nxt = time.monotonic()
    try:
        os.kill(pid, sig)
    except OSError:
        sys.exit(0)
"""


def _python() -> str:
    # Inside gdb sys.executable may name a python that does not exist (Debian: /usr/bin/python).
    exe = sys.executable
    if exe and os.path.basename(exe).startswith("python") and os.access(exe, os.X_OK):
        return exe
    return shutil.which("python3") or shutil.which("python") or "python3"


class SignalSampler:
    """Sends `signum` to `pid` `rate_hz` times a second from a child process until stopped."""

    def __init__(self, pid: int, rate_hz: float, signum: int = SAMPLE_SIGNAL) -> None:
        if rate_hz <= 0:
            raise ValueError("sampling rate must be positive")
        self.pid = pid
        self.rate_hz = rate_hz
        self.signum = signum
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        if self.running:
            return
        # The debugger's own interpreter is fine: the ticker needs the standard library only.
        python = _python()
        self._proc = subprocess.Popen(
            [python, "-S", "-c", _TICKER, str(self.pid), str(self.signum), repr(1.0 / self.rate_hz)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGKILL)
            except OSError:
                pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not linger
            log.warning("sampler helper %s did not exit", proc.pid)
