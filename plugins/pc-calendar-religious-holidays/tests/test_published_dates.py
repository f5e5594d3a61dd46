"""Each rule's dates against published tables, written out by hand.

Sources (first day of the holiday, Gregorian):
- Eid al-Fitr, Eid al-Adha, Islamic New Year, 1 Ramadan: the Umm al-Qura calendar as
  announced for Saudi Arabia (2022-2025 observed; 2026-2027 the published calendar).
- Rosh Hashanah, Yom Kippur, Passover, Hanukkah, Purim, Sukkot, Shavuot: the fixed
  arithmetic Hebrew calendar as printed in any Jewish calendar (e.g. the Hebcal tables);
  these are exact, so the table extends to 2030.
- Diwali, Holi: the Government of India's gazetted holiday lists.
- Lunar New Year: Chinese calendar; Vietnamese Tet where it differs (1985, 2007).
- Orthodox Easter: the Julian computus as published by the Orthodox churches.
"""

from __future__ import annotations

from datetime import date

import pytest
from pc_calendar.schedule.api import Occurrence, RuleContext

from pc_calendar_religious_holidays import RULES

CTX = RuleContext()

PUBLISHED: dict[str, dict[int, str]] = {
    "eid_al_fitr": {
        2022: "05-02",
        2023: "04-21",
        2024: "04-10",
        2025: "03-30",
        2026: "03-20",
        2027: "03-09",
    },
    "eid_al_adha": {
        2022: "07-09",
        2023: "06-28",
        2024: "06-16",
        2025: "06-06",
        2026: "05-27",
        2027: "05-16",
    },
    "islamic_new_year": {2023: "07-19", 2024: "07-07", 2025: "06-26"},
    "ramadan_start": {2023: "03-23", 2024: "03-11", 2025: "03-01"},
    "rosh_hashanah": {
        2022: "09-26",
        2023: "09-16",
        2024: "10-03",
        2025: "09-23",
        2026: "09-12",
        2027: "10-02",
        2028: "09-21",
        2029: "09-10",
        2030: "09-28",
    },
    "yom_kippur": {
        2022: "10-05",
        2023: "09-25",
        2024: "10-12",
        2025: "10-02",
        2026: "09-21",
        2027: "10-11",
        2028: "09-30",
        2029: "09-19",
        2030: "10-07",
    },
    "passover": {
        2022: "04-16",
        2023: "04-06",
        2024: "04-23",
        2025: "04-13",
        2026: "04-02",
        2027: "04-22",
    },
    "hanukkah": {
        2022: "12-19",
        2023: "12-08",
        2024: "12-26",
        2025: "12-15",
        2026: "12-05",
        2027: "12-25",
    },
    "purim": {2023: "03-07", 2024: "03-24", 2025: "03-14", 2026: "03-03"},
    "sukkot": {2023: "09-30", 2024: "10-17", 2025: "10-07"},
    "shavuot": {2023: "05-26", 2024: "06-12", 2025: "06-02"},
    "diwali": {2022: "10-24", 2023: "11-12", 2024: "10-31", 2025: "10-20"},
    "holi": {2023: "03-08", 2024: "03-25", 2025: "03-14"},
    "lunar_new_year": {
        2022: "02-01",
        2023: "01-22",
        2024: "02-10",
        2025: "01-29",
        2026: "02-17",
        2027: "02-06",
        2028: "01-26",
    },
    "orthodox_easter": {
        2022: "04-24",
        2023: "04-16",
        2024: "05-05",
        2025: "04-20",
        2026: "04-12",
        2027: "05-02",
    },
}

CASES = [(rule, year, md) for rule, table in PUBLISHED.items() for year, md in table.items()]


def first_days(rule: str, year: int, **options) -> list[date]:
    return [o.first for o in RULES[rule].occurrences(year, options, CTX)]


@pytest.mark.parametrize(("rule", "year", "month_day"), CASES)
def test_first_day_matches_the_published_table(rule, year, month_day):
    assert first_days(rule, year) == [date.fromisoformat(f"{year}-{month_day}")]


def test_every_rule_has_published_dates_checked():
    assert set(PUBLISHED) == set(RULES)


def test_eid_al_fitr_twice_in_2033():
    # The Islamic year is about 11 days shorter than the Gregorian one.
    assert first_days("eid_al_fitr", 2033) == [date(2033, 1, 2), date(2033, 12, 23)]


@pytest.mark.parametrize(
    ("year", "chinese", "vietnamese"), [(1985, "02-20", "01-21"), (2007, "02-18", "02-17")]
)
def test_vietnamese_tet_differs_where_published(year, chinese, vietnamese):
    assert first_days("lunar_new_year", year) == [date.fromisoformat(f"{year}-{chinese}")]
    assert first_days("lunar_new_year", year, calendar="vietnamese") == [
        date.fromisoformat(f"{year}-{vietnamese}")
    ]


def test_default_lengths_follow_the_holiday():
    assert RULES["rosh_hashanah"].occurrences(2025, {}, CTX) == [
        Occurrence(date(2025, 9, 23), date(2025, 9, 24))
    ]
    assert RULES["passover"].occurrences(2025, {}, CTX) == [
        Occurrence(date(2025, 4, 13), date(2025, 4, 20))
    ]
    assert RULES["passover"].occurrences(2025, {"days": 7}, CTX) == [
        Occurrence(date(2025, 4, 13), date(2025, 4, 19))
    ]
    # Hanukkah 2024 runs into 2025 and belongs to the year of its first day.
    assert RULES["hanukkah"].occurrences(2024, {}, CTX) == [
        Occurrence(date(2024, 12, 26), date(2025, 1, 2))
    ]
    assert first_days("hanukkah", 2025) == [date(2025, 12, 15)]


def test_adjust_moves_an_islamic_date_for_local_moon_sighting():
    assert first_days("eid_al_fitr", 2025, adjust=1) == [date(2025, 3, 31)]
    assert RULES["eid_al_adha"].occurrences(2025, {"adjust": -1, "days": 4}, CTX) == [
        Occurrence(date(2025, 6, 5), date(2025, 6, 8))
    ]


def test_adjust_can_carry_a_date_into_the_neighbouring_year():
    # Eid al-Fitr 2033: 2 January and 23 December; moved back 2 and forward 9 days
    # is out of range, so use the 2 January one moved back into 2032.
    assert first_days("eid_al_fitr", 2032, adjust=-2)[-1] == date(2032, 12, 31)
    assert date(2032, 12, 31) not in first_days("eid_al_fitr", 2033, adjust=-2)


def test_years_outside_the_tables_have_no_dates():
    assert first_days("rosh_hashanah", 2300) == []
