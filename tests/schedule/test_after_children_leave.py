"""Years after every child has left the schedule cost nothing and list nothing.

When the last child reaches ``until_age`` the plan has ended: the engine stops painting
at that instant. A range running past it gives the same timeline as the range ending
there (blocks, exchanges, holiday labels, warnings); a range entirely past it is empty.
Date rules are not even asked about the years after.
"""

from __future__ import annotations

import sys
from datetime import date, time
from pathlib import Path
from typing import Any

from pc_calendar import hookimpl, plugins
from pc_calendar.schedule.api import Occurrence
from pc_calendar.schedule.context import leave_date
from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.schedule.stats import compute_stats

sys.path.insert(0, str(Path(__file__).parent))
from engine_helpers import make_plan  # noqa: E402
from timeline_digest import benchmark_module  # noqa: E402

CHILDREN = [
    {"id": "maya", "name": "Maya", "birth_date": date(2012, 4, 12)},
    {"id": "leo", "name": "Leo", "birth_date": date(2015, 9, 3), "until_age": 16},
]
HOLIDAYS = [
    {
        "name": "Thanksgiving",
        "date": {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
        "assign": {"even_years": "alex", "odd_years": "sam"},
    },
    {"name": "Counted", "date": {"rule": "counted"}, "assign": {"parent": "sam"}},
]


class CountingRule:
    """A date rule that records the years the engine asks it about (1 July each)."""

    description = "1 July, recording the years asked"

    def __init__(self) -> None:
        self.years: list[int] = []

    def validate(self, options: Any, ctx: Any) -> list[str]:
        return []

    def occurrences(self, year: int, options: Any, ctx: Any) -> list[Occurrence]:
        self.years.append(year)
        return [Occurrence(date(year, 7, 1), date(year, 7, 1))]


class CountingPlugin:
    def __init__(self, rule: CountingRule) -> None:
        self.rule = rule

    @hookimpl
    def pc_calendar_register_date_rules(self, register):
        register("counted", self.rule)


def plan_and_manager():
    rule = CountingRule()
    pm = plugins.build_plugin_manager(extra=[CountingPlugin(rule)])
    plan = make_plan(
        children=CHILDREN,
        holidays=HOLIDAYS,
        visits=[
            {
                "name": "Wednesday dinner",
                "parent": "sam",
                "weekday": "wednesday",
                "start": time(17, 0),
                "end": time(19, 0),
            }
        ],
    )
    return plan, pm, rule


def facts(timeline) -> tuple:
    return (
        {c: (t.blocks, t.exchanges) for c, t in timeline.children.items()},
        timeline.holidays,
        timeline.warnings,
        timeline.switchovers,
    )


def test_a_range_past_the_last_leave_is_the_range_up_to_it():
    plan, pm, rule = plan_and_manager()
    last_leave = max(map(leave_date, plan.children))
    assert last_leave == date(2031, 9, 3)  # Leo turns 16 (Maya left at 18 in 2030)
    long = compute_timeline(plan, date(2026, 1, 1), date(2076, 1, 1), pm)
    asked = set(rule.years)
    short = compute_timeline(plan, date(2026, 1, 1), last_leave, pm)
    assert facts(long) == facts(short)
    assert long.end == date(2076, 1, 1)  # the range asked for is kept
    assert long.children["maya"].blocks[-1].end == short.children["maya"].blocks[-1].end
    # Date rules are asked about a year beyond the last leave at most, never about 2076.
    assert max(asked) <= last_leave.year + 1
    assert not any(h.first >= last_leave for h in long.holidays)


def test_a_range_after_every_child_left_is_empty():
    plan, pm, rule = plan_and_manager()
    timeline = compute_timeline(plan, date(2040, 1, 1), date(2045, 1, 1), pm)
    assert all(not t.blocks and not t.exchanges for t in timeline.children.values())
    assert timeline.holidays == [] and timeline.warnings == []
    assert rule.years == []
    # Consumers read an empty timeline as "nobody on the schedule": no nights counted.
    stats = compute_stats(timeline, date(2040, 1, 1), date(2044, 12, 1), parents=["alex", "sam"])
    assert [c.nights for c in stats.children] == [0, 0]
    assert all(share.overnights == 0 for share in stats.family.shares.values())


def test_labels_before_a_birth_are_still_listed():
    plan, pm, _ = plan_and_manager()
    timeline = compute_timeline(plan, date(2010, 1, 1), date(2011, 1, 1), pm)
    assert all(not t.blocks for t in timeline.children.values())
    assert [h.name for h in timeline.holidays] == ["Counted", "Thanksgiving"]


def test_the_benchmark_family_after_its_children_left():
    """The issue's case: a 50-year range gives the 18-year range's custody, nothing more."""
    bench = benchmark_module()
    plan = bench.family(0)
    start = date(bench.FIRST_YEAR, 1, 1)
    last_leave = max(map(leave_date, plan.children))
    long = compute_timeline(plan, start, date(bench.FIRST_YEAR + 50, 1, 1))
    short = compute_timeline(plan, start, date(bench.FIRST_YEAR + bench.YEARS, 1, 1))
    assert date(bench.FIRST_YEAR + bench.YEARS, 1, 1) > last_leave
    assert facts(long) == facts(short)
