"""Worked examples: custody facts from each template, against hand-written dates.

The expected parent at each moment is worked out by hand from the guideline text and
the template's invented calendar (anchor Monday 5 January 2026), not from the engine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pc_calendar.plan.load import parse_plan_text
from pc_calendar.plugins import build_plugin_manager
from pc_calendar.schedule.engine import compute_timeline

import pc_calendar_state_templates as plugin


def timeline_of(name: str, start: date, end: date):
    pm = build_plugin_manager(extra=[plugin])
    plan = parse_plan_text(plugin.state_templates()[name], f"{name}.toml", pm).plan
    return compute_timeline(plan, start, end, pm), ZoneInfo(plan.family.timezone)


def holder(timeline, zone, child: str, when: str) -> str:
    instant = datetime.fromisoformat(when).replace(tzinfo=zone).astimezone(UTC)
    for block in timeline.children[child].blocks:
        if block.start <= instant < block.end:
            return block.parent
    raise AssertionError(f"{when} is outside the timeline")


INDIANA = [
    # Daniel's first alternating weekend: Friday 9 January 2026, 6 p.m. to Sunday 6 p.m.
    ("2026-01-09 17:59", "priya"),
    ("2026-01-09 18:00", "daniel"),
    ("2026-01-11 17:59", "daniel"),
    ("2026-01-11 18:00", "priya"),
    # The next Friday is Priya's weekend.
    ("2026-01-16 19:00", "priya"),
    ("2026-01-23 19:00", "daniel"),
    # Midweek evening: Wednesday 14 January, 5 to 9 p.m.
    ("2026-01-14 16:59", "priya"),
    ("2026-01-14 17:00", "daniel"),
    ("2026-01-14 20:59", "daniel"),
    ("2026-01-14 21:00", "priya"),
    # Father's Day 2026 is 21 June; 19-21 June is not Daniel's regular weekend, but the
    # Father's Day weekend is his: Friday 6 p.m. to Sunday 6 p.m.
    ("2026-06-19 17:00", "priya"),
    ("2026-06-19 18:30", "daniel"),
    ("2026-06-21 17:00", "daniel"),
    ("2026-06-21 18:30", "priya"),
    # Thanksgiving 2026 (even year): Daniel, Wednesday 25 November 6 p.m. to Sunday
    # 29 November 6 p.m. (his Wednesday evening starts at 5 p.m. that day anyway).
    ("2026-11-25 16:30", "priya"),
    ("2026-11-25 17:30", "daniel"),
    ("2026-11-25 18:30", "daniel"),
    ("2026-11-27 12:00", "daniel"),
    ("2026-11-29 17:00", "daniel"),
    ("2026-11-29 18:30", "priya"),
    # Thanksgiving 2027 (odd year): Priya, Wednesday 24 November to Sunday 28
    # November, although 26-28 November is Daniel's regular weekend: the holiday wins.
    # His Wednesday evening (5-9 p.m.) gives way to the holiday at 6 p.m.
    ("2027-11-24 17:30", "daniel"),
    ("2027-11-24 19:00", "priya"),
    ("2027-11-26 19:00", "priya"),
    ("2027-11-28 12:00", "priya"),
    # ... and the regular rotation resumes: Daniel's next weekend is 10-12 December.
    ("2027-12-10 19:00", "daniel"),
    # Christmas vacation 2025 (odd year, II.F.2): school out after Fri 19 Dec 2025,
    # back Mon 5 Jan 2026, so 19 Dec 4:45 p.m. to Sun 4 Jan 6 p.m.; 16 days apart, the
    # half-way point is 8 days on, Sat 27 Dec noon. Daniel had the first half, Priya
    # the second.
    ("2026-01-02 12:00", "priya"),
    # Christmas vacation 2026 (even year): school out after Fri 18 Dec (4:45 p.m. is
    # two hours after the 2:45 dismissal), back Mon 4 Jan 2027, so the span ends Sun
    # 3 Jan 6 p.m.; 16 days apart, half-way point Sat 26 Dec noon. Priya has the first
    # half, although 25-27 Dec is Daniel's regular weekend and 23 Dec his Wednesday;
    # Daniel the second half.
    ("2026-12-18 16:44", "priya"),
    ("2026-12-18 16:45", "priya"),
    ("2026-12-23 18:00", "priya"),
    ("2026-12-25 19:00", "priya"),
    ("2026-12-26 11:59", "priya"),
    ("2026-12-26 12:00", "daniel"),
    ("2027-01-01 00:30", "daniel"),
    ("2027-01-03 17:59", "daniel"),
    ("2027-01-03 18:00", "priya"),
    # Christmas vacation 2027 (odd year): school out after Fri 17 Dec, back Mon 3 Jan
    # 2028, so 17 Dec 4:45 p.m. to Sun 2 Jan 6 p.m.; 16 days apart, half-way point Sat
    # 25 Dec noon. Daniel has the first half, Priya the second.
    ("2027-12-17 16:44", "priya"),
    ("2027-12-17 16:45", "daniel"),
    ("2027-12-22 21:30", "daniel"),
    ("2027-12-25 11:59", "daniel"),
    ("2027-12-25 12:00", "priya"),
    ("2027-12-31 20:00", "priya"),
    # Memorial Day 2026 (even year, II.F.3): Monday 25 May; Daniel from Friday 22 May
    # 6 p.m. (Priya's regular weekend) to Monday 7 p.m.
    ("2026-05-22 17:59", "priya"),
    ("2026-05-22 18:00", "daniel"),
    ("2026-05-25 18:59", "daniel"),
    ("2026-05-25 19:00", "priya"),
    # Memorial Day 2027 (odd year): Monday 31 May; Priya from Friday 28 May 6 p.m. to
    # Monday 7 p.m., although 28-30 May is Daniel's regular weekend.
    ("2027-05-28 19:00", "priya"),
    ("2027-05-30 12:00", "priya"),
    # Fourth of July 2026 (even year): Daniel from Friday 3 July 6 p.m. to Sunday
    # 5 July 10 a.m. (3-5 July is Priya's regular weekend).
    ("2026-07-03 17:59", "priya"),
    ("2026-07-03 18:00", "daniel"),
    ("2026-07-05 09:59", "daniel"),
    ("2026-07-05 10:00", "priya"),
    # Fourth of July 2027 (odd year): Priya, 3 July 6 p.m. to 5 July 10 a.m.
    ("2027-07-04 20:00", "priya"),
    # Labor Day 2026 (even year): Monday 7 September; Priya from Friday 4 September
    # 6 p.m., although 4-6 September is Daniel's regular weekend, to Monday 7 p.m.
    ("2026-09-04 19:00", "priya"),
    ("2026-09-06 12:00", "priya"),
    # Labor Day 2027 (odd year): Monday 6 September; Daniel's regular weekend of 3-5
    # September runs on to Monday 7 p.m.
    ("2027-09-05 19:00", "daniel"),
    ("2027-09-06 18:59", "daniel"),
    ("2027-09-06 19:00", "priya"),
    # Fall break 2026 (even year): school out Mon 19 - Fri 23 October, so from the last
    # school day Fri 16 October 6 p.m. (Daniel's regular weekend) to Sun 25 October
    # 7 p.m., Priya; Daniel's Wednesday evening of 21 October gives way.
    ("2026-10-16 18:30", "priya"),
    ("2026-10-21 18:00", "priya"),
    ("2026-10-25 18:59", "priya"),
    # Fall break 2027 (odd year): 18-22 October; Daniel from Fri 15 October 6 p.m. to
    # Sun 24 October 7 p.m.
    ("2027-10-15 17:59", "priya"),
    ("2027-10-15 18:00", "daniel"),
    ("2027-10-20 12:00", "daniel"),
    ("2027-10-24 18:59", "daniel"),
    ("2027-10-24 19:00", "priya"),
    # Halloween 2026 (even year): Saturday 31 October, inside Daniel's regular weekend
    # of 30 October - 1 November; Priya from 6 to 9 p.m.
    ("2026-10-31 17:59", "daniel"),
    ("2026-10-31 18:00", "priya"),
    ("2026-10-31 20:59", "priya"),
    ("2026-10-31 21:00", "daniel"),
    # Halloween 2027 (odd year): Sunday 31 October, the end of Daniel's regular weekend;
    # he keeps the children until 9 p.m.
    ("2027-10-31 20:00", "daniel"),
    ("2027-10-31 21:00", "priya"),
]


@pytest.mark.parametrize(("when", "parent"), INDIANA)
@pytest.mark.parametrize("child", ["maya", "leo"])
def test_indiana_worked_example(indiana, child, when, parent):
    timeline, zone = indiana
    assert holder(timeline, zone, child, when) == parent


@pytest.fixture(scope="module")
def indiana():
    return timeline_of("indiana-ptg", date(2026, 1, 1), date(2028, 1, 1))


ARIZONA = [
    # Week of Monday 5 January 2026: Elena Mon-Tue, Tomas Wed-Thu, Elena Fri-Sun,
    # exchanges at school dismissal (3 p.m.) on school days.
    ("2026-01-05 16:00", "elena"),
    ("2026-01-07 14:59", "elena"),
    ("2026-01-07 15:00", "tomas"),
    ("2026-01-08 22:00", "tomas"),
    ("2026-01-09 15:00", "elena"),
    ("2026-01-11 12:00", "elena"),
    # Week of 12 January: Elena keeps Mon-Tue (her five days run Fri 9 to Wed 14 at
    # dismissal), then Tomas from Wednesday 14 January through the weekend.
    ("2026-01-13 12:00", "elena"),
    ("2026-01-14 15:00", "tomas"),
    ("2026-01-17 12:00", "tomas"),
    # Monday 19 January is a school day in the template: back to Elena at dismissal.
    ("2026-01-19 14:00", "tomas"),
    ("2026-01-19 15:00", "elena"),
    # Christmas 2026 (even year): Tomas 24 Dec 2 p.m. to 25 Dec 2 p.m., then Elena to
    # 26 Dec 2 p.m.; 21-27 December is otherwise rotation time.
    ("2026-12-24 14:00", "tomas"),
    ("2026-12-25 13:59", "tomas"),
    ("2026-12-25 14:00", "elena"),
    ("2026-12-26 13:59", "elena"),
]


@pytest.fixture(scope="module")
def arizona():
    return timeline_of("arizona-plan-13", date(2026, 1, 1), date(2027, 1, 1))


@pytest.mark.parametrize(("when", "parent"), ARIZONA)
def test_arizona_worked_example(arizona, when, parent):
    timeline, zone = arizona
    assert holder(timeline, zone, "sofia", when) == parent


def test_arizona_gives_each_parent_seven_nights_in_fourteen(arizona):
    timeline, zone = arizona
    nights = [holder(timeline, zone, "sofia", f"2026-02-{d:02d} 23:00") for d in range(2, 16)]
    assert nights.count("elena") == nights.count("tomas") == 7


PLAN_14 = [
    # Carmen's week runs from Friday 9 January 2026 at dismissal (3:15 p.m., a school
    # day) to Friday 16 January at dismissal; then James to Friday 23 January.
    ("2026-01-09 15:14", "james"),
    ("2026-01-09 15:15", "carmen"),
    ("2026-01-12 12:00", "carmen"),
    ("2026-01-16 15:14", "carmen"),
    ("2026-01-16 15:15", "james"),
    ("2026-01-21 12:00", "james"),
    ("2026-01-23 15:15", "carmen"),
    # Friday 13 March 2026 is in spring break: no school, so 6 p.m. at Carmen's home.
    # 13 March is 63 days (9 weeks) after the anchor: James's week begins.
    ("2026-03-13 17:59", "carmen"),
    ("2026-03-13 18:00", "james"),
    # Thanksgiving 2026 (even year): James, Wednesday 25 November 6 p.m. to Sunday 29
    # November 6 p.m. The week of Friday 20 November is James's (45 weeks after the
    # anchor) and Carmen's would start on Friday 27 November (no school: 6 p.m.), so
    # the holiday keeps the children with James until Sunday; Carmen's week then runs
    # to Friday 4 December at dismissal.
    ("2026-11-25 17:59", "james"),
    ("2026-11-27 19:00", "james"),
    ("2026-11-29 17:59", "james"),
    ("2026-11-29 18:00", "carmen"),
    ("2026-12-04 15:14", "carmen"),
    ("2026-12-04 15:15", "james"),
]


@pytest.fixture(scope="module")
def arizona_14():
    return timeline_of("arizona-plan-14", date(2026, 1, 1), date(2027, 1, 1))


@pytest.mark.parametrize(("when", "parent"), PLAN_14)
def test_arizona_plan_14_worked_example(arizona_14, when, parent):
    timeline, zone = arizona_14
    assert holder(timeline, zone, "nina", when) == parent
