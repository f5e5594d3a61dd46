"""Invariants over random plans (hypothesis): what must hold for every family.

- blocks are contiguous over each child's range: no gap, no overlap;
- neighbouring blocks differ in parent or rule (blocks are maximal);
- an exchange sits at every change of parent and nowhere else; from != to, and each
  exchange's from is the previous exchange's to;
- the parent at each local midnight is defined, so overnights add up to the nights;
- the same input gives identical output.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine_helpers import assert_chained, make_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pc_calendar.errors import PlanError
from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.schedule.painter import Painter
from pc_calendar.schedule.timeutil import local_midnight

ZONES = ["America/Chicago", "Europe/London", "Australia/Sydney", "UTC"]
PATTERNS = ["alternating_weeks", "2-2-3", "2-2-5-5", "3-4-4-3", "every_other_weekend", "days"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOUR = timedelta(hours=1)
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
days_2024_2030 = st.dates(date(2024, 1, 1), date(2030, 12, 31))


@st.composite
def rotations(draw):
    pattern = draw(st.sampled_from(PATTERNS))
    options = {}
    if pattern == "days":
        letters = draw(st.text("AB", min_size=1, max_size=15))
        options["days"] = letters + ("B" if "B" not in letters else "A")
    return {
        "pattern": pattern,
        "anchor": draw(days_2024_2030),
        "options": options,
        "parents": draw(st.sampled_from([["alex", "sam"], ["sam", "alex"]])),
    }


@st.composite
def holidays(draw):
    rule = draw(
        st.sampled_from(
            [
                {"rule": "fixed", "month": 12, "day": 25},
                {"rule": "fixed", "month": 7, "day": 4},
                {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
            ]
        )
    )
    holiday = {
        "name": "holiday",
        "date": rule,
        "start": {"days": draw(st.integers(-3, 0)), "time": draw(times)},
        "end": {"days": draw(st.integers(1, 4)), "time": draw(times)},
        "priority": draw(st.integers(0, 2)),
    }
    if draw(st.booleans()):
        holiday["assign"] = {"even_years": "alex", "odd_years": "sam"}
        if draw(st.booleans()):
            holiday["split"] = {"days": 1, "time": time(12, 0)}
    return holiday


@st.composite
def plans(draw):
    start = draw(days_2024_2030)
    seasons = []
    if draw(st.booleans()):
        seasons.append(
            {
                "name": "summer",
                "start": "06-15",
                "end": "07-15",
                "assign": {"parent": draw(st.sampled_from(["alex", "sam"]))},
            }
        )
    if draw(st.booleans()):
        seasons.append(
            {"name": "august", "start": "08-01", "end": "08-20", "rotation": draw(rotations())}
        )
    visits = [
        {
            "parent": draw(st.sampled_from(["alex", "sam"])),
            "weekday": draw(st.sampled_from(WEEKDAYS)),
            "start": time(17, 0),
            "end": time(19, 30),
            "during": draw(st.sampled_from(["always", "school_term", "outside_school_term"])),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        begin = draw(
            st.datetimes(
                min_value=datetime.combine(start, time(0)),
                max_value=datetime.combine(start + timedelta(days=60), time(0)),
            )
        )
        overrides.append(
            {
                "parent": draw(st.sampled_from(["alex", "sam"])),
                "kind": "decision",
                "decided_by": "coordinator",
                "decided_on": start,
                "start": begin.replace(second=0, microsecond=0),
                "end": begin.replace(second=0, microsecond=0)
                + timedelta(hours=draw(st.integers(1, 100))),
                "children": draw(st.sampled_from([None, ["maya"], ["leo"]])),
            }
        )
    plan = make_plan(
        zone=draw(st.sampled_from(ZONES)),
        children=[
            {
                "id": "maya",
                "name": "Maya",
                "birth_date": start - timedelta(days=draw(st.integers(-20, 6600))),
            },
            {"id": "leo", "name": "Leo", "birth_date": date(2020, 2, 29), "until_age": 6},
        ],
        rotation=draw(rotations()),
        exchange={
            "time": draw(times),
            "location": "curb",
            "school_day": draw(
                st.sampled_from([None, {"time": "dismissal", "location": "school"}])
            ),
            "weekdays": draw(st.sampled_from([{}, {"friday": {"time": time(19, 0)}}])),
        },
        school={
            "terms": [{"start": date(2024, 8, 15), "end": date(2031, 5, 30)}],
            "breaks": [{"name": "winter", "start": date(2026, 12, 21), "end": date(2027, 1, 1)}],
        },
        visits=visits,
        seasons=seasons,
        holidays=draw(st.lists(holidays(), max_size=3)),
        overrides=overrides,
    )
    return plan, start, start + timedelta(days=draw(st.integers(1, 120)))


@SETTINGS
@given(plans())
def test_invariants(case):
    plan, start, end = case
    try:
        timeline = compute_timeline(plan, start, end)
    except PlanError as exc:  # only a split that misses its span may be refused
        assert all(p.key.endswith(".split") for p in exc.problems), exc
        return
    zone = ZoneInfo(plan.family.timezone)
    for child in plan.children:
        tl = timeline.children[child.id]
        if not tl.blocks:
            assert tl.exchanges == []
            continue
        assert_chained(tl)
        assert all(block.children == (child.id,) for block in tl.blocks)
        for ex in tl.exchanges:
            assert ex.from_parent != ex.to_parent
            # (== between zones is False inside a DST fold, by PEP 495: compare in UTC.)
            assert ex.local_at.astimezone(UTC) == ex.at and ex.local_at.tzinfo == zone
        first = max(start, child.birth_date)
        assert tl.blocks[0].start == local_midnight(first, zone)
        year = child.birth_date.year + child.until_age
        leaves = (
            date(year, 2, 28)
            if (child.birth_date.month, child.birth_date.day) == (2, 29)
            else child.birth_date.replace(year=year)
        )
        assert tl.blocks[-1].end == local_midnight(min(end, leaves), zone)
        # Overnights: the holder at each local midnight; all nights are accounted for.
        nights = (date.fromordinal(tl.blocks[-1].end.astimezone(zone).toordinal()) - first).days
        counts: dict[str, int] = {}
        i = 0
        for n in range(nights):
            midnight = local_midnight(first + timedelta(days=n), zone)
            while tl.blocks[i].end <= midnight:
                i += 1
            assert tl.blocks[i].start <= midnight
            counts[tl.blocks[i].parent] = counts.get(tl.blocks[i].parent, 0) + 1
        assert sum(counts.values()) == nights
        # Overrides always win: every block inside an override's time is an override's.
        for override in plan.overrides:
            if override.children is not None and child.id not in override.children:
                continue
            lo = override.start.replace(tzinfo=zone, fold=0).astimezone(UTC)
            hi = override.end.replace(tzinfo=zone, fold=0).astimezone(UTC)
            for block in tl.blocks:
                if block.start < hi and block.end > lo and block.end - block.start > HOUR:
                    inside = max(block.start, lo) + timedelta(minutes=1)
                    if inside < min(block.end, hi):
                        assert block.rule.layer == "override", (block, override)
    assert repr(compute_timeline(plan, start, end)) == repr(timeline)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 5)), max_size=25))
def test_painter_matches_a_naive_model(strokes):
    painter = Painter(10, 50, "base")
    model = ["base"] * 40
    for a, b, v in strokes:
        painter.paint(a, b, v)
        for t in range(max(a, 10), min(b, 50)):
            model[t - 10] = v
    got = []
    for s, e, v in painter.segments():
        assert s < e
        got.extend([v] * (e - s))
    assert got == model
    assert painter.keys == sorted(set(painter.keys))
    assert [painter.value_at(t) for t in range(10, 50)] == model


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 5), st.booleans()),
        max_size=25,
    )
)
def test_paint_where_matches_painting_each_passing_segment(strokes):
    """``paint_where`` (with its shortcut inside one segment) leaves the very keys and
    values that painting each passing segment would."""
    fast, slow = Painter(10, 50, 0), Painter(10, 50, 0)
    for a, b, v, odd in strokes:
        passes = lambda old, odd=odd: old % 2 == odd  # noqa: E731
        fast.paint_where(a, b, v, passes)
        pieces = [(s, e) for s, e, old in slow.segments(a, b) if passes(old)]
        for s, e in pieces:
            slow.paint(s, e, v)
        assert (fast.keys, fast.values) == (slow.keys, slow.values)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 60),
            st.lists(st.tuples(st.integers(1, 9), st.integers(0, 5)), min_size=1, max_size=6),
        ),
        max_size=12,
    )
)
def test_paint_run_matches_painting_each_piece(runs):
    """``paint_run`` (a season's rotation painted at once) leaves the very keys and
    values that painting its pieces one by one would, clipped runs included."""
    fast, slow = Painter(10, 50, 0), Painter(10, 50, 0)
    for start, pieces in runs:
        cuts, values, at = [], [], start
        for length, value in pieces:
            cuts.append(at)
            values.append(value)
            at += length
        fast.paint_run(cuts, values, at)
        for k, value in enumerate(values):
            slow.paint(cuts[k], [*cuts[1:], at][k], value)
        assert (fast.keys, fast.values) == (slow.keys, slow.values)
