"""The token store: issue, look up, revoke, list; tokens only ever stored hashed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pc_calendar.errors import UserError
from pc_calendar.feeds.tokens import TOKEN_RE, TokenStore, default_db_path, log_id, token_hash


def test_issue_then_lookup_names_the_recipient(store: TokenStore) -> None:
    token = store.issue("rivera-chen", "alex")
    assert TOKEN_RE.fullmatch(token)
    assert store.lookup(token) == ("rivera-chen", "alex")
    assert store.lookup(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.lookup("not-a-token") is None


def test_tokens_are_unique_per_issue(store: TokenStore) -> None:
    tokens = {store.issue("rivera-chen", "alex") for _ in range(20)}
    assert len(tokens) == 20
    assert all(store.lookup(t) == ("rivera-chen", "alex") for t in tokens)


def test_raw_token_is_never_written_to_disk(store: TokenStore) -> None:
    tokens = [store.issue("rivera-chen", p) for p in ("alex", "sam", "alex")]
    store.close()
    folder = store.path.parent
    files = [p.read_bytes() for p in folder.iterdir() if p.is_file()]
    assert files, "the database was not created"
    for token in tokens:
        assert not any(token.encode() in data for data in files)
        assert not any(token.encode("utf-16-le") in data for data in files)
    hashes = {row[0] for row in sqlite3.connect(store.path).execute("SELECT hash FROM tokens")}
    assert hashes == {token_hash(t) for t in tokens}
    assert all(len(h) == 64 for h in hashes)  # SHA-256 hex


def test_revoke_takes_effect_for_another_connection_at_once(store: TokenStore) -> None:
    token = store.issue("rivera-chen", "alex")
    keep = store.issue("rivera-chen", "sam")
    other = TokenStore(store.path)  # e.g. the CLI, while the server keeps its connection
    assert store.lookup(token) is not None
    assert other.revoke("rivera-chen", "alex") == 1
    assert store.lookup(token) is None
    assert store.lookup(keep) == ("rivera-chen", "sam")
    assert other.revoke("rivera-chen", "alex") == 0  # nothing active left
    other.close()


def test_revoke_one_token_by_its_listed_id(store: TokenStore) -> None:
    old = store.issue("rivera-chen", "alex")
    new = store.issue("rivera-chen", "alex")
    assert store.revoke("rivera-chen", "alex", log_id(old)) == 1
    assert store.lookup(old) is None
    assert store.lookup(new) == ("rivera-chen", "alex")
    with pytest.raises(UserError, match="--id"):
        store.revoke("rivera-chen", "alex", "zz; DROP TABLE tokens")


def test_list_shows_ids_and_state_never_tokens(store: TokenStore) -> None:
    a = store.issue("rivera-chen", "alex")
    s = store.issue("rivera-chen", "sam")
    store.issue("okafor-lind", "alex")
    store.revoke("rivera-chen", "sam")
    rows = store.list("rivera-chen")
    assert [(r.recipient, r.active) for r in sorted(rows, key=lambda r: r.recipient)] == [
        ("alex", True),
        ("sam", False),
    ]
    assert {r.id for r in rows} == {log_id(a), log_id(s)}
    assert all(a not in repr(r) and s not in repr(r) for r in rows)
    assert [r.recipient for r in store.list("rivera-chen", "alex")] == ["alex"]


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="not a pc-calendar feed token database"):
        TokenStore(path)


def test_default_path_follows_the_data_dir_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path))
    assert default_db_path() == tmp_path / "feeds.sqlite3"
