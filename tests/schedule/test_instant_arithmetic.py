"""Instants by arithmetic (timeutil.day_seconds) equal the exact conversion on every
day, DST days included, in the benchmark's zones and a few with unusual transitions."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from engine_helpers import make_plan

from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.schedule.timeutil import (
    day_seconds,
    describe_flag,
    local_instant,
    plain_midnights,
)

ZONES = [
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a half-hour change
    "America/Santiago",  # clocks change at midnight
    "Asia/Kolkata",  # no DST, a half-hour offset
    "UTC",
]
TIMES = [
    time(0, 0),
    time(0, 30),
    time(1, 0),
    time(1, 30),
    time(2, 0),
    time(2, 30),
    time(3, 0),
    time(12, 0),
    time(17, 45, 30),
    time(23, 59, 59),
    time(8, 15, 0, 500),  # microseconds: the exact path
]


@pytest.mark.parametrize("name", ZONES)
def test_every_day_of_several_years_matches_the_exact_instant(name: str) -> None:
    zone = ZoneInfo(name)
    day, one = date(2025, 1, 1), timedelta(days=1)
    while day < date(2031, 1, 1):
        for t in TIMES:
            moment, flag = local_instant(day, t, zone)
            assert day_seconds(day, t, zone) == (int(moment.timestamp()), flag), (day, t)
        day += one


@pytest.mark.parametrize("name", ["Europe/London", "America/Chicago", "Europe/Lisbon"])
def test_older_years_match_the_exact_instant(name: str) -> None:
    """Years of unusual rules (British Standard Time 1968-71, Lisbon's offset changes)."""
    zone = ZoneInfo(name)
    day, one = date(1966, 1, 1), timedelta(days=1)
    while day < date(1996, 1, 1):
        for t in TIMES[:6]:
            moment, flag = local_instant(day, t, zone)
            assert day_seconds(day, t, zone) == (int(moment.timestamp()), flag), (day, t)
        day += one


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1, 12, 31), date(9999, 12, 31)])
def test_the_first_and_last_years_take_the_exact_path(day: date) -> None:
    zone = ZoneInfo("Europe/London")
    moment, flag = local_instant(day, time(12), zone)
    assert day_seconds(day, time(12), zone) == (int(moment.timestamp()), flag)


@pytest.mark.parametrize("name", ZONES[:4])
def test_dst_days_are_never_plain(name: str) -> None:
    """A day holding a transition is left to the exact path (its warnings)."""
    zone = ZoneInfo(name)
    day_seconds(date(2027, 6, 1), time(12), zone)
    plain = plain_midnights(zone)
    day = date(2027, 1, 1)
    changes = 0
    while day.year == 2027:
        midnight = local_instant(day, time(0), zone)[0]
        next_midnight = local_instant(day + timedelta(days=1), time(0), zone)[0]
        if next_midnight - midnight != timedelta(days=1) or any(
            local_instant(day, t, zone)[1] for t in TIMES
        ):
            changes += 1
            assert day not in plain, day
        else:
            assert day in plain or day.month == 12, day
        day += timedelta(days=1)
    assert changes >= 2


# zone, DST day, a wall time that day in its gap or fold
DST_WALLS = [
    ("America/Chicago", date(2027, 3, 14), time(2, 30)),
    ("America/Chicago", date(2027, 11, 7), time(1, 30)),
    ("Europe/London", date(2027, 3, 28), time(1, 30)),
    ("Europe/London", date(2027, 10, 31), time(1, 30)),
    ("Australia/Sydney", date(2027, 10, 3), time(2, 30)),
    ("Australia/Sydney", date(2027, 4, 4), time(2, 30)),
]


@pytest.mark.parametrize(("name", "day", "wall"), DST_WALLS)
def test_a_visit_on_a_dst_day_keeps_exact_instants_and_warns(
    name: str, day: date, wall: time
) -> None:
    """A visit starting at a DST wall time gets local_instant's instant, and is warned
    about naming its plan key (the rotation's handovers: tests/schedule/test_dst.py)."""
    zone = ZoneInfo(name)
    plan = make_plan(
        zone=name,
        rotation={"pattern": "alternating_weeks", "anchor": day - timedelta(days=3)},
        visits=[
            {
                "name": "Sunday",
                "parent": "sam",
                "weekday": day.strftime("%A").lower(),
                "start": wall,
                "end": time(12, 0),
                "during": "always",
            }
        ],
    )
    timeline = compute_timeline(plan, day - timedelta(days=2), day + timedelta(days=2))
    starts, ends = local_instant(day, wall, zone), local_instant(day, time(12), zone)
    visit = [
        (ex.at, ex.local_at, ex.from_parent, ex.to_parent)
        for ex in timeline.children["maya"].exchanges
    ]
    assert visit == [
        (starts[0], starts[0].astimezone(zone), "alex", "sam"),
        (ends[0], ends[0].astimezone(zone), "sam", "alex"),
    ]
    stamp = f"{day.isoformat()} {wall:%H:%M}"
    assert [w for w in timeline.warnings if stamp in w] == [
        f"visits[0] (Sunday) start: {describe_flag(starts[1], day, wall, zone, starts[0])}"
    ]
