"""In term vs school day: a one-day holiday is a day off inside the term; a vacation
(a break of a school week or more) is outside it."""

from __future__ import annotations

from datetime import date, time

from engine_helpers import changes, make_plan

from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.schedule.school import SchoolDays

SCHOOL = {
    "terms": [{"start": date(2026, 8, 17), "end": date(2026, 12, 18)}],
    "breaks": [
        {"name": "Fall holiday", "start": date(2026, 10, 15), "end": date(2026, 10, 15)},
        {"name": "Fall break", "start": date(2026, 10, 22), "end": date(2026, 10, 23)},
        {"name": "Thanksgiving Break", "start": date(2026, 11, 23), "end": date(2026, 11, 27)},
    ],
}


def test_in_term_and_school_day_are_different_questions():
    school = SchoolDays(make_plan(school=SCHOOL).school)
    thursday_off = date(2026, 10, 15)
    assert school.in_term(thursday_off) and not school.is_school_day(thursday_off)
    # A two-day fall break (Thu-Fri) stays in term too.
    assert school.in_term(date(2026, 10, 22)) and not school.is_school_day(date(2026, 10, 23))
    # Thanksgiving week (five weekdays) is a vacation: its listed days are out of term.
    assert not school.in_term(date(2026, 11, 26)) and not school.is_school_day(date(2026, 11, 26))
    assert school.in_term(date(2026, 11, 28))  # Saturday after: back inside the term
    assert school.is_school_day(date(2026, 10, 14)) and school.in_term(date(2026, 10, 14))
    # Snaps look for school days, so a one-day holiday is skipped.
    assert school.first_school_day_after(date(2026, 10, 14)) == date(2026, 10, 16)


def test_weekly_break_days_merge_into_one_vacation():
    # Two listed breaks back to back (Mon-Wed, Thu-Fri) make one week off.
    school = SchoolDays(
        make_plan(
            school={
                "terms": SCHOOL["terms"],
                "breaks": [
                    {"start": date(2026, 11, 23), "end": date(2026, 11, 25)},
                    {"start": date(2026, 11, 26), "end": date(2026, 11, 27)},
                ],
            }
        ).school
    )
    assert not school.in_term(date(2026, 11, 24)) and not school.in_term(date(2026, 11, 27))


def test_term_only_thursday_visit_happens_on_a_one_day_holiday():
    visit = {
        "name": "Thursday evening",
        "parent": "sam",
        "weekday": "thursday",
        "start": time(18, 0),
        "end": time(20, 0),
        "during": "school_term",
    }
    plan = make_plan(school=SCHOOL, visits=[visit])
    # Weeks of 12 Oct (Alex, 40 weeks after the anchor) and 23 Nov (Alex, 46).
    tl = compute_timeline(plan, date(2026, 10, 13), date(2026, 10, 17)).children["maya"]
    assert changes(tl) == [("2026-10-15 18:00", "alex", "sam"), ("2026-10-15 20:00", "sam", "alex")]
    tl = compute_timeline(plan, date(2026, 11, 24), date(2026, 11, 28)).children["maya"]
    assert changes(tl) == []  # Thanksgiving week is not term time
