"""Holiday span edges (weekday, school, month-day), priorities, span APIs and bad input."""

from __future__ import annotations

from datetime import date, time

import pytest
from engine_helpers import changes, local, make_plan, rule_at

from pc_calendar.errors import PlanError, UserError
from pc_calendar.schedule.engine import compute_timeline, holiday_spans, season_spans
from pc_calendar.schedule.school import SchoolDays

SCHOOL = {
    "dismissal": time(15, 30),
    "start": time(7, 45),
    "terms": [
        {"start": date(2026, 1, 6), "end": date(2026, 5, 29)},
        {"start": date(2026, 8, 17), "end": date(2026, 12, 18)},
        {"start": date(2027, 1, 5), "end": date(2027, 5, 27)},
    ],
    "breaks": [{"name": "Spring Break", "start": date(2026, 3, 16), "end": date(2026, 3, 20)}],
}


def test_weekday_snap_mothers_day_weekend():
    mothers_day = {
        "name": "Mother's Day",
        "date": {"rule": "nth_weekday", "month": 5, "weekday": "sunday", "n": 2},
        "start": {"weekday": "friday", "time": time(18, 0)},
        "end": {"weekday": "sunday", "time": time(18, 0)},
        "assign": {"parent": "sam"},
    }
    spans = holiday_spans(
        make_plan(holidays=[mothers_day]), "default", date(2026, 1, 1), date(2027, 1, 1)
    )
    # Mother's Day 2026 is Sunday 10 May: Friday 8 May 18:00 to Sunday 10 May 18:00.
    assert [(s.start, s.end, s.parent, s.rule.source) for s in spans] == [
        (local(2026, 5, 8, 18), local(2026, 5, 10, 18), "sam", "holidays[0]"),
    ]


def test_school_snaps_and_bell_times():
    christmas = {
        "name": "Christmas",
        "date": {"rule": "fixed", "month": 12, "day": 25},
        "start": {"school": "last_school_day_before", "time": "dismissal"},
        "end": {"school": "first_school_day_after", "time": "school_start"},
        "assign": {"parent": "alex"},
    }
    spans = holiday_spans(
        make_plan(school=SCHOOL, holidays=[christmas]),
        "default",
        date(2026, 12, 1),
        date(2027, 1, 31),
    )
    # Last school day before 25 Dec 2026 is Fri 18 Dec (term end); school resumes 5 Jan.
    assert [(s.start, s.end) for s in spans] == [
        (local(2026, 12, 18, 15, 30), local(2027, 1, 5, 7, 45)),
    ]


def test_multi_day_occurrence_end_is_relative_to_last_day():
    spring = {
        "name": "Spring break",
        "date": {"rule": "school_break", "name": "spring break"},
        "start": {"school": "last_school_day_before", "time": "dismissal"},
        "end": {"days": -1, "school": "first_school_day_after", "time": time(18, 0)},
        "assign": {"even_years": "sam", "odd_years": "alex"},
    }
    plan = make_plan(school=SCHOOL, holidays=[spring])
    timeline = compute_timeline(plan, date(2026, 3, 1), date(2026, 4, 1))
    # Break Mon 16 - Fri 20 Mar. Start: Fri 13 Mar dismissal. End: last day (20 Mar)
    # minus one day = 19 Mar, snapped to the first school day after it = Mon 23 Mar.
    assert [(h.name, h.first, h.last, h.parent) for h in timeline.holidays] == [
        ("Spring break", date(2026, 3, 16), date(2026, 3, 20), "sam"),
    ]
    maya = timeline.children["maya"]
    assert rule_at(maya, local(2026, 3, 13, 15, 29)) == "rotation"
    assert rule_at(maya, local(2026, 3, 13, 15, 30)) == "holidays[0]"
    assert rule_at(maya, local(2026, 3, 23, 17, 59)) == "holidays[0]"
    assert rule_at(maya, local(2026, 3, 23, 18, 0)) == "rotation"


def _fixed(name: str, day: int, parent: str, priority: int = 0) -> dict:
    return {
        "name": name,
        "date": {"rule": "fixed", "month": 7, "day": day},
        "start": {"time": time(9, 0)},
        "end": {"time": time(21, 0)},
        "assign": {"parent": parent},
        "priority": priority,
    }


def test_priority_beats_file_order_and_equal_priority_later_wins():
    plan = make_plan(
        holidays=[
            _fixed("High first", 4, "alex", priority=2),
            _fixed("Low later", 4, "sam", priority=1),
        ]
    )
    tl = compute_timeline(plan, date(2026, 7, 1), date(2026, 7, 8)).children["maya"]
    assert rule_at(tl, local(2026, 7, 4, 12)) == "holidays[0]"
    plan = make_plan(holidays=[_fixed("First", 4, "alex"), _fixed("Second", 4, "sam")])
    tl = compute_timeline(plan, date(2026, 7, 1), date(2026, 7, 8)).children["maya"]
    assert rule_at(tl, local(2026, 7, 4, 12)) == "holidays[1]"


def test_span_ending_before_start_is_a_plan_error():
    bad = {**_fixed("Backwards", 4, "alex"), "end": {"days": -1, "time": time(9, 0)}}
    with pytest.raises(PlanError) as info:
        compute_timeline(
            make_plan(holidays=[_fixed("ok", 1, "sam"), bad]), date(2026, 1, 1), date(2027, 1, 1)
        )
    assert info.value.problems[0].key == "holidays[1]"
    assert "ends" in info.value.problems[0].message


def test_split_outside_span_is_a_plan_error():
    bad = {**_fixed("Odd split", 4, "alex"), "split": {"days": 3, "time": time(12, 0)}}
    with pytest.raises(PlanError) as info:
        compute_timeline(make_plan(holidays=[bad]), date(2026, 1, 1), date(2027, 1, 1))
    assert info.value.problems[0].key == "holidays[0].split"


@pytest.mark.parametrize(
    ("keys", "where"),
    [
        ({"rotation": {"pattern": "2-2-9", "anchor": date(2026, 1, 5)}}, "rotation.pattern"),
        ({"rotation": {"pattern": "days", "options": {"days": "ABX"}}}, "rotation.options"),
        ({"holidays": [{"name": "x", "date": {"rule": "nope"}}]}, "holidays[0].date.rule"),
        (
            {
                "visits": [
                    {"parent": "pat", "weekday": "monday", "start": time(17, 0), "end": time(18, 0)}
                ]
            },
            "visits[0].parent",
        ),
        (
            {
                "rotation": {
                    "pattern": "2-2-3",
                    "anchor": date(2026, 1, 5),
                    "parents": ["alex", "kim"],
                }
            },
            "rotation.parents[1]",
        ),
        ({"rotation": None}, "rotation"),
        (
            {
                "visits": [
                    {"parent": "sam", "weekday": "friday", "start": "dismissal", "end": time(14, 0)}
                ]
            },
            "visits[0].end",
        ),
        (
            {
                "overrides": [
                    {
                        "parent": "sam",
                        "children": ["nobody"],
                        "agreed_by": ["sam"],
                        "decided_on": date(2026, 1, 1),
                        "start": "2026-01-02T10:00:00",
                        "end": "2026-01-03T10:00:00",
                    }
                ]
            },
            "overrides[0].children",
        ),
        (
            {
                "seasons": [
                    {"name": "s", "start": "06-01", "end": "06-10", "assign": {"parent": "kim"}}
                ]
            },
            "seasons[0].assign",
        ),
    ],
)
def test_bad_input_names_the_key(keys, where):
    with pytest.raises(PlanError) as info:
        compute_timeline(make_plan(**keys), date(2026, 1, 1), date(2026, 7, 1))
    assert info.value.problems[0].key == where


def test_unknown_zone_and_empty_range():
    with pytest.raises(PlanError) as info:
        compute_timeline(make_plan(zone="Mars/Olympus"), date(2026, 1, 1), date(2026, 2, 1))
    assert info.value.problems[0].key == "family.timezone"
    with pytest.raises(UserError):
        compute_timeline(make_plan(), date(2026, 2, 1), date(2026, 2, 1))


def test_missing_anchor_falls_back_with_warning():
    plan = make_plan(rotation={"pattern": "alternating_weeks"})
    timeline = compute_timeline(plan, date(2026, 1, 1), date(2026, 2, 1))
    assert any("anchor" in w and "2000-01-03" in w for w in timeline.warnings)
    # 2000-01-03 is a Monday; 2026-01-05 is 1357 weeks later (odd): Sam's week.
    assert changes(timeline.children["maya"])[0] == ("2026-01-05 18:00", "alex", "sam")


def test_season_spans_yearly_and_crossing_new_year():
    plan = make_plan(
        seasons=[
            {
                "name": "Winter",
                "start": "12-20",
                "end": "01-02",
                "assign": {"even_years": "alex", "odd_years": "sam"},
                "end_time": time(12, 0),
            },
        ]
    )
    spans = season_spans(plan, "default", date(2026, 1, 1), date(2027, 1, 1))
    assert [(s.start, s.end, s.parent, s.rule.source) for s in spans] == [
        (local(2025, 12, 20, 18), local(2026, 1, 2, 12), "sam", "seasons[0]"),
        (local(2026, 12, 20, 18), local(2027, 1, 2, 12), "alex", "seasons[0]"),
    ]


def test_school_days():
    school = SchoolDays(make_plan(school=SCHOOL).school)
    assert school.is_school_day(date(2026, 3, 13))  # Friday in term
    assert not school.is_school_day(date(2026, 3, 14))  # Saturday
    assert not school.is_school_day(date(2026, 3, 16))  # spring break
    assert school.in_term(date(2026, 3, 14)) and not school.in_term(date(2026, 3, 17))
    assert not school.in_term(date(2026, 7, 1))
    assert school.last_school_day_before(date(2026, 3, 23)) == date(2026, 3, 13)
    assert school.first_school_day_after(date(2026, 12, 18)) == date(2027, 1, 5)
    assert school.dismissal(date(2026, 3, 13)) == time(15, 30)
    assert [b.name for b in school.breaks()] == ["Spring Break"]
    no_school = SchoolDays(None)
    assert no_school.is_school_day(date(2026, 7, 1)) and no_school.in_term(date(2026, 7, 4))
    assert not no_school.is_school_day(date(2026, 7, 4))


def test_days_outside_the_listed_terms_follow_the_weekday_rule_with_a_warning():
    school = SchoolDays(make_plan(school=SCHOOL).school)
    assert school.coverage == (date(2026, 1, 6), date(2027, 5, 27))
    assert not school.in_term(date(2026, 7, 1))  # summer between two listed terms
    assert school.assumed is None
    assert school.is_school_day(date(2027, 11, 19))  # after the last term: unknown
    assert school.assumed == date(2027, 11, 19)
    assert not school.is_school_day(date(2027, 11, 20))  # a Saturday
    thanksgiving = {
        "name": "Thanksgiving",
        "date": {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
        "start": {"school": "last_school_day_before", "time": "dismissal"},
        "end": {"weekday": "sunday", "time": time(18, 0)},
        "assign": {"parent": "sam"},
    }
    plan = make_plan(school=SCHOOL, holidays=[thanksgiving])
    timeline = compute_timeline(plan, date(2027, 6, 1), date(2027, 12, 1))
    # Without terms for autumn 2027 the snap must not reach back to May: Wed 24 Nov.
    maya = timeline.children["maya"]
    assert rule_at(maya, local(2027, 11, 24, 15, 29)) == "rotation"
    assert rule_at(maya, local(2027, 11, 24, 15, 30)) == "holidays[0]"
    assert any("terms are listed from 2026-01-06 to 2027-05-27" in w for w in timeline.warnings)
    inside = compute_timeline(plan, date(2026, 11, 1), date(2026, 12, 1))
    assert inside.warnings == []


def test_start_month_day_takes_the_nearest_year():
    new_year = {
        "name": "New Year",
        "date": {"rule": "fixed", "month": 1, "day": 1},
        "start": {"month_day": "12-31", "time": time(12, 0)},
        "end": {"time": time(12, 0)},
        "assign": {"parent": "sam"},
    }
    spans = holiday_spans(
        make_plan(holidays=[new_year]), "default", date(2027, 1, 1), date(2027, 1, 2)
    )
    assert [(s.start, s.end) for s in spans] == [
        (local(2026, 12, 31, 12), local(2027, 1, 1, 12)),
    ]


def test_season_with_empty_assignment_is_a_plan_error():
    plan = make_plan(seasons=[{"name": "Summer", "start": "06-15", "end": "06-30", "assign": {}}])
    with pytest.raises(PlanError) as info:
        compute_timeline(plan, date(2026, 6, 1), date(2026, 7, 1))
    assert info.value.problems[0].key == "seasons[0].assign"
