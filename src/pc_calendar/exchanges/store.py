"""The append-only SQLite store of exchange outcomes, one database per family.

Writes are one ``BEGIN IMMEDIATE`` transaction each (read the chain head, insert,
commit), so two processes recording at once serialise on SQLite's write lock and both
records chain correctly, and a crash mid-write leaves nothing behind. Records are only
ever inserted: corrections are new records that supersede, and triggers refuse changes
made through SQLite. The file is tagged with an application id and a schema version so a
foreign, corrupt or newer database is refused instead of being written to (see
:mod:`.schema`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..fileio import make_private
from .chain import (
    FIELDS,
    GENESIS,
    OUTCOME,
    V2_ONLY,
    ChainProblem,
    Record,
    VerifyResult,
    compute_hash,
    verify_chain,
)
from .schema import (  # noqa: F401  (APPLICATION_ID, SCHEMA_VERSION re-exported)
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    DamagedLog,
    _busy,
    _create,
    _explain,
    _migrate,
    _setup,
)

_JSON_COLUMNS = ("children", "agreed_by")
_INSERT = f"INSERT INTO records ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})"
_SELECT = f"SELECT {', '.join(FIELDS)} FROM records"


def default_db_path(family_id: str) -> Path:
    """``$PC_CALENDAR_DATA_DIR`` or the user data dir, then ``exchanges/<family>.sqlite3``."""
    from ..paths import data_dir

    return data_dir() / "exchanges" / f"{family_id}.sqlite3"


def _row_to_record(row: tuple[Any, ...]) -> Record:
    return Record(**_decoded(row))


def _decoded(row: tuple[Any, ...]) -> dict[str, Any]:
    data = dict(zip(FIELDS, row, strict=True))
    for key in _JSON_COLUMNS:
        # A tampered value that is not JSON stays as is, so verify reports it as altered.
        with contextlib.suppress(TypeError, ValueError):
            data[key] = json.loads(data[key])
    return data


@functools.lru_cache(maxsize=4096)
def _json_list(text: Any) -> Any:
    """A JSON column as a tuple (hashes like the list it was; shared, so immutable).
    The same few children and agreements repeat in every record of a family."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return text  # tampered: stays as is, so verify reports it as altered
    return tuple(value) if isinstance(value, list) else value


def _row_to_json(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row as its record's exported (hashed + ``hash``) form, without building a
    Record: what verification reads, 100,000 times for a big log. JSON lists come back
    as tuples (same canonical JSON)."""
    data = dict(zip(FIELDS, row, strict=True))
    for key in _JSON_COLUMNS:
        data[key] = _json_list(data[key])
    if data["hash_version"] == 1:
        for key in V2_ONLY:
            del data[key]
    return data


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
            _create(path, family_id)
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
        filled in under the write lock. Returns the stored record once committed: an
        acknowledged record is durable (WAL, synchronous=FULL).

        ``supersedes`` is the exchange's previous outcome for an outcome record; a
        confirmation or dispute supersedes nothing.
        """
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
                    "SELECT seq FROM records WHERE exchange_id = ? AND kind = ? "
                    "ORDER BY seq DESC LIMIT 1",
                    (draft.exchange_id, OUTCOME),
                ).fetchone()
                if draft.kind != OUTCOME:
                    previous = None
                record = replace(
                    draft,
                    seq=max(head[0] if head else 0, used[0] if used else 0) + 1,
                    family=self.family_id,
                    supersedes=previous[0] if previous else None,
                    prev_hash=head[1] if head else GENESIS,
                    hash_version=2,
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
        return self._iter(_row_to_record)

    def iter_exported(self) -> Iterator[dict[str, Any]]:
        """Every record as exported (``Record.to_json()``), oldest first."""
        return self._iter(_row_to_json)

    def _iter(self, convert: Callable[[tuple[Any, ...]], Any]) -> Iterator[Any]:
        if self._conn is None:
            return
        try:
            for row in self._conn.execute(f"{_SELECT} ORDER BY seq"):
                yield convert(row)
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{self.path}: the exchange log is damaged ({exc})") from None

    def between(self, start_utc: str, end_utc: str) -> list[Record]:
        """Records for exchanges scheduled in ``[start_utc, end_utc)`` (ISO Z strings)."""
        return self._query(
            f"{_SELECT} WHERE scheduled_at >= ? AND scheduled_at < ? ORDER BY seq",
            (start_utc, end_utc),
        )

    def latest_between(self, start_utc: str, end_utc: str) -> dict[str, Record]:
        """The current (latest) outcome of each exchange scheduled in the range;
        confirmations and disputes do not replace it."""
        return {r.exchange_id: r for r in self.between(start_utc, end_utc) if r.kind == OUTCOME}

    def get(self, seq: int) -> Record | None:
        """The record numbered ``seq``, if the log holds it."""
        found = self._query(f"{_SELECT} WHERE seq = ?", (seq,))
        return found[0] if found else None

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

    def verify(self, exported: list[dict[str, Any]] | None = None) -> VerifyResult:
        """Re-compute the chain (over ``exported`` if the caller already read it); also
        notice records removed from the end of the log."""
        result = verify_chain(self.iter_exported() if exported is None else exported)
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
