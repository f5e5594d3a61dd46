"""The one retry policy (pc_calendar.retry): backoff, Retry-After, a bounded wait."""

from __future__ import annotations

from datetime import UTC, datetime

import httplib2
import pytest
from googleapiclient.errors import HttpError

from pc_calendar.backends.google_batch import Backoff, retry_after_of
from pc_calendar.errors import BackendError, TransientBackendError
from pc_calendar.retry import RetryPolicy, parse_retry_after, with_retries

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("Sat, 05 Dec 2026 12:01:30 GMT", 90.0),
        ("Sat, 05 Dec 2026 11:59:00 GMT", 0.0),  # already past: no wait
        ("soon", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_retry_after_forms(header, seconds) -> None:
    assert parse_retry_after(header, NOW) == seconds


def flaky(*faults: TransientBackendError):
    """A call failing with ``faults`` in turn, then answering "done"."""
    pending = list(faults)

    def call() -> str:
        if pending:
            raise pending.pop(0)
        return "done"

    return call


def policy(slept: list[float], **changes) -> RetryPolicy:
    return RetryPolicy(sleep=slept.append, rand=lambda: 1.0, **changes)


def test_waits_at_least_what_the_server_asks() -> None:
    slept: list[float] = []
    busy = TransientBackendError("busy", retry_after=6.0)
    assert with_retries(flaky(busy, TransientBackendError("x")), policy(slept), "x", "t") == "done"
    assert slept == [6.0, 1.0]  # Retry-After, then the backoff's own 0.5 * 2


def test_a_wait_beyond_the_budget_is_not_waited_for() -> None:
    slept: list[float] = []
    busy = TransientBackendError("server is busy (HTTP 503)", target="cal", retry_after=3600)
    with pytest.raises(BackendError) as info:
        with_retries(flaky(busy), policy(slept, budget=120), "listing events", "cal")
    assert slept == []
    assert not isinstance(info.value, TransientBackendError)
    assert "listing events stopped (waiting would exceed the 120 s retry budget)" in str(info.value)
    assert "server is busy (HTTP 503)" in str(info.value)
    assert "re-run later" in (info.value.hint or "")


def test_the_budget_bounds_the_sum_of_waits() -> None:
    slept: list[float] = []
    faults = [TransientBackendError("busy", retry_after=50) for _ in range(4)]
    with pytest.raises(BackendError, match="exceed the 120 s retry budget"):
        with_retries(flaky(*faults), policy(slept, budget=120), "x", "t")
    assert slept == [50, 50]


def test_a_faults_own_hint_survives_giving_up() -> None:
    locked = TransientBackendError("locked (HTTP 423)", target="cal", hint="remove the lock")
    with pytest.raises(BackendError) as info:
        with_retries(flaky(locked, locked), policy([], attempts=2), "writing", "cal")
    assert info.value.hint == "remove the lock"
    assert str(info.value).startswith("cal: writing failed after 2 attempts: locked (HTTP 423)")


def test_google_uses_the_same_policy_and_reads_retry_after() -> None:
    assert isinstance(Backoff(), RetryPolicy)
    assert (Backoff().attempts, Backoff().cap) == (6, 32.0)
    error = HttpError(httplib2.Response({"status": 429, "retry-after": "9"}), b"{}")
    assert retry_after_of(error) == 9.0
    assert retry_after_of(HttpError(httplib2.Response({"status": 500}), b"{}")) is None
    slept: list[float] = []
    Backoff(sleep=slept.append, rand=lambda: 1.0).pause(0, retry_after_of(error))
    assert slept == [9.0]


def test_what_a_backend_retried_already_is_not_retried_on_top() -> None:
    """Google's executor retries under the same policy; the engine must not multiply."""
    slept: list[float] = []
    calls = []

    def call() -> str:
        calls.append(1)
        raise TransientBackendError("failed after 6 attempts (HTTP 503)", exhausted=True)

    with pytest.raises(BackendError, match="failed after 6 attempts") as info:
        with_retries(call, policy(slept), "listing events", "google primary (alex)")
    assert (len(calls), slept) == (1, [])
    assert not isinstance(info.value, TransientBackendError)
