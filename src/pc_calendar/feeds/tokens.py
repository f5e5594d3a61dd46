"""Feed tokens: the secret part of each subscriber's feed URL, stored only as a hash.

A token is 32 random bytes (43 URL-safe characters). The database keeps its SHA-256, so
a copied database file cannot be turned back into working URLs; the raw token is shown
once, when it is issued. Lookups compare hashes, never raw tokens, so the time a lookup
takes says nothing useful about a guessed token. Every lookup reads the database, which
is why a revocation made by another process takes effect on the very next request.

A recipient is a parent of one family, or ``coordinator`` (family ``*``): the
coordinator's feed covers every family the server serves.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import UserError
from ..fileio import make_private

COORDINATOR = "coordinator"
ALL_FAMILIES = "*"
TOKEN_BYTES = 32
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
APPLICATION_ID = 0x70634654  # "pcFT"
BUSY_TIMEOUT_S = 30.0
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS tokens (
        hash TEXT PRIMARY KEY, family TEXT NOT NULL, recipient TEXT NOT NULL,
        issued_at TEXT NOT NULL, revoked_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS tokens_recipient ON tokens (family, recipient)",
)


def default_db_path() -> Path:
    """``$PC_CALENDAR_DATA_DIR`` or the user data dir, then ``feeds.sqlite3``."""
    from ..paths import data_dir

    return data_dir() / "feeds.sqlite3"


def open_tagged_db(
    path: Path, app_id: int, schema: tuple[str, ...], what: str
) -> sqlite3.Connection:
    """Open (or create, 0600, in WAL mode) a SQLite file tagged with ``app_id``; a file
    of another program or of the other kind of token database is refused by name."""
    if path.is_dir():
        raise UserError(f"{path}: is a directory, expected the {what}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        make_private(path, what)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        found = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if found != app_id and (found != 0 or tables):
            conn.close()
            raise UserError(
                f"{path}: not a pc-calendar {what}; refusing to use it",
                hint=f"pass --db with the path of the {what}",
            )
        if found == 0:
            conn.execute(f"PRAGMA application_id = {app_id}")
            conn.execute("PRAGMA journal_mode = WAL")
            for statement in schema:
                conn.execute(statement)
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"{path}: cannot open the {what} ({exc})") from None
    return conn


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def log_id(token_or_hash: str) -> str:
    """A short, non-reversible name for a token, safe to print in logs and listings."""
    digest = token_or_hash if len(token_or_hash) == 64 else token_hash(token_or_hash)
    return digest[:10]


@dataclass(frozen=True)
class TokenInfo:
    """One issued token as listed: never the token itself."""

    id: str
    family: str
    recipient: str
    issued_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class ThreadLocalDb:
    """A tagged SQLite database with one connection per thread (waitress serves each
    request on a worker thread; a connection must stay in the thread that made it)."""

    application_id: int
    schema: tuple[str, ...]
    what: str

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connect()  # fail early, in the caller's thread, with a clear message

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_tagged_db(self.path, self.application_id, self.schema, self.what)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    #: SELECT hash, family, <who> ... WHERE hash = ? AND revoked_at IS NULL
    lookup_sql: str

    def lookup(self, token: str) -> tuple[str, str] | None:
        """``(family, who)`` of an active token, else None (unknown or revoked)."""
        if not TOKEN_RE.fullmatch(token):
            return None
        wanted = token_hash(token)
        row = self._connect().execute(self.lookup_sql, (wanted,)).fetchone()
        if row is None or not hmac.compare_digest(row[0], wanted):
            return None
        return row[1], row[2]


class TokenStore(ThreadLocalDb):
    """The token database. Thread-safe: each thread gets its own SQLite connection."""

    application_id = APPLICATION_ID
    schema = _SCHEMA
    what = "feed token database"
    lookup_sql = "SELECT hash, family, recipient FROM tokens WHERE hash = ? AND revoked_at IS NULL"

    def issue(self, family: str, recipient: str) -> str:
        """A new token for ``recipient``; the only time the raw token exists."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._connect().execute(
            "INSERT INTO tokens (hash, family, recipient, issued_at) VALUES (?, ?, ?, ?)",
            (token_hash(token), family, recipient, _now()),
        )
        return token

    def revoke(self, family: str, recipient: str, token_id: str | None = None) -> int:
        """Revoke the recipient's active tokens (or the one whose id starts with
        ``token_id``); returns how many were revoked."""
        sql = "UPDATE tokens SET revoked_at = ? WHERE family = ? AND recipient = ? "
        sql += "AND revoked_at IS NULL"
        params: tuple[object, ...] = (_now(), family, recipient)
        if token_id:
            if not re.fullmatch(r"[0-9a-f]{4,64}", token_id):
                raise UserError(f"--id: expected a token id as listed (hex), got {token_id!r}")
            sql += " AND substr(hash, 1, ?) = ?"
            params += (len(token_id), token_id)
        return self._connect().execute(sql, params).rowcount

    def list(self, family: str, recipient: str | None = None) -> list[TokenInfo]:
        """Tokens of a family (or one recipient), oldest first, as ids only."""
        sql = "SELECT hash, family, recipient, issued_at, revoked_at FROM tokens WHERE family = ?"
        params: tuple[str, ...] = (family,)
        if recipient is not None:
            sql += " AND recipient = ?"
            params += (recipient,)
        rows = self._connect().execute(sql + " ORDER BY issued_at, hash", params).fetchall()
        return [TokenInfo(log_id(h), f, r, i, v) for h, f, r, i, v in rows]
