"""A small invented family and a hand-built Timeline, independent of the engine.

Alex and Sam alternate weeks, exchanging on Fridays at 18:00 local; during Alex's weeks
Sam has a Wednesday dinner visit (17:00-19:30), so those Wednesdays hold two exchanges.
``friday_time`` lets a test move the Friday exchange to simulate a plan change.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pc_calendar.exchanges.chain import Record
from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.plan.model import Plan
from pc_calendar.schedule.timeline import ChildTimeline, CustodyBlock, Exchange, Rule, Timeline

ZONE = ZoneInfo("America/Chicago")
ROTATION = Rule("rotation", "alternating weeks", "rotation")
VISIT = Rule("visit", "Wednesday dinner", "visits[0]")
CHILDREN = ("leo", "maya")
ANCHOR = date(2026, 1, 2)  # a Friday: Sam's week starts here


def make_plan(family_id: str = "test-family") -> Plan:
    return Plan.model_validate(
        {
            "family": {"id": family_id, "name": "Test family", "timezone": "America/Chicago"},
            "parents": {"alex": {"name": "Alex"}, "sam": {"name": "Sam"}},
            "children": [
                {"id": "maya", "name": "Maya", "birth_date": "2016-04-12"},
                {"id": "leo", "name": "Leo", "birth_date": "2019-09-03"},
            ],
            "rotation": {"pattern": "alternating_weeks", "anchor": "2026-01-02"},
        }
    )


def _holder(day: date) -> str:
    """Who holds custody from Friday 18:00 of the week containing ``day``."""
    return "sam" if ((day - ANCHOR).days // 7) % 2 == 0 else "alex"


def changes(start: date, end: date, friday_time: time = time(18, 0)) -> list[tuple[datetime, str]]:
    """(local time, new holder) for every change of custodian in ``[start, end)``."""
    out = []
    day = start
    while day < end:
        if day.weekday() == 4:
            out.append((datetime.combine(day, friday_time, ZONE), _holder(day)))
        if day.weekday() == 2 and _holder(day - timedelta(days=3)) == "alex":
            out.append((datetime.combine(day, time(17, 0), ZONE), "sam"))
            out.append((datetime.combine(day, time(19, 30), ZONE), "alex"))
        day += timedelta(days=1)
    return out


def make_timeline(plan: Plan, start: date, end: date, friday_time: time = time(18, 0)) -> Timeline:
    """Contiguous blocks and exchanges for both children, shaped like the engine's."""
    current = _holder(start - timedelta(days=(start.weekday() - 4) % 7 or 7))
    range_start = datetime.combine(start, time(0), ZONE).astimezone(UTC)
    range_end = datetime.combine(end, time(0), ZONE).astimezone(UTC)
    per_child = {}
    for child in CHILDREN:
        blocks, exchanges = [], []
        holder, since = current, range_start
        for local, new in changes(start, end, friday_time):
            if new == holder:
                continue
            at = local.astimezone(UTC)
            rule = VISIT if local.weekday() == 2 else ROTATION
            blocks.append(CustodyBlock(since, at, holder, ROTATION, (child,)))
            exchanges.append(Exchange(at, holder, new, "school", rule, ROTATION, (child,), local))
            holder, since = new, at
        blocks.append(CustodyBlock(since, range_end, holder, ROTATION, (child,)))
        per_child[child] = ChildTimeline(child, blocks, exchanges)
    return Timeline(plan.family.id, ZONE, start, end, per_child, [])


def compute(plan: Plan, start: date, end: date, friday_time: time = time(18, 0)) -> Timeline:
    """Stand-in for the engine's ``compute_timeline``."""
    return make_timeline(plan, start, end, friday_time)


def moved_compute(plan: Plan, start: date, end: date) -> Timeline:
    """The same plan after a change: Friday exchanges now at 17:00."""
    return make_timeline(plan, start, end, time(17, 0))


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def draft(
    exchange_id: str = "2026-11-06T1800-alex-sam", status: str = "on-time", **changes
) -> Record:
    """A record as the service builds it, before the store fills in the chain fields."""
    fields = dict(
        seq=0,
        family="",
        exchange_id=exchange_id,
        scheduled_at="2026-11-07T00:00:00Z",
        scheduled_local="2026-11-06T18:00:00-06:00",
        from_parent="alex",
        to_parent="sam",
        location="school",
        children=["leo", "maya"],
        rule="rotation 'alternating weeks' (rotation)",
        status=status,
        minutes_late=None,
        reported_by="coordinator",
        agreed_by=[],
        recorded_at="2026-11-07T01:00:00Z",
        note=None,
        supersedes=None,
        prev_hash="",
    )
    fields.update(changes)
    return Record(**fields)


def fill(path: Path, count: int, family: str = "test-family") -> list[Record]:
    """Append ``count`` records for distinct exchanges; returns them as stored."""
    with ExchangeStore.open(path, family) as store:
        return [
            store.append(draft(f"2026-11-{i + 1:02d}T1800-alex-sam", note=f"n{i}"))
            for i in range(count)
        ]


class Lockstep:
    """Two writer processes taking turns by rounds, so their appends really race.

    Released alone, one writer could run all its appends while the other is still
    starting or is descheduled on a loaded machine, and SQLite's busy handler lets the
    waiting one sleep while the lock holder runs on, so whether they interleave was
    luck. Here round ``n`` starts only once both writers finished round ``n - 1``: each
    round the two appends are sent at the same moment (one waits on the other's lock),
    and every round holds one record of each. Files in ``folder`` are the signals.
    """

    TIMEOUT_S = 120  # only a writer that died makes the other wait this long

    def __init__(self, folder: Path, me: str, other: str) -> None:
        self.folder, self.me, self.other = folder, me, other

    def _wait_for(self, name: str) -> None:
        deadline = _time.monotonic() + self.TIMEOUT_S
        while not (self.folder / name).exists():
            if _time.monotonic() > deadline:
                raise SystemExit(f"{self.me}: {name} never came")
            _time.sleep(0.001)

    def start(self) -> None:
        """Say this writer is ready; wait for the test's "go"."""
        (self.folder / f"ready-{self.me}").touch()
        self._wait_for("go")

    def round(self, number: int) -> None:
        """Wait until the other writer finished round ``number - 1``."""
        if number:
            self._wait_for(f"done-{self.other}-{number - 1}")

    def done(self, number: int) -> None:
        (self.folder / f"done-{self.me}-{number}").touch()


def release(folder: Path, writers: list[str], timeout: float = 120) -> None:
    """Touch "go" once every writer said it is ready (a condition, not a sleep)."""
    deadline = _time.monotonic() + timeout
    while not all((folder / f"ready-{w}").exists() for w in writers):
        assert _time.monotonic() < deadline, "a writer did not start"
        _time.sleep(0.01)
    (folder / "go").touch()
