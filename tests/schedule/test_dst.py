"""DST change days in three zones: exchanges in the gap, in the fold, and across them.

The brief's "02:30 on a spring-forward day, 01:30 on a fall-back day" is adapted to
each zone's real transition: London jumps 01:00->02:00 (so 01:30 is the missing time)
and Sydney falls back 03:00->02:00 (so 02:30 is the repeated time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from engine_helpers import make_plan

from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.schedule.timeutil import AMBIGUOUS, NONEXISTENT, local_instant

# zone, change day, exchange wall time, expected UTC instant, expected local wall, flag
CASES = [
    (
        "America/Chicago",
        date(2026, 3, 8),
        time(2, 30),
        datetime(2026, 3, 8, 8, 0, tzinfo=UTC),
        "03:00",
        NONEXISTENT,
    ),
    (
        "America/Chicago",
        date(2026, 11, 1),
        time(1, 30),
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        "01:30",
        AMBIGUOUS,
    ),
    (
        "Europe/London",
        date(2026, 3, 29),
        time(1, 30),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        "02:00",
        NONEXISTENT,
    ),
    (
        "Europe/London",
        date(2026, 10, 25),
        time(1, 30),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        "01:30",
        AMBIGUOUS,
    ),
    (
        "Australia/Sydney",
        date(2026, 10, 4),
        time(2, 30),
        datetime(2026, 10, 3, 16, 0, tzinfo=UTC),
        "03:00",
        NONEXISTENT,
    ),
    (
        "Australia/Sydney",
        date(2026, 4, 5),
        time(2, 30),
        datetime(2026, 4, 4, 15, 30, tzinfo=UTC),
        "02:30",
        AMBIGUOUS,
    ),
]


@pytest.mark.parametrize(("zone", "day", "wall", "expected", "shown", "flag"), CASES)
def test_local_instant(zone, day, wall, expected, shown, flag):
    instant, got_flag = local_instant(day, wall, ZoneInfo(zone))
    assert (instant, got_flag) == (expected, flag)
    assert f"{instant.astimezone(ZoneInfo(zone)):%H:%M}" == shown
    normal, no_flag = local_instant(day, time(12, 0), ZoneInfo(zone))
    assert no_flag is None
    assert normal.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime.combine(
        day, time(12, 0)
    )


@pytest.mark.parametrize(("zone", "day", "wall", "expected", "shown", "flag"), CASES)
def test_exchange_on_dst_day(zone, day, wall, expected, shown, flag):
    tz = ZoneInfo(zone)
    plan = make_plan(
        zone=zone,
        rotation={"pattern": "days", "options": {"days": "AB"}, "anchor": day},
        exchange={"time": wall},
    )
    timeline = compute_timeline(plan, day - timedelta(days=1), day + timedelta(days=2))
    maya = timeline.children["maya"]
    on_day = [ex for ex in maya.exchanges if ex.local_at.date() == day]
    assert len(on_day) == 1
    assert on_day[0].at == expected
    assert on_day[0].local_at.tzinfo is tz or on_day[0].local_at.tzinfo == tz
    assert f"{on_day[0].local_at:%H:%M}" == shown
    kind = "does not exist" if flag == NONEXISTENT else "happens twice"
    assert any(day.isoformat() in w and kind in w for w in timeline.warnings), timeline.warnings
    # Blocks stay contiguous in UTC across the change.
    for before, after in zip(maya.blocks, maya.blocks[1:], strict=False):
        assert before.end == after.start
    assert all(b.start.tzinfo is UTC and b.end.tzinfo is UTC for b in maya.blocks)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/Chicago", date(2026, 3, 8), 23),
        ("America/Chicago", date(2026, 11, 1), 25),
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
        ("Australia/Sydney", date(2026, 10, 4), 23),
        ("Australia/Sydney", date(2026, 4, 5), 25),
    ],
)
def test_evening_exchange_across_dst_day_has_true_length(zone, day, hours):
    plan = make_plan(
        zone=zone, rotation={"pattern": "days", "options": {"days": "AB"}, "anchor": day}
    )
    timeline = compute_timeline(plan, day - timedelta(days=2), day + timedelta(days=2))
    maya = timeline.children["maya"]
    block = next(b for b in maya.blocks if b.end.astimezone(ZoneInfo(zone)).date() == day)
    assert block.end - block.start == timedelta(hours=hours)
    assert f"{block.end.astimezone(ZoneInfo(zone)):%H:%M}" == "18:00"
    assert timeline.warnings == []
    # The range itself is measured in true hours: four local days minus/plus one hour.
    total = sum((b.end - b.start for b in maya.blocks), timedelta())
    assert total == timedelta(hours=4 * 24 + hours - 24)
