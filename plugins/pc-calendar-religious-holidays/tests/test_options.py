"""Option validation: every mistake named as 'key: what is expected'."""

from __future__ import annotations

import pytest
from pc_calendar.schedule.api import RuleContext

from pc_calendar_religious_holidays import RULES

CTX = RuleContext()


@pytest.mark.parametrize(
    ("rule", "options", "problem"),
    [
        ("eid_al_fitr", {"days": 0}, "days: expected 1..10, got 0"),
        ("eid_al_fitr", {"days": "3"}, "days: expected a whole number 1..10, got '3'"),
        ("eid_al_fitr", {"days": True}, "days: expected a whole number 1..10, got True"),
        ("eid_al_adha", {"adjust": 3}, "adjust: expected -2..2, got 3"),
        ("rosh_hashanah", {"adjust": 1}, "adjust: unknown option (expected one of days)"),
        ("passover", {"country": "IL"}, "country: unknown option (expected one of days)"),
        (
            "lunar_new_year",
            {"calendar": "tibetan"},
            "calendar: expected one of chinese, korean, vietnamese, got 'tibetan'",
        ),
        ("diwali", {"calendar": "chinese"}, "calendar: unknown option (expected one of days)"),
    ],
)
def test_bad_options_are_named(rule, options, problem):
    assert problem in RULES[rule].validate(options, CTX)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_no_options_is_valid(rule):
    assert RULES[rule].validate({}, CTX) == []


def test_good_options_are_valid():
    assert RULES["eid_al_adha"].validate({"days": 4, "adjust": -1}, CTX) == []
    assert RULES["lunar_new_year"].validate({"calendar": "korean", "days": 3}, CTX) == []
