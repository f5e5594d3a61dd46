"""The exchange log's SQLite file: creating it whole, recognising it, migrating it.

A new log is built under a temporary name and linked into place only once complete, so
a file at the log's path is always a finished log: an empty or header-less file there was
truncated (or replaced) and is reported as damaged, never silently re-created. The file
is tagged with an application id and a schema version so a foreign, corrupt or newer
database is refused instead of being written to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from ..errors import UserError

APPLICATION_ID = 0x70634C67  # "pcLg"
SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 30_000


# Each version's statements run in one transaction; never edit a released step, add one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE records (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            family TEXT NOT NULL, exchange_id TEXT NOT NULL,
            scheduled_at TEXT NOT NULL, scheduled_local TEXT NOT NULL,
            from_parent TEXT NOT NULL, to_parent TEXT NOT NULL, location TEXT,
            children TEXT NOT NULL, rule TEXT NOT NULL, status TEXT NOT NULL,
            minutes_late INTEGER, reported_by TEXT NOT NULL, agreed_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL, note TEXT, supersedes INTEGER,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)""",
    ),
    # v2: lookups by exchange and by scheduled time; SQLite-level append-only guards.
    2: (
        "CREATE INDEX records_exchange ON records (exchange_id, seq)",
        "CREATE INDEX records_scheduled ON records (scheduled_at)",
        "CREATE TRIGGER records_append_only_u BEFORE UPDATE ON records "
        "BEGIN SELECT RAISE(ABORT, 'exchange records are append-only'); END",
        "CREATE TRIGGER records_append_only_d BEFORE DELETE ON records "
        "BEGIN SELECT RAISE(ABORT, 'exchange records are append-only'); END",
    ),
    # v3: overdue exchanges already reported to notifier plugins (not part of the chain).
    3: ("CREATE TABLE notices (exchange_id TEXT PRIMARY KEY, notified_at TEXT NOT NULL)",),
    # v4: how a record was reported, whose fault, confirm/dispute of an earlier record;
    # existing rows keep hash_version 1 so they verify exactly as they were written.
    4: (
        "ALTER TABLE records ADD COLUMN channel TEXT",
        "ALTER TABLE records ADD COLUMN at_fault TEXT",
        "ALTER TABLE records ADD COLUMN kind TEXT NOT NULL DEFAULT 'outcome'",
        "ALTER TABLE records ADD COLUMN responds_to INTEGER",
        "ALTER TABLE records ADD COLUMN responds_to_hash TEXT",
        "ALTER TABLE records ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1",
        "CREATE INDEX records_responds ON records (responds_to)",
    ),
}


class DamagedLog(UserError):
    """The file at the log's path is not a whole exchange log (truncated, emptied)."""

    exit_code = 1


def _create(path: Path, family_id: str) -> None:
    """Build a new, empty log beside ``path`` and link it into place (0600).

    Linking fails if another process got there first; its log is then used. So a file
    at ``path`` is never a half-made log, and an empty one there means damage.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{path}: cannot create the folder ({exc.strerror})") from None
    try:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.creating")
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise UserError(f"{path}: cannot create the exchange log ({exc.strerror})") from None
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            _migrate(conn, tmp, family_id)
        finally:
            conn.close()  # checkpoints: everything is in the main file now
        _put_in_place(tmp, path)
    except sqlite3.DatabaseError as exc:
        raise _explain(path, exc) from None
    except OSError as exc:
        raise UserError(f"{path}: cannot create the exchange log ({exc.strerror})") from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _put_in_place(tmp: Path, path: Path) -> None:
    """Link the finished log to its name unless another process got there first. On a
    filesystem without hard links, rename it there if the name is still free."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        if not path.exists():
            os.replace(tmp, path)


def _setup(conn: sqlite3.Connection, path: Path, family_id: str) -> tuple[Any, ...] | None:
    """One attempt at opening: returns the meta row naming the log's family."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    app_id, version, tables = _header(conn)
    if app_id == 0 and version == 0 and not tables:
        size = path.stat().st_size if path.exists() else 0
        raise DamagedLog(
            f"{path}: the exchange log is damaged: the file is empty ({size} bytes, no "
            f"records, no tables). Logs are created whole, so it was truncated or replaced; "
            f"nothing was written",
            hint="restore it from a backup, and check it with 'exchange verify --anchors' "
            "or the parents' receipts",
        )
    if app_id != APPLICATION_ID and (app_id != 0 or tables):
        raise UserError(
            f"{path}: not a pc-calendar exchange log (a SQLite database of another "
            f"program); refusing to write to it",
            hint="pass --db with the path of the family's exchange log",
        )
    _check_version(path, version)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    if version < SCHEMA_VERSION:
        _migrate(conn, path, family_id)
    return conn.execute("SELECT value FROM meta WHERE key = 'family'").fetchone()


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _explain(path: Path, exc: sqlite3.DatabaseError) -> UserError:
    """A corrupt or foreign file reads differently from a locked or unwritable one."""
    text = str(exc)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return UserError(
            f"{path}: not a pc-calendar exchange log: the file is not a SQLite database or "
            f"is damaged ({text})"
        )
    return UserError(f"{path}: cannot use the exchange log ({text}); nothing was written")


def _header(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Application id, schema version and object count, read in one snapshot (one
    statement) so a log being created by another process is never seen half-made."""
    row = conn.execute(
        "SELECT (SELECT application_id FROM pragma_application_id()),"
        " (SELECT user_version FROM pragma_user_version()),"
        " (SELECT count(*) FROM sqlite_master)"
    ).fetchone()
    return row[0], row[1], row[2]


def _check_version(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise UserError(
            f"{path}: this exchange log was written by a newer pc-calendar (schema version "
            f"{version}; this version understands up to {SCHEMA_VERSION}); nothing was "
            f"written",
            hint="upgrade pc-calendar to read or record in it",
        )


def _migrate(
    conn: sqlite3.Connection, path: Path, family_id: str, target: int = SCHEMA_VERSION
) -> None:
    """Bring the schema to ``target`` in one transaction (safe against a racing opener)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        app_id, version, tables = _header(conn)  # re-read under the lock
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise UserError(f"{path}: not a pc-calendar exchange log")
        _check_version(path, version)
        for step in range(version + 1, target + 1):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
        if version == 0:
            conn.execute("INSERT INTO meta (key, value) VALUES ('family', ?)", (family_id,))
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {max(version, target)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
