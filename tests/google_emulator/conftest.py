"""Fixtures for the emulator's own tests: the emulator and a real Calendar v3 client."""

from __future__ import annotations

import pytest

from .emulator import GoogleEmulator
from .fixtures import google_emulator, google_emulator_server  # noqa: F401


@pytest.fixture(scope="session")
def session_service(google_emulator_server: GoogleEmulator):
    return google_emulator_server.service()


@pytest.fixture
def svc(google_emulator: GoogleEmulator, session_service, monkeypatch: pytest.MonkeyPatch):
    """The real client, pointed at a fresh emulator; client retries do not sleep."""
    monkeypatch.setattr("googleapiclient.http.time.sleep", lambda seconds: None)
    return session_service
