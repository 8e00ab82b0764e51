"""The sampling signal sender for lldb: `SignalSampler` that never queues signals (standard library only).

SIG36 is a real-time signal, and the kernel queues every one sent. When reading a sample takes
longer than the sampling period (a loaded machine, many threads), signals pile up faster than
the debugger takes them and the program never runs again: each continue delivers the next one.
This ticker sends a signal only while the program is running, not while a debugger holds it
stopped (state `t` in /proc/PID/stat), so at most one is ever pending; a program stopped at a
breakpoint also gets no burst of samples when it continues.
"""

from __future__ import annotations

import os
import subprocess
import sys

from debugtape.adapters.common.sampler import SignalSampler

__all__ = ["RunningOnlySampler"]

_TICKER = """
import os, sys, time
pid, sig, period = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
stat = "/proc/%d/stat" % pid
nxt = time.monotonic()
while True:
    nxt += period
    delay = nxt - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    else:
        nxt = time.monotonic()
    try:
        with open(stat, "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        sys.exit(0)
    if state in (b"t", b"T"):
        continue
    try:
        os.kill(pid, sig)
    except OSError:
        sys.exit(0)
"""


class RunningOnlySampler(SignalSampler):
    """Like `SignalSampler`, but skips a tick while the program is stopped."""

    def start(self) -> None:
        if self.running:
            return
        python = sys.executable if os.path.basename(sys.executable).startswith("python") else "python3"
        self._proc = subprocess.Popen(
            [python, "-S", "-c", _TICKER, str(self.pid), str(self.signum), repr(1.0 / self.rate_hz)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
