"""Lint checks on the plan's calendars: school calendar coverage, year-wrapping seasons.

Each is a mistake that validates and computes without error, yet gives wrong dates: a
school calendar that ends before the years the plan is used for loses every holiday
found from it (``school_break`` dates, school snaps); a school calendar with breaks but
no terms makes every summer term time (term-only visits go on in July); and a yearly
season whose end comes long before its start silently runs for most of the year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pluggy

from .. import plugins
from ..plan.model import MonthDay, Plan, Schedule
from ..schedule.school import SchoolDays
from ..schedule.school_gaps import school_year, visit_label, where_to_add
from .references import schedule_prefixes

WRAP_WARN_DAYS = 300  # a year-wrapping season longer than this is almost surely a typo

Found = tuple[str, str, str]  # (code, key, message)


def _school_holidays(plan: Plan, pm: pluggy.PluginManager | None) -> list[str]:
    """'key (name)' of each holiday whose dates come from the school calendar."""
    registry = plugins.date_rules(pm)
    found = []
    for name, prefix in schedule_prefixes(plan):
        for index, holiday in enumerate(plan.schedule(name).holidays):
            rule_name = holiday.date.get("rule")
            rule = registry[rule_name] if rule_name in registry.names() else None
            snaps = any(
                edge is not None and edge.school is not None
                for edge in (holiday.start, holiday.end, holiday.split)
            )
            if snaps or getattr(rule, "uses_school_calendar", False):
                found.append(f"{prefix}holidays[{index}] ({holiday.name})")
    return found


def school_calendar_ends(
    plan: Plan, pm: pluggy.PluginManager | None, horizon: date
) -> Iterator[Found]:
    """The school calendar ends before ``horizon`` while holidays are found from it."""
    known = SchoolDays(plan.school).known if plan.school is not None else None
    if known is None or known[1] >= horizon:
        return
    depending = _school_holidays(plan, pm)
    if not depending:
        return  # term-only visits and bell times past it are warned about when computed
    after = max(date.fromordinal(known[1].toordinal() + 1), date(known[1].year, 7, 1))
    yield (
        "school-calendar-ends",
        "school",
        f"the school calendar ends on {known[1]} (its last listed day), before "
        f"{horizon}, the end of the years checked; after it "
        f"{', '.join(depending)} cannot be placed from school dates (a school_break "
        "has no dates, a school snap is guessed) -- add the "
        f"{school_year(after)} school year (and later ones as the district publishes them)"
        f"{where_to_add(plan.school)}",
    )


def term_visits(plan: Plan) -> list[tuple[str, str]]:
    """(key, label) of every visit that happens only in (or only outside) the term."""
    found = []
    for name, prefix in schedule_prefixes(plan):
        for index, visit in enumerate(plan.schedule(name).visits):
            if visit.during != "always":
                key = f"{prefix}visits[{index}]"
                found.append((key, visit_label(key, visit)))
    return found


def _summer_weekend_rules(plan: Plan) -> Iterator[tuple[str, str]]:
    """Rotations that treat a summer public holiday unlike a school day (Texas 153.315)."""
    for name, prefix in schedule_prefixes(plan):
        rotation = plan.schedule(name).rotation
        if rotation is None or rotation.pattern != "texas_spo_weekends":
            continue
        options = rotation.options
        if options.get("extend_for_school_holidays", True) and options.get("holiday_country"):
            yield (
                f"{prefix}rotation",
                "extends no summer weekend for a public holiday on its Friday or Monday "
                "(Tex. Fam. Code 153.315), since such a day counts as a school day",
            )


def school_terms_unknown(plan: Plan) -> Iterator[Found]:
    """The school terms are unknown while the plan relies on them: name what to add.

    Without terms every weekday outside a break is taken as a school day in term, the
    summer included; the engine cannot know where a district's summer falls, so the
    coordinator is told what is assumed and what to add (see the plan reference).
    """
    school = plan.school
    if school is not None and school.terms:
        return
    visits = term_visits(plan)
    has_calendar = school is not None and bool(school.ics or school.breaks)
    if not visits and not has_calendar:
        return  # no school calendar and nothing asks about the term: nothing is guessed
    names = ", ".join(label for _, label in visits)
    affected = f"; so {names} also happen in the summer holidays" if visits else ""
    affected += "".join(f"; {key} {what}" for key, what in _summer_weekend_rules(plan))
    assumption = (
        "every weekday outside a break counts as a school day in term, the summer "
        f"holidays included (school-day exchange times and school snaps too){affected}"
    )
    add = "add terms = [{ name, start, end }, ...] under [school], one per school year"
    if school is not None and school.ics:
        key = "school.ics"
        message = (
            f"{school.ics} has no first and last day of school that make a term (looked "
            "for events titled like 'First Day of School' and 'Last Day of School'), and "
            f"[school] lists no terms, so the school terms are unknown: {assumption} -- "
            f"{add}, or, if the district titles those days differently, list the titles in "
            "school.first_day_events and school.last_day_events"
        )
    elif has_calendar:
        key = "school.terms"
        message = (
            "[school] lists breaks but no terms, so the school terms are unknown: "
            f"{assumption} -- {add}"
        )
    else:
        key = visits[0][0]
        message = f"the plan lists no school terms, so {assumption} -- {add}"
    yield ("school-terms-unknown", key, message)


def _wrap_days(start: MonthDay, end: MonthDay) -> int | None:
    """Days a yearly season runs when its end comes before its start (None: no wrap)."""
    first, last = start.in_year(2025), end.in_year(2025)
    if last >= first:
        return None
    return (end.in_year(2026) - first).days


def season_wraps(plan: Plan) -> Iterator[Found]:
    """Yearly seasons whose end is before their start by much: a wrap of most of a year."""
    for name, prefix in schedule_prefixes(plan):
        schedule: Schedule = plan.schedule(name)
        for index, season in enumerate(schedule.seasons):
            if not isinstance(season.start, MonthDay) or not isinstance(season.end, MonthDay):
                continue
            days = _wrap_days(season.start, season.end)
            if days is None or days <= WRAP_WARN_DAYS:
                continue
            start = f"{season.start.month:02d}-{season.start.day:02d}"
            end = f"{season.end.month:02d}-{season.end.day:02d}"
            yield (
                "season-wraps-year",
                f"{prefix}seasons[{index}]",
                f"'{season.name}' runs from {start} to {end} of the next year, {days} "
                "days: its end comes before its start, so it wraps the year. A winter "
                "season such as 12-20 to 01-05 does that on purpose; if this one should "
                "end in the same year, swap or correct start and end",
            )
