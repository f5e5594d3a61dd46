"""pytest fixtures: one emulator server per session, reset to a fresh account per test.

Use from any test module with ``from google_emulator.fixtures import google_emulator``
(``# noqa: F401``), or list the module in a conftest's ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulator import GoogleEmulator


@pytest.fixture(scope="session")
def google_emulator_server() -> Iterator[GoogleEmulator]:
    """The running emulator shared by the session (tests should use ``google_emulator``)."""
    emu = GoogleEmulator().start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def google_emulator(google_emulator_server: GoogleEmulator) -> GoogleEmulator:
    """A running emulator with fresh state: only the primary calendar, no faults, no counts."""
    google_emulator_server.reset()
    return google_emulator_server
