"""Every file a command writes where the user asks holds family data: mode 0600, whole.

Exports, reports, documents, the exchange log's export and a parent's receipts name
the family and its children. Whatever the umask, each is written through a temporary
file and a rename (no partial file, no temporary file left behind) with mode 0600, also
when it replaces a file an older version left readable by others.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pc_calendar.cli import main
from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

EXAMPLE = Path(__file__).parent.parent / "examples" / "rivera-chen.toml"
NOV = ("--from", "2026-11-01", "--to", "2026-12-01")

#: (command line before the output path, file name): each writes one file at the path
WRITERS = {
    "export": (["export", EXAMPLE, *NOV, "-o"], "family.ics"),
    "export --parent": (["export", EXAMPLE, *NOV, "--parent", "alex", "-o"], "alex.ics"),
    "show --html": (["show", EXAMPLE, "--month", "2026-11", "--html"], "calendar.html"),
    "diff --html": (["diff", EXAMPLE, EXAMPLE, *NOV, "--html"], "diff.html"),
    "report (table)": (["report", EXAMPLE, *NOV, "-o"], "report.txt"),
    "report --format csv": (["report", EXAMPLE, *NOV, "--format", "csv", "-o"], "report.csv"),
    "report --format json": (["report", EXAMPLE, *NOV, "--format", "json", "-o"], "report.json"),
    "report --format html": (["report", EXAMPLE, *NOV, "--format", "html", "-o"], "report.html"),
    "exchange export": (["exchange", "export", EXAMPLE, "-o"], "log.jsonl"),
    "exchange export --format json": (
        ["exchange", "export", EXAMPLE, "--format", "json", "-o"],
        "log.json",
    ),
    "exchange receipts": (["exchange", "receipts", EXAMPLE, "--parent", "alex", "-o"], "r.json"),
}


@pytest.fixture(autouse=True)
def open_umask(monkeypatch, tmp_path) -> Iterator[None]:
    """A umask that would make new files 0644, as on most machines; a log with a record."""
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PC_CALENDAR_NOW", "2026-11-25T12:00:00+00:00")
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")
    old = os.umask(0o022)
    yield
    os.umask(old)


def run(*args: object) -> int:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def record_one_exchange() -> None:
    plan = load_plan(EXAMPLE)
    first = compute_timeline(plan, date(2026, 11, 1), date(2026, 12, 1)).merged_exchanges()[0]
    assert run("exchange", "record", EXAMPLE, first.id, "--status", "on-time", "-q") == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("name", WRITERS)
def test_written_0600_and_whole_whatever_the_umask(tmp_path, name, capsys):
    record_one_exchange()
    args, file_name = WRITERS[name]
    out = tmp_path / "out"
    out.mkdir()
    target = out / file_name
    assert run(*args, target) in (0, 1)  # diff exits 1 only when the plans differ
    assert target.stat().st_size > 0
    assert mode(target) == 0o600
    target.chmod(0o644)  # as an older version left it
    assert run(*args, target) in (0, 1)
    assert mode(target) == 0o600
    assert [p.name for p in out.iterdir()] == [file_name]  # no temporary file left
    capsys.readouterr()


def test_export_to_a_folder_writes_every_calendar_0600(tmp_path, capsys):
    folder = tmp_path / "calendars"
    folder.mkdir()
    assert run("export", EXAMPLE, *NOV, "-o", f"{folder}/") == 0
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["rivera-chen-alex.ics", "rivera-chen-sam.ics", "rivera-chen.ics"]
    assert {mode(p) for p in folder.iterdir()} == {0o600}
    capsys.readouterr()
