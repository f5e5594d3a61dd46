"""`check` warnings about what a district ICS says and the plan does not use.

Loading merges the calendar into the plan and keeps the plan's own terms where they
overlap the calendar's (the coordinator may know better), so two things pass silently:
a term typed by hand that starts or ends on another day than the district's first or
last day of school, and a first day with no last day after it (or the reverse), which
makes no term at all. Both decide which Thursdays are term time, so `check` names them.
The file is read again here, only for `check`, so loading stays one pass.
"""

from __future__ import annotations

from pathlib import Path

from .lint import LintWarning
from .load import LoadedPlan
from .model import DateRange
from .school_ics import SchoolCalendar, read_calendar, zone_named


def school_ics_warnings(loaded: LoadedPlan) -> list[LintWarning]:
    """Warnings for a plan whose school calendar comes (partly) from an ICS file."""
    school = loaded.plan.school
    if school is None or not school.ics:
        return []
    path = Path(school.ics)
    if not path.is_absolute():
        path = loaded.path.parent / path
    try:
        found = read_calendar(
            path,
            school.first_day_events,
            school.last_day_events,
            zone_named(loaded.plan.family.timezone),
        )
    except ValueError:
        return []  # loading reported it
    own = [t for t in school.terms if t not in found.terms]
    found_here = [
        *(("school.terms", m) for m in _differences(school.ics, own, found)),
        *(("school.ics", m) for m in _unpaired(school.ics, found)),
    ]
    return [
        LintWarning("school-ics-terms", key, message, loaded.line_of(key))
        for key, message in found_here
    ]


def _differences(ics: str, own: list[DateRange], found: SchoolCalendar) -> list[str]:
    """A school year of the calendar whose overlapping plan terms start or end elsewhere."""
    messages = []
    for year in found.terms:
        covering = [t for t in own if t.start <= year.end and year.start <= t.end]
        if not covering:
            continue
        first = min(covering, key=lambda t: t.start)
        last = max(covering, key=lambda t: t.end)
        if (first.start, last.end) == (year.start, year.end):
            continue
        said = []
        if first.start != year.start:
            said.append(f"'{first.name}' starts {first.start}, its first day is {year.start}")
        if last.end != year.end:
            said.append(f"'{last.name}' ends {last.end}, its last day is {year.end}")
        messages.append(
            f"{ics} has the {year.name} from {year.start} to {year.end}, but the plan's "
            f"terms differ ({'; '.join(said)}); the plan's terms win -- correct them, or "
            "remove them to use the district's dates"
        )
    return messages


def _unpaired(ics: str, found: SchoolCalendar) -> list[str]:
    """First days without a last day after them, and last days without a first day."""
    messages = []
    for kind, day, title in found.unpaired:
        missing = "last day of school after it" if kind == "first" else "first day before it"
        messages.append(
            f"{ics}: '{title}' on {day} has no matching {missing}, so its school year makes "
            "no term (between listed terms its days count as out of term and term-only "
            "visits stop; past them they are guessed as term time) -- add that term under "
            "[school], or save the district's calendar with both days"
        )
    return messages
