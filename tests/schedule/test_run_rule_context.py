"""An engine run's RuleContext makes the school breaks only when asked, with the same
answers (speed, issue 15).

``RunRuleContext.school_breaks`` is built on first read and ``break_days`` gives the
``school_break`` rule one name's break days without making every break of the calendar.
Both must agree with the plain ``RuleContext`` a plugin (or plan validation) builds
from the listed breaks, and a third-party date rule reading ``school_breaks`` during a
run must see them all.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from engine_helpers import make_plan
from hypothesis import given, settings
from hypothesis import strategies as st

from pc_calendar import hookimpl, plugins
from pc_calendar.plan.model import School
from pc_calendar.schedule.api import Occurrence, RuleContext, SchoolBreak
from pc_calendar.schedule.context import EngineContext
from pc_calendar.schedule.date_rules import SchoolBreakRule
from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.schedule.school import SchoolDays

NAMES = ["Spring Break", " spring break", "Winter Break", "WINTER BREAK ", "Teacher Day", ""]
SCHOOL = {
    "breaks": [
        {"name": "Winter Break", "start": date(2026, 12, 21), "end": date(2027, 1, 1)},
        {"name": "Spring Break", "start": date(2027, 3, 15), "end": date(2027, 3, 19)},
        {"name": "spring break ", "start": date(2028, 3, 13), "end": date(2028, 3, 17)},
        {"name": "Teacher Day", "start": date(2027, 2, 15), "end": date(2027, 2, 15)},
        {"start": date(2027, 4, 2), "end": date(2027, 4, 2)},
    ]
}


def listed(school: School) -> tuple[SchoolBreak, ...]:
    return tuple(SchoolBreak(b.name, b.start, b.end) for b in school.breaks)


def test_school_breaks_are_the_listed_breaks():
    plan = make_plan(school=SCHOOL)
    ctx = EngineContext.build(plan, None).rule_context
    assert "school_breaks" not in vars(ctx)  # not made until read
    assert ctx.school_breaks == listed(plan.school)
    assert ctx.school_breaks is ctx.school_breaks  # made once
    assert EngineContext.build(make_plan(), None).rule_context.school_breaks == ()


def test_a_replaced_copy_keeps_its_breaks():
    plan = make_plan(school=SCHOOL)
    ctx = EngineContext.build(plan, None).rule_context
    copy = dataclasses.replace(ctx, birthdays={"maya": date(2016, 4, 12)})
    assert copy.school_breaks == listed(plan.school)
    assert copy.break_days("spring BREAK") == ctx.break_days("Spring Break")
    assert ctx.break_days(" spring break") == [
        (date(2027, 3, 15), date(2027, 3, 19)),
        (date(2028, 3, 13), date(2028, 3, 17)),
    ]


names = st.sampled_from(["Spring Break", "spring break", " Winter Break", "Teacher Day", ""])
breaks = st.builds(
    lambda name, year, month, days: {
        "name": name,
        "start": date(year, month, 1),
        "end": date(year, month, 1 + days),
    },
    names,
    st.integers(2026, 2029),
    st.integers(1, 12),
    st.integers(0, 20),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(breaks, max_size=12), st.sampled_from(NAMES), st.integers(2025, 2030))
def test_school_break_rule_answers_as_from_all_the_breaks(break_list, name, year):
    school = School(breaks=break_list)
    run = EngineContext.build(make_plan(school=school.model_dump()), None).rule_context
    plain = RuleContext(school_breaks=listed(school))
    rule = SchoolBreakRule()
    assert rule.occurrences(year, {"name": name}, run) == rule.occurrences(
        year, {"name": name}, plain
    )
    assert run.break_days(name) == [
        (b.first, b.last)
        for b in plain.school_breaks
        if b.name.strip().casefold() == name.strip().casefold()
    ]


class FirstBreakRule:
    """A third party's rule: the first day of each year's earliest break."""

    description = "the first day of the year's earliest school break"

    def validate(self, options, ctx):
        return []

    def occurrences(self, year, options, ctx):
        firsts = sorted(b.first for b in ctx.school_breaks if b.first.year == year)
        return [Occurrence(firsts[0], firsts[0])] if firsts else []


class FirstBreakPlugin:
    @hookimpl
    def pc_calendar_register_date_rules(self, register):
        register("test_first_break_day", FirstBreakRule())


def test_a_plugin_rule_reads_every_break_during_a_run():
    pm = plugins.build_plugin_manager(extra=[FirstBreakPlugin()])
    holiday = {
        "name": "First break day",
        "date": {"rule": "test_first_break_day"},
        "assign": {"parent": "sam"},
    }
    plan = make_plan(school=SCHOOL, holidays=[holiday])
    timeline = compute_timeline(plan, date(2027, 1, 1), date(2027, 12, 31), pm)
    assert [(h.name, h.first) for h in timeline.holidays] == [
        ("First break day", date(2027, 2, 15))
    ]
    assert SchoolDays(plan.school).breaks() == listed(plan.school)
