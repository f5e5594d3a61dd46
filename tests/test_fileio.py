"""fileio.AtomicFiles: a failure half-way leaves no file, no temporary file, no open descriptor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pc_calendar import fileio
from pc_calendar.errors import UserError


def open_descriptors() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def refuse(*args: object, **kwargs: object) -> None:
    raise PermissionError(1, "Operation not permitted")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_a_refused_chmod_closes_the_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "report.csv"
    monkeypatch.setattr(fileio.os, "fchmod", refuse)
    monkeypatch.setattr(fileio.os, "chmod", refuse)
    before = open_descriptors()
    for _ in range(3):
        with pytest.raises(UserError, match=r"report\.csv: cannot write \(Operation not"):
            fileio.write_atomic(target, "a,b\n", mode=fileio.PRIVATE)
    assert open_descriptors() == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_a_failed_write_closes_and_removes_every_staged_file(tmp_path):
    def chunks():
        yield b"BEGIN:VCALENDAR\r\n"
        raise OSError(28, "No space left on device")

    before = open_descriptors()
    with pytest.raises(UserError, match="No space left"), fileio.AtomicFiles() as files:
        files.write(tmp_path / "a.ics", [b"x"], mode=fileio.PRIVATE)
        files.write(tmp_path / "b.ics", chunks(), mode=fileio.PRIVATE)
        files.commit()
    assert open_descriptors() == before
    assert list(tmp_path.iterdir()) == []
