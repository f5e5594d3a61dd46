"""Sending requests to Google: pacing, backoff, batches of 50, per-part results.

Google allows 600 requests per minute per user; each part of a batch counts as one.
:class:`Pacer` is a token bucket kept below that (a burst of at most 50, the rest at
``requests_per_minute``), so a large first sync slows down instead of being refused.
Rate-limit answers (403 rateLimitExceeded / userRateLimitExceeded / quotaExceeded,
429), 5xx and dropped connections are retried with exponential backoff and jitter;
when the retries run out the caller gets a :class:`TransientBackendError`. A batch
answers part by part: each :class:`Task` sees its own part's answer, and may ask for a
follow-up request (adopting an existing event needs a get, then maybe an update).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import BackendError, TransientBackendError
from ..retry import RetryPolicy, TooLong, parse_retry_after

BATCH_LIMIT = 50
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


@dataclass
class Backoff(RetryPolicy):
    """The shared retry policy (:mod:`pc_calendar.retry`) with Google's defaults:
    6 tries, 1 s doubling to at most 32 s, never less than the Retry-After Google sends."""

    attempts: int = 6
    base: float = 1.0
    cap: float = 32.0


def retry_after_of(exc: Any) -> float | None:
    """The Retry-After of a Google error response, in seconds, if it has one."""
    resp = getattr(exc, "resp", None)
    getter = getattr(resp, "get", None)
    return parse_retry_after(getter("retry-after")) if callable(getter) else None


@dataclass
class Pacer:
    """Token bucket holding at most ``per_minute`` requests in any 60 seconds.

    The bucket holds ``capacity`` (a tenth of a minute's allowance, at most one batch)
    and refills at the rest of the allowance, so a full bucket plus a minute of refill
    is exactly ``per_minute``. Callers never ask for more than ``capacity`` at once.
    """

    per_minute: float
    burst: float = BATCH_LIMIT
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    waited: float = 0.0
    _tokens: float | None = None
    _at: float = 0.0

    @property
    def capacity(self) -> float:
        return max(1.0, min(self.burst, self.per_minute / 10))

    def acquire(self, n: int = 1) -> None:
        capacity = self.capacity
        if n > capacity:
            raise ValueError(f"cannot take {n} requests at once (capacity {capacity:g})")
        rate = (self.per_minute - capacity) / 60.0
        now = self.clock()
        if self._tokens is None:
            self._tokens, self._at = capacity, now
        self._tokens = min(capacity, self._tokens + (now - self._at) * rate)
        self._at = now
        if self._tokens < n:
            delay = (n - self._tokens) / rate
            self.waited += delay
            self.sleep(delay)
            self._tokens, self._at = float(n), self._at + delay
        self._tokens -= n


def error_reason(exc: Any) -> str:
    """The first ``reason`` in a Google error body ('' when there is none)."""
    try:
        body = json.loads(exc.content.decode("utf-8") if exc.content else "{}")
        errors = body.get("error", {}).get("errors") or [{}]
        return str(errors[0].get("reason", "") or body.get("error", {}).get("status", ""))
    except (ValueError, AttributeError, TypeError):
        return ""


def status_of(exc: Any) -> int:
    return int(getattr(getattr(exc, "resp", None), "status", 0) or 0)


def retryable(exc: Any) -> bool:
    """Whether waiting and trying again can help (rate limits and server trouble)."""
    status = status_of(exc)
    if status == 403:
        return error_reason(exc) in RATE_REASONS
    return status == 429 or status >= 500


def _connection_errors() -> tuple[type[BaseException], ...]:
    import http.client  # here, not at the top: http.client loads ssl, and check never needs it
    import socket

    import httplib2

    return (OSError, socket.timeout, http.client.HTTPException, httplib2.HttpLib2Error)


def _auth_errors() -> tuple[type[BaseException], ...]:
    from google.auth.exceptions import GoogleAuthError

    return (GoogleAuthError,)


class Task:
    """One logical operation; ``request()`` builds its next HTTP request."""

    done: bool = False
    result: Any = None
    attempts: int = 0

    def request(self) -> Any:  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def answer(self, response: Any, error: Any) -> None:
        """Take this part's answer; set ``done``/``result`` or prepare a follow-up."""
        raise NotImplementedError  # pragma: no cover

    def finish(self, result: Any) -> None:
        self.done, self.result = True, result


@dataclass
class Executor:
    """Runs single requests and batches against one Google account."""

    label: str
    account: str
    pacer: Pacer
    backoff: Backoff
    batch_uri: str | None = None
    http: Any = None
    new_batch: Callable[..., Any] | None = None
    requests: int = 0
    rate_limited: int = field(default=0)

    # -- single requests --------------------------------------------------------------

    def one(self, make: Callable[[], Any], what: str) -> Any:
        """Execute ``make()`` with pacing and retries; non-retryable HttpErrors propagate."""
        from googleapiclient.errors import HttpError

        spent = 0.0
        for attempt in range(self.backoff.attempts):
            self.pacer.acquire(1)
            self.requests += 1
            try:
                return make().execute(num_retries=0)
            except HttpError as exc:
                self.check_auth(exc)
                if not retryable(exc):
                    raise
                failure: BaseException = exc
                self.rate_limited += status_of(exc) in (403, 429)
            except _connection_errors() as exc:
                failure = exc
            except _auth_errors() as exc:
                failure = self.auth_failure(exc)
            if attempt + 1 >= self.backoff.attempts:
                break
            try:
                spent += self.backoff.pause(attempt, retry_after_of(failure), spent)
            except TooLong as long:
                raise self.transient(what, failure, waiting=long.delay) from None
        raise self.transient(what, failure)

    # -- batches ----------------------------------------------------------------------

    def run(self, tasks: list[Task], what: str = "writing events") -> None:
        """Drive every task to done: batches of 50, retrying parts that may succeed later."""
        pending = [t for t in tasks if not t.done]
        size = max(1, min(BATCH_LIMIT, int(self.pacer.capacity)))
        while pending:
            chunk, pending = pending[:size], pending[size:]
            retry = self._send(chunk, what)
            again = [t for t in chunk if not t.done and t not in retry]
            if retry:
                worst = max(t.attempts for t in retry)
                live = []
                for task in retry:
                    task.attempts += 1
                    if task.attempts >= self.backoff.attempts:
                        task.finish(self.transient(what, task.result))
                    else:
                        live.append(task)
                if live:
                    asked = [r for t in live if (r := retry_after_of(t.result)) is not None]
                    try:
                        self.backoff.pause(worst, max(asked, default=None))
                    except TooLong as long:
                        for task in live:
                            task.finish(self.transient(what, task.result, waiting=long.delay))
                        live = []
                again = live + again
            pending = again + pending

    def _send(self, chunk: list[Task], what: str) -> list[Task]:
        """One HTTP call for ``chunk``; returns the tasks to retry after a pause."""
        from googleapiclient.errors import BatchError, HttpError

        self.pacer.acquire(len(chunk))
        self.requests += 1
        retry: list[Task] = []

        def deliver(task: Task, response: Any, error: Any) -> None:
            if error is not None:
                self.check_auth(error)
                if retryable(error):
                    self.rate_limited += status_of(error) in (403, 429)
                    task.result = error
                    retry.append(task)
                    return
            task.answer(response, error)

        try:
            if len(chunk) == 1:
                try:
                    response = chunk[0].request().execute(num_retries=0)
                except HttpError as exc:
                    deliver(chunk[0], None, exc)
                else:
                    deliver(chunk[0], response, None)
                return retry
            batch = self._batch()
            for index, task in enumerate(chunk):
                batch.add(task.request(), request_id=str(index))
            try:
                batch.execute(http=self.http)
            except (KeyError, BatchError) as exc:  # a part missing or a garbled answer
                return self._all_retry(chunk, exc)
            self._deliver_all(chunk, deliver)
        except HttpError as exc:  # the batch request itself failed
            self.check_auth(exc)
            if not retryable(exc):
                raise BackendError(
                    f"{what}: Google answered HTTP {status_of(exc)} ({error_reason(exc)})",
                    target=self.label,
                ) from exc
            return self._all_retry(chunk, exc)
        except _connection_errors() as exc:
            return self._all_retry(chunk, exc)
        except _auth_errors() as exc:
            return self._all_retry(chunk, self.auth_failure(exc))
        return retry

    def _deliver_all(self, chunk: list[Task], deliver: Callable) -> None:
        for request_id, (response, error) in sorted(self._parts.items(), key=lambda p: int(p[0])):
            deliver(chunk[int(request_id)], response, error)
        self._parts.clear()

    def _batch(self) -> Any:
        self._parts: dict[str, tuple[Any, Any]] = {}

        def callback(request_id: str, response: Any, exception: Any) -> None:
            self._parts[request_id] = (response, exception)

        if self.new_batch is not None and self.batch_uri is None:
            return self.new_batch(callback=callback)
        from googleapiclient.http import BatchHttpRequest

        return BatchHttpRequest(callback=callback, batch_uri=self.batch_uri)

    @staticmethod
    def _all_retry(chunk: list[Task], exc: BaseException) -> list[Task]:
        for task in chunk:
            task.result = exc
        return list(chunk)

    # -- errors -----------------------------------------------------------------------

    def check_auth(self, exc: Any) -> None:
        """401 (after the client's own refresh): the user must log in again."""
        if status_of(exc) == 401:
            raise BackendError(
                "Google refused the authorisation (HTTP 401)",
                target=self.label,
                hint=f"run: pc-calendar google login {self.account}",
            )
        if status_of(exc) == 403 and error_reason(exc) not in RATE_REASONS:
            raise BackendError(
                f"Google refused access (HTTP 403 {error_reason(exc)})",
                target=self.label,
                hint="check that this account may write to the calendar, or log in again: "
                f"pc-calendar google login {self.account}",
            )

    def auth_failure(self, exc: BaseException) -> BaseException:
        """A token refresh that failed: retry a network problem, else ask for a login."""
        from google.auth.exceptions import TransportError

        if isinstance(exc, TransportError):
            return exc
        raise BackendError(
            f"Google refused the stored authorisation ({exc.__class__.__name__}: {exc})",
            target=self.label,
            hint=f"run: pc-calendar google login {self.account}",
        ) from None

    def transient(
        self, what: str, failure: Any, waiting: float | None = None
    ) -> TransientBackendError:
        if status_of(failure):
            detail = f"HTTP {status_of(failure)} {error_reason(failure)}".strip()
        else:
            detail = f"{failure.__class__.__name__}: {failure}"
        if waiting is not None:
            return TransientBackendError(
                f"{what} stopped: Google asks to wait {waiting:.0f} s, longer than the "
                f"retry budget of {self.backoff.budget:.0f} s ({detail})",
                target=self.label,
                retry_after=retry_after_of(failure),
                exhausted=True,
            )
        return TransientBackendError(
            f"{what} failed after {self.backoff.attempts} attempts ({detail})",
            target=self.label,
            exhausted=True,
        )
