"""Token buckets: per-session rate limits for snapshots and samples."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["TokenBucket", "RateLimits"]


@dataclass(frozen=True)
class RateLimits:
    """Events per second and burst size; None turns a limit off."""

    snapshots_per_s: float | None = 1000.0
    snapshot_burst: int = 2000
    samples_per_s: float | None = 1000.0
    sample_burst: int = 5000


class TokenBucket:
    """Allows `rate` events per second on average and bursts of up to `burst`; counts refusals."""

    def __init__(self, rate: float | None, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = float(max(burst, 1))
        self.tokens = self.burst
        self.dropped = 0
        self._clock = clock
        self._last = clock()

    def allow(self) -> bool:
        if self.rate is None:
            return True
        now = self._clock()
        self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
        self._last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        self.dropped += 1
        return False
