"""Statutory rotation patterns: the default plugin for schedules written into law.

``texas_spo_weekends`` is the weekend rotation of the Texas Standard Possession Order
for parents who live 100 miles or less apart:

* Tex. Fam. Code § 153.312(a)(1): the possessory conservator (slot 1) has the weekends
  beginning at 6 p.m. on the 1st, 3rd and 5th Friday of each month and ending at 6 p.m.
  on the following Sunday; the managing conservator (slot 0) has every other day.
  The weekend belongs to the Friday that begins it, so the weekend of a 5th Friday
  runs into the next month.
* § 153.315(b): if the Friday is a student holiday or teacher in-service day during
  the regular school term (or, in the summer, a federal, state or local holiday), the
  weekend begins at 6 p.m. on Thursday.
* § 153.315(a): likewise a Monday holiday extends the weekend to 6 p.m. on Monday.

The times themselves come from the rotation's exchange settings (6 p.m. in the
shipped template); this pattern only decides whose night each day is. Thursday evening
visits (§ 153.312(a)(2)), holidays (§ 153.314) and summer possession
(§ 153.312(b)) are separate plan entries, as in the ``texas-spo`` template.

"During the regular school term" is read from the school calendar: a non-school weekday
counts as a term holiday when school days lie within ``TERM_WINDOW`` days on both sides
of it, so a one-day in-service Friday extends a weekend but the long summer break does
not. Summer Fridays and Mondays extend only if they are public holidays in the optional
``holiday_country`` / ``holiday_subdiv`` (the ``holidays`` package, actual dates rather
than observed ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from .. import hookimpl
from .api import PatternContext
from .public_calendars import country_codes, country_holidays, subdivisions

MANAGING, POSSESSORY = 0, 1
# No in-term break lasts two weeks of school days on one side; summer always does.
TERM_WINDOW = 14
OPTIONS = ("extend_for_school_holidays", "holiday_country", "holiday_subdiv")


def is_spo_friday(day: date) -> bool:
    """Whether ``day`` is the 1st, 3rd or 5th Friday of its month."""
    return day.weekday() == 4 and (day.day - 1) // 7 in (0, 2, 4)


@lru_cache(maxsize=512)
def _public_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(country_holidays(country, subdiv=subdiv, years=year, observed=False))


class TexasSpoWeekends:
    """Slot 1 has the 1st/3rd/5th-Friday weekends (Tex. Fam. Code § 153.312(a)(1)),
    extended to Thursday and Monday by school holidays (§ 153.315); slot 0 the rest.
    """

    description = (
        "Texas Standard Possession Order weekends: slot 1 from the 1st, 3rd and 5th "
        "Friday to Sunday, extended by a Friday or Monday school holiday "
        "(Tex. Fam. Code §§ 153.312(a)(1), 153.315)"
    )
    needs_anchor = False

    def validate(self, options: Mapping[str, Any]) -> list[str]:
        problems = [
            f"{key}: unknown option (expected one of {', '.join(OPTIONS)})"
            for key in options
            if key not in OPTIONS
        ]
        extend = options.get("extend_for_school_holidays", True)
        if not isinstance(extend, bool):
            problems.append(f"extend_for_school_holidays: expected true or false, got {extend!r}")
        country = options.get("holiday_country")
        subdiv = options.get("holiday_subdiv")
        if subdiv is not None and country is None:
            problems.append("holiday_subdiv: needs holiday_country as well")
        if country is not None:
            if country not in country_codes():
                problems.append(
                    f"holiday_country: unknown country {country!r} "
                    "(expected an ISO code such as US)"
                )
            elif subdiv is not None and subdiv not in subdivisions(country):
                problems.append(f"holiday_subdiv: {country} has no subdivision {subdiv!r}")
        return problems

    def slot_for(self, day: date, ctx: PatternContext) -> int:
        weekday = day.weekday()
        if weekday == 4:  # Friday
            return POSSESSORY if is_spo_friday(day) else MANAGING
        if weekday == 5:  # Saturday: the weekend of yesterday's Friday
            return POSSESSORY if is_spo_friday(day - timedelta(days=1)) else MANAGING
        if not ctx.options.get("extend_for_school_holidays", True):
            return MANAGING
        if weekday == 3:  # Thursday night: only if Friday is a holiday (153.315(b))
            friday = day + timedelta(days=1)
            return POSSESSORY if is_spo_friday(friday) and self._holiday(friday, ctx) else MANAGING
        if weekday == 6:  # Sunday night: only if Monday is a holiday (153.315(a))
            friday, monday = day - timedelta(days=2), day + timedelta(days=1)
            return POSSESSORY if is_spo_friday(friday) and self._holiday(monday, ctx) else MANAGING
        return MANAGING

    @staticmethod
    def _holiday(day: date, ctx: PatternContext) -> bool:
        """A term-time student holiday, or a public holiday when school is out."""
        if ctx.is_school_day(day):
            return False
        if _in_term(day, ctx.is_school_day):
            return True
        country = ctx.options.get("holiday_country")
        if country is None:
            return False
        return day in _public_holidays(country, ctx.options.get("holiday_subdiv"), day.year)


def _in_term(day: date, is_school_day: Callable[[date], bool]) -> bool:
    """School days lie within TERM_WINDOW days both before and after ``day``."""
    return any(is_school_day(day - timedelta(days=k)) for k in range(1, TERM_WINDOW + 1)) and any(
        is_school_day(day + timedelta(days=k)) for k in range(1, TERM_WINDOW + 1)
    )


@hookimpl
def pc_calendar_register_patterns(register: Callable[[str, Any], None]) -> None:
    """Register the statutory patterns."""
    register("texas_spo_weekends", TexasSpoWeekends())
