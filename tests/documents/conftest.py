"""The printed documents are made at a fixed time, with no plugins and a private log."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PC_CALENDAR_NOW", "2026-12-05T11:30:00Z")
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")
