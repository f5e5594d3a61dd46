"""Running ``pc-calendar sync`` in-process for the quick no-op tests, and checking results.

``Family`` is one plan in its own folder with its own state file; ``run`` says whether
the quick path answered (``pc_calendar.sync.quick.last_outcome``). ``calendar_of`` reads
what a parent's ics folder holds (file name -> our content hash), so a sync's result
can be compared with a fresh sync of the same plan elsewhere.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from pc_calendar import plugins
from pc_calendar.cli import main
from pc_calendar.sync import quick

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
RANGE = ["--from", "2026-11-01", "--to", "2027-03-01"]
HASH = re.compile(rb"^X-PC-CALENDAR-HASH:(.*)$", re.M)


@dataclass
class Run:
    code: int
    out: str
    err: str
    quick: bool
    outcome: str  # why the quick path answered or stepped aside


@dataclass
class Family:
    """A plan in ``folder`` with its state file beside it (not the shared data folder)."""

    folder: Path
    capsys: pytest.CaptureFixture
    window: tuple[str, ...] = tuple(RANGE)

    @property
    def plan(self) -> Path:
        return self.folder / "rivera-chen.toml"

    @property
    def state(self) -> Path:
        return self.folder / "state.sqlite"

    def run(self, *args: str, default_range: bool = False) -> Run:
        """``pc-calendar sync PLAN`` (with the tests' fixed range unless told)."""
        quick.last_outcome = ""
        argv = ["sync", str(self.plan), "--state", str(self.state), *args]
        if not default_range:
            argv += self.window
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = self.capsys.readouterr()
        outcome = quick.last_outcome
        return Run(code, out.out, out.err, outcome == "quick no-op", outcome)

    def converge(self, *args: str, **kwargs: bool) -> Run:
        """Sync until a run leaves the calendars as they were (the push, then a no-op)."""
        first = self.run(*args, **kwargs)
        assert first.code == 0, first.out + first.err
        return self.run(*args, **kwargs)

    def sql(self, query: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.state) as db:
            return db.execute(query, params).fetchall()

    def forget_entries(self) -> None:
        """Drop the quick entries, so the next run takes the full path."""
        self.sql("DELETE FROM quick_noop")


def new_family(root: Path, capsys: pytest.CaptureFixture, plan_text: str | None = None) -> Family:
    root.mkdir(parents=True, exist_ok=True)
    family = Family(root, capsys)
    if plan_text is None:
        shutil.copy(EXAMPLE, family.plan)
    else:
        family.plan.write_text(plan_text)
    return family


def calendar_of(folder: Path) -> dict[str, bytes]:
    """An ics folder's vdir: file name -> our content hash (None if not ours)."""
    found = {}
    for path in sorted((folder / "vdir").glob("*.ics")):
        match = HASH.search(path.read_bytes())
        found[path.name] = match[1].strip() if match else b""
    return found


def fresh_calendars(family: Family, tmp: Path, *args: str) -> dict[str, dict[str, bytes]]:
    """What a first sync of the family's plan (and files beside it) gives elsewhere."""
    copy = tmp / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(family.folder, copy, ignore=shutil.ignore_patterns("out", "state.sqlite*"))
    other = Family(copy, family.capsys)
    result = other.run(*args)
    assert result.code == 0, result.out + result.err
    return {p: calendar_of(copy / "out" / p) for p in ("alex", "sam")}


def calendars(family: Family) -> dict[str, dict[str, bytes]]:
    return {p: calendar_of(family.folder / "out" / p) for p in ("alex", "sam")}


@pytest.fixture(autouse=True)
def _fresh_plugin_managers():
    """Each test builds its plugin manager (a test may install a plugin)."""
    plugins._clear_managers()
    yield
    plugins._clear_managers()


def crash_ics_creates(monkeypatch: pytest.MonkeyPatch, after: int = 2) -> None:
    """Make the ics backend's creates raise ``KeyboardInterrupt`` (Ctrl-C mid-push) once
    ``after`` have gone through; ``monkeypatch.undo`` or a new setattr puts it back."""
    from pc_calendar.backends.ics_folder import IcsFolderBackend

    real = IcsFolderBackend.create
    calls = []

    def crash_after(self, event):
        calls.append(1)
        if len(calls) > after:
            raise KeyboardInterrupt  # Ctrl-C mid-push
        return real(self, event)

    monkeypatch.setattr(IcsFolderBackend, "create", crash_after)
