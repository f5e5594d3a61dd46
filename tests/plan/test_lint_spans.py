"""Lint: school snaps that run off the school calendar, and holidays over 30 days."""

from __future__ import annotations

from pathlib import Path

import pytest

from pc_calendar.errors import PlanError
from pc_calendar.plan.lint import LintWarning, lint_plan
from pc_calendar.plan.load import load

DATA = Path(__file__).parent.parent / "data"
MINIMAL = (DATA / "minimal.toml").read_text()

# A six-week closure inside the listed term, and a holiday that starts on "the last
# school day before" 1 February: in 2027 that is Thursday 31 December 2026, 32 days
# back, which makes a 32-day holiday nobody meant.
CLOSURE = MINIMAL.replace(
    'breaks = [{ name = "Spring Break", start = 2027-03-15, end = 2027-03-19 }]',
    'breaks = [\n  { name = "Spring Break", start = 2027-03-15, end = 2027-03-19 },\n'
    '  { name = "Closure", start = 2027-01-01, end = 2027-02-12 },\n]',
)
GROUNDHOG = """
[[holidays]]
name = "Groundhog Day"
date = { rule = "fixed", month = 2, day = 1 }
start = { school = "last_school_day_before", time = 18:00:00 }
end = { time = 20:00:00 }
assign = { parent = "ben" }
"""


def lint_text(tmp_path: Path, text: str, years=None) -> list[LintWarning]:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load(path)
    return lint_plan(loaded.plan, years=years, locator=loaded.locator)


def line_with(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_far_school_snap_and_long_span_are_named(tmp_path):
    text = CLOSURE + GROUNDHOG
    warnings = lint_text(tmp_path, text)
    assert [(w.code, w.key) for w in warnings] == [
        ("school-calendar-ends", "school"),  # one school year, four years linted
        ("long-holiday", "holidays[1]"),
        ("school-snap", "holidays[1].start.school"),
    ]
    _, long_span, snap = warnings
    assert snap.line == line_with(text, "start = { school")
    assert long_span.line == line_with(text, 'name = "Groundhog Day"') - 1
    assert "moves from 2027-02-01 to 2026-12-31, 32 days away" in snap.message
    assert "2026-12-31 18:00 to 2027-02-01 20:00, more than 30 days" in long_span.message


def test_only_occurrences_in_the_linted_years_warn(tmp_path):
    # 2028 is outside the listed terms: every weekday counts, the snap is one day; the
    # only warning is that the school calendar does not reach the year linted.
    warnings = lint_text(tmp_path, CLOSURE + GROUNDHOG, years=[2028])
    assert [(w.code, w.key) for w in warnings] == [("school-calendar-ends", "school")]
    assert "ends on 2027-05-28 (its last listed day), before 2028-12-31" in warnings[0].message
    assert "holidays[1] (Groundhog Day)" in warnings[0].message


def test_a_long_holiday_without_school_snaps(tmp_path):
    summer = (
        '\n[[holidays]]\nname = "Summer trip"\n'
        'date = { rule = "fixed", month = 7, day = 1 }\n'
        "start = { days = 0, time = 09:00:00 }\nend = { days = 35, time = 18:00:00 }\n"
        'assign = { parent = "ben" }\n'
    )
    warnings = lint_text(tmp_path, MINIMAL + summer)
    assert {(w.code, w.key) for w in warnings} == {("long-holiday", "holidays[1]")}
    assert len(warnings) == 1  # one warning for every year it recurs


def test_snaps_within_three_weeks_are_fine(tmp_path):
    thanksgiving = (
        '\n[[holidays]]\nname = "Thanksgiving"\n'
        'date = { rule = "nth_weekday", month = 11, weekday = "thursday", n = 4 }\n'
        'start = { school = "last_school_day_before", time = "dismissal" }\n'
        'end = { school = "day_before_school_resumes", time = 18:00:00 }\n'
        'assign = { even_years = "ana", odd_years = "ben" }\n'
    )
    warnings = lint_text(tmp_path, MINIMAL + thanksgiving)
    # Only the short school calendar is named, not the snaps it does cover.
    assert [w.code for w in warnings] == ["school-calendar-ends"]


def test_edge_locations_must_be_known_places(tmp_path):
    text = MINIMAL.replace(
        'assign = { even_years = "ana", odd_years = "ben" }',
        'assign = { even_years = "ana", odd_years = "ben" }\n'
        'start = { days = -1, location = "home" }\nend = { location = "scool" }',
    )
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load(path)
    [problem] = info.value.problems
    assert problem.key == "holidays[0].end.location"
    assert "unknown location 'scool'" in problem.message
    assert problem.line == line_with(text, 'end = { location = "scool" }')
