"""Injectable faults: Google's rate-limit/quota errors, 5xx, and dropped connections.

A fault is armed with :meth:`Faults.inject` and fires on the next ``times`` requests whose
``"METHOD /path?query"`` contains ``match`` (any request if ``match`` is None). Batch parts
are matched one by one, so a single part of a batch can fail while the others succeed.
``"drop"`` closes the connection without answering (nothing is processed); ``"drop_after"``
processes the request and then closes the connection (the answer is lost: the client does
not know its write landed).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .errors import ApiError

_ERRORS: dict[str | int, ApiError] = {
    "rateLimitExceeded": ApiError(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"),
    "userRateLimitExceeded": ApiError(
        403, "userRateLimitExceeded", "User Rate Limit Exceeded", "usageLimits"
    ),
    "quotaExceeded": ApiError(403, "quotaExceeded", "Calendar usage limits exceeded.", "usageLimits"),
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
