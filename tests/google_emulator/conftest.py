"""Fixtures for the emulator's own tests: the emulator and a real Calendar v3 client."""

from __future__ import annotations

import time

import googleapiclient.http
import pytest

from . import fixtures
from .emulator import GoogleEmulator

google_emulator_server = fixtures.google_emulator_server
google_emulator = fixtures.google_emulator


@pytest.fixture(scope="session")
def session_service(google_emulator_server: GoogleEmulator):
    return google_emulator_server.service()


class _NoSleepTime:
    """``time`` as googleapiclient.http sees it, minus the back-off sleeps."""

    def __getattr__(self, name: str):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        return None


@pytest.fixture
def svc(google_emulator: GoogleEmulator, session_service, monkeypatch: pytest.MonkeyPatch):
    """The real client, pointed at a fresh emulator; client retries do not sleep."""
    monkeypatch.setattr(googleapiclient.http, "time", _NoSleepTime())
    return session_service
