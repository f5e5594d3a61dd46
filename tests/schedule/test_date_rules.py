"""The built-in date rules, checked against dates written out by hand from calendars."""

from __future__ import annotations

from datetime import date

import pytest

from pc_calendar import plugins
from pc_calendar.schedule.api import DateRule, Occurrence, RuleContext, SchoolBreak
from pc_calendar.schedule.date_rules import BUILTIN_RULES, nth_weekday

CTX = RuleContext()


def days(rule: str, year: int, ctx: RuleContext = CTX, **options) -> list[date]:
    """First days of the rule's occurrences in ``year`` (after checking the options)."""
    impl = BUILTIN_RULES[rule]
    assert impl.validate(options, ctx) == []
    return [o.first for o in impl.occurrences(year, options, ctx)]


def problems(rule: str, ctx: RuleContext = CTX, **options) -> list[str]:
    return BUILTIN_RULES[rule].validate(options, ctx)


def test_registered_through_the_plugin_hook():
    registry = plugins.date_rules(plugins.build_plugin_manager())
    for name in ("fixed", "nth_weekday", "easter", "public", "birthday", "school_break"):
        assert name in registry
        assert isinstance(registry[name], DateRule)
        assert registry.owners[name] == "pc_calendar.schedule.date_rules"


# --- fixed -------------------------------------------------------------------------


def test_fixed_day_every_year():
    assert days("fixed", 2026, month=7, day=4) == [date(2026, 7, 4)]
    assert days("fixed", 2027, month=12, day=25) == [date(2027, 12, 25)]


def test_fixed_leap_day_only_in_leap_years():
    assert days("fixed", 2028, month=2, day=29) == [date(2028, 2, 29)]
    assert days("fixed", 2027, month=2, day=29) == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"month": 2, "day": 30}, "day: month 2 has no day 30"),
        ({"month": 13, "day": 1}, "month: expected 1..12, got 13"),
        ({"month": 4}, "day: required"),
        ({"month": "4", "day": 1}, "month: expected a whole number"),
        ({"month": True, "day": 1}, "month: expected a whole number"),
        ({"month": 4, "day": 1, "dya": 2}, "dya: unknown option"),
    ],
)
def test_fixed_bad_options(options, expected):
    found = problems("fixed", **options)
    assert any(p.startswith(expected) for p in found), found


# --- nth_weekday ---------------------------------------------------------------------


def test_thanksgiving_fourth_thursday_of_november():
    opts = {"month": 11, "weekday": "thursday", "n": 4}
    assert days("nth_weekday", 2026, **opts) == [date(2026, 11, 26)]
    assert days("nth_weekday", 2027, **opts) == [date(2027, 11, 25)]
    assert days("nth_weekday", 2028, **opts) == [date(2028, 11, 23)]


def test_memorial_day_last_monday_of_may():
    opts = {"month": 5, "weekday": "monday", "n": -1}
    assert days("nth_weekday", 2026, **opts) == [date(2026, 5, 25)]
    assert days("nth_weekday", 2027, **opts) == [date(2027, 5, 31)]


def test_last_weekday_of_december_does_not_overflow_the_year():
    assert days("nth_weekday", 2026, month=12, weekday="thursday", n=-1) == [date(2026, 12, 31)]


def test_fifth_friday_exists_in_some_years_only():
    opts = {"month": 1, "weekday": "friday", "n": 5}
    assert days("nth_weekday", 2026, **opts) == [date(2026, 1, 30)]
    assert days("nth_weekday", 2027, **opts) == [date(2027, 1, 29)]
    assert days("nth_weekday", 2028, **opts) == []  # January 2028: Fridays 7..28


def test_nth_weekday_helper_first_days():
    assert nth_weekday(2026, 9, 0, 1) == date(2026, 9, 7)  # Labor Day
    assert nth_weekday(2026, 5, 6, 2) == date(2026, 5, 10)  # Mother's Day


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"month": 11, "weekday": "thursday", "n": 6}, "n: expected 1..5 or -1, got 6"),
        ({"month": 11, "weekday": "thursday", "n": 0}, "n: expected 1..5 or -1, got 0"),
        ({"month": 11, "weekday": "thurs", "n": 4}, "weekday: expected one of monday"),
        ({"month": 11, "n": 4}, "weekday: required"),
    ],
)
def test_nth_weekday_bad_options(options, expected):
    found = problems("nth_weekday", **options)
    assert any(p.startswith(expected) for p in found), found


# --- easter ----------------------------------------------------------------------------


def test_western_easter():
    assert days("easter", 2026) == [date(2026, 4, 5)]
    assert days("easter", 2027) == [date(2027, 3, 28)]
    assert days("easter", 2028) == [date(2028, 4, 16)]


def test_orthodox_easter_as_gregorian_date():
    assert days("easter", 2026, method="orthodox") == [date(2026, 4, 12)]
    assert days("easter", 2027, method="orthodox") == [date(2027, 5, 2)]


def test_easter_offsets():
    assert days("easter", 2026, offset=-2) == [date(2026, 4, 3)]  # Good Friday
    assert days("easter", 2027, offset=1) == [date(2027, 3, 29)]  # Easter Monday
    assert days("easter", 2026, offset=49) == [date(2026, 5, 24)]  # Pentecost


def test_easter_bad_options():
    assert problems("easter", method="julian") == [
        "method: expected western or orthodox, got 'julian'"
    ]
    assert problems("easter", offset=1.5)[0].startswith("offset: expected a whole number")


# --- public ----------------------------------------------------------------------------

US_ALL = {"country": "US", "categories": ["public", "unofficial"]}


def test_public_thanksgiving_in_public_category():
    assert days("public", 2026, country="US", name="Thanksgiving Day") == [date(2026, 11, 26)]
    assert days("public", 2027, country="US", name="Thanksgiving Day") == [date(2027, 11, 25)]


def test_public_mothers_and_fathers_day_are_unofficial():
    assert days("public", 2026, name="Mother's Day", **US_ALL) == [date(2026, 5, 10)]
    assert days("public", 2027, name="Mother's Day", **US_ALL) == [date(2027, 5, 9)]
    assert days("public", 2026, name="Father's Day", **US_ALL) == [date(2026, 6, 21)]
    assert days("public", 2027, name="Father's Day", **US_ALL) == [date(2027, 6, 20)]
    assert days("public", 2026, name="Halloween", **US_ALL) == [date(2026, 10, 31)]
    assert days("public", 2026, name="Easter Sunday", **US_ALL) == [date(2026, 4, 5)]


def test_public_exact_name_does_not_match_a_longer_name():
    # "Christmas Day" must not also match "Christmas Eve".
    assert days("public", 2026, name="Christmas Day", **US_ALL) == [date(2026, 12, 25)]
    assert days("public", 2026, name="Christmas Eve", **US_ALL) == [date(2026, 12, 24)]
    # Independence Day 2026 is a Saturday; only the day itself, not "(observed)".
    assert days("public", 2026, country="US", name="Independence Day") == [date(2026, 7, 4)]


def test_public_subdivision_holiday():
    assert days("public", 2026, country="US", subdiv="TX", name="Texas Independence Day") == [
        date(2026, 3, 2)
    ]


def test_public_name_in_another_category_says_which():
    found = problems("public", country="US", name="Mother's Day")
    assert len(found) == 1
    assert found[0].startswith('name: US has no holiday named "Mother\'s Day"')
    assert "category unofficial" in found[0]


def test_public_unknown_name_lists_close_names():
    found = problems("public", country="US", name="Thanksgiving")
    assert found == [
        "name: US has no holiday named 'Thanksgiving' in categories public "
        "(close: Thanksgiving Day)"
    ]


def test_public_unknown_country_and_subdivision():
    found = problems("public", country="XY", name="Thanksgiving Day")
    assert found[0].startswith("country: unknown country 'XY' (close: ")
    found = problems("public", country="us", name="Thanksgiving Day")
    assert found[0].startswith("country: unknown country 'us' (close: US")
    found = problems("public", country="US", subdiv="tx", name="Thanksgiving Day")
    assert found[0].startswith("subdiv: US has no subdivision 'tx' (close: TX")


def test_public_bad_categories():
    assert problems("public", country="US", name="Halloween", categories="unofficial")[
        0
    ].startswith("categories: expected a list of names")
    assert problems("public", country="US", name="Halloween", categories=["nope"])[0].startswith(
        "categories: "
    )


def test_public_missing_keys():
    assert sorted(problems("public")) == [
        "country: required, expected a text value",
        "name: required, expected a text value",
    ]


# --- birthday --------------------------------------------------------------------------

BIRTHDAYS = RuleContext(
    birthdays={
        "maya": date(2016, 4, 12),
        "leap": date(2020, 2, 29),
        "alex": date(1985, 11, 3),
    }
)


def test_birthday_every_year_after_birth():
    assert days("birthday", 2026, BIRTHDAYS, of="maya") == [date(2026, 4, 12)]
    assert days("birthday", 2027, BIRTHDAYS, of="alex") == [date(2027, 11, 3)]
    assert days("birthday", 2016, BIRTHDAYS, of="maya") == []  # the day of birth
    assert days("birthday", 2010, BIRTHDAYS, of="maya") == []


def test_child_birthday_ends_when_the_child_leaves_the_schedule():
    # QA D2: Ava (born 2014-02-11) leaves at 18 on 2032-02-11; her birthday must not
    # move her younger brother in 2032 or later. A parent's birthday never ends.
    ctx = RuleContext(
        birthdays={"ava": date(2014, 2, 11), "dana": date(1986, 5, 19)},
        leaves={"ava": date(2032, 2, 11)},
    )
    assert days("birthday", 2031, ctx, of="ava") == [date(2031, 2, 11)]
    assert days("birthday", 2032, ctx, of="ava") == []
    assert days("birthday", 2033, ctx, of="ava") == []
    assert days("birthday", 2060, ctx, of="dana") == [date(2060, 5, 19)]


def test_leap_day_birthday_moves_to_28_february_in_common_years():
    assert days("birthday", 2027, BIRTHDAYS, of="leap") == [date(2027, 2, 28)]
    assert days("birthday", 2028, BIRTHDAYS, of="leap") == [date(2028, 2, 29)]


def test_birthday_of_unknown_person():
    assert problems("birthday", BIRTHDAYS, of="leo") == [
        "of: no child or parent 'leo' with a birth date (known: alex, leap, maya)"
    ]
    assert problems("birthday", BIRTHDAYS) == ["of: required, expected a text value"]


# --- school_break ----------------------------------------------------------------------

SCHOOL = RuleContext(
    school_breaks=(
        SchoolBreak("Thanksgiving Break", date(2026, 11, 23), date(2026, 11, 27)),
        SchoolBreak("Winter Break", date(2026, 12, 21), date(2027, 1, 1)),
        SchoolBreak("Spring Break", date(2027, 3, 15), date(2027, 3, 19)),
        SchoolBreak("spring break", date(2028, 3, 13), date(2028, 3, 17)),
    )
)


def test_school_break_occurrences_by_first_day_year():
    rule = BUILTIN_RULES["school_break"]
    assert rule.occurrences(2026, {"name": "Winter Break"}, SCHOOL) == [
        Occurrence(date(2026, 12, 21), date(2027, 1, 1))
    ]
    assert rule.occurrences(2027, {"name": "Winter Break"}, SCHOOL) == []


def test_school_break_name_is_case_insensitive():
    rule = BUILTIN_RULES["school_break"]
    opts = {"name": "SPRING BREAK"}
    assert rule.validate(opts, SCHOOL) == []
    assert rule.occurrences(2027, opts, SCHOOL) == [
        Occurrence(date(2027, 3, 15), date(2027, 3, 19))
    ]
    assert rule.occurrences(2028, opts, SCHOOL) == [
        Occurrence(date(2028, 3, 13), date(2028, 3, 17))
    ]


def test_school_break_unknown_name_lists_every_break_name():
    found = problems("school_break", SCHOOL, name="Spring Brake")
    assert len(found) == 1
    assert found[0].startswith(
        "name: no school break named 'Spring Brake'; the breaks in the school calendar are named: "
    )
    assert "'Spring Break'" in found[0] and "'Winter Break'" in found[0]


def test_school_break_unknown_name_does_not_suggest_a_wrong_break():
    # QA U7: the district calls it "Spring Vacation"; "Winter Break" is only close by
    # spelling, so every break name is listed instead of a misleading "close" one.
    ctx = RuleContext(
        school_breaks=(
            SchoolBreak("Winter Break", date(2026, 12, 21), date(2027, 1, 1)),
            SchoolBreak("Spring Vacation", date(2027, 3, 15), date(2027, 3, 19)),
            SchoolBreak("Winter Break", date(2027, 12, 20), date(2028, 1, 3)),
        )
    )
    assert problems("school_break", ctx, name="Spring Break") == [
        "name: no school break named 'Spring Break'; the breaks in the school calendar "
        "are named: 'Spring Vacation', 'Winter Break'"
    ]
    assert problems("school_break", RuleContext(), name="Spring Break") == [
        "name: no school break named 'Spring Break': the plan's school has no named breaks"
    ]


def test_every_rule_rejects_unknown_options():
    ctx = RuleContext(birthdays={"maya": date(2016, 4, 12)}, school_breaks=SCHOOL.school_breaks)
    good = {
        "fixed": {"month": 1, "day": 1},
        "nth_weekday": {"month": 1, "weekday": "monday", "n": 3},
        "easter": {},
        "public": {"country": "US", "name": "Thanksgiving Day"},
        "birthday": {"of": "maya"},
        "school_break": {"name": "Winter Break"},
    }
    for name, options in good.items():
        rule = BUILTIN_RULES[name]
        assert rule.validate(options, ctx) == [], name
        found = rule.validate({**options, "rule": name}, ctx)
        assert len(found) == 1 and found[0].startswith("rule: unknown option"), (name, found)
