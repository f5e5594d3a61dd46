"""The backend contract suite against the in-memory backend the engine tests use."""

from __future__ import annotations

import pytest

from pc_calendar.backends.base import Backend
from pc_calendar.backends.memory import MemoryBackend
from pc_calendar.testing import BackendContract


class TestMemoryContract(BackendContract):
    @pytest.fixture
    def backend(self) -> Backend:
        return MemoryBackend(self.family_id)

    def foreign_put(self, backend: Backend, name: str, ical: bytes) -> None:
        assert isinstance(backend, MemoryBackend)
        backend.put_foreign(name, ical)

    def foreign_get(self, backend: Backend, name: str) -> bytes | None:
        assert isinstance(backend, MemoryBackend)
        found = backend.objects.get(name)
        return found[0] if found else None


class TestMemoryContractWithoutTokens(TestMemoryContract):
    @pytest.fixture
    def backend(self) -> Backend:
        return MemoryBackend(self.family_id, tokens=False)
