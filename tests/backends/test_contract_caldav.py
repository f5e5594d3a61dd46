"""The backend contract suite against real Radicale and Xandikos servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import CalendarRef

from pc_calendar.backends.base import Backend
from pc_calendar.backends.caldav import CalDAVBackend
from pc_calendar.testing import BackendContract


class TestCalDAVContract(BackendContract):
    @pytest.fixture
    def backend(self, caldav_calendar: CalendarRef) -> Iterator[Backend]:
        self.calendar = caldav_calendar
        backend = CalDAVBackend(caldav_calendar.config(), {"family_id": self.family_id})
        yield backend
        backend.close()

    def foreign_put(self, backend: Backend, name: str, ical: bytes) -> None:
        assert self.calendar.put(name, ical) in (200, 201, 204)

    def foreign_get(self, backend: Backend, name: str) -> bytes | None:
        status, body = self.calendar.get(name)
        return body if status == 200 else None
