"""What was last pushed to each calendar, in a small SQLite file.

Per calendar: the change token, and per event uid the href, etag, the hash we wrote
(``content_hash``), the hash of what was there when we last looked (``actual_hash``),
under the keep-theirs policy the plan version whose conflict the parent's edit already
won (``accepted``), and whether we wrote it after the stored token (``pending``).
It only makes re-runs cheap: losing it costs speed, never correctness, because the
engine re-derives everything from the server.

Written after every successful action, so a crash mid-sync resumes where it stopped.
A read-only store (``--dry-run``) never creates or changes the file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..errors import UserError
from ..fileio import make_private
from .secrets import scrub_url_passwords
from .state_history import HistoryMixin, RunRecord

__all__ = ["CalendarState", "Entry", "RunRecord", "StateStore", "default_state_path"]

STATE_ENV = "PC_CALENDAR_STATE"
STATE_FILE = "sync-state.sqlite"
BESIDE_SUFFIX = ".sync-state.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS calendars (
    key TEXT PRIMARY KEY,
    token TEXT,
    fingerprint TEXT,
    desired INTEGER
);
CREATE TABLE IF NOT EXISTS events (
    calendar TEXT NOT NULL,
    uid TEXT NOT NULL,
    href TEXT,
    etag TEXT,
    content_hash TEXT,
    actual_hash TEXT,
    start TEXT,
    accepted TEXT,
    pending INTEGER NOT NULL DEFAULT 0,
    end_day TEXT,
    PRIMARY KEY (calendar, uid)
);
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    target TEXT,
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_at TEXT,
    last_failed INTEGER
);
CREATE TABLE IF NOT EXISTS quick_noop (
    plan TEXT NOT NULL,
    parents TEXT NOT NULL,
    digest TEXT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (plan, parents)
);
"""

#: the events columns in the order :func:`_row` gives them (named: older files have
#: their columns in another order, as they were added)
EVENT_COLUMNS = (
    "calendar, uid, href, etag, content_hash, actual_hash, start, accepted, pending, end_day"
)


def _row(key: str, e: Entry) -> tuple:
    return (
        key,
        e.uid,
        e.href,
        e.etag,
        e.content_hash,
        e.actual_hash,
        e.start.isoformat() if e.start else None,
        e.accepted,
        int(e.pending),
        e.end.isoformat() if e.end else None,
    )


#: seconds a connection waits for another thread or process's write (caseload syncs
#: share one state file between their workers)
BUSY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Entry:
    """One of our events as last seen. ``href`` None: the parent deleted it (kept)."""

    uid: str
    href: str | None
    etag: str | None
    content_hash: str | None
    actual_hash: str | None
    start: date | None = None
    accepted: str | None = None
    pending: bool = False  # written after the stored token, not yet seen in a listing
    end: date | None = None  # its last day: an event touching the synced range is ours

    def with_(self, **changes: object) -> Entry:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass
class CalendarState:
    """A snapshot of one calendar's state."""

    key: str
    token: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    #: the inputs of the last run that converged, and how many events it wanted
    fingerprint: str | None = None
    desired: int | None = None


#: columns that name a calendar or quote a message, where a URL may appear
URL_COLUMNS = (("calendars", "key"), ("events", "calendar"), ("runs", "key"), ("runs", "target"))
URL_COLUMNS += (("runs", "last_error"),)


def default_state_path(plan_path: Path | None = None, beside_plan: bool = False) -> Path:
    """``$PC_CALENDAR_STATE``, else beside the plan if asked, else the data folder
    (``$PC_CALENDAR_DATA_DIR`` or the user data dir, see :mod:`pc_calendar.paths`)."""
    if beside_plan and plan_path is not None:
        return plan_path.with_name(plan_path.stem + BESIDE_SUFFIX)
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env)
    from ..paths import data_dir

    return data_dir() / STATE_FILE


class StateStore(HistoryMixin):
    """The SQLite file; ``readonly`` (dry runs) reads if it exists and writes nothing."""

    def __init__(self, path: Path | None, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        try:
            self._db = self._connect(path, readonly)
        except sqlite3.Error as exc:
            raise UserError(
                f"{path}: cannot open the sync state ({exc})",
                hint="pass --state PATH or set PC_CALENDAR_STATE",
            ) from None

    @staticmethod
    def _connect(path: Path | None, readonly: bool) -> sqlite3.Connection:
        if path is None or (readonly and not path.exists()):
            db = sqlite3.connect(":memory:")
        elif readonly:
            # immutable: no -wal/-shm files appear beside it (a dry run writes nothing)
            db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT
            )
            return db
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            make_private(path, "sync state")
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT)
            # Switching to WAL and creating the schema fail at once with "database is
            # locked" (no busy wait) while another process does the same: retry briefly.
            for attempt in range(50):
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=NORMAL")
                    db.executescript(SCHEMA)
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.05 + 0.01 * attempt)
        db.executescript(SCHEMA)
        if not readonly:
            scrub_url_passwords(db, URL_COLUMNS)
        calendar_columns = {row[1] for row in db.execute("PRAGMA table_info(calendars)")}
        for column, kind in (("fingerprint", "TEXT"), ("desired", "INTEGER")):
            if column not in calendar_columns:  # a state file from before the no-op fast path
                db.execute(f"ALTER TABLE calendars ADD COLUMN {column} {kind}")
        run_columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
        if "last_failed" not in run_columns:  # a state file from before that column
            db.execute("ALTER TABLE runs ADD COLUMN last_failed INTEGER")
        columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
        if "pending" not in columns:  # a state file from before that column existed
            db.execute("ALTER TABLE events ADD COLUMN pending INTEGER NOT NULL DEFAULT 0")
        if "end_day" not in columns:  # before events crossing the range start were owned
            db.execute("ALTER TABLE events ADD COLUMN end_day TEXT")
            # the rows lack their last day: list everything once, as after a lost state
            db.execute("UPDATE calendars SET token = NULL, fingerprint = NULL")
            db.commit()
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction; a full disk or a locked file is a UserError, not a traceback."""
        try:
            with self._db:
                yield
        except sqlite3.Error as exc:
            raise UserError(
                f"{self.path}: cannot write the sync state ({exc})",
                hint="the calendars are fine; fix this (disk space, another sync running) "
                "and re-run",
            ) from None

    def load_header(self, key: str) -> CalendarState:
        """The calendar's token and last converged inputs, without the per-event rows."""
        state = CalendarState(key)
        row = self._read(
            "SELECT token, fingerprint, desired FROM calendars WHERE key = ?",
            "SELECT token, NULL, NULL FROM calendars WHERE key = ?",
            key,
        )
        if row:
            state.token, state.fingerprint, state.desired = row
        return state

    def has_pending(self, key: str) -> bool:
        """Whether some write of ours is not yet covered by the stored token."""
        row = self._read(
            "SELECT 1 FROM events WHERE calendar = ? AND pending = 1 LIMIT 1", None, key
        )
        return row is not None

    def _read(self, query: str, fallback: str | None, key: str) -> tuple | None:
        """One row; ``fallback`` for a state file older than the columns ``query`` names."""
        try:
            try:
                return self._db.execute(query, (key,)).fetchone()
            except sqlite3.OperationalError:
                if fallback is None:
                    raise
                return self._db.execute(fallback, (key,)).fetchone()
        except sqlite3.Error as exc:
            raise UserError(
                f"{self.path}: the sync state is unreadable ({exc})",
                hint="delete it: it only makes re-runs faster",
            ) from None

    def load(self, key: str) -> CalendarState:
        state = self.load_header(key)
        try:
            rows = self._db.execute(
                "SELECT uid, href, etag, content_hash, actual_hash, start, accepted, pending, "
                "end_day FROM events WHERE calendar = ?",
                (key,),
            ).fetchall()
        except sqlite3.Error as exc:
            raise UserError(
                f"{self.path}: the sync state is unreadable ({exc})",
                hint="delete it: it only makes re-runs faster",
            ) from None
        for uid, href, etag, chash, ahash, start, accepted, pending, end in rows:
            day = date.fromisoformat(start) if start else None
            last = date.fromisoformat(end) if end else None
            state.entries[uid] = Entry(
                uid, href, etag, chash, ahash, day, accepted, bool(pending), last
            )
        return state

    # -- writes (no-ops when read-only) --------------------------------------------------

    def set_token(self, key: str, token: str | None) -> None:
        if self.readonly:
            return
        with self._writing():
            self._db.execute(
                "INSERT INTO calendars (key, token) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET token = excluded.token",
                (key, token),
            )

    def confirm(self, key: str, token: str | None) -> None:
        """The token now covers every write of ours: store it, nothing is pending."""
        if self.readonly:
            return
        with self._writing():
            self._db.execute("UPDATE events SET pending = 0 WHERE calendar = ?", (key,))
            self._db.execute(
                "INSERT INTO calendars (key, token) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET token = excluded.token",
                (key, token),
            )

    def set_fingerprint(self, key: str, fingerprint: str | None, desired: int | None) -> None:
        """Remember (or with None forget) the inputs of a run that converged."""
        if self.readonly:
            return
        with self._writing():
            self._db.execute(
                "INSERT INTO calendars (key, fingerprint, desired) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "desired = excluded.desired",
                (key, fingerprint, desired),
            )

    def put(self, key: str, entry: Entry) -> None:
        if self.readonly:
            return
        with self._writing():
            self._db.execute(
                f"INSERT OR REPLACE INTO events ({EVENT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _row(key, entry),
            )

    def drop(self, key: str, uid: str) -> None:
        if self.readonly:
            return
        with self._writing():
            self._db.execute("DELETE FROM events WHERE calendar = ? AND uid = ?", (key, uid))

    def replace(self, key: str, entries: dict[str, Entry], token: str | None) -> None:
        """Store a whole view of the calendar in one transaction."""
        if self.readonly:
            return
        with self._writing():
            self._db.execute("DELETE FROM events WHERE calendar = ?", (key,))
            self._db.executemany(
                f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_row(key, e) for e in entries.values()],
            )
            self._db.execute(
                "INSERT INTO calendars (key, token) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET token = excluded.token",
                (key, token),
            )
