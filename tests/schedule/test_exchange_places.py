"""Where handovers happen: bell-bound fallback places and per-edge holiday places.

Worked examples on an alternating-weeks rotation (weeks change on Monday) whose school
pickups happen at dismissal (15:00) at school and everything else curbside.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from engine_helpers import local, make_plan

from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.context import EngineContext
from pc_calendar.schedule.engine import compute_timeline, holiday_spans
from pc_calendar.schedule.handover_places import exchange_for, exchange_table, off_bell_place

TERMS = {
    "dismissal": time(15, 0),
    "start": time(8, 0),
    "terms": [
        {"name": "Spring 2026", "start": date(2026, 1, 5), "end": date(2026, 5, 29)},
        {"name": "Fall 2026", "start": date(2026, 8, 17), "end": date(2026, 12, 18)},
        {"name": "Spring 2027", "start": date(2027, 1, 5), "end": date(2027, 5, 27)},
    ],
}
SCHOOL_PICKUP = {
    "time": time(18, 0),
    "location": "curb",
    "school_day": {"time": "dismissal", "location": "school"},
}


def places(timeline, child: str = "maya") -> list[tuple[str, str, str, str | None]]:
    """Exchanges as ("YYYY-MM-DD HH:MM", from, to, place) in Chicago time."""
    return [
        (f"{ex.local_at:%Y-%m-%d %H:%M}", ex.from_parent, ex.to_parent, ex.location)
        for ex in timeline.children[child].exchanges
    ]


def override(start: datetime, end: datetime, parent: str = "sam", **extra) -> dict:
    return {
        "name": "swap",
        "start": start,
        "end": end,
        "parent": parent,
        "agreed_by": ["alex", "sam"],
        "decided_on": date(2026, 2, 1),
        **extra,
    }


def test_override_at_18_on_a_school_day_is_not_handed_over_at_the_closed_school():
    # Week of Mon 2 March 2026 is Alex's (8 weeks after the anchor). Sam takes Tue 3
    # March from school dismissal to Thu 5 March 18:00.
    plan = make_plan(
        school=TERMS,
        exchange=SCHOOL_PICKUP,
        overrides=[override(datetime(2026, 3, 3, 15), datetime(2026, 3, 5, 18))],
    )
    timeline = compute_timeline(plan, date(2026, 3, 2), date(2026, 3, 8))
    assert places(timeline) == [
        ("2026-03-02 15:00", "sam", "alex", "school"),  # rotation, school Monday
        ("2026-03-03 15:00", "alex", "sam", "school"),  # at the bell: school is right
        ("2026-03-05 18:00", "sam", "alex", "curb"),  # 18:00: school closed at 15:00
    ]


def test_example_plan_override_ends_curbside():
    example = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
    timeline = compute_timeline(load_plan(example), date(2026, 12, 7), date(2026, 12, 14))
    end = [ex for ex in timeline.merged_exchanges() if ex.ending_rule.layer == "override"]
    assert [(f"{ex.local_at:%Y-%m-%d %H:%M}", ex.location) for ex in end] == [
        ("2026-12-11 18:00", "alex-home")  # Friday, a school day: not "school"
    ]


def test_bell_fallback_prefers_the_non_school_day_place():
    # Fridays: school start drop-off at school; on days without school, the park.
    exchange = {
        "time": time(18, 0),
        "location": "curb",
        "non_school_day": {"location": "park"},
        "weekdays": {"friday": {"time": "school_start", "location": "school"}},
    }
    plan = make_plan(
        school=TERMS,
        exchange=exchange,
        overrides=[override(datetime(2026, 3, 4, 18), datetime(2026, 3, 6, 18))],
    )
    timeline = compute_timeline(plan, date(2026, 3, 2), date(2026, 3, 8))
    # Wed 4 March: a school day whose rotation time is 18:00 (no bell): curb.
    # Fri 6 March 18:00: the Friday place belongs to 08:00; the non-school place wins.
    assert places(timeline) == [
        ("2026-03-02 18:00", "sam", "alex", "curb"),
        ("2026-03-04 18:00", "alex", "sam", "curb"),
        ("2026-03-06 18:00", "sam", "alex", "park"),
    ]


def test_visit_without_location_on_a_school_day_uses_the_after_school_place():
    plan = make_plan(
        school=TERMS,
        exchange=SCHOOL_PICKUP,
        visits=[
            {"parent": "sam", "weekday": "wednesday", "start": time(17, 0), "end": time(19, 0)}
        ],
    )
    timeline = compute_timeline(plan, date(2026, 3, 3), date(2026, 3, 5))
    assert places(timeline) == [
        ("2026-03-04 17:00", "alex", "sam", "curb"),
        ("2026-03-04 19:00", "sam", "alex", "curb"),
    ]


def test_holiday_at_the_bell_keeps_the_school_place():
    # "School dismissal to Sunday 18:00": handed over at school, returned curbside.
    thanksgiving = {
        "name": "Thanksgiving",
        "date": {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
        "start": {"school": "last_school_day_before", "time": "dismissal"},
        "end": {"weekday": "sunday", "time": time(18, 0)},
        "assign": {"parent": "sam"},
    }
    plan = make_plan(school=TERMS, exchange=SCHOOL_PICKUP, holidays=[thanksgiving])
    timeline = compute_timeline(plan, date(2026, 11, 23), date(2026, 12, 1))
    # Week of 23 Nov 2026 is Alex's (46 weeks after the anchor); Wed 25 Nov is the
    # last school day before Thanksgiving (no breaks listed here).
    assert places(timeline) == [
        ("2026-11-23 15:00", "sam", "alex", "school"),
        ("2026-11-25 15:00", "alex", "sam", "school"),
        ("2026-11-29 18:00", "sam", "alex", "curb"),
        ("2026-11-30 15:00", "alex", "sam", "school"),
    ]


WINTER = {
    "name": "Winter break",
    "date": {"rule": "fixed", "month": 12, "day": 25},
    "start": {"school": "last_school_day_before", "time": "dismissal", "location": "school"},
    "split": {"month_day": "12-28", "time": time(12, 0), "location": "library"},
    "end": {"month_day": "01-04", "time": time(18, 0), "location": "home-b"},
    "assign": {"parent": "sam"},
    "location": "curb",
}


def test_holiday_edges_have_their_own_places():
    # Anchor 12 January: weeks of 14 Dec and 28 Dec 2026 are Alex's, 21 Dec and 4 Jan
    # 2027 Sam's. Sam has the first half from Fri 18 Dec 15:00 (school lets out),
    # Alex the second from noon on 28 Dec to Mon 4 Jan 18:00, when Sam's week starts.
    plan = make_plan(
        school=TERMS,
        rotation={"pattern": "alternating_weeks", "anchor": date(2026, 1, 12)},
        holidays=[WINTER],
    )
    timeline = compute_timeline(plan, date(2026, 12, 15), date(2027, 1, 6))
    assert places(timeline) == [
        ("2026-12-18 15:00", "alex", "sam", "school"),  # start.location
        ("2026-12-28 12:00", "sam", "alex", "library"),  # split.location
        ("2027-01-04 18:00", "alex", "sam", "home-b"),  # end.location
    ]


def test_edge_places_fall_back_to_the_holiday_location():
    winter = {**WINTER, "start": {"school": "last_school_day_before", "time": "dismissal"}}
    winter["split"] = {"month_day": "12-28", "time": time(12, 0)}
    plan = make_plan(school=TERMS, holidays=[winter])
    spans = holiday_spans(plan, "default", date(2026, 12, 1), date(2027, 1, 31))
    assert [(s.start, s.parent, s.start_location, s.end_location) for s in spans] == [
        (local(2026, 12, 18, 15), "sam", "curb", "curb"),
        (local(2026, 12, 28, 12), "alex", "curb", "home-b"),
    ]


@pytest.mark.parametrize(
    "exchange",
    [
        {"time": time(18, 0), "location": "curb"},
        {
            "time": time(17, 0),
            "location": "curb",
            "school_day": {"time": "dismissal", "location": "school"},
            "non_school_day": {"location": "home"},
        },
        {
            "time": time(18, 0),
            "location": "curb",
            "school_day": {"time": "dismissal", "location": "school"},
            "weekdays": {"friday": {"time": time(19, 0)}, "sunday": {"location": "home"}},
        },
    ],
)
def test_the_exchange_table_reads_each_day_by_the_levels(exchange):
    """The run's table (one entry repeated when no weekday has its own) says what
    ``exchange_for`` and ``off_bell_place`` say for every school day and weekday."""
    plan = make_plan(exchange=exchange)
    table = exchange_table(EngineContext.build(plan, None), plan.exchange)
    assert table == tuple(
        tuple(
            (
                *exchange_for(plan.exchange, school_day, weekday),
                off_bell_place(plan.exchange, weekday),
            )
            for weekday in range(7)
        )
        for school_day in (False, True)
    )
