"""Instants by arithmetic (timeutil.day_seconds) equal the exact conversion on every
day, DST days included, in the benchmark's zones and a few with unusual transitions."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pc_calendar.schedule.timeutil import day_seconds, local_instant, plain_midnights

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
