"""Lint: one test (or more) per kind of warning, and none for clean plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from pc_calendar import hookimpl, plugins
from pc_calendar.plan.lint import LintWarning, lint_plan
from pc_calendar.plan.load import load
from pc_calendar.plan.references import default_years

DATA = Path(__file__).parent.parent / "data"
EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
MINIMAL = (DATA / "minimal.toml").read_text()


def line_with(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def lint_text(tmp_path: Path, text: str, pm=None, years=None) -> list[LintWarning]:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load(path, pm=pm)
    return lint_plan(loaded.plan, pm=pm, years=years, locator=loaded.locator)


def of_kind(warnings: list[LintWarning], code: str) -> list[LintWarning]:
    return [w for w in warnings if w.code == code]


def test_shipped_example_and_minimal_plan_are_clean(tmp_path):
    loaded = load(EXAMPLE)
    assert lint_plan(loaded.plan, locator=loaded.locator) == []
    assert lint_text(tmp_path, MINIMAL) == []


def test_default_years_start_at_the_plans_first_date():
    assert default_years(load(DATA / "minimal.toml").plan) == range(2026, 2030)


# -- rotation anchor --------------------------------------------------------------------


class NoAnchorPattern:
    description = "test: always slot 0, no anchor needed"
    needs_anchor = False

    def slot_for(self, day, ctx):
        return 0

    def validate(self, options):
        return []


class AnchorlessPlugin:
    @hookimpl
    def pc_calendar_register_patterns(self, register):
        register("test_no_anchor", NoAnchorPattern())


def test_rotation_without_anchor(tmp_path):
    text = MINIMAL.replace("anchor = 2026-01-05\n", "")
    [warning] = lint_text(tmp_path, text)
    assert (warning.code, warning.key) == ("no-anchor", "rotation")
    assert warning.line == line_with(text, "[rotation]")
    assert "pattern 'alternating_weeks' counts its cycle from an anchor date" in warning.message


def test_pattern_that_needs_no_anchor_is_not_flagged(tmp_path):
    pm = plugins.build_plugin_manager(extra=[AnchorlessPlugin()])
    text = MINIMAL.replace("anchor = 2026-01-05\n", "").replace(
        '"alternating_weeks"', '"test_no_anchor"'
    )
    assert lint_text(tmp_path, text, pm=pm) == []


# -- holidays ---------------------------------------------------------------------------

JULY_4 = """
[[holidays]]
name = "Independence Day"
date = {{ rule = "fixed", month = 7, day = 4 }}
start = {{ days = 0, time = 09:00:00 }}
end = {{ time = 21:00:00 }}
assign = {{ parent = "{first}" }}

[[holidays]]
name = "Fireworks"
date = {{ rule = "fixed", month = 7, day = 4 }}
start = {{ days = 0, time = 19:00:00 }}
end = {{ days = 1, time = 10:00:00 }}
assign = {{ parent = "{second}" }}
priority = {priority}
"""


def test_overlapping_holidays_at_equal_priority(tmp_path):
    text = MINIMAL + JULY_4.format(first="ana", second="ben", priority=0)
    [warning] = lint_text(tmp_path, text)
    assert (warning.code, warning.key) == ("holiday-overlap", "holidays[2]")
    assert warning.line == line_with(text, 'name = "Fireworks"') - 1
    assert warning.message == (
        "'Fireworks' and 'Independence Day' (holidays[1]) both claim 2026-07-04 19:00 to "
        "2026-07-04 21:00 at priority 0, for ben and ana; give one of them a higher priority"
    )


@pytest.mark.parametrize(("second", "priority"), [("ben", 1), ("ana", 0)])
def test_overlap_resolved_by_priority_or_same_parent_is_fine(tmp_path, second, priority):
    text = MINIMAL + JULY_4.format(first="ana", second=second, priority=priority)
    assert lint_text(tmp_path, text) == []


SUMMER = """
[[seasons]]
name = "Summer with Ben"
start = "06-20"
end = "07-20"
assign = {{ parent = "ben" }}

[[holidays]]
name = "Independence Day"
date = {{ rule = "fixed", month = 7, day = 4 }}
start = {{ days = 0, time = 09:00:00 }}
end = {{ time = 21:00:00 }}
assign = {{ parent = "{parent}" }}
"""


def test_holiday_inside_the_other_parents_season(tmp_path):
    text = MINIMAL + SUMMER.format(parent="ana")
    [warning] = lint_text(tmp_path, text)
    assert (warning.code, warning.key) == ("holiday-in-season", "holidays[1]")
    assert warning.message.startswith(
        "'Independence Day' (2026-07-04 09:00 to 2026-07-04 21:00, ana) lands inside "
        "'Summer with Ben' (seasons[0]), ben's block"
    )


def test_holiday_inside_own_season_is_fine(tmp_path):
    assert lint_text(tmp_path, MINIMAL + SUMMER.format(parent="ben")) == []


def test_lint_years_limit_the_horizon(tmp_path):
    text = MINIMAL + (
        '\n[[seasons]]\nname = "Summer 2026"\nstart = 2026-06-20\nend = 2026-07-20\n'
        'assign = { parent = "ben" }\n'
        '\n[[holidays]]\nname = "Independence Day"\n'
        'date = { rule = "fixed", month = 7, day = 4 }\nassign = { parent = "ana" }\n'
    )
    assert of_kind(lint_text(tmp_path, text), "holiday-in-season")
    assert lint_text(tmp_path, text, years=[2028]) == []


# -- DST --------------------------------------------------------------------------------


def test_exchange_time_that_does_not_exist(tmp_path):
    text = MINIMAL.replace("time = 18:00:00", "time = 02:30:00")
    [warning] = lint_text(tmp_path, text)
    assert (warning.code, warning.key) == ("dst", "exchange.time")
    assert warning.line == line_with(text, "time = 02:30:00")
    assert warning.message.startswith(
        "exchange time: 2026-03-08 02:30 does not exist in America/Chicago (clocks go forward)"
    )


def test_weekday_exchange_time_that_happens_twice(tmp_path):
    text = MINIMAL.replace(
        'location = "home"', 'location = "home"\nweekdays.sunday = { time = 01:30:00 }'
    )
    [warning] = lint_text(tmp_path, text)
    assert warning.key == "exchange.weekdays.sunday.time"
    assert "2026-11-01 01:30 happens twice in America/Chicago" in warning.message


@pytest.mark.parametrize(
    ("zone", "wall", "expected"),
    [
        (
            "Europe/London",
            "01:30",
            ["2026-03-29 01:30 does not exist", "2026-10-25 01:30 happens twice"],
        ),
        (
            "America/Havana",
            "00:30",
            ["2026-03-08 00:30 does not exist", "2026-11-01 00:30 happens twice"],
        ),
        (
            "Australia/Sydney",
            "02:30",
            ["2026-04-05 02:30 happens twice", "2026-10-04 02:30 does not exist"],
        ),
        ("Asia/Tokyo", "02:30", []),
    ],
)
def test_dst_in_several_zones(tmp_path, zone, wall, expected):
    text = MINIMAL.replace('"America/Chicago"', f'"{zone}"').replace(
        "time = 18:00:00", f"time = {wall}:00"
    )
    warnings = lint_text(tmp_path, text)
    assert len(warnings) == len(expected)
    for warning, fragment in zip(sorted(warnings, key=lambda w: w.message), expected, strict=True):
        assert fragment in warning.message


def test_visit_span_edge_season_edge_and_override_on_dst_days(tmp_path):
    text = (
        MINIMAL
        + """
[[visits]]
parent = "ben"
weekday = "sunday"
start = 02:15:00
end = 04:00:00

[[seasons]]
name = "Spring stay"
start = 2027-03-14
end = 2027-03-20
start_time = 02:30:00
assign = { parent = "ben" }

[[holidays]]
name = "Daylight day"
date = { rule = "nth_weekday", month = 3, weekday = "sunday", n = 2 }
start = { days = 0, time = 02:15:00 }
end = { days = 0, time = 20:00:00 }
assign = { parent = "ben" }

[[overrides]]
name = "Late return"
start = 2026-10-31T18:00:00
end = 2026-11-01T01:30:00
parent = "ben"
agreed_by = ["ana", "ben"]
decided_on = 2026-10-01
"""
    )
    warnings = of_kind(lint_text(tmp_path, text), "dst")
    assert {w.key: w.message.split(": ", 1)[0] for w in warnings} == {
        "visits[0].start": "visit 'midweek visit' start",
        "seasons[0].start_time": "season 'Spring stay'",
        "holidays[1].start.time": "'Daylight day'",
        "overrides[0].end": "override 'Late return' end",
    }
    by_key = {w.key: w for w in warnings}
    assert "2027-03-14 02:30 does not exist" in by_key["seasons[0].start_time"].message
    assert "2026-03-08 02:15 does not exist" in by_key["holidays[1].start.time"].message
    assert "2026-11-01 01:30 happens twice" in by_key["overrides[0].end"].message
    assert by_key["visits[0].start"].line == line_with(text, "start = 02:15:00")


# -- overrides --------------------------------------------------------------------------

OVERRIDES = """
[[children]]
id = "lou"
name = "Lou"
birth_date = 2020-01-01

[[overrides]]
name = "Trip"
start = 2026-12-09T18:00:00
end = 2026-12-11T18:00:00
parent = "ben"
agreed_by = ["ana", "ben"]
decided_on = 2026-11-20

[[overrides]]
name = "Concert"
kind = "decision"
start = 2026-12-10T17:00:00
end = 2026-12-10T22:00:00
parent = "{parent}"
children = [{children}]
decided_by = "coordinator"
decided_on = 2026-11-21
"""


def test_contradicting_overrides(tmp_path):
    text = MINIMAL.replace(
        "[locations.home]", OVERRIDES.format(parent="ana", children='"kim"') + "\n[locations.home]"
    )
    [warning] = lint_text(tmp_path, text)
    assert (warning.code, warning.key) == ("override-conflict", "overrides[1]")
    assert warning.line == line_with(text, 'name = "Concert"') - 1
    assert warning.message == (
        "'Concert' gives kim to ana from 2026-12-10 17:00 to 2026-12-10 22:00, but "
        "overrides[0] 'Trip' gives that time to ben; overrides have no order between them, "
        "so remove or shorten one"
    )


@pytest.mark.parametrize("parent", ["ben"])
def test_overrides_agreeing_on_the_parent_are_fine(tmp_path, parent):
    text = MINIMAL.replace(
        "[locations.home]", OVERRIDES.format(parent=parent, children='"kim"') + "\n[locations.home]"
    )
    assert lint_text(tmp_path, text) == []


def test_overrides_for_different_children_do_not_conflict(tmp_path):
    text = MINIMAL.replace(
        "[locations.home]", OVERRIDES.format(parent="ana", children='"lou"') + "\n[locations.home]"
    )
    text = text.replace(
        'end = 2026-12-11T18:00:00\nparent = "ben"',
        'end = 2026-12-11T18:00:00\nparent = "ben"\nchildren = ["kim"]',
    )
    assert lint_text(tmp_path, text) == []


def test_render_and_json_shape():
    warning = LintWarning("dst", "exchange.time", "x happens twice", 12)
    assert warning.render("plan.toml") == "plan.toml:12: warning: exchange.time: x happens twice"
    assert warning.as_dict() == {
        "code": "dst",
        "key": "exchange.time",
        "line": 12,
        "message": "x happens twice",
    }
