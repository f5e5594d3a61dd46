"""The append-only SQLite store of exchange outcomes, one database per family.

Writes are one ``BEGIN IMMEDIATE`` transaction each (read the chain head, insert,
commit), so two processes recording at once serialise on SQLite's write lock and both
records chain correctly, and a crash mid-write leaves nothing behind. Records are only
ever inserted: corrections are new records that supersede, and triggers refuse changes
made through SQLite. The file is tagged with an application id and a schema version so a
foreign, corrupt or newer database is refused instead of being written to.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..fileio import make_private
from .chain import FIELDS, GENESIS, ChainProblem, Record, VerifyResult, compute_hash, verify_chain

APPLICATION_ID = 0x70634C67  # "pcLg"
SCHEMA_VERSION = 3
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
}
_JSON_COLUMNS = ("children", "agreed_by")
_INSERT = f"INSERT INTO records ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})"
_SELECT = f"SELECT {', '.join(FIELDS)} FROM records"


def default_db_path(family_id: str) -> Path:
    """``$PC_CALENDAR_DATA_DIR`` or the user data dir, then ``exchanges/<family>.sqlite3``."""
    from ..paths import data_dir

    return data_dir() / "exchanges" / f"{family_id}.sqlite3"


def _row_to_record(row: tuple[Any, ...]) -> Record:
    data = dict(zip(FIELDS, row, strict=True))
    for key in _JSON_COLUMNS:
        # A tampered value that is not JSON stays as is, so verify reports it as altered.
        with contextlib.suppress(TypeError, ValueError):
            data[key] = json.loads(data[key])
    return Record(**data)


def _record_to_row(record: Record) -> tuple[Any, ...]:
    data = record.to_json()
    for key in _JSON_COLUMNS:
        data[key] = json.dumps(data[key], ensure_ascii=False)
    return tuple(data[f] for f in FIELDS)


class ExchangeStore:
    """One family's exchange log. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path, family_id: str, conn: sqlite3.Connection | None) -> None:
        self.path = path
        self.family_id = family_id
        self._conn = conn
        # Test seam: called inside the write transaction just before COMMIT.
        self.before_commit: Callable[[], None] | None = None

    @classmethod
    def open(cls, path: Path | str, family_id: str, *, create: bool = True) -> ExchangeStore:
        """Open (and create or migrate) the log; a missing file with ``create=False`` reads
        as empty and is not created."""
        path = Path(path)
        if not path.exists():
            if not create:
                return cls(path, family_id, None)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"{path}: cannot create the folder ({exc.strerror})") from None
        if path.is_dir():
            raise UserError(f"{path}: is a directory, expected an exchange log database file")
        make_private(path, "exchange log")
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise UserError(f"{path}: cannot open the exchange log ({exc})") from None
        try:
            cls._prepare(conn, path, family_id)
        except BaseException:
            conn.close()
            raise
        return cls(path, family_id, conn)

    @staticmethod
    def _prepare(conn: sqlite3.Connection, path: Path, family_id: str) -> None:
        """Check the file is ours, switch to WAL and migrate, retrying while busy.

        Two processes creating the log at the same moment can get SQLITE_BUSY without
        the busy handler being consulted (SQLite's deadlock avoidance while switching to
        WAL), so that case is retried here up to the same timeout.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        delay = 0.005
        while True:
            try:
                row = _setup(conn, path, family_id)
                break
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() > deadline:
                    raise _explain(path, exc) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
            except sqlite3.DatabaseError as exc:
                raise _explain(path, exc) from None
        if row is None or row[0] != family_id:
            owner = row[0] if row else "no family"
            raise UserError(
                f"{path}: this exchange log belongs to {owner!r}, not to family {family_id!r}",
                hint="pass --db with this family's log",
            )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> ExchangeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------

    def append(self, draft: Record) -> Record:
        """Insert ``draft`` as the next record; seq, supersedes, prev_hash and hash are
        filled in under the write lock. Returns the stored record."""
        conn = self._require_conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                head = conn.execute(
                    "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                # Continue after the highest seq ever used, so a record removed from the
                # end outside the tool stays visible as a gap once more are appended.
                used = conn.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = 'records'"
                ).fetchone()
                previous = conn.execute(
                    "SELECT seq FROM records WHERE exchange_id = ? ORDER BY seq DESC LIMIT 1",
                    (draft.exchange_id,),
                ).fetchone()
                record = replace(
                    draft,
                    seq=max(head[0] if head else 0, used[0] if used else 0) + 1,
                    family=self.family_id,
                    supersedes=previous[0] if previous else None,
                    prev_hash=head[1] if head else GENESIS,
                    hash="",
                )
                record = replace(record, hash=compute_hash(record.content()))
                conn.execute(_INSERT, _record_to_row(record))
                if self.before_commit is not None:
                    self.before_commit()
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise UserError(
                f"{self.path}: could not record the outcome ({exc}); nothing was written"
            ) from None
        return record

    # -- reading ------------------------------------------------------------------------

    def records(self, exchange_id: str | None = None) -> list[Record]:
        """All records (or one exchange's), oldest first."""
        if exchange_id is None:
            return list(self.iter_records())
        return self._query(f"{_SELECT} WHERE exchange_id = ? ORDER BY seq", (exchange_id,))

    def iter_records(self) -> Iterator[Record]:
        if self._conn is None:
            return
        try:
            for row in self._conn.execute(f"{_SELECT} ORDER BY seq"):
                yield _row_to_record(row)
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{self.path}: the exchange log is damaged ({exc})") from None

    def between(self, start_utc: str, end_utc: str) -> list[Record]:
        """Records for exchanges scheduled in ``[start_utc, end_utc)`` (ISO Z strings)."""
        return self._query(
            f"{_SELECT} WHERE scheduled_at >= ? AND scheduled_at < ? ORDER BY seq",
            (start_utc, end_utc),
        )

    def latest_between(self, start_utc: str, end_utc: str) -> dict[str, Record]:
        """The superseding (latest) record of each exchange scheduled in the range."""
        return {r.exchange_id: r for r in self.between(start_utc, end_utc)}

    def on_local_date(self, day_iso: str) -> list[Record]:
        """Records whose exchange was scheduled on a local date (``YYYY-MM-DD``)."""
        return self._query(
            f"{_SELECT} WHERE substr(scheduled_local, 1, 10) = ? ORDER BY seq", (day_iso,)
        )

    def notified(self) -> set[str]:
        """Exchanges already reported overdue to notifier plugins."""
        if self._conn is None:
            return set()
        return {r[0] for r in self._conn.execute("SELECT exchange_id FROM notices")}

    def add_notice(self, exchange_id: str, at: str) -> bool:
        """Remember that an overdue exchange was reported; False if it already was."""
        conn = self._require_conn()
        cursor = conn.execute(
            "INSERT OR IGNORE INTO notices (exchange_id, notified_at) VALUES (?, ?)",
            (exchange_id, at),
        )
        return cursor.rowcount == 1

    def verify(self) -> VerifyResult:
        """Re-compute the chain; also notice records removed from the end of the log."""
        result = verify_chain(self.iter_records())
        if not result.ok or self._conn is None:
            return result
        row = self._conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'records'"
        ).fetchone()
        highest = row[0] if row else 0
        if isinstance(highest, int) and highest > 0:
            last = self._conn.execute("SELECT max(seq) FROM records").fetchone()[0] or 0
            if highest > last:
                return replace(
                    result,
                    problem=ChainProblem(
                        "removed",
                        last + 1,
                        f"record {last + 1} removed: the log once held "
                        f"{highest} record{'' if highest == 1 else 's'} and now "
                        f"{f'ends at record {last}' if last else 'is empty'}",
                    ),
                )
        return result

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Record]:
        if self._conn is None:
            return []
        try:
            return [_row_to_record(row) for row in self._conn.execute(sql, params)]
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{self.path}: the exchange log is damaged ({exc})") from None

    def _require_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("store opened without create=True cannot be written to")
        return self._conn


def _setup(conn: sqlite3.Connection, path: Path, family_id: str) -> tuple[Any, ...] | None:
    """One attempt at opening: returns the meta row naming the log's family."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    app_id, version, tables = _header(conn)
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
