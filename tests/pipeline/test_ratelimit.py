"""Token buckets refuse past the burst and refill at the rate."""

from __future__ import annotations

from debugtape.pipeline.ratelimit import TokenBucket


def test_bucket_allows_burst_then_refills() -> None:
    now = [0.0]
    b = TokenBucket(rate=10, burst=5, clock=lambda: now[0])
    assert [b.allow() for _ in range(7)] == [True] * 5 + [False] * 2
    assert b.dropped == 2
    now[0] = 0.3  # three tokens back
    assert [b.allow() for _ in range(4)] == [True, True, True, False]


def test_no_rate_means_no_limit() -> None:
    b = TokenBucket(rate=None, burst=1)
    assert all(b.allow() for _ in range(1000)) and b.dropped == 0
