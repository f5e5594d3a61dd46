"""Check-in links: one secret link per parent per family, stored only as a hash.

A check-in token is ``HMAC(server key, family, parent, nonce)``; the database keeps the
token's SHA-256 and the random nonce, never the token. So the renderer can put the
current link into a parent's exchange events (it re-derives the token from the nonce
and the key), while a copied database without the key file gives nothing that works.
Issuing a new link revokes the parent's old one (rotation); revoking leaves none. Every
lookup reads the database, so a revocation by another process is refused at once.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from .secret import KEY_FILE, derive, load_or_create
from .tokens import BUSY_TIMEOUT_S, ThreadLocalDb, _now, log_id, token_hash

APPLICATION_ID = 0x70634349  # "pcCI"
DB_FILE = "checkins.sqlite3"
PATH_PREFIX = "/checkin/"
_SCHEMA = (
    """CREATE TABLE checkin_tokens (
        hash TEXT PRIMARY KEY, family TEXT NOT NULL, parent TEXT NOT NULL,
        nonce TEXT NOT NULL, issued_at TEXT NOT NULL, revoked_at TEXT)""",
    "CREATE INDEX checkin_tokens_parent ON checkin_tokens (family, parent, revoked_at)",
)
__all__ = ["BUSY_TIMEOUT_S", "CheckinInfo", "CheckinTokens", "checkin_url"]


@dataclass(frozen=True)
class CheckinInfo:
    """One issued link as listed: never the token."""

    id: str
    family: str
    parent: str
    issued_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def checkin_url(base_url: str, token: str) -> str:
    """The link a parent opens: ``<base>/checkin/<token>``."""
    return base_url.rstrip("/") + PATH_PREFIX + token


class CheckinTokens(ThreadLocalDb):
    """The check-in link database in ``folder`` (with the server key beside it).

    Thread-safe: each thread gets its own SQLite connection.
    """

    application_id = APPLICATION_ID
    schema = _SCHEMA
    what = "check-in link database"
    lookup_sql = (
        "SELECT hash, family, parent FROM checkin_tokens WHERE hash = ? AND revoked_at IS NULL"
    )

    def __init__(self, folder: Path | str, key: bytes | None = None) -> None:
        self.folder = Path(folder)
        self._key = key if key is not None else load_or_create(self.folder / KEY_FILE)
        super().__init__(self.folder / DB_FILE)

    @property
    def key(self) -> bytes:
        return self._key

    def _token(self, family: str, parent: str, nonce: str) -> str:
        mac = derive(self._key, "checkin-link", family, parent, nonce)
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def issue(self, family: str, parent: str) -> str:
        """A new link token for the parent; their previous one stops working now."""
        nonce = secrets.token_hex(16)
        token = self._token(family, parent, nonce)
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._revoke(conn, family, parent)
            conn.execute(
                "INSERT INTO checkin_tokens (hash, family, parent, nonce, issued_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), family, parent, nonce, _now()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return token

    def revoke(self, family: str, parent: str) -> int:
        """Revoke the parent's link; returns 1 if there was an active one, else 0."""
        return self._revoke(self._connect(), family, parent)

    @staticmethod
    def _revoke(conn, family: str, parent: str) -> int:
        return conn.execute(
            "UPDATE checkin_tokens SET revoked_at = ? "
            "WHERE family = ? AND parent = ? AND revoked_at IS NULL",
            (_now(), family, parent),
        ).rowcount

    def current(self, family: str, parent: str) -> str | None:
        """The parent's active token (re-derived), or None: for rendering their link."""
        row = (
            self._connect()
            .execute(
                "SELECT hash, nonce FROM checkin_tokens "
                "WHERE family = ? AND parent = ? AND revoked_at IS NULL",
                (family, parent),
            )
            .fetchone()
        )
        if row is None:
            return None
        token = self._token(family, parent, row[1])
        # A replaced key file makes old links unverifiable: then there is no link.
        return token if hmac.compare_digest(token_hash(token), row[0]) else None

    def list(self, family: str, parent: str | None = None) -> list[CheckinInfo]:
        """A family's links (or one parent's), oldest first, as ids only."""
        sql = "SELECT hash, family, parent, issued_at, revoked_at FROM checkin_tokens "
        sql += "WHERE family = ?"
        params: tuple[str, ...] = (family,)
        if parent is not None:
            sql += " AND parent = ?"
            params += (parent,)
        rows = self._connect().execute(sql + " ORDER BY issued_at, rowid", params).fetchall()
        return [CheckinInfo(log_id(h), f, p, i, r) for h, f, p, i, r in rows]
