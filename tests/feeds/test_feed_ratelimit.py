"""The per-client token bucket."""

from __future__ import annotations

import pytest

from pc_calendar.feeds.ratelimit import RateLimiter


def test_burst_then_steady_rate_per_client() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, 4, clock=lambda: now[0])
    assert [limiter.check("a") for _ in range(5)] == [0, 0, 0, 0, 1]
    assert limiter.check("b") == 0  # another client has its own bucket
    now[0] += 0.5  # one token back at 2 per second
    assert limiter.check("a") == 0
    assert limiter.check("a") == 1
    now[0] += 100  # a long rest refills to the burst, not beyond
    assert [limiter.check("a") for _ in range(5)] == [0, 0, 0, 0, 1]


def test_retry_after_is_whole_seconds_until_a_token() -> None:
    now = [0.0]
    limiter = RateLimiter(0.1, 1, clock=lambda: now[0])
    assert limiter.check("a") == 0
    assert limiter.check("a") == 10
    now[0] += 9.5
    assert limiter.check("a") == 1


def test_memory_stays_bounded_under_many_clients() -> None:
    now = [0.0]
    limiter = RateLimiter(1.0, 2, clock=lambda: now[0], max_clients=100)
    for i in range(1000):
        limiter.check(f"10.0.{i // 256}.{i % 256}")
        now[0] += 0.01
    assert len(limiter._buckets) <= 101


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0, 1)
    with pytest.raises(ValueError):
        RateLimiter(1, 0)
