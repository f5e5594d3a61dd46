"""Import a school district's published ICS calendar into the plan's school breaks.

Districts publish their calendar as an .ics file; breaks there are all-day events
named like "Winter Break" or "No School". Reading it at load time keeps the engine free
of I/O: the engine only ever sees ``school.breaks``. Timed events (games, meetings) and
all-day events that do not close the school (picture day) are ignored.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from ..errors import Problem
from .model import DateRange, Plan

KEY = "school.ics"
_DATE_PROPERTIES = {"DTSTART", "DTEND", "DURATION"}
BREAK_WORDS = re.compile(
    r"\b(break|holiday|holidays|vacation|no school|closed|closure|recess)\b", re.IGNORECASE
)


def import_school_ics(plan: Plan, base_dir: Path) -> tuple[Plan, list[Problem]]:
    """The plan with breaks from ``school.ics`` merged in, and any problems reading it."""
    school = plan.school
    if school is None or not school.ics:
        return plan, []
    path = Path(school.ics)
    if not path.is_absolute():
        path = base_dir / path
    try:
        breaks = read_breaks(path)
    except ValueError as exc:
        return plan, [Problem(KEY, f"{school.ics}: {exc}")]
    merged = sorted(
        {(b.start, b.end, b.name): b for b in [*school.breaks, *breaks]}.values(),
        key=lambda b: (b.start, b.end, b.name),
    )
    new_school = school.model_copy(update={"breaks": merged})
    return plan.model_copy(update={"school": new_school}), []


def read_breaks(path: Path) -> list[DateRange]:
    """Breaks (all-day closing events) in the ICS file; ValueError says what is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError("no such file (the path is relative to the plan file)") from None
    except OSError as exc:
        raise ValueError(f"cannot read the file ({exc.strerror or exc})") from None
    return parse_breaks(raw)


def parse_breaks(raw: bytes) -> list[DateRange]:
    """Breaks in ICS text; DTEND of an all-day event is exclusive (RFC 5545 3.6.1)."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except Exception as exc:  # icalendar raises ValueError and friends on bad input
        detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        detail = detail if len(detail) <= 100 else detail[:97] + "..."
        raise ValueError(f"not a valid iCalendar file ({detail})") from None
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise ValueError("not a valid iCalendar file (no VCALENDAR)")
    breaks = []
    for event in calendar.walk("VEVENT"):
        summary = str(event.get("SUMMARY", "")).strip()
        # icalendar keeps unparsable values as vBroken and lists them in ``errors``;
        # a break with a broken date would silently vanish, so refuse the file.
        broken = [
            (name, why) for name, why in getattr(event, "errors", []) if name in _DATE_PROPERTIES
        ]
        if broken:
            name, why = broken[0]
            raise ValueError(f"event {summary or event.get('UID', '?')!r}: {name}: {why}")
        if not BREAK_WORDS.search(summary):
            continue
        first = _all_day(event, "DTSTART")
        if first is None:
            continue
        end = _all_day(event, "DTEND")
        if end is None and event.get("DURATION") is not None:
            end = first + event.decoded("DURATION")
        last = end - timedelta(days=1) if end is not None and end > first else first
        breaks.append(DateRange(name=summary, start=first, end=last))
    return breaks


def _all_day(event: object, name: str) -> date | None:
    """The property as a date if the event is all-day, else None."""
    try:
        value = event.decoded(name)  # type: ignore[attr-defined]
    except KeyError:
        return None
    except Exception as exc:
        raise ValueError(
            f"{name} of {event.get('SUMMARY', 'an event')!r} is invalid ({exc})"
        ) from None  # type: ignore[attr-defined]
    if isinstance(value, datetime) or not isinstance(value, date):
        return None
    return value
