"""Google-style API errors: the JSON error body the real client parses.

The client decides whether to retry a 403 by reading ``error.errors[0].reason``, so the
shape (``errors`` list first, then ``code``/``message``/``status``) must match Google's.
"""

from __future__ import annotations

import json

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "FAILED_PRECONDITION",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

REASONS = {
    200: "OK",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An error answer: HTTP status plus Google's ``domain``/``reason``/``message``."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type

    def body(self) -> dict:
        """The JSON body Google sends for this error."""
        detail: dict = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location:
            detail["location"] = self.location
            detail["locationType"] = self.location_type or "parameter"
        error = {
            "errors": [detail],
            "code": self.code,
            "message": self.message,
        }
        if self.code in _STATUS:
            error["status"] = _STATUS[self.code]
        return {"error": error}

    def to_bytes(self) -> bytes:
        return json.dumps(self.body(), indent=1).encode()


def bad_request(message: str, reason: str = "invalid", location: str | None = None) -> ApiError:
    return ApiError(400, reason, message, location=location)


def not_found() -> ApiError:
    return ApiError(404, "notFound", "Not Found")
