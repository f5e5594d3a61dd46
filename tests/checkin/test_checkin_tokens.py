"""Check-in links: one per parent per family, derived from the server key, stored hashed."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from pc_calendar.errors import UserError
from pc_calendar.feeds.checkin_tokens import CheckinTokens, checkin_url
from pc_calendar.feeds.secret import KEY_FILE, load_or_create
from pc_calendar.feeds.tokens import TOKEN_RE, TokenStore, token_hash


@pytest.fixture
def links(tmp_path: Path):
    store = CheckinTokens(tmp_path / "data")
    yield store
    store.close()


def test_issue_lookup_and_current_link(links: CheckinTokens) -> None:
    token = links.issue("rivera-chen", "alex")
    assert TOKEN_RE.fullmatch(token)
    assert links.lookup(token) == ("rivera-chen", "alex")
    assert links.current("rivera-chen", "alex") == token
    assert links.current("rivera-chen", "sam") is None
    assert links.lookup(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_issuing_again_rotates_the_link(links: CheckinTokens) -> None:
    old = links.issue("rivera-chen", "alex")
    new = links.issue("rivera-chen", "alex")
    assert old != new
    assert links.lookup(old) is None
    assert links.lookup(new) == ("rivera-chen", "alex")
    assert [i.active for i in links.list("rivera-chen", "alex")] == [False, True]


def test_revoke_is_seen_by_another_connection_at_once(links: CheckinTokens) -> None:
    token = links.issue("rivera-chen", "alex")
    other = CheckinTokens(links.folder)
    assert other.revoke("rivera-chen", "alex") == 1
    assert links.lookup(token) is None
    assert links.current("rivera-chen", "alex") is None
    assert other.revoke("rivera-chen", "alex") == 0
    other.close()


def test_families_and_parents_do_not_share_links(links: CheckinTokens) -> None:
    a = links.issue("rivera-chen", "alex")
    b = links.issue("okafor-lind", "alex")
    assert a != b
    assert links.lookup(b) == ("okafor-lind", "alex")


def test_token_never_on_disk_and_files_are_private(links: CheckinTokens) -> None:
    tokens = [links.issue("rivera-chen", p) for p in ("alex", "sam")]
    links.close()
    for path in links.folder.iterdir():
        data = path.read_bytes()
        assert not any(t.encode() in data for t in tokens)
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name
    hashes = {r[0] for r in sqlite3.connect(links.path).execute("SELECT hash FROM checkin_tokens")}
    assert hashes == {token_hash(t) for t in tokens}


def test_a_new_server_key_makes_old_links_unusable(tmp_path: Path) -> None:
    links = CheckinTokens(tmp_path)
    token = links.issue("rivera-chen", "alex")
    links.close()
    os.remove(tmp_path / KEY_FILE)
    again = CheckinTokens(tmp_path)
    assert again.current("rivera-chen", "alex") is None  # no link that would not work
    assert again.lookup(token) == ("rivera-chen", "alex")  # revoke it to stop it
    again.close()


def test_key_is_created_once_and_checked(tmp_path: Path) -> None:
    key = load_or_create(tmp_path / KEY_FILE)
    assert load_or_create(tmp_path / KEY_FILE) == key
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    (tmp_path / KEY_FILE).write_bytes(b"short")
    with pytest.raises(UserError, match="not a pc-calendar server key"):
        load_or_create(tmp_path / KEY_FILE)


def test_feed_token_database_is_refused(tmp_path: Path) -> None:
    TokenStore(tmp_path / "checkins.sqlite3").close()
    with pytest.raises(UserError, match="not a pc-calendar check-in link database"):
        CheckinTokens(tmp_path)


def test_url_joins_base_and_token() -> None:
    assert checkin_url("https://cal.example.org/", "T" * 43) == (
        "https://cal.example.org/checkin/" + "T" * 43
    )
