"""A caseload folder synced through the whole CLI in-process, with the quick path observed.

``Folder`` is a folder of families (``caseload_helpers.write_family``: ics targets under
``out/<family>/<parent>``) with one state file beside it; ``run`` returns the exit
status, output and, per family, why the quick path answered or stepped aside
(``pc_calendar.sync.caseload_quick.last_outcomes``). ``fresh`` syncs a copy of the
folder's inputs elsewhere, so a run's calendars can be compared with a first full sync.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from caseload_helpers import run_cli
from quick_helpers import calendar_of

from pc_calendar.sync import caseload_quick

QUICK = "quick no-op"


@dataclass
class Run:
    code: int
    out: str
    err: str
    outcomes: dict[str, str]  # plan stem -> why the quick path answered or not

    @property
    def quick(self) -> set[str]:
        return {name for name, why in self.outcomes.items() if why == QUICK}

    @property
    def full(self) -> set[str]:
        return {name for name, why in self.outcomes.items() if why != QUICK}


@dataclass
class Folder:
    root: Path  # holds plans/ and the state file
    capsys: pytest.CaptureFixture
    window: tuple[str, ...] = ("--from", "2026-11-01", "--to", "2027-01-01")

    @property
    def plans(self) -> Path:
        return self.root / "plans"

    @property
    def state(self) -> Path:
        return self.root / "state.sqlite"

    def run(self, *args: str) -> Run:
        """``pc-calendar sync plans/ --state state.sqlite`` with the tests' range."""
        caseload_quick.last_outcomes = {}
        argv = ["sync", str(self.plans), "--state", str(self.state), *self.window, *args]
        code, out, err = run_cli(self.capsys, *argv)
        outcomes = {path.stem: why for path, why in caseload_quick.last_outcomes.items()}
        return Run(int(code), out, err, outcomes)

    def converge(self, *args: str) -> Run:
        first = self.run(*args)
        assert first.code == 0, first.out + first.err
        return self.run(*args)

    def sql(self, query: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.state) as db:
            return db.execute(query, params).fetchall()

    def forget_entries(self) -> None:
        """Drop the quick entries: the next run is every family's full no-op."""
        self.sql("DELETE FROM quick_noop")

    def calendars(self) -> dict[str, dict[str, bytes]]:
        """``family/parent`` -> the ics folder's events (file name -> our hash)."""
        out = self.plans / "out"
        return {f"{p.parent.name}/{p.name}": calendar_of(p) for p in sorted(out.glob("*/*"))}

    def fresh(self, tmp: Path) -> dict[str, dict[str, bytes]]:
        """The calendars a first full sync of the same inputs gives elsewhere."""
        copy = Folder(tmp / "fresh", self.capsys, self.window)
        shutil.rmtree(copy.root, ignore_errors=True)
        shutil.copytree(self.plans, copy.plans, ignore=shutil.ignore_patterns("out"))
        first = copy.run()
        assert first.full == set(first.outcomes) and first.code == 0, first.out
        return copy.calendars()


def without_seconds(out: str) -> dict:
    """``sync --json`` output without the timings (the only field two runs may differ in)."""
    data = json.loads(out)
    for family in data["families"]:
        family.pop("seconds")
    return data
