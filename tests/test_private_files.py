"""Every file the tool keeps for itself that holds family data is mode 0600.

The sync state (calendar keys, event summaries' hashes, errors), the exchange log, the
feed token database and the sync locks: created 0600 whatever the umask, SQLite's
-wal/-shm files with them, and files left 0644 by older versions fixed on next open.
(Files written where the user asks are in test_private_outputs.py; only an ICS target
folder, meant to be served, is readable by others.)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.feeds.tokens import TokenStore
from pc_calendar.sync.locking import calendar_lock, lock_path
from pc_calendar.sync.state import StateStore


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """A umask that would make new files 0644, as on most machines."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def use_state(path: Path) -> None:
    with StateStore(path) as store:
        store.load_header("fam/alex/ics:{}")


def use_log(path: Path) -> None:
    with ExchangeStore.open(path, "fam") as store:
        store.verify()


def use_tokens(path: Path) -> None:
    store = TokenStore(path)
    store.issue("fam", "alex")
    store.close()


OPENERS: dict[str, Callable[[Path], None]] = {
    "sync state": use_state,
    "exchange log": use_log,
    "feed tokens": use_tokens,
}


@pytest.mark.parametrize("name", OPENERS)
def test_new_databases_and_their_sidecars_are_private(tmp_path, name):
    path = tmp_path / "sub" / "db.sqlite3"
    path.parent.mkdir()
    OPENERS[name](path)
    assert mode(path) == 0o600
    sidecars = [p for p in path.parent.iterdir() if p != path]
    assert all(mode(p) == 0o600 for p in sidecars), [(p.name, oct(mode(p))) for p in sidecars]


@pytest.mark.parametrize("name", OPENERS)
def test_files_left_readable_by_older_versions_are_fixed_on_open(tmp_path, name):
    path = tmp_path / "db.sqlite3"
    OPENERS[name](path)
    for file in tmp_path.iterdir():
        os.chmod(file, 0o644)
    wal = path.with_name(path.name + "-wal")
    wal.touch()
    os.chmod(wal, 0o644)
    OPENERS[name](path)
    assert mode(path) == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.iterdir() if p.exists())


def test_sync_locks_are_private_and_old_ones_fixed(tmp_path):
    with calendar_lock(tmp_path, "fam/alex", "alex") as held:
        assert mode(held) == 0o600
    os.chmod(lock_path(tmp_path, "fam/alex"), 0o644)
    with calendar_lock(tmp_path, "fam/alex", "alex") as held:
        assert mode(held) == 0o600
