"""Occurrences left unresolved because they cannot show change nothing (speed, issue 15).

``span_edges.out_of_sight`` lets the engine skip an occurrence of a holiday with school
snaps or month-day edges when neither its span nor any day its school snaps look at
comes near the range or the watched days. Skipping must be invisible: the same blocks,
labels and warnings (school snaps past the calendar, a guessed school day in the
watched days) as resolving every occurrence, on random holidays and ranges.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from unittest import mock

import pytest
from engine_helpers import make_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pc_calendar.errors import PlanError
from pc_calendar.schedule import spans
from pc_calendar.schedule.api import Occurrence
from pc_calendar.schedule.context import EngineContext
from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.schedule.span_edges import edge_days, edge_window, out_of_sight

SCHOOL = {
    "dismissal": time(15, 0),
    "terms": [
        {"start": date(2026, 8, 17), "end": date(2026, 12, 18)},
        {"start": date(2027, 1, 5), "end": date(2027, 5, 27)},
        {"start": date(2027, 8, 16), "end": date(2028, 5, 26)},
    ],
    "breaks": [
        {"name": "Thanksgiving", "start": date(2026, 11, 23), "end": date(2026, 11, 27)},
        {"name": "Spring Break", "start": date(2027, 3, 15), "end": date(2027, 3, 19)},
        {"name": "Staff Day", "start": date(2027, 3, 22), "end": date(2027, 3, 22)},
        {"name": "Thanksgiving", "start": date(2027, 11, 22), "end": date(2027, 11, 26)},
        {"name": "Spring Break", "start": date(2028, 3, 13), "end": date(2028, 3, 17)},
    ],
}
SNAPS = [None, "last_school_day_before", "first_school_day_after", "day_before_school_resumes"]
WEEKDAYS = [None, "monday", "friday", "sunday"]


@st.composite
def edges(draw, is_start: bool) -> dict:
    edge: dict = {"time": time(18, 0) if is_start else time(12, 0)}
    days = draw(st.integers(-3, 3))
    if days:
        edge["days"] = days
    if (weekday := draw(st.sampled_from(WEEKDAYS))) is not None:
        edge["weekday"] = weekday
    if (school := draw(st.sampled_from(SNAPS))) is not None:
        edge["school"] = school
    if draw(st.booleans()):
        edge["month_day"] = f"{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"
    return edge


rules = st.one_of(
    st.builds(
        lambda m, d: {"rule": "fixed", "month": m, "day": d}, st.integers(1, 12), st.integers(1, 28)
    ),
    st.sampled_from(
        [{"rule": "school_break", "name": n} for n in ("Spring Break", "Thanksgiving")]
    ),
)
holidays = st.builds(
    lambda rule, start, end, n: {
        "name": f"Holiday {n}",
        "date": rule,
        "start": start,
        "end": end,
        "assign": {"even_years": "alex", "odd_years": "sam"},
    },
    rules,
    edges(True),
    edges(False),
    st.integers(0, 99),
)


def outcome(plan, start, end, watch):
    try:
        timeline = compute_timeline(plan, start, end, watch=watch)
    except PlanError as error:
        return str(error)
    return (timeline.children, timeline.holidays, timeline.warnings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(holidays, min_size=1, max_size=3),
    st.integers(0, 1700),
    st.integers(1, 40),
    st.one_of(st.none(), st.tuples(st.integers(0, 39), st.integers(1, 20))),
)
def test_skipping_far_occurrences_changes_nothing(holiday_list, offset, days, watched):
    plan = make_plan(school=SCHOOL, holidays=holiday_list)
    start = date(2025, 6, 1) + timedelta(days=offset)
    end = start + timedelta(days=days)
    watch = None
    if watched is not None:
        first = start + timedelta(days=min(watched[0], days - 1))
        watch = (first, min(first + timedelta(days=watched[1]), end))
    skipping = outcome(plan, start, end, watch)
    with mock.patch.object(spans, "out_of_sight", lambda *args: False):
        resolving = outcome(plan, start, end, watch)
    assert skipping == resolving


@pytest.mark.parametrize(
    ("day", "start", "end", "guessed"),
    [
        # From 20 June forward through the break to September; the span ends 20 June.
        ("06-20", {"school": "first_school_day_after"}, {}, "2028-07-04"),
        # From 19 August back through the break to 31 May; the span ends 21 June.
        ("08-20", {"school": "last_school_day_before"}, {"days": -60}, "2028-07-05"),
    ],
)
def test_a_snap_walking_through_watched_guessed_days_still_warns(day, start, end, guessed):
    """The span of the 2028 occurrence does not come near the range, but a school snap
    walks through the range's days, listed as a break after the last term: the guess
    is warned about exactly as when the occurrence is resolved."""
    summer = {"name": "Summer", "start": date(2028, 6, 1), "end": date(2028, 8, 31)}
    walker = {
        "name": "Walker",
        "date": {"rule": "fixed", "month": int(day[:2]), "day": int(day[3:])},
        "start": {**start, "time": time(18, 0)},
        "end": {**end, "time": time(12, 0)},
    }
    plan = make_plan(school={**SCHOOL, "breaks": [summer]}, holidays=[walker])
    first, last = date(2028, 7, 4), date(2028, 7, 6)
    skipping = outcome(plan, first, last, None)
    with mock.patch.object(spans, "out_of_sight", lambda *args: False):
        resolving = outcome(plan, first, last, None)
    assert skipping == resolving
    assert any(f"such as {guessed}" in warning for warning in skipping[2])


@settings(max_examples=300, deadline=None)
@given(
    edges(True),
    edges(False),
    st.integers(0, 1500),
    st.integers(0, 20),
    st.sampled_from([None, "wide", "narrow"]),
    st.lists(st.integers(-600, 2100), max_size=2),
)
def test_an_edge_falls_inside_its_window(start_edge, end_edge, offset, length, how, tabled):
    """``edge_window`` holds the day ``edge_days`` finds and every day a school snap
    looked at (the walk runs from the edge's unsnapped day to the day it found); so
    does the window narrowed by the school days near the edges, whichever days of the
    school calendar were tabled before (``tabled``) and whether it is worked out before
    the edges are resolved or after."""
    holiday = {"name": "H", "date": {"rule": "fixed", "month": 1, "day": 1}}
    plan = make_plan(school=SCHOOL, holidays=[{**holiday, "start": start_edge, "end": end_edge}])
    ctx = EngineContext.build(plan, None)
    for days in tabled:
        ctx.school.in_term(date(2025, 6, 1) + timedelta(days=days))
    first = date(2025, 6, 1) + timedelta(days=offset)
    occ = Occurrence(first, first + timedelta(days=length))
    found = plan.holidays[0]

    def windows() -> dict[str, tuple[int, int]]:
        school = ctx.school if how is not None else None
        start = edge_window(found.start, occ.first, is_start=True, school=school)
        floor = start[0] if how is not None else None
        end = edge_window(found.end, occ.last, is_start=False, school=school, floor=floor)
        return {"start": start, "end": end}

    narrowed = windows() if how == "narrow" else None
    first_day, last_day, snaps = edge_days(ctx, found, occ)
    found_windows = narrowed or windows()
    for name, day in (("start", first_day), ("end", last_day)):
        lo, hi = found_windows[name]
        assert lo <= day.toordinal() <= hi, (name, day, found_windows[name])
    for snap in snaps:
        lo, hi = found_windows[snap.edge]
        assert lo <= snap.day.toordinal() <= hi
        if snap.to is not None:
            assert lo <= snap.to.toordinal() <= hi


@pytest.mark.parametrize("name", ["Thanksgiving", "Christmas"])
@pytest.mark.parametrize("tabled", [True, False])
def test_next_years_snap_is_out_of_sight_without_tabling_its_days(name, tabled):
    """A one-school-year range: next year's Thanksgiving or Christmas, snapped to the
    last school day before it, could reach back a year (``SEARCH_LIMIT``), but a school
    day just before it bounds the walk, so it is skipped, and the school days around it
    are not tabled for that (a chunk of ``CHUNK_DAYS`` days a run rarely needs
    otherwise), whether the range's own days were tabled first or not."""
    day = {"Thanksgiving": (11, 25), "Christmas": (12, 25)}[name]
    holiday = {
        "name": name,
        "date": {"rule": "fixed", "month": day[0], "day": day[1]},
        "start": {"school": "last_school_day_before", "time": time(15, 0)},
        "end": {"days": 2, "time": time(18, 0)},
    }
    plan = make_plan(school=SCHOOL, holidays=[holiday])
    ctx = EngineContext.build(plan, None)
    first, last = date(2027, 1, 5), date(2027, 5, 27)
    ctx.school.watch = (first.toordinal(), last.toordinal())
    if tabled:
        ctx.school.is_school_day(first)
    chunks = set(ctx.school._chunks)
    seen = (first.toordinal() - 2, last.toordinal() + 2)
    occ = Occurrence(date(2027, *day), date(2027, *day))
    assert out_of_sight(ctx, plan.holidays[0], occ, seen, first, last)
    assert set(ctx.school._chunks) == chunks and ctx.school.assumed is None
    # The walk itself, had it been made, stops days before the occurrence.
    snapped = ctx.school.last_school_day_before(occ.first)
    assert snapped is not None and 0 < (occ.first - snapped).days < 7
