"""``split = { midpoint = true }``: a holiday cut on the middle day of its span.

Dates are worked out by hand from the school calendar below, not from the engine.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from engine_helpers import holder, local, make_plan
from pydantic import ValidationError

from pc_calendar.errors import PlanError
from pc_calendar.schedule.engine import compute_timeline, holiday_spans
from pc_calendar.schedule.spans import midpoint_day

SCHOOL = {
    "dismissal": time(15, 30),
    "terms": [
        {"start": date(2026, 8, 17), "end": date(2026, 12, 18)},
        {"start": date(2027, 1, 5), "end": date(2027, 5, 27)},
        {"start": date(2027, 8, 16), "end": date(2027, 12, 22)},
        {"start": date(2028, 1, 3), "end": date(2028, 5, 26)},
    ],
    "breaks": [
        {"name": "Winter Break", "start": date(2026, 12, 21), "end": date(2027, 1, 4)},
        {"name": "Winter Break", "start": date(2027, 12, 23), "end": date(2028, 1, 2)},
    ],
}

CHRISTMAS = {
    "name": "Christmas vacation",
    "date": {"rule": "school_break", "name": "Winter Break"},
    "start": {"school": "last_school_day_before", "time": time(17, 30)},
    "split": {"midpoint": True, "time": time(12, 0)},
    "end": {"school": "day_before_school_resumes", "time": time(18, 0)},
    "assign": {"even_years": "alex", "odd_years": "sam"},
}


@pytest.mark.parametrize(
    ("first", "last", "middle"),
    [
        (date(2026, 12, 18), date(2027, 1, 3), date(2026, 12, 26)),  # 16 days: +8
        (date(2026, 12, 18), date(2027, 1, 4), date(2026, 12, 26)),  # 17 days: +8 (floor)
        (date(2027, 12, 22), date(2028, 1, 2), date(2027, 12, 27)),  # 11 days: +5
        (date(2028, 2, 27), date(2028, 3, 2), date(2028, 2, 29)),  # leap day in between
        (date(2026, 7, 3), date(2026, 7, 4), date(2026, 7, 3)),  # 1 day: the first
        (date(2026, 7, 4), date(2026, 7, 4), date(2026, 7, 4)),
    ],
)
def test_midpoint_day(first, last, middle):
    assert midpoint_day(first, last) == middle


def test_christmas_vacation_split_at_the_half_way_point():
    plan = make_plan(school=SCHOOL, holidays=[CHRISTMAS])
    spans = holiday_spans(plan, "default", date(2026, 12, 1), date(2028, 1, 31))
    assert [(s.start, s.end, s.parent) for s in spans] == [
        # 2026 (even): school out after Fri 18 Dec, back Tue 5 Jan, so the span is
        # 18 Dec 17:30 to Mon 4 Jan 18:00; 17 days apart, split 8 days on: Sat 26 Dec.
        (local(2026, 12, 18, 17, 30), local(2026, 12, 26, 12), "alex"),
        (local(2026, 12, 26, 12), local(2027, 1, 4, 18), "sam"),
        # 2027 (odd): last school day Wed 22 Dec, back Mon 3 Jan 2028, so the span is
        # 22 Dec 17:30 to Sun 2 Jan 18:00; 11 days apart, split 5 days on: Mon 27 Dec.
        (local(2027, 12, 22, 17, 30), local(2027, 12, 27, 12), "sam"),
        (local(2027, 12, 27, 12), local(2028, 1, 2, 18), "alex"),
    ]


def test_midpoint_split_in_the_timeline_and_label():
    plan = make_plan(school=SCHOOL, holidays=[CHRISTMAS])
    timeline = compute_timeline(plan, date(2026, 12, 1), date(2027, 2, 1))
    maya = timeline.children["maya"]
    assert holder(maya, local(2026, 12, 26, 11, 59)) == "alex"
    assert holder(maya, local(2026, 12, 26, 12)) == "sam"
    assert holder(maya, local(2027, 1, 4, 17, 59)) == "sam"
    label = next(x for x in timeline.holidays if x.name == "Christmas vacation")
    assert (label.split_at, label.second_parent) == (local(2026, 12, 26, 12), "sam")


def test_midpoint_without_time_uses_the_default_edge_time():
    holiday = {**CHRISTMAS, "split": {"midpoint": True}}
    plan = make_plan(school=SCHOOL, holidays=[holiday])
    spans = holiday_spans(plan, "default", date(2026, 12, 1), date(2027, 1, 31))
    assert [s.end for s in spans][:1] == [local(2026, 12, 26, 18)]


def test_midpoint_of_a_one_day_span_outside_it_is_a_plan_error():
    short = {
        "name": "Short",
        "date": {"rule": "fixed", "month": 7, "day": 4},
        "start": {"days": 0, "time": time(9, 0)},
        "end": {"time": time(11, 0)},
        "split": {"midpoint": True, "time": time(12, 0)},
        "assign": {"parent": "alex"},
    }
    with pytest.raises(PlanError) as info:
        compute_timeline(make_plan(holidays=[short]), date(2026, 1, 1), date(2027, 1, 1))
    assert info.value.problems[0].key == "holidays[0].split"


@pytest.mark.parametrize(
    ("split", "words"),
    [
        ({"midpoint": True, "days": 2}, "remove days"),
        ({"midpoint": True, "weekday": "friday"}, "remove weekday"),
        ({"midpoint": True, "school": "first_school_day_after"}, "remove school"),
        ({"midpoint": True, "month_day": "12-28"}, "remove month_day"),
    ],
)
def test_midpoint_excludes_the_other_day_keys(split, words):
    with pytest.raises(ValidationError, match=words):
        make_plan(school=SCHOOL, holidays=[{**CHRISTMAS, "split": split}])


@pytest.mark.parametrize("edge", ["start", "end"])
def test_midpoint_is_for_split_only(edge):
    holiday = {**CHRISTMAS, edge: {"midpoint": True, "time": time(12, 0)}}
    with pytest.raises(ValidationError, match="split only"):
        make_plan(school=SCHOOL, holidays=[holiday])
