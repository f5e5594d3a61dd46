"""Warnings for what the school calendar cannot place because it ends too soon or
has no terms.

A ``school_break`` holiday has occurrences only where the plan lists breaks, so a
range past the last listed school year would silently lose Christmas and spring
break, and a school snap past it would silently rely on the "every weekday is a school
day" guess. A wrong date sends a child to the wrong house, so each such gap is named:
the holiday key, the year, where the calendar ends and which school year to add (and,
when the calendar comes from a district ICS, that file). Likewise a term-only visit
placed while no terms are known at all runs through the summer, and says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..plan.model import Holiday, School, Visit
from .api import Occurrence
from .context import EngineContext

NEAR_DAYS = 7  # an estimated occurrence this close to the range is worth a warning


def school_year(day: date) -> str:
    """The school year a day belongs to, as "2028-29" (a year runs from July to June)."""
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def where_to_add(school: School | None) -> str:
    """Where a missing school year goes: with an imported ICS, the district's file."""
    if school is not None and school.ics:
        return f" to {school.ics} (save the district's newer calendar there) or under [school]"
    return ""


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return date(year, 2, 28)


def uses_school_calendar(rule: Any) -> bool:
    """Whether a date rule's occurrences come from the school calendar."""
    return bool(getattr(rule, "uses_school_calendar", False))


def warn_missing_years(
    ctx: EngineContext,
    holiday: Holiday,
    key: str,
    found: list[Occurrence],
    first: date,
    last: date,
) -> None:
    """Warn for each year near ``[first, last]`` with no occurrence past the calendar.

    Where the holiday would fall is estimated from the occurrence listed in the nearest
    year, moved to the missing year; a year the calendar covers in full simply has no
    such break, and is not warned about.
    """
    complete = (id(found), first.year, last.year)  # (found is kept by ctx.occurrences)
    if complete in ctx.complete_years:
        return
    years = range(first.year - 1, last.year + 1)
    have = {o.first.year for o in found}
    if all(year in have for year in years):
        ctx.complete_years.add(complete)  # asked again by every strip an amendment paints
        return  # the usual case: no need to list every year of the calendar
    known = ctx.school.known
    if known is None:
        return
    lo, hi = known
    name = holiday.date["rule"]
    options = {k: v for k, v in holiday.date.items() if k != "rule"}
    listed = ctx.occurrences(name, options, range(lo.year, hi.year + 1))
    if not listed:
        return  # validation reports a name that matches nothing
    have |= {o.first.year for o in listed}
    near_first, near_last = first - timedelta(days=NEAR_DAYS), last + timedelta(days=NEAR_DAYS)
    for year in years:
        if year in have:
            continue
        ref = min(listed, key=lambda o: (abs(o.first.year - year), o.first))
        guess = Occurrence(
            _in_year(ref.first, year), _in_year(ref.last, year + ref.last.year - ref.first.year)
        )
        if lo <= guess.first <= hi or guess.last < near_first or guess.first > near_last:
            continue
        edge = f"ends {hi}" if guess.first > hi else f"starts {lo}"
        what = f"school break named {options['name']!r}" if "name" in options else "occurrence"
        ctx.warn(
            f"{key} '{holiday.name}': no {what} in {year}; the school calendar in the plan "
            f"{edge} -- add the {school_year(guess.first)} school year"
            f"{where_to_add(ctx.plan.school)}"
        )


def warn_snap_past_calendar(
    ctx: EngineContext, holiday: Holiday, key: str, occ: Occurrence, edge: str, day: date
) -> None:
    """Warn when a school snap is made from a day the school calendar does not list."""
    known = ctx.school.known
    if known is None or known[0] <= day <= known[1]:
        return
    where = f"ends {known[1]}" if day > known[1] else f"starts {known[0]}"
    ctx.warn(
        f"{key}.{edge} ('{holiday.name}' for {occ.first}): "
        f"{getattr(holiday, edge).school} from {day} is past the school calendar in the "
        f"plan, which {where}; every weekday not in a listed break was taken as a school "
        f"day -- add the {school_year(day)} school year{where_to_add(ctx.plan.school)}"
    )


def visit_label(key: str, visit: Visit) -> str:
    """How a warning names a visit: key, name and when it happens."""
    return f"{key} '{visit.name}' (during = \"{visit.during}\")"


def warn_terms_unknown(ctx: EngineContext, key: str, visit: Visit) -> None:
    """Warn that a term-only visit is placed with no school terms known."""
    if visit.during == "always" or ctx.school.has_terms:
        return
    ics = ctx.plan.school.ics if ctx.plan.school is not None else None
    where = f" and {ics} has no first and last day of school" if ics else ""
    ctx.warn(
        f"school: the plan lists no school terms{where}, so {visit_label(key, visit)} "
        "counts every week outside a break of a school week or more as term time, the "
        "summer holidays included -- add terms under [school]"
    )
