"""One error hierarchy.

``UserError`` and its subclasses are mistakes a user can fix (bad plan, bad option,
unreachable server, wrong password): the CLI prints their message and exits with
``exit_code`` and no traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PcCalendarError(Exception):
    """Base of every error the project raises on purpose."""


class UserError(PcCalendarError):
    """A mistake the user can fix; shown without a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        """The message as the CLI prints it."""
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and what was expected."""

    key: str
    message: str
    line: int | None = None

    def render(self, path: Path | str | None) -> str:
        where = str(path) if path is not None else "<plan>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class PlanError(UserError):
    """The plan file cannot be read or does not validate."""

    def __init__(self, path: Path | str | None, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(p.render(path) for p in problems))


class BackendError(UserError):
    """A calendar backend failed in a way the user must act on (auth, missing calendar)."""

    exit_code = 1

    def __init__(self, message: str, *, target: str | None = None, hint: str | None = None):
        self.target = target
        super().__init__(f"{target}: {message}" if target else message, hint=hint)


class TransientBackendError(BackendError):
    """A fault a retry may cure (timeout, 5xx, 429, connection refused).

    ``retry_after``: seconds the server asked us to wait (its Retry-After), if it did.
    ``exhausted``: the backend already retried it under the shared policy
    (:mod:`pc_calendar.retry`), so callers must not retry it again on top.
    """

    def __init__(
        self,
        message: str,
        *,
        target: str | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
        exhausted: bool = False,
    ) -> None:
        super().__init__(message, target=target, hint=hint)
        self.retry_after = retry_after
        self.exhausted = exhausted


class PreconditionFailed(PcCalendarError):
    """The server's copy changed since we read it (HTTP 412 / etag mismatch)."""

    def __init__(self, href: str, message: str = "precondition failed") -> None:
        super().__init__(f"{href}: {message}")
        self.href = href


class WriteRefused(PcCalendarError):
    """The server refused one write for a reason of its own (not an etag mismatch).

    Cyrus, iCloud and Fastmail keep a UID unique across all of a user's calendars and
    answer 403 with a ``CALDAV:no-uid-conflict`` precondition when another calendar
    holds it. Re-listing cannot cure that, so the sync engine reports the event as a
    problem and carries on with the others. ``hint`` says what the user can do.
    """

    def __init__(self, href: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{href}: {message}")
        self.href = href
        self.message = message
        self.hint = hint

    def render(self) -> str:
        return str(self) if not self.hint else f"{self}; {self.hint}"


class PluginError(UserError):
    """A plugin misbehaved: names the plugin and what it did."""

    exit_code = 1

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(f"plugin {plugin!r}: {message}")
