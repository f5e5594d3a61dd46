"""Span edges that follow the school calendar: the day before school resumes, and snaps
that run off the listed calendar (warned about, only for occurrences in the range)."""

from __future__ import annotations

from datetime import date, time

from engine_helpers import changes, local, make_plan, rule_at

from pc_calendar.schedule.engine import compute_timeline, holiday_spans, holiday_spans_and_notes

SCHOOL = {
    "dismissal": time(15, 0),
    "terms": [
        {"start": date(2026, 1, 6), "end": date(2026, 5, 29)},
        {"start": date(2026, 8, 17), "end": date(2026, 12, 18)},
        {"start": date(2027, 1, 5), "end": date(2027, 5, 27)},
    ],
    "breaks": [
        {"name": "Spring Break", "start": date(2026, 3, 16), "end": date(2026, 3, 20)},
        {"name": "Spring Break", "start": date(2027, 3, 15), "end": date(2027, 3, 19)},
        {"name": "Staff Day", "start": date(2027, 3, 22), "end": date(2027, 3, 22)},
    ],
}
RESUMES = {"school": "day_before_school_resumes", "time": time(18, 0)}


def test_day_before_school_resumes_is_not_always_a_sunday():
    christmas = {
        "name": "Christmas vacation",
        "date": {"rule": "fixed", "month": 12, "day": 25},
        "start": {"school": "last_school_day_before", "time": time(18, 0)},
        "end": RESUMES,
        "assign": {"parent": "sam"},
    }
    spring = {
        "name": "Spring break",
        "date": {"rule": "school_break", "name": "Spring Break"},
        "start": {"school": "last_school_day_before", "time": time(18, 0)},
        "end": RESUMES,
        "assign": {"parent": "sam"},
    }
    plan = make_plan(school=SCHOOL, holidays=[christmas, spring])
    spans = holiday_spans(plan, "default", date(2026, 1, 1), date(2027, 12, 1))
    assert [(s.rule.name, s.start, s.end) for s in spans] == [
        # School resumes Monday 23 March 2026: ends Sunday 22 March.
        ("Spring break", local(2026, 3, 13, 18), local(2026, 3, 22, 18)),
        # Spring 2027 term starts Tuesday 5 January: ends Monday 4 January.
        ("Christmas vacation", local(2026, 12, 18, 18), local(2027, 1, 4, 18)),
        # Monday 22 March 2027 is a staff day: school resumes Tuesday 23, ends Monday 22.
        ("Spring break", local(2027, 3, 12, 18), local(2027, 3, 22, 18)),
    ]


def test_days_shift_before_the_school_snap():
    # days = 1 from the break's last day (Friday 20 March 2026) is Saturday 21; the
    # first school day after it is Monday 23, so the edge is Sunday 22 as before.
    spring = {
        "name": "Spring break",
        "date": {"rule": "school_break", "name": "Spring Break"},
        "start": {"days": 0, "time": time(9, 0)},
        "end": {**RESUMES, "days": 1},
        "assign": {"parent": "sam"},
    }
    plan = make_plan(school=SCHOOL, holidays=[spring])
    spans = holiday_spans(plan, "default", date(2026, 3, 1), date(2026, 4, 1))
    assert [(s.start, s.end) for s in spans] == [(local(2026, 3, 16, 9), local(2026, 3, 22, 18))]


SUMMER_PICNIC = {
    "name": "Summer picnic",
    "date": {"rule": "fixed", "month": 7, "day": 4},
    "start": {"school": "last_school_day_before", "time": time(18, 0)},
    "end": {"time": time(20, 0)},
    "assign": {"parent": "sam"},
}


def test_far_school_snap_warns_naming_the_holiday_key():
    plan = make_plan(school=SCHOOL, holidays=[SUMMER_PICNIC])
    timeline = compute_timeline(plan, date(2026, 6, 1), date(2026, 8, 1))
    # The last school day before 4 July 2026 is Friday 29 May: 36 days back. The engine
    # still computes it (the coordinator asked for it) but says so.
    snap = [w for w in timeline.warnings if "holidays[0].start" in w]
    assert len(snap) == 1
    assert "2026-07-04" in snap[0] and "2026-05-29" in snap[0] and "36 days" in snap[0]
    maya = timeline.children["maya"]
    assert rule_at(maya, local(2026, 6, 10, 12)) == "holidays[0]"
    assert changes(maya)[:1] == [("2026-07-06 18:00", "sam", "alex")]
    _, notes = holiday_spans_and_notes(plan, "default", date(2026, 6, 1), date(2026, 8, 1))
    assert [(n.code, n.key) for n in notes] == [
        ("school-snap", "holidays[0].start.school"),
        ("long-holiday", "holidays[0]"),
    ]


def test_no_snap_warning_for_occurrences_outside_the_range():
    plan = make_plan(school=SCHOOL, holidays=[SUMMER_PICNIC])
    # September to November 2026: the picnics of 2025, 2026 and 2027 are all outside.
    timeline = compute_timeline(plan, date(2026, 9, 1), date(2026, 12, 1))
    assert not [w for w in timeline.warnings if "holidays[0]" in w]
    _, notes = holiday_spans_and_notes(plan, "default", date(2026, 9, 1), date(2026, 12, 1))
    assert notes == []


def test_near_school_snaps_do_not_warn():
    thanksgiving = {
        "name": "Thanksgiving",
        "date": {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
        "start": {"school": "last_school_day_before", "time": "dismissal"},
        "end": {"weekday": "sunday", "time": time(18, 0)},
        "assign": {"parent": "sam"},
    }
    plan = make_plan(school=SCHOOL, holidays=[thanksgiving])
    timeline = compute_timeline(plan, date(2026, 11, 1), date(2026, 12, 1))
    assert not [w for w in timeline.warnings if "holidays[0]" in w]
