"""Built-in rotation patterns: day strings from the anchor, option checks, registration."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pc_calendar import plugins
from pc_calendar.schedule.api import PatternContext
from pc_calendar.schedule.patterns import BUILT_IN

ANCHOR = date(2026, 1, 5)  # a Monday


def letters(name: str, count: int, anchor: date = ANCHOR, start: date = ANCHOR, **options) -> str:
    pattern = BUILT_IN[name]
    ctx = PatternContext(anchor, options)
    return "".join("AB"[pattern.slot_for(start + timedelta(days=i), ctx)] for i in range(count))


@pytest.mark.parametrize(
    ("name", "cycle"),
    [
        ("alternating_weeks", "AAAAAAABBBBBBB"),
        ("2-2-3", "AABBAAABBAABBB"),
        ("2-2-5-5", "AABBAAAAABBBBB"),
        ("3-4-4-3", "AAABBBBAAAABBB"),
    ],
)
def test_day_string_cycles_from_anchor(name, cycle):
    assert letters(name, 28) == cycle * 2
    # Days before the anchor continue the cycle backwards.
    assert letters(name, 14, start=ANCHOR - timedelta(days=14)) == cycle


def test_custom_days():
    assert letters("days", 10, days="AABAB") == "AABABAABAB"
    assert letters("days", 3, days="ab") == "ABA"


def test_every_other_weekend_default_friday_to_sunday():
    # Anchor week (5-11 Jan): Fri 9 and Sat 10 are B; the next weekend is A; then B.
    assert letters("every_other_weekend", 21) == "AAAABBAAAAAAAAAAAABBA"
    # The anchor may be any day of the weekend week.
    assert letters("every_other_weekend", 21, anchor=date(2026, 1, 8)) == ("AAAABBAAAAAAAAAAAABBA")


def test_every_other_weekend_extended_to_monday():
    got = letters("every_other_weekend", 14, **{"from": "thursday", "until": "monday"})
    assert got == "AAABBBBAAAAAAA"


@pytest.mark.parametrize(
    ("name", "options", "fragment"),
    [
        ("2-2-3", {"x": 1}, "x: unknown option"),
        ("days", {}, "days: required"),
        ("days", {"days": "AABC"}, "days: expected only the letters A and B"),
        ("days", {"days": "AAAA"}, "days: expected both A and B"),
        ("days", {"days": 7}, "days: expected a non-empty string"),
        ("every_other_weekend", {"from": "fri"}, "from: expected a weekday"),
        ("every_other_weekend", {"from": "monday", "until": "sunday"}, "until:"),
    ],
)
def test_validate_reports_key_and_expectation(name, options, fragment):
    problems = BUILT_IN[name].validate(options)
    assert any(p.startswith(fragment) for p in problems), problems


def test_valid_options_have_no_problems():
    assert BUILT_IN["days"].validate({"days": "AABBAAABBAABBB"}) == []
    assert BUILT_IN["every_other_weekend"].validate({"from": "friday", "until": "monday"}) == []
    assert BUILT_IN["2-2-5-5"].validate({}) == []


def test_registered_through_the_plugin_hook():
    registry = plugins.patterns(plugins.build_plugin_manager())
    for name in BUILT_IN:
        assert registry[name] is BUILT_IN[name]
        assert registry.owners[name] == "pc_calendar.schedule.patterns"
        assert registry[name].needs_anchor is True
        assert registry[name].description
