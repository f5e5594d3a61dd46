"""Invariants with random amendments (hypothesis).

On top of the plans of ``test_properties``, random amendments change the rotation,
exchange times and places, visits and holidays, from random dates, date-times or ages,
for all children or one, with either switch-over reading. Whatever they say:

- blocks stay contiguous (no gap, no overlap) and every instant has one parent;
- exchanges sit exactly at the changes of parent and alternate;
- an amendment never changes anything before it takes effect: the timeline with the
  last amendment and without it agree on every block and exchange before its
  effective instant.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from engine_helpers import assert_chained
from hypothesis import given
from hypothesis import strategies as st
from test_properties import SETTINGS, WEEKDAYS, plans, rotations, times

from pc_calendar.errors import PlanError
from pc_calendar.schedule.engine import compute_timeline

META = {"kind": "decision", "decided_by": "coordinator", "decided_on": date(2024, 1, 1)}


@st.composite
def changes(draw):
    """One amendment's changed parts (at least one)."""
    parts: dict = {}
    kind = draw(st.sampled_from(["rotation", "parents", "exchange", "visit", "holiday", "mix"]))
    if kind in ("rotation", "mix"):
        rotation = draw(rotations())
        if draw(st.booleans()):
            rotation["anchor"] = draw(st.sampled_from(["effective", "effective+3", "effective-2"]))
        parts["rotation"] = rotation
    if kind == "parents":
        parts["rotation"] = {"parents": draw(st.sampled_from([["alex", "sam"], ["sam", "alex"]]))}
    if kind in ("exchange", "mix"):
        parts["exchange"] = {
            "time": draw(times),
            "location": draw(st.sampled_from(["curb", "lib"])),
        }
    if kind in ("visit", "mix"):
        parts["visits"] = [
            {
                "name": "added visit",
                "parent": draw(st.sampled_from(["alex", "sam"])),
                "weekday": draw(st.sampled_from(WEEKDAYS)),
                "start": time(16, 0),
                "end": time(19, 0),
            }
        ]
    if kind == "holiday":
        parts["holidays"] = [
            {
                "name": "holiday",
                "date": {"rule": "fixed", "month": 12, "day": 25},
                "assign": {"parent": draw(st.sampled_from(["alex", "sam"]))},
            }
        ]
    return parts


@st.composite
def amended(draw):
    plan, start, end = draw(plans())
    span = (end - start).days
    found = []
    for _ in range(draw(st.integers(1, 3))):
        day = start + timedelta(days=draw(st.integers(-10, span + 10)))
        form = draw(st.sampled_from(["date", "datetime", "age"]))
        if form == "date":
            effective: object = day
        elif form == "datetime":
            effective = datetime.combine(day, draw(times))
        else:
            maya = plan.children[0].birth_date
            months = max(1, (day.year - maya.year) * 12 + day.month - maya.month)
            at = draw(st.sampled_from(["birthday", "first_exchange_after"]))
            effective = {"child": "maya", "age": f"{months}m", "at": at}
        found.append(
            {
                "effective": effective,
                "reason": "random",
                **META,
                **draw(changes()),
                "switch": draw(st.sampled_from([None, "at_effective", "end_of_block"])),
                "children": draw(st.sampled_from([None, ["maya"]])),
            }
        )
    found = [{k: v for k, v in a.items() if v is not None} for a in found]
    found.sort(key=lambda a: _approx(a["effective"], plan))
    data = plan.model_dump(by_alias=True, exclude_unset=True)
    data["amendments"] = found
    return type(plan).model_validate(data), start, end


def _approx(effective, plan) -> datetime:
    if isinstance(effective, datetime):
        return effective
    if isinstance(effective, date):
        return datetime.combine(effective, time(0))
    from pc_calendar.plan.amendments import AgeTrigger

    trigger = AgeTrigger.model_validate(effective)
    return datetime.combine(trigger.reached_on(plan.children[0].birth_date), time(0))


def _timeline(plan, start, end):
    try:
        return compute_timeline(plan, start, end)
    except PlanError as exc:  # a split missing its span, or no handover to wait for
        assert all(p.key.endswith((".split", ".at")) for p in exc.problems), exc
        return None


@SETTINGS
@given(amended())
def test_amended_timelines_keep_the_invariants(case):
    plan, start, end = case
    timeline = _timeline(plan, start, end)
    if timeline is None:
        return
    for child in plan.children:
        assert_chained(timeline.children[child.id])


@SETTINGS
@given(amended())
def test_an_amendment_never_changes_the_time_before_it(case):
    plan, start, end = case
    with_it = _timeline(plan, start, end)
    without_plan = plan.model_copy(update={"amendments": plan.amendments[:-1]})
    without = _timeline(without_plan, start, end)
    if with_it is None or without is None:
        return
    last = len(plan.amendments) - 1
    switches = [s for s in with_it.switchovers if s.amendment == last]
    if not switches:  # no child on the schedule in the range: nothing to compare
        return
    effective = switches[0].effective
    for child in plan.children:
        new, old = with_it.children[child.id], without.children[child.id]
        assert _before(new.blocks, effective) == _before(old.blocks, effective)
        assert [e for e in new.exchanges if e.at < effective] == [
            e for e in old.exchanges if e.at < effective
        ]


def _before(blocks, cut):
    return [(b.start, min(b.end, cut), b.parent, b.rule) for b in blocks if b.start < cut]
