"""Injectable faults: Google's rate-limit/quota errors, 5xx, and dropped connections.

A fault is armed with :meth:`Faults.inject` and fires on the next ``times`` requests whose
``"METHOD /path?query"`` contains ``match``. Batch parts are matched one by one, so a single
part of a batch can fail while the others succeed; a fault whose ``match`` hits the batch
request itself (``"POST /batch/calendar/v3"``) fails the whole batch. Without ``match`` an
error fault hits the next plain request or the next batch *part*, a drop the next HTTP
request. ``"drop"`` closes the connection without answering (nothing is processed);
``"drop_after"`` processes the request first, so the answer is lost but the writes landed.
A drop matched by a batch part closes the connection in the middle of the batch: the
earlier parts were applied, the later ones were not. Note that httplib2 silently re-sends
a request once when the connection drops before any answer.

:class:`RateLimiter` answers rate-limit errors on its own once more than N requests (or
batch parts) arrive within a sliding window, like Google's per-user limit.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from .errors import ApiError

_ERRORS: dict[str | int, ApiError] = {
    "rateLimitExceeded": ApiError(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"),
    "userRateLimitExceeded": ApiError(
        403, "userRateLimitExceeded", "User Rate Limit Exceeded", "usageLimits"
    ),
    "quotaExceeded": ApiError(
        403, "quotaExceeded", "Calendar usage limits exceeded.", "usageLimits"
    ),
    429: ApiError(429, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"),
    500: ApiError(500, "backendError", "Backend Error"),
    503: ApiError(503, "backendError", "Backend Error"),
}
DROPS = ("drop", "drop_after")
KINDS = (*_ERRORS, *DROPS)


@dataclass
class Fault:
    kind: str | int
    times: int
    match: str | None

    def error(self) -> ApiError:
        """The error answer for a non-drop fault."""
        return _ERRORS[self.kind]


class Faults:
    """The armed faults, consumed first-armed-first as matching requests arrive."""

    def __init__(self) -> None:
        self._armed: list[Fault] = []
        self._lock = threading.Lock()
        self.fired: list[tuple[str | int, str]] = []

    def inject(self, kind: str | int, times: int = 1, match: str | None = None) -> None:
        if isinstance(kind, str) and kind.isdigit():
            kind = int(kind)
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {KINDS}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._armed.append(Fault(kind, times, match))

    def take(self, request_line: str, scope: str = "request") -> Fault | None:
        """The fault that fires for this request, if any (and count it as used).

        ``scope`` is "request" (a plain request), "batch" (the outer batch request) or
        "part" (one part of a batch). A fault without ``match`` hits the outer batch only
        if it is a drop, and otherwise its first part; a drop that matches a part closes
        the connection in the middle of the batch (earlier parts were applied).
        """
        with self._lock:
            for fault in self._armed:
                if fault.match is not None and fault.match not in request_line:
                    continue
                is_drop = fault.kind in DROPS
                if scope == "batch" and fault.match is None and not is_drop:
                    continue
                if scope == "part" and fault.match is None and is_drop:
                    continue
                fault.times -= 1
                if fault.times == 0:
                    self._armed.remove(fault)
                self.fired.append((fault.kind, request_line))
                return fault
            return None

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
            self.fired.clear()

    @property
    def pending(self) -> int:
        """How many fault firings are still armed."""
        with self._lock:
            return sum(f.times for f in self._armed)


class RateLimiter:
    """A sliding-window limit on requests (batch parts count one each); off by default.

    Refused requests do not count towards the window, so a client that backs off recovers.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()
        self.limit: tuple[int, float, str | int] | None = None
        self.refused = 0

    def configure(self, max_requests: int | None, per_seconds: float, kind: str | int) -> None:
        if kind not in _ERRORS or kind in (500, 503):
            raise ValueError(f"not a rate-limit fault: {kind!r}")
        with self._lock:
            self.limit = None if max_requests is None else (max_requests, per_seconds, kind)
            self._stamps.clear()
            self.refused = 0

    def check(self, now: float) -> ApiError | None:
        """None if this request is within the limit (and count it), else the error."""
        with self._lock:
            if self.limit is None:
                return None
            max_requests, per_seconds, kind = self.limit
            while self._stamps and self._stamps[0] <= now - per_seconds:
                self._stamps.popleft()
            if len(self._stamps) >= max_requests:
                self.refused += 1
                return _ERRORS[kind]
            self._stamps.append(now)
            return None
