"""Date rules for holidays that follow lunar or lunisolar calendars.

Each rule is ``date = { rule = NAME, ...options }`` in a plan. An occurrence runs from
the holiday's first day for ``days`` days, so a plan can say "Passover, all eight days"
or "Eid al-Adha, the four days of Eid" and let the span edges (``start``/``end``) place
the handovers. Hebrew-calendar holidays begin at sundown the evening before their first
day: the plan's default start edge (the day before at 18:00) already matches that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pc_calendar.schedule.api import Occurrence, RuleContext

from . import sources

MAX_DAYS = 10


def _whole(options: Mapping[str, Any], key: str, lo: int, hi: int) -> list[str]:
    """An optional whole-number option within lo..hi (bools are not numbers)."""
    if key not in options:
        return []
    value = options[key]
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{key}: expected a whole number {lo}..{hi}, got {value!r}"]
    if not lo <= value <= hi:
        return [f"{key}: expected {lo}..{hi}, got {value}"]
    return []


@dataclass(frozen=True)
class LunarHolidayRule:
    """One holiday from :mod:`sources`, lasting ``days`` days (default per holiday).

    ``adjust`` (Islamic holidays only) moves the tabulated Umm al-Qura date by up to two
    days, for communities that follow a local moon sighting; ``calendar`` (Lunar New
    Year only) picks the chinese, korean or vietnamese reckoning.
    """

    description: str
    dates: Callable[..., list[date]]
    default_days: int = 1
    adjustable: bool = False
    calendars: tuple[str, ...] = ()

    def _allowed(self) -> list[str]:
        return ["days"] + ["adjust"] * self.adjustable + ["calendar"] * bool(self.calendars)

    def validate(self, options: Mapping[str, Any], ctx: RuleContext) -> list[str]:
        allowed = self._allowed()
        problems = [
            f"{key}: unknown option (expected one of {', '.join(allowed)})"
            for key in options
            if key not in allowed
        ]
        problems += _whole(options, "days", 1, MAX_DAYS) + _whole(options, "adjust", -2, 2)
        calendar = options.get("calendar", self.calendars[0] if self.calendars else None)
        if self.calendars and calendar not in self.calendars:
            problems.append(
                f"calendar: expected one of {', '.join(self.calendars)}, got {calendar!r}"
            )
        return problems

    def occurrences(
        self, year: int, options: Mapping[str, Any], ctx: RuleContext
    ) -> list[Occurrence]:
        length = timedelta(days=options.get("days", self.default_days) - 1)
        shift = timedelta(days=options.get("adjust", 0))
        if self.calendars:
            firsts = self.dates(year, options.get("calendar", self.calendars[0]))
        elif shift:
            # A shift can carry a date across New Year: look at the neighbours too.
            near = [d for y in (year - 1, year, year + 1) for d in self.dates(y)]
            firsts = sorted({d + shift for d in near if (d + shift).year == year})
            shift = timedelta(0)
        else:
            firsts = self.dates(year)
        return [Occurrence(d + shift, d + shift + length) for d in firsts]


RULES: dict[str, LunarHolidayRule] = {
    "eid_al_fitr": LunarHolidayRule(
        "Eid al-Fitr, 1 Shawwal: days (default 1), adjust (-2..2)",
        sources.eid_al_fitr,
        adjustable=True,
    ),
    "eid_al_adha": LunarHolidayRule(
        "Eid al-Adha, 10 Dhu al-Hijjah: days (default 1), adjust (-2..2)",
        sources.eid_al_adha,
        adjustable=True,
    ),
    "islamic_new_year": LunarHolidayRule(
        "Islamic New Year, 1 Muharram: days (default 1), adjust (-2..2)",
        sources.islamic_new_year,
        adjustable=True,
    ),
    "ramadan_start": LunarHolidayRule(
        "first day of Ramadan: days (default 1), adjust (-2..2)",
        sources.ramadan_start,
        adjustable=True,
    ),
    "rosh_hashanah": LunarHolidayRule(
        "Rosh Hashanah, 1-2 Tishrei: days (default 2)", sources.rosh_hashanah, 2
    ),
    "yom_kippur": LunarHolidayRule("Yom Kippur, 10 Tishrei: days (default 1)", sources.yom_kippur),
    "sukkot": LunarHolidayRule("Sukkot from 15 Tishrei: days (default 7)", sources.sukkot, 7),
    "hanukkah": LunarHolidayRule("Hanukkah from 25 Kislev: days (default 8)", sources.hanukkah, 8),
    "purim": LunarHolidayRule("Purim, 14 Adar: days (default 1)", sources.purim),
    "passover": LunarHolidayRule(
        "Passover from 15 Nisan: days (default 8; 7 in Israel)", sources.passover, 8
    ),
    "shavuot": LunarHolidayRule("Shavuot from 6 Sivan: days (default 2)", sources.shavuot, 2),
    "diwali": LunarHolidayRule("Diwali (Lakshmi Puja, India): days (default 1)", sources.diwali),
    "holi": LunarHolidayRule("Holi (India): days (default 1)", sources.holi),
    "lunar_new_year": LunarHolidayRule(
        "Lunar New Year: days (default 1), calendar (chinese|korean|vietnamese)",
        sources.lunar_new_year,
        calendars=tuple(sources.LUNAR_NEW_YEAR_CALENDARS),
    ),
    "orthodox_easter": LunarHolidayRule(
        "Orthodox Easter Sunday (Julian computus): days (default 1)", sources.orthodox_easter
    ),
}
