"""A faithful local emulator of the Google Calendar v3 REST API for tests.

See :class:`GoogleEmulator` for the test-facing interface and ``fixtures.py`` for the
pytest fixture.
"""

from .emulator import GoogleEmulator
from .store import PRIMARY_ID

__all__ = ["PRIMARY_ID", "GoogleEmulator"]
