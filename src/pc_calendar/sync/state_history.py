"""The sync state's run history and the quick no-op's entries, mixed into StateStore.

Both are per calendar (or per plan) rows beside the events: when each calendar was last
synced (``pc-calendar status``), and what a quick no-op needs to answer without the plan
(:mod:`.quick`). Kept apart from :mod:`.state`, whose job is the events themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import UserError


def utc_now() -> str:
    """The run history's time format: UTC, second precision, sortable as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class RunRecord:
    """When a calendar was last synced: UTC ISO times; ``last_error`` with its time."""

    key: str
    target: str | None
    last_attempt: str | None
    last_success: str | None
    last_error: str | None
    last_error_at: str | None
    #: whether the latest attempt failed (None in files from before it was recorded)
    last_failed: bool | None = None

    @property
    def failing(self) -> bool:
        """The latest attempt failed.

        Recorded as such: times have whole seconds, and a failed run and the good run
        that fixed it often share one. Older files fall back to comparing the times.
        """
        if self.last_failed is not None:
            return self.last_failed
        return self.last_error_at is not None and (
            self.last_success is None or self.last_error_at >= self.last_success
        )


class HistoryMixin:
    """Run history and quick entries; needs ``readonly``, ``_db``, ``_writing``, ``_read``."""

    readonly: bool
    _db: sqlite3.Connection
    _writing: Callable[[], AbstractContextManager[None]]
    _read: Callable[[str, str | None, str], tuple | None]

    # -- the quick no-op's entries (see :mod:`.quick`) ---------------------------------

    def quick_entry(self, plan: str, parents: str) -> tuple[str, str] | None:
        """(digest, entry) remembered for a plan run with ``parents``, if any."""
        try:
            row = self._db.execute(
                "SELECT digest, entry FROM quick_noop WHERE plan = ? AND parents = ?",
                (plan, parents),
            ).fetchone()
        except sqlite3.Error:
            return None  # a read-only look at an older file: no entry
        return (row[0], row[1]) if row else None

    def set_quick_entry(self, plan: str, parents: str, entry: tuple[str, str] | None) -> None:
        """Remember (digest, entry) for the plan run with ``parents``; None forgets it."""
        if self.readonly:
            return
        with self._writing():
            if entry is None:
                self._db.execute(
                    "DELETE FROM quick_noop WHERE plan = ? AND parents = ?", (plan, parents)
                )
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO quick_noop (plan, parents, digest, entry) "
                    "VALUES (?, ?, ?, ?)",
                    (plan, parents, *entry),
                )

    # -- run history (``pc-calendar status``) ---------------------------------------------

    def record_run(self, key: str, target: str, at: str, error: str | None) -> None:
        """Remember an attempt: a success time, or the error and when it happened."""
        if self.readonly:
            return
        with self._writing():
            self._db.execute(
                "INSERT INTO runs (key, target, last_attempt, last_success, last_error, "
                "last_error_at, last_failed) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET "
                "target = excluded.target, last_attempt = excluded.last_attempt, "
                "last_success = coalesce(excluded.last_success, runs.last_success), "
                "last_error = coalesce(excluded.last_error, runs.last_error), "
                "last_error_at = coalesce(excluded.last_error_at, runs.last_error_at), "
                "last_failed = excluded.last_failed",
                (
                    key,
                    target,
                    at,
                    None if error else at,
                    error,
                    at if error else None,
                    int(bool(error)),
                ),
            )

    def last_run(self, key: str) -> RunRecord | None:
        """The run history of one calendar, or None if it was never synced."""
        columns = "key, target, last_attempt, last_success, last_error, last_error_at"
        try:
            row = self._read(
                f"SELECT {columns}, last_failed FROM runs WHERE key = ?",
                f"SELECT {columns}, NULL FROM runs WHERE key = ?",  # read-only, older file
                key,
            )
        except UserError as exc:
            if "no such table" in str(exc):
                return None  # a read-only look at a state file older than run history
            raise
        if row is None:
            return None
        *fields, failed = row
        return RunRecord(*fields, last_failed=None if failed is None else bool(failed))
