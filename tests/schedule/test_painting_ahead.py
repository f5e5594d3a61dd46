"""Versions painted ahead (``schedule/ahead.py``) give the timeline strips would give.

Who holds at a switch-over is read off the versions' own painting instead of a strip
painted aside; the timeline (blocks, exchanges, labels, warnings, switch-overs) must
be the very one the strips give, whatever the amendments, and so must a refusal.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from engine_helpers import make_plan
from hypothesis import given
from hypothesis import strategies as st
from test_amendment_properties import META, amended, changes
from test_properties import SETTINGS, holidays, plans, times

from pc_calendar.errors import PlanError
from pc_calendar.schedule import ahead, switchover
from pc_calendar.schedule.engine import compute_timeline


def _both(plan, start, end):
    """(with painting ahead, with strips only): each a Timeline or the PlanError text."""
    found = []
    for enabled in (True, False):
        ahead.ENABLED = enabled
        try:
            found.append(compute_timeline(plan, start, end))
        except PlanError as exc:
            found.append(str(exc))
        finally:
            ahead.ENABLED = True
    return found


def _assert_same(plan, start, end):
    with_ahead, strips_only = _both(plan, start, end)
    assert with_ahead == strips_only
    if not isinstance(with_ahead, str):
        assert with_ahead.warnings == strips_only.warnings
        assert with_ahead.switchovers == strips_only.switchovers
        assert with_ahead.holidays == strips_only.holidays


@SETTINGS
@given(amended())
def test_painting_ahead_gives_the_timeline_strips_give(case):
    _assert_same(*case)


@st.composite
def long_amended(draw):
    """Ranges of months to years with several amendments, so that versions painted
    ahead share one holiday layer (holiday_window.py) and run on over each other."""
    plan, start, _ = draw(plans())
    end = start + timedelta(days=draw(st.integers(150, 900)))
    rules = draw(st.lists(holidays(), min_size=1, max_size=4))
    if draw(st.booleans()):
        rules.append(draw(st.sampled_from([BIRTHDAY, EVENING])))
    span = (end - start).days
    days = sorted(draw(st.lists(st.integers(-5, span + 5), min_size=2, max_size=6)))
    found = []
    for offset in days:
        day = start + timedelta(days=offset)
        effective = datetime.combine(day, draw(times)) if draw(st.booleans()) else day
        switch = draw(st.sampled_from([None, "at_effective", "end_of_block"]))
        change = {"effective": effective, "reason": "random", **META, **draw(changes())}
        found.append(change if switch is None else {**change, "switch": switch})
    data = plan.model_dump(by_alias=True, exclude_unset=True)
    data["holidays"] = rules
    data["amendments"] = found
    return type(plan).model_validate(data), start, end


@SETTINGS
@given(long_amended())
def test_painting_ahead_over_years_gives_the_timeline_strips_give(case):
    _assert_same(*case)


BIRTHDAY = {
    "name": "Maya's birthday",
    "date": {"rule": "birthday", "of": "maya"},
    "start": {"days": 0, "time": time(0, 0)},
    "end": {"days": 1, "time": time(20, 0)},
    "assign": {"not_in_possession": True},
}


EVENING = {**BIRTHDAY, "start": {"days": 0, "time": time(18, 0)}, "end": {"time": time(20, 0)}}


def _amended(amendments, **parts):
    plan = make_plan(**parts)
    data = plan.model_dump(by_alias=True, exclude_unset=True)
    data["amendments"] = [{"reason": "test", **META, **a} for a in amendments]
    return type(plan).model_validate(data)


@pytest.mark.parametrize("switch", [None, "at_effective", "end_of_block"])
@pytest.mark.parametrize("effective", [date(2026, 4, 12), date(2026, 4, 13)])
def test_a_holder_given_by_a_not_in_possession_holiday(switch, effective):
    """At T a not-in-possession holiday holds: its parent comes from a strip, which looks
    back under the same version (the painting would ask the version then in force)."""
    change = {"effective": effective, "rotation": {"parents": ["sam", "alex"]}}
    if switch:
        change["switch"] = switch
    plan = _amended([change], holidays=[BIRTHDAY])
    _assert_same(plan, date(2026, 3, 1), date(2026, 6, 1))


@pytest.mark.parametrize("switch", [None, "at_effective", "end_of_block"])
@pytest.mark.parametrize(
    "effective", [datetime(2026, 4, 12, 10, 0), datetime(2027, 4, 12, 10, 0), date(2027, 4, 12)]
)
def test_a_not_in_possession_label_just_after_a_switch_over(switch, effective):
    """The evening of the birthday begins after the switch-over, on its day: the label
    of the day before it names a parent only as the painting over its own interval
    does, though the painting ahead reached the evening."""
    change = {"effective": effective, "rotation": {"parents": ["sam", "alex"]}}
    if switch:
        change["switch"] = switch
    plan = _amended([change], holidays=[EVENING])
    _assert_same(plan, date(2026, 1, 1), date(2028, 1, 1))


def test_a_warning_in_a_version_is_reported_once_in_order():
    """A handover in a DST gap warns inside the first version: painting ahead is undone
    and the warnings come as strips give them (and in the same order)."""
    plan = _amended(
        [
            {"effective": date(2026, 5, 4), "exchange": {"location": "library"}},
            {"effective": date(2026, 9, 7), "rotation": {"parents": ["sam", "alex"]}},
        ],
        visits=[{"parent": "alex", "weekday": "sunday", "start": time(2, 15), "end": time(4, 0)}],
    )
    with_ahead, strips_only = _both(plan, date(2026, 1, 1), date(2027, 1, 1))
    assert any("2026-03-08" in w for w in with_ahead.warnings)
    assert with_ahead.warnings == strips_only.warnings
    assert with_ahead == strips_only


@pytest.mark.parametrize("effective", [date(2026, 3, 2), date(2026, 3, 7)])
def test_a_warning_in_the_days_a_version_runs_on(effective):
    """The previous version runs on to its next handover (end_of_block) over a DST gap
    that warns: that painting is undone too."""
    plan = _amended(
        [{"effective": effective, "rotation": {"parents": ["sam", "alex"]}}],
        visits=[{"parent": "alex", "weekday": "sunday", "start": time(2, 15), "end": time(4, 0)}],
    )
    _assert_same(plan, date(2026, 1, 1), date(2026, 6, 1))


def test_school_days_guessed_outside_the_listed_terms():
    """Terms listed for one school year only: the first guessed day named in the warning
    is the one strips give (nothing is painted ahead where a guess could be noted)."""
    plan = _amended(
        [
            {"effective": date(2026, 5, 4), "exchange": {"location": "library"}},
            {"effective": date(2026, 9, 7), "rotation": {"parents": ["sam", "alex"]}},
        ],
        exchange={"time": time(18, 0), "school_day": {"time": "dismissal"}},
        school={"terms": [{"start": date(2025, 8, 20), "end": date(2026, 6, 1)}]},
    )
    with_ahead, strips_only = _both(plan, date(2026, 1, 1), date(2027, 1, 1))
    assert any("such as" in w for w in with_ahead.warnings)
    assert with_ahead.warnings == strips_only.warnings
    assert with_ahead == strips_only


def test_few_strips_are_painted_aside(monkeypatch):
    """The point of it: who holds at each switch-over is read off the versions."""
    plan = _amended(
        [
            {"effective": date(2026, 5, 4), "exchange": {"location": "library"}},
            {"effective": date(2026, 7, 1), "rotation": {"parents": ["sam", "alex"]}},
            {"effective": date(2026, 9, 7), "exchange": {"time": time(17, 0)}},
        ]
    )
    painted = []
    aside = switchover._painted_aside

    def counted(*args):
        painted.append(args[2:])
        return aside(*args)

    monkeypatch.setattr(switchover, "_painted_aside", counted)
    counts = []
    for enabled in (True, False):
        painted.clear()
        monkeypatch.setattr(ahead, "ENABLED", enabled)
        compute_timeline(plan, date(2026, 1, 1), date(2027, 1, 1))
        counts.append(len(painted))
    assert counts[0] < counts[1]


@pytest.mark.parametrize("effective", [date(2026, 9, 9), date(2026, 9, 14), date(2025, 6, 3)])
def test_switch_overs_outside_the_range(effective):
    """Nothing is painted where the switch-over falls (after or before the range): one
    strip per version over the days a next handover is looked for answers it."""
    plan = _amended([{"effective": effective, "rotation": {"parents": ["sam", "alex"]}}])
    _assert_same(plan, date(2026, 1, 1), date(2026, 9, 1))
    with_ahead, _ = _both(plan, date(2026, 1, 1), date(2026, 9, 1))
    assert len(with_ahead.switchovers) == 1
