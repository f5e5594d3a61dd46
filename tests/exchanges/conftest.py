"""Fixtures for exchange-log tests: a hand-built family, its log, a fixed "now"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from exchange_fixtures import make_plan  # noqa: E402


@pytest.fixture
def plan():
    return make_plan()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "log.sqlite3"
