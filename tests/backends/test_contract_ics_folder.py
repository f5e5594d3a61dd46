"""The backend contract suite against the ICS folder backend (vdir + feed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pc_calendar.backends.base import Backend
from pc_calendar.backends.ics_folder import IcsFolderBackend
from pc_calendar.testing import BackendContract


class TestIcsFolderContract(BackendContract):
    @pytest.fixture
    def backend(self, tmp_path) -> Iterator[Backend]:
        backend = IcsFolderBackend(tmp_path / "alex", self.family_id, "alex")
        yield backend
        backend.close()

    def foreign_put(self, backend: Backend, name: str, ical: bytes) -> None:
        assert isinstance(backend, IcsFolderBackend)
        backend.vdir.mkdir(parents=True, exist_ok=True)
        (backend.vdir / name).write_bytes(ical)

    def foreign_get(self, backend: Backend, name: str) -> bytes | None:
        assert isinstance(backend, IcsFolderBackend)
        path = backend.vdir / name
        return path.read_bytes() if path.exists() else None
