"""District calendars as districts publish them: repeating days off, first and last days.

The fixtures in tests/data/districts are hand-written for invented districts. Every
expected date below was worked out by hand from the ICS text (and checked against a
wall calendar), not produced by the code under test:

cedar-hollow-2025-2028.ics (Cedar Hollow USD, three school years)
- "No School - Flex Friday": weekly on Fridays from 2025-08-22 until 2025-12-19, except
  the make-up days 2025-10-17 and 2025-12-05 (EXDATE): 16 Fridays.
- "Labor Day - No School": yearly on the first Monday of September, no end; the
  calendar's latest dated event is 2028-05-25, so it runs to 2028-06-30: 2025-09-01,
  2026-09-07, 2027-09-06 (not 2028-09-04).
- "No School - Election Day": 2025-11-04 plus RDATEs 2026-11-03 and 2027-11-02.
- "No School - Teacher Workday": second Monday monthly, COUNT=4 from 2026-09-14 (Sep 14,
  Oct 12, Nov 9, Dec 14); Nov 9 moved to Friday Nov 13 and renamed (RECURRENCE-ID),
  Dec 14 cancelled (STATUS:CANCELLED).
- Spring Break 2026 is written as 2026-03-16T00:00 to 2026-03-21T00:00 (Chicago): the
  five weekdays 16-20 March.
- First days: 2025-08-13 "First Day of School"; 2026-08-12 "First Day for Students"
  (with "First Day for Teachers" on 08-03, not a student day, and a pre-K start on
  08-17); 2027-08-11 "Students' First Day" (a timed event, typographic apostrophe).
  Last days: 2026-05-21 "Last Day of School - Early Release"; 2027-05-27 "Last Day for
  Students" (seniors leave 05-20: not a default title); 2028-05-25 "Students' Last Day".
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pc_calendar.errors import PlanError
from pc_calendar.plan.load import load_plan
from pc_calendar.plan.model import DateRange
from pc_calendar.plan.school_ics import parse_calendar, read_calendar

DISTRICTS = Path(__file__).parent.parent / "data" / "districts"
CEDAR = DISTRICTS / "cedar-hollow-2025-2028.ics"
PINE = DISTRICTS / "pine-ridge-breaks-only.ics"
MINIMAL = (Path(__file__).parent.parent / "data" / "minimal.toml").read_text()
TERMS_LINE = 'terms = [{ name = "Year", start = 2026-08-17, end = 2027-05-28 }]\n'


def fridays(first: date, last: date, skip: set[date]) -> list[date]:
    days = [first + timedelta(weeks=k) for k in range((last - first).days // 7 + 1)]
    return [d for d in days if d not in skip]


def test_cedar_hollow_breaks_with_every_repeating_event_expanded():
    breaks = read_calendar(CEDAR).breaks
    got = [(b.start, b.end, b.name) for b in breaks]
    flex = fridays(date(2025, 8, 22), date(2025, 12, 19), {date(2025, 10, 17), date(2025, 12, 5)})
    assert len(flex) == 16
    expected = [(d, d, "No School - Flex Friday") for d in flex] + [
        (date(2025, 9, 1), date(2025, 9, 1), "Labor Day - No School"),
        (date(2026, 9, 7), date(2026, 9, 7), "Labor Day - No School"),
        (date(2027, 9, 6), date(2027, 9, 6), "Labor Day - No School"),
        (date(2025, 11, 4), date(2025, 11, 4), "No School - Election Day"),
        (date(2026, 11, 3), date(2026, 11, 3), "No School - Election Day"),
        (date(2027, 11, 2), date(2027, 11, 2), "No School - Election Day"),
        (date(2026, 9, 14), date(2026, 9, 14), "No School - Teacher Workday"),
        (date(2026, 10, 12), date(2026, 10, 12), "No School - Teacher Workday"),
        (date(2026, 11, 13), date(2026, 11, 13), "No School - Teacher Workday (moved to Friday)"),
        (date(2025, 11, 24), date(2025, 11, 28), "Thanksgiving Break"),
        (date(2025, 12, 22), date(2026, 1, 2), "Winter Break"),
        (date(2026, 3, 16), date(2026, 3, 20), "Spring Break"),
        (date(2026, 11, 23), date(2026, 11, 27), "Thanksgiving Break"),
        (date(2026, 12, 21), date(2027, 1, 1), "Winter Break"),
        (date(2027, 3, 15), date(2027, 3, 19), "Spring Break"),
        (date(2027, 11, 22), date(2027, 11, 26), "Thanksgiving Break"),
        (date(2027, 12, 20), date(2028, 1, 3), "Winter Break"),
        (date(2028, 3, 13), date(2028, 3, 17), "Spring Break"),
    ]
    assert sorted(got) == sorted(expected)
    # Not breaks: make-up Fridays, the moved workday's old Monday, the cancelled one,
    # the day students return, the early-release last day, picture day, a board meeting.
    days = {d for s, e, _ in got for d in (s, e)}
    for school_day in (
        date(2025, 10, 17),
        date(2025, 12, 5),
        date(2026, 11, 9),
        date(2026, 12, 14),
        date(2026, 1, 5),
        date(2026, 5, 21),
        date(2027, 9, 23),
        date(2027, 9, 13),
        date(2028, 9, 4),
    ):
        assert school_day not in days, school_day


def test_cedar_hollow_terms_from_first_and_last_days():
    found = read_calendar(CEDAR)
    assert found.terms == [
        DateRange(name="2025-26 school year", start=date(2025, 8, 13), end=date(2026, 5, 21)),
        DateRange(name="2026-27 school year", start=date(2026, 8, 12), end=date(2027, 5, 27)),
        DateRange(name="2027-28 school year", start=date(2027, 8, 11), end=date(2028, 5, 25)),
    ]
    assert found.unpaired == []


def test_breaks_only_calendar_has_no_terms_and_early_release_is_a_school_day():
    found = read_calendar(PINE)
    assert found.terms == []
    assert [(b.start, b.end) for b in found.breaks] == [
        (date(2026, 9, 7), date(2026, 9, 7)),
        (date(2026, 11, 23), date(2026, 11, 27)),
        (date(2026, 12, 21), date(2027, 1, 1)),
        (date(2027, 3, 15), date(2027, 3, 19)),
    ]


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def test_titles_that_name_a_break_but_mean_a_school_day():
    titles = {
        "Classes Resume After Spring Break": False,
        "School Resumes": False,
        "Return from Thanksgiving Break": False,
        "Early Dismissal - Winter Break Begins": False,
        "Half-Day before Winter Break": False,
        "Last Day of School Before Winter Break": False,
        "First Day of School After Winter Break": False,
        "No School - Teachers Return": True,  # the teachers, not the students
        "No School - Professional Learning": True,
        "Holiday Break": True,
    }
    raw = ics(
        *(
            f"UID:{n}\r\nDTSTART;VALUE=DATE:202610{n + 1:02d}\r\nSUMMARY:{title}\r\n"
            for n, title in enumerate(titles)
        )
    )
    found = {b.name for b in parse_calendar(raw).breaks}
    assert found == {title for title, is_break in titles.items() if is_break}


def test_an_endless_series_stops_at_the_end_of_the_last_school_year_described():
    raw = ics(
        # Every Wednesday from 2026-09-02, no end; the calendar's other event is in
        # October 2026, so the series runs to 2027-06-30: Wednesday 2027-06-30 included.
        "UID:a\r\nDTSTART;VALUE=DATE:20260902\r\nRRULE:FREQ=WEEKLY;BYDAY=WE\r\n"
        "SUMMARY:No School Wednesday\r\n",
        "UID:b\r\nDTSTART;VALUE=DATE:20261012\r\nSUMMARY:Fall Holiday\r\n",
    )
    found = parse_calendar(raw).breaks
    wednesdays = [b.start for b in found if b.name == "No School Wednesday"]
    assert wednesdays[0] == date(2026, 9, 2)
    assert wednesdays[-1] == date(2027, 6, 30)
    assert len(wednesdays) == 44  # 2 Sep 2026 to 30 Jun 2027: 43 weeks later, 44 days


def test_games_and_menus_neither_count_nor_stretch_an_endless_series():
    raw = ics(
        "UID:a\r\nDTSTART;VALUE=DATE:20260902\r\nRRULE:FREQ=WEEKLY;BYDAY=WE\r\n"
        "SUMMARY:No School Wednesday\r\n",
        "UID:b\r\nDTSTART;VALUE=DATE:20261012\r\nSUMMARY:Fall Holiday\r\n",
        # A daily lunch menu since 2015 without end, and a reunion in 2035.
        "UID:c\r\nDTSTART;TZID=America/Chicago:20150105T113000\r\n"
        "DTEND;TZID=America/Chicago:20150105T123000\r\nRRULE:FREQ=DAILY\r\n"
        "SUMMARY:Lunch Menu\r\n",
        "UID:d\r\nDTSTART;VALUE=DATE:20350612\r\nSUMMARY:Class of 2025 Reunion\r\n",
    )
    found = parse_calendar(raw).breaks
    assert max(b.end for b in found) == date(2027, 6, 30)
    assert len(found) == 45  # 44 Wednesdays and the fall holiday


def test_a_count_series_runs_past_the_other_events():
    # COUNT=3 daily from 2027-06-28: 28, 29, 30 June; the only other event is earlier.
    raw = ics(
        "UID:a\r\nDTSTART;VALUE=DATE:20260901\r\nSUMMARY:Labor Day Holiday\r\n",
        "UID:b\r\nDTSTART;VALUE=DATE:20270628\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
        "SUMMARY:Closed - Summer Maintenance\r\n",
    )
    closed = [b.start for b in parse_calendar(raw).breaks if b.name.startswith("Closed")]
    assert closed == [date(2027, 6, 28), date(2027, 6, 29), date(2027, 6, 30)]


def test_a_multi_day_all_day_series_keeps_its_length():
    # A two-day "Fall Break" every year on the third Thursday-Friday of October, 2 times.
    raw = ics(
        "UID:a\r\nDTSTART;VALUE=DATE:20261015\r\nDTEND;VALUE=DATE:20261017\r\n"
        "RRULE:FREQ=YEARLY;COUNT=2;BYMONTH=10;BYDAY=3TH\r\nSUMMARY:Fall Break\r\n"
    )
    assert [(b.start, b.end) for b in parse_calendar(raw).breaks] == [
        (date(2026, 10, 15), date(2026, 10, 16)),
        (date(2027, 10, 21), date(2027, 10, 22)),
    ]


def test_times_in_utc_are_read_on_the_familys_days():
    raw = ics(
        # 20:00 on Monday 2026-08-17 in Chicago is 01:00 UTC on Tuesday.
        "UID:a\r\nDTSTART:20260818T010000Z\r\nDTEND:20260818T020000Z\r\n"
        "SUMMARY:First Day of School - Open House\r\n",
        "UID:b\r\nDTSTART:20270527T230000Z\r\nDTEND:20270528T003000Z\r\n"
        "SUMMARY:Last Day of School Celebration\r\n",
        # Chicago midnight to midnight (CST, UTC-6), written in UTC: 21 Dec to 1 Jan.
        "UID:c\r\nDTSTART:20261221T060000Z\r\nDTEND:20270102T060000Z\r\nSUMMARY:Winter Break\r\n",
    )
    found = parse_calendar(raw, zone=ZoneInfo("America/Chicago"))
    assert [(t.start, t.end) for t in found.terms] == [(date(2026, 8, 17), date(2027, 5, 27))]
    assert [(b.start, b.end) for b in found.breaks] == [(date(2026, 12, 21), date(2027, 1, 1))]
    # Without a zone the UTC days are used (the celebration runs into 28 May there),
    # and the break is not midnight to midnight, so it is a timed event, not a break.
    utc = parse_calendar(raw)
    assert [(t.start, t.end) for t in utc.terms] == [(date(2026, 8, 18), date(2027, 5, 28))]
    assert utc.breaks == []


def test_a_break_ending_before_it_starts_is_an_error_not_a_lost_break():
    raw = ics(
        "UID:a\r\nDTSTART;VALUE=DATE:20261009\r\nDTEND;VALUE=DATE:20261001\r\n"
        "SUMMARY:Fall Break\r\n"
    )
    with pytest.raises(ValueError, match="^event 'Fall Break': DTEND 2026-10-01 is before "):
        parse_calendar(raw)


def test_a_series_that_cannot_be_expanded_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "district.ics").write_bytes(
        ics("UID:a\r\nDTSTART;VALUE=DATE:20260902\r\nRRULE:FREQ=SOMETIMES\r\nSUMMARY:No School\r\n")
    )
    text = MINIMAL.replace("dismissal = 15:00:00", 'dismissal = 15:00:00\nics = "district.ics"')
    (tmp_path / "plan.toml").write_text(text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "plan.toml")
    [problem] = info.value.problems
    assert problem.key == "school.ics"
    assert problem.message.startswith("district.ics: event 'No School': RRULE: ")


def plan_with(tmp_path: Path, ics_file: Path, school_extra: str = "", terms: bool = False) -> Path:
    shutil.copy(ics_file, tmp_path / ics_file.name)
    text = MINIMAL.replace(
        "dismissal = 15:00:00", f'dismissal = 15:00:00\nics = "{ics_file.name}"\n{school_extra}'
    )
    if not terms:
        text = text.replace(TERMS_LINE, "")
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def test_loading_a_plan_takes_the_terms_from_the_calendar(tmp_path):
    plan = load_plan(plan_with(tmp_path, CEDAR))
    assert [(t.start, t.end) for t in plan.school.terms] == [
        (date(2025, 8, 13), date(2026, 5, 21)),
        (date(2026, 8, 12), date(2027, 5, 27)),
        (date(2027, 8, 11), date(2028, 5, 25)),
    ]


def test_terms_in_the_plan_win_where_they_overlap(tmp_path):
    # The plan lists 2026-08-17 to 2027-05-28 (its own dates for 2026-27): the
    # calendar's 2026-27 year is dropped, its other two years are added.
    plan = load_plan(plan_with(tmp_path, CEDAR, terms=True))
    assert [(t.name, t.start, t.end) for t in plan.school.terms] == [
        ("2025-26 school year", date(2025, 8, 13), date(2026, 5, 21)),
        ("Year", date(2026, 8, 17), date(2027, 5, 28)),
        ("2027-28 school year", date(2027, 8, 11), date(2028, 5, 25)),
    ]


def test_titles_can_be_configured(tmp_path):
    # Only the pre-K start counts as a first day, and the seniors' last day as a last
    # day: one term, 2026-08-17 to 2027-05-20.
    extra = (
        'first_day_events = ["first day of school - pre-k"]\n'
        'last_day_events = ["Last Day for Seniors"]\n'
    )
    plan = load_plan(plan_with(tmp_path, CEDAR, extra))
    assert [(t.start, t.end) for t in plan.school.terms] == [(date(2026, 8, 17), date(2027, 5, 20))]
    # The default titles no longer make terms, and are still not breaks.
    assert date(2025, 8, 13) not in {b.start for b in plan.school.breaks}


def test_title_keys_without_an_ics_are_an_error(tmp_path):
    text = MINIMAL.replace(
        "dismissal = 15:00:00", 'dismissal = 15:00:00\nfirst_day_events = ["Day One"]'
    )
    (tmp_path / "plan.toml").write_text(text)
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "plan.toml")
    [problem] = info.value.problems
    assert problem.key == "school.first_day_events"
    assert "school.ics is not set" in problem.message
    assert problem.line == text.splitlines().index('first_day_events = ["Day One"]') + 1


def _imports_expander(plan_path: Path) -> bool:
    """Does loading ``plan_path`` in a new interpreter import recurring_ical_events?"""
    code = (
        "import sys\nfrom pc_calendar.plan.load import load_plan\n"
        f"load_plan({str(plan_path)!r})\nprint('recurring_ical_events' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip() == "True"


def test_the_expander_is_imported_only_for_a_plan_with_an_ics(tmp_path):
    plain = tmp_path / "plain.toml"
    plain.write_text(MINIMAL)
    assert not _imports_expander(plain)
    assert _imports_expander(plan_with(tmp_path, CEDAR))
