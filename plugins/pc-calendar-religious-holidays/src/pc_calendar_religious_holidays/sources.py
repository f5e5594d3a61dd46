"""Where the dates come from: the only module that talks to the calendar libraries.

The lunar and lunisolar tables are the ``holidays`` package's (its calendar classes
under ``holidays.calendars``, maintained with the country holiday lists that use them);
Orthodox Easter is computed by ``dateutil``. Those classes are not part of holidays'
documented API, so they are used here and nowhere else, and the plugin's tests check
the dates they give against published tables: an upstream change fails the tests
instead of moving a child's holiday.

Every function returns the holiday's first days that fall in one Gregorian year, sorted
(a lunar year is 11 days shorter, so an Islamic holiday can occur twice in one year,
as Eid al-Fitr does in 2033). Years outside the library's tables give no dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from typing import Any

from dateutil.easter import EASTER_ORTHODOX, easter

LUNAR_NEW_YEAR_CALENDARS = {
    "chinese": "CHINESE_CALENDAR",
    "korean": "KOREAN_CALENDAR",
    "vietnamese": "VIETNAMESE_CALENDAR",
}


@cache
def _calendar(kind: str, variant: str | None = None) -> Any:
    from holidays import calendars

    cls = getattr(calendars, kind)
    return cls(variant) if variant else cls()


def _in_year(year: int, found: Iterable[Any]) -> list[date]:
    """Dates from the library's many return shapes (date, (date, flag), sets of those)."""
    days = set()
    for item in found:
        day = item[0] if isinstance(item, tuple) else item
        if isinstance(day, date) and day.year == year:
            days.add(day)
    return sorted(days)


def _one(value: Any) -> list[Any]:
    """A single answer (date, (date, flag), None or a set) as a list to filter."""
    if value is None:
        return []
    if isinstance(value, set | frozenset | list):
        return list(value)
    return [value]


def eid_al_fitr(year: int) -> list[date]:
    """1 Shawwal (Umm al-Qura reckoning, as published for Saudi Arabia)."""
    return _in_year(year, _calendar("_IslamicLunar").eid_al_fitr_dates(year))


def eid_al_adha(year: int) -> list[date]:
    """10 Dhu al-Hijjah (Umm al-Qura reckoning)."""
    return _in_year(year, _calendar("_IslamicLunar").eid_al_adha_dates(year))


def islamic_new_year(year: int) -> list[date]:
    """1 Muharram (Umm al-Qura reckoning)."""
    return _in_year(year, _calendar("_IslamicLunar").hijri_new_year_dates(year))


def ramadan_start(year: int) -> list[date]:
    """1 Ramadan (Umm al-Qura reckoning)."""
    return _in_year(year, _calendar("_IslamicLunar").ramadan_beginning_dates(year))


def _hebrew(method: str) -> Callable[[int], list[date]]:
    def dates(year: int) -> list[date]:
        return _in_year(year, _one(getattr(_calendar("_HebrewLunisolar"), method)(year)))

    return dates


rosh_hashanah = _hebrew("rosh_hashanah_date")  # 1 Tishrei
yom_kippur = _hebrew("yom_kippur_date")  # 10 Tishrei
sukkot = _hebrew("sukkot_date")  # 15 Tishrei
hanukkah = _hebrew("hanukkah_date")  # 25 Kislev (first day; first candle the evening before)
purim = _hebrew("purim_date")  # 14 Adar (Adar II in leap years)
passover = _hebrew("passover_date")  # 15 Nisan (first seder the evening before)
shavuot = _hebrew("shavuot_date")  # 6 Sivan


def diwali(year: int) -> list[date]:
    """Lakshmi Puja day as in India's gazetted holiday lists."""
    return _in_year(year, _one(_calendar("_HinduLunisolar").diwali_india_date(year)))


def holi(year: int) -> list[date]:
    """Holi (the day of colours) as in India's gazetted holiday lists."""
    return _in_year(year, _one(_calendar("_HinduLunisolar").holi_date(year)))


def lunar_new_year(year: int, calendar: str = "chinese") -> list[date]:
    """1st day of the 1st lunar month; Korean Seollal and Vietnamese Tet can differ."""
    found = _calendar("_ChineseLunisolar", LUNAR_NEW_YEAR_CALENDARS[calendar])
    return _in_year(year, _one(found.lunar_new_year_date(year)))


def orthodox_easter(year: int) -> list[date]:
    """Easter Sunday by the Julian computus, as a Gregorian date."""
    return [easter(year, EASTER_ORTHODOX)]
