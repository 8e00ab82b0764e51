"""The sampling signal sender for lldb: `SignalSampler` that never queues signals (standard library only).

SIG36 is a real-time signal, and the kernel queues every one sent. When reading a sample takes
longer than the sampling period (a loaded machine, many threads), signals pile up faster than
the debugger takes them and the program never runs again: each continue delivers the next one.
This ticker sends a signal only while the program is running: a tick that falls while a debugger
holds the program stopped (state `t` in /proc/PID/stat) waits until it runs again, so at most one
signal is ever pending, and a program stopped at a breakpoint gets one sample, not a burst, when
it continues.
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
    while True:  # a tick that falls while the program is held stopped waits for it to run
        try:
            with open(stat, "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            sys.exit(0)
        if state not in (b"t", b"T"):
            break
        time.sleep(0.0005)
    try:
        os.kill(pid, sig)
    except OSError:
        sys.exit(0)
    nxt = max(nxt, time.monotonic() - period / 2)
"""


class RunningOnlySampler(SignalSampler):
    """Like `SignalSampler`, but holds a tick back while the program is stopped."""

    def start(self) -> None:
        if self.running:
            return
        python = sys.executable if os.path.basename(sys.executable).startswith("python") else "python3"
        self._proc = subprocess.Popen(
            [python, "-S", "-c", _TICKER, str(self.pid), str(self.signum), repr(1.0 / self.rate_hz)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
