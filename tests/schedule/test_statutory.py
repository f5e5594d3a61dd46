"""The Texas Standard Possession Order weekend pattern, day by day against a calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pc_calendar import plugins
from pc_calendar.schedule.api import Pattern, PatternContext
from pc_calendar.schedule.statutory import TexasSpoWeekends, is_spo_friday

SPO = TexasSpoWeekends()
PC, MC = 1, 0

# An invented school year: term 2026-08-12..2026-12-18 and 2027-01-04..2027-05-27,
# with single-day holidays and a Thanksgiving week.
TERMS = [(date(2026, 8, 12), date(2026, 12, 18)), (date(2027, 1, 4), date(2027, 5, 27))]
BREAKS = [
    (date(2026, 9, 7), date(2026, 9, 7)),  # Labor Day (Mon)
    (date(2026, 10, 2), date(2026, 10, 2)),  # in-service day (Fri, 1st Friday)
    (date(2026, 10, 9), date(2026, 10, 9)),  # fair day (Fri, 2nd Friday)
    (date(2026, 11, 23), date(2026, 11, 27)),
    (date(2026, 12, 21), date(2027, 1, 1)),
    (date(2027, 1, 18), date(2027, 1, 18)),  # MLK Day (Mon)
]


def school_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    if any(a <= day <= b for a, b in BREAKS):
        return False
    return any(a <= day <= b for a, b in TERMS)


def ctx(**options) -> PatternContext:
    return PatternContext(None, options, school_day)


def slots(first: date, last: date, context: PatternContext) -> str:
    """One letter per day: M (managing conservator's night) or P (possessory's)."""
    out, day = [], first
    while day <= last:
        out.append("P" if SPO.slot_for(day, context) == PC else "M")
        day += timedelta(days=1)
    return "".join(out)


def test_registered_and_conforms():
    registry = plugins.patterns(plugins.build_plugin_manager())
    assert "texas_spo_weekends" in registry
    assert isinstance(registry["texas_spo_weekends"], Pattern)
    assert registry["texas_spo_weekends"].needs_anchor is False


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 2), True),  # 1st
        (date(2026, 1, 9), False),  # 2nd
        (date(2026, 1, 16), True),  # 3rd
        (date(2026, 1, 23), False),  # 4th
        (date(2026, 1, 30), True),  # 5th
        (date(2026, 2, 6), True),  # 1st again the next week
        (date(2026, 1, 31), False),  # a Saturday
    ],
)
def test_first_third_fifth_friday(day, expected):
    assert is_spo_friday(day) is expected


def test_plain_weekends_friday_to_sunday_in_term():
    # October 2026 (Fridays 2, 9, 16, 23, 30), no extension option: Fri and Sat nights
    # of the 16th and the 30th weekends, and the 5th-Friday weekend runs into November.
    got = slots(date(2026, 10, 12), date(2026, 11, 2), ctx(extend_for_school_holidays=False))
    #               Mo12 ......Su18 Mo19.....Su25 Mo26 .....Su1 Mo2
    assert got == "MMMMPPM" + "MMMMMMM" + "MMMMPPM" + "M"


def test_fifth_friday_weekend_crosses_into_next_month():
    # 31 July 2026 is the 5th Friday; 1 August is Saturday; next 1st Friday is 7 August.
    got = slots(date(2026, 7, 30), date(2026, 8, 9), ctx())
    assert got == "MPPMMMMMPPM"


def test_monday_school_holiday_extends_to_monday():
    # Labor Day, Monday 7 September 2026, follows the 1st-Friday weekend (4 September).
    got = slots(date(2026, 9, 3), date(2026, 9, 8), ctx())
    assert got == "MPPPMM"  # Thu M, Fri P, Sat P, Sun P (returned Monday), Mon M
    assert (
        slots(date(2026, 9, 3), date(2026, 9, 8), ctx(extend_for_school_holidays=False)) == "MPPMMM"
    )


def test_friday_school_holiday_starts_on_thursday():
    # 2 October 2026: in-service Friday, 1st Friday -> begins Thursday 1 October.
    assert slots(date(2026, 9, 30), date(2026, 10, 5), ctx()) == "MPPPMM"


def test_holiday_next_to_the_other_parents_weekend_changes_nothing():
    # 9 October 2026 is a school holiday but the 2nd Friday: not the possessory weekend.
    assert slots(date(2026, 10, 7), date(2026, 10, 12), ctx()) == "MMMMMM"


def test_mlk_monday_in_january():
    # 15 January 2027 is the 3rd Friday; MLK Day on Monday the 18th.
    assert slots(date(2027, 1, 14), date(2027, 1, 19), ctx()) == "MPPPMM"


def test_summer_is_not_a_run_of_school_holidays():
    # Summer 2027 after the term ends 27 May: Fridays and Mondays are not school days
    # but not term holidays either, so weekends stay Friday to Sunday.
    # June 2027: Fridays 4 (1st), 11, 18 (3rd), 25.
    got = slots(date(2027, 6, 3), date(2027, 6, 21), ctx())
    assert got == "MPPMMMMMMMMMMMMPPMM"


def test_summer_public_holiday_extends_with_holiday_country():
    # Friday 19 June 2026 (Juneteenth) is the 3rd Friday of June; school is out.
    summer = date(2026, 6, 18), date(2026, 6, 22)
    assert slots(*summer, ctx()) == "MPPMM"
    assert slots(*summer, ctx(holiday_country="US")) == "PPPMM"
    # Monday 7 September 2026 in a summer without school (no terms at all after May):
    no_school = PatternContext(None, {"holiday_country": "US"}, lambda d: False)
    assert SPO.slot_for(date(2026, 9, 6), no_school) == PC  # Labor Day Monday
    assert SPO.slot_for(date(2026, 9, 13), no_school) == MC


def test_without_school_calendar_nothing_extends():
    weekdays = PatternContext(None, {}, lambda d: d.weekday() < 5)
    assert SPO.slot_for(date(2026, 9, 6), weekdays) == MC
    assert SPO.slot_for(date(2026, 10, 1), weekdays) == MC


def test_validate_options():
    assert SPO.validate({}) == []
    assert (
        SPO.validate(
            {"extend_for_school_holidays": True, "holiday_country": "US", "holiday_subdiv": "TX"}
        )
        == []
    )
    assert SPO.validate({"extend_for_school_holidays": "yes"}) == [
        "extend_for_school_holidays: expected true or false, got 'yes'"
    ]
    assert SPO.validate({"holiday_country": "XY"})[0].startswith(
        "holiday_country: unknown country 'XY'"
    )
    assert SPO.validate({"holiday_subdiv": "TX"}) == [
        "holiday_subdiv: needs holiday_country as well"
    ]
    assert SPO.validate({"extend": True})[0].startswith("extend: unknown option")
