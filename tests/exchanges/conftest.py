"""Fixtures for exchange-log tests: a hand-built family, its log, a fixed "now"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from exchange_fixtures import make_plan  # noqa: E402
from local_tsa import LocalTSA  # noqa: E402


@pytest.fixture
def plan():
    return make_plan()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "log.sqlite3"


@pytest.fixture(scope="session")
def tsa(tmp_path_factory):
    """A local RFC 3161 time-stamping authority on 127.0.0.1 (openssl ts)."""
    authority = LocalTSA(tmp_path_factory.mktemp("tsa"))
    yield authority
    authority.close()


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """CLI runs: the log under tmp_path, a fixed "now" (2026-11-25 12:00 UTC), no plugins."""
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PC_CALENDAR_NOW", "2026-11-25T12:00:00+00:00")
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")
