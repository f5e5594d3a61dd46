"""One environment variable moves every file the tool keeps: sync state, locks, exchange
logs, feed tokens and Google tokens."""

from __future__ import annotations

import shutil
from pathlib import Path

from pc_calendar.testing_cli import run_cli

EXAMPLE = Path(__file__).parents[1] / "examples" / "rivera-chen.toml"


def test_every_default_path_is_under_the_data_dir(tmp_path, monkeypatch):
    from pc_calendar.backends.google_auth import default_token_dir
    from pc_calendar.exchanges.store import default_db_path as exchange_log
    from pc_calendar.feeds.tokens import default_db_path as feed_tokens
    from pc_calendar.sync.locking import lock_dir_for
    from pc_calendar.sync.state import default_state_path

    for name in ("PC_CALENDAR_STATE", "PC_CALENDAR_LOCK_DIR", "PC_CALENDAR_GOOGLE_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    data = tmp_path / "data"
    state = default_state_path()
    for path in (state, lock_dir_for(state), exchange_log("rivera-chen"), feed_tokens(),
                 default_token_dir()):  # fmt: skip
        assert path is not None and data in path.parents, path


def test_a_sync_and_a_record_write_only_under_the_data_dir(tmp_path, monkeypatch):
    for name in ("PC_CALENDAR_STATE", "PC_CALENDAR_LOCK_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the platform folder, if used
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    plan = tmp_path / "family" / "family.toml"
    plan.parent.mkdir()
    shutil.copy(EXAMPLE, plan)
    synced = run_cli(["sync", str(plan), "--from", "2026-12-01", "--to", "2027-01-01"])
    assert synced.exit_code == 0, synced.stderr
    written = {p.relative_to(tmp_path / "data").parts[0] for p in (tmp_path / "data").rglob("*")}
    assert {"sync-state.sqlite", "locks"} <= written, written
    assert not (tmp_path / "home").exists()
