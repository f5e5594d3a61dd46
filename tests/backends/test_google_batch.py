"""Pacing, backoff and error classification for Google requests (pure, no server)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pc_calendar.backends.google_batch import Backoff, Pacer, error_reason, retryable


def _fake_clock():
    now = [0.0]

    def sleep(seconds: float) -> None:
        assert seconds >= 0
        now[0] += seconds

    return now, sleep


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=120),
    st.sampled_from([540, 600, 120]),
)
def test_pacer_never_exceeds_the_rate_in_any_minute(sizes: list[int], per_minute: int) -> None:
    now, sleep = _fake_clock()
    pacer = Pacer(per_minute, clock=lambda: now[0], sleep=sleep)
    stamps: list[tuple[float, int]] = []
    sizes = [min(n, int(pacer.capacity)) for n in sizes]  # the executor's chunk limit
    for n in sizes:
        pacer.acquire(n)
        stamps.append((now[0], n))
    limit = per_minute
    for i, (start, _) in enumerate(stamps):
        in_window = sum(n for t, n in stamps[i:] if t < start + 60)
        assert in_window <= limit


def test_pacer_does_not_wait_for_a_small_burst() -> None:
    now, sleep = _fake_clock()
    pacer = Pacer(600, clock=lambda: now[0], sleep=sleep)
    pacer.acquire(50)
    assert now[0] == 0.0
    pacer.acquire(11)  # the bucket is empty: it refills at (600 - 50) / 60 per second
    assert now[0] == pytest.approx(11 * 60 / 550)
    with pytest.raises(ValueError):
        pacer.acquire(51)


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    slept: list[float] = []
    backoff = Backoff(base=1.0, cap=8.0, sleep=slept.append, rand=lambda: 1.0)
    for attempt in range(6):
        backoff.wait(attempt)
    assert slept == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    low: list[float] = []
    Backoff(base=1.0, sleep=low.append, rand=lambda: 0.0).wait(2)
    assert low == [2.0]  # jitter keeps between half and all of the delay


def _error(status: int, reason: str = "") -> SimpleNamespace:
    body = {"error": {"code": status, "errors": [{"reason": reason}]}} if reason else {}
    return SimpleNamespace(resp=SimpleNamespace(status=status), content=json.dumps(body).encode())


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (403, "rateLimitExceeded", True),
        (403, "userRateLimitExceeded", True),
        (403, "quotaExceeded", True),
        (403, "forbidden", False),
        (429, "", True),
        (500, "backendError", True),
        (503, "", True),
        (404, "notFound", False),
        (409, "duplicate", False),
        (412, "conditionNotMet", False),
    ],
)
def test_which_errors_are_worth_retrying(status: int, reason: str, expected: bool) -> None:
    error = _error(status, reason)
    assert retryable(error) is expected
    assert error_reason(error) == reason
