"""One retry policy for every backend: capped exponential backoff, jitter, Retry-After.

CalDAV (through the sync engine's :func:`with_retries`) and Google (its executor) wait
the same way: ``base * 2**attempt`` seconds, capped, times a 0.5-1 jitter, and never less
than the server's ``Retry-After`` (RFC 9110 10.2.3: seconds or an HTTP date). What one
request may sleep in all is bounded by ``budget``: a server asking for a longer pause
than that is not waited for; the calendar fails at once, saying when to try again, and
a later run (cron) picks it up. Nothing is lost by giving up: the sync state resumes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from .errors import BackendError, TransientBackendError

T = TypeVar("T")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date), or None.

    >>> parse_retry_after("120")
    120.0
    >>> parse_retry_after("Sat, 05 Dec 2026 12:00:30 GMT", datetime(2026, 12, 5, 12, tzinfo=UTC))
    30.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class RetryPolicy:
    """``attempts`` tries per request, waiting ``base * 2**n`` (capped, with jitter).

    A ``Retry-After`` from the server raises the wait to at least what it asks; the
    waits of one request never add up to more than ``budget`` seconds.
    """

    attempts: int = 5
    base: float = 0.5
    cap: float = 8.0
    #: most seconds one request may spend waiting between its attempts
    budget: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    #: seconds slept so far through :meth:`pause` (benchmarks and tests read it)
    waited: float = 0.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        backoff = min(self.cap, self.base * 2**attempt) * (0.5 + self.rand() / 2)
        return backoff if retry_after is None else max(backoff, retry_after)

    def pause(self, attempt: int, retry_after: float | None = None, spent: float = 0.0) -> float:
        """Sleep before attempt ``attempt + 1``; returns the seconds slept.

        Raises :class:`TooLong` (sleeping nothing) when that would take the request's
        waits (``spent`` so far) past the budget.
        """
        delay = self.delay(attempt, retry_after)
        if spent + delay > self.budget:
            raise TooLong(delay, retry_after)
        self.sleep(delay)
        self.waited += delay
        return delay

    def wait(self, attempt: int, retry_after: float | None = None) -> None:
        """:meth:`pause` without a budget check (callers that count attempts only)."""
        delay = self.delay(attempt, retry_after)
        self.sleep(delay)
        self.waited += delay


class TooLong(Exception):
    """Waiting as asked would exceed the retry budget."""

    def __init__(self, delay: float, retry_after: float | None) -> None:
        super().__init__(f"{delay:.0f} s")
        self.delay = delay
        self.retry_after = retry_after


def with_retries(fn: Callable[[], T], retry: RetryPolicy, what: str, target: str) -> T:
    """``fn()``, retried on TransientBackendError; a BackendError once retries run out."""
    spent = 0.0
    for attempt in range(retry.attempts):
        try:
            return fn()
        except TransientBackendError as exc:
            if exc.exhausted:  # the backend retried it already: one policy, not two
                raise gave_up(what, exc, target) from exc
            if attempt + 1 >= retry.attempts:
                tried = f"{what} failed after {retry.attempts} attempts"
                raise gave_up(tried, exc, target) from exc
            try:
                spent += retry.pause(attempt, exc.retry_after, spent)
            except TooLong:
                budget = f"waiting would exceed the {retry.budget:.0f} s retry budget"
                raise gave_up(f"{what} stopped ({budget})", exc, target) from exc
    raise AssertionError("unreachable")


def gave_up(what: str, exc: TransientBackendError, target: str) -> BackendError:
    """The error a calendar fails with once retrying stops; keeps the fault's own hint."""
    detail = exc.message
    if exc.target and detail.startswith(f"{exc.target}: "):
        detail = detail[len(exc.target) + 2 :]
    return BackendError(
        f"{what}: {detail}",
        target=target,
        hint=exc.hint or "the server may be down or busy; re-run later, nothing is lost",
    )
