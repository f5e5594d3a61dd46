"""Import a school district's published ICS calendar into the plan's breaks and terms.

Districts publish their calendar as an .ics file; breaks there are all-day events
named like "Winter Break" or "No School", often repeating (a weekly "No School" Friday),
and the school year is marked by "First Day of School" and "Last Day of School" events.
Reading it at load time keeps the engine free of I/O: the engine only ever sees
``school.breaks`` and ``school.terms``. Timed events (games, meetings) and all-day events
that do not close the school (picture day, early release) are not breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Problem
from .ics_occurrences import DayEvent, expand
from .model import DateRange, Plan, School
from .school_terms import (
    FIRST_DAY_TITLES,
    LAST_DAY_TITLES,
    find_terms,
    is_boundary,
    matcher,
    school_year_name,
)

KEY = "school.ics"
BREAK_WORDS = re.compile(
    r"\b(break|holiday|holidays|vacation|no school|closed|closure|recess)\b", re.IGNORECASE
)
# School is in session on these days even when the title names a break.
SCHOOL_DAY_WORDS = re.compile(
    r"\b(early (release|dismissal)|half[- ]day|minimum day|back to school|"
    r"(first|last) day\b[^,;]*\b(before|after)|"
    r"(students?|classes|school) (resumes?|returns?)|returns? (from|to school))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SchoolCalendar:
    """What a district calendar says: its breaks and the terms its boundary events make."""

    breaks: list[DateRange]
    terms: list[DateRange] = field(default_factory=list)
    unpaired: list[tuple[str, date, str]] = field(default_factory=list)  # (kind, day, title)


def import_school_ics(plan: Plan, base_dir: Path) -> tuple[Plan, list[Problem]]:
    """The plan with breaks and terms from ``school.ics`` merged in, and any problems.

    Terms listed in the plan win: a term from the calendar is added only where it
    overlaps none of them.
    """
    school = plan.school
    if school is None:
        return plan, []
    if not school.ics:
        return plan, _title_keys_without_ics(school)
    path = Path(school.ics)
    if not path.is_absolute():
        path = base_dir / path
    try:
        found = read_calendar(
            path, school.first_day_events, school.last_day_events, zone_named(plan.family.timezone)
        )
    except ValueError as exc:
        return plan, [Problem(KEY, f"{school.ics}: {exc}")]
    breaks = sorted(
        {(b.start, b.end, b.name): b for b in [*school.breaks, *found.breaks]}.values(),
        key=lambda b: (b.start, b.end, b.name),
    )
    listed = list(school.terms)
    added = [t for t in found.terms if not any(_overlap(t, own) for own in listed)]
    terms = sorted([*listed, *added], key=lambda t: (t.start, t.end, t.name))
    new_school = school.model_copy(update={"breaks": breaks, "terms": terms})
    return plan.model_copy(update={"school": new_school}), []


def _overlap(a: DateRange, b: DateRange) -> bool:
    return a.start <= b.end and b.start <= a.end


def _title_keys_without_ics(school: School) -> list[Problem]:
    return [
        Problem(
            f"school.{name}",
            "names events of the district's ICS calendar, but school.ics is not set; "
            'add ics = "district.ics" (the path of the calendar file) or remove this key',
        )
        for name in ("first_day_events", "last_day_events")
        if getattr(school, name) is not None
    ]


def zone_named(name: str) -> tzinfo | None:
    """The family's zone; an unknown name is reported by the engine, not here."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def read_calendar(
    path: Path,
    first_day_events: list[str] | None = None,
    last_day_events: list[str] | None = None,
    zone: tzinfo | None = None,
) -> SchoolCalendar:
    """Breaks and terms in the ICS file; ValueError says what is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError("no such file (the path is relative to the plan file)") from None
    except OSError as exc:
        raise ValueError(f"cannot read the file ({exc.strerror or exc})") from None
    return parse_calendar(raw, first_day_events, last_day_events, zone)


def parse_calendar(
    raw: bytes,
    first_day_events: list[str] | None = None,
    last_day_events: list[str] | None = None,
    zone: tzinfo | None = None,
) -> SchoolCalendar:
    """Breaks and terms in ICS text, every repeating event expanded.

    A timed event's day is its day in ``zone`` (the family's), when given.
    """
    import icalendar

    text = decode_ics(raw)
    _check_opening(text)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and friends on bad input
        raise ValueError(f"not a valid iCalendar file ({_parse_detail(exc, text)})") from None
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise ValueError("not a valid iCalendar file (no VCALENDAR)")
    firsts = first_day_events if first_day_events is not None else FIRST_DAY_TITLES
    lasts = last_day_events if last_day_events is not None else LAST_DAY_TITLES
    first_re, last_re = matcher(firsts), matcher(lasts)
    events = expand(
        calendar, lambda t: bool(BREAK_WORDS.search(t)) or is_boundary(t, first_re, last_re), zone
    )
    breaks = [
        DateRange(name=e.summary, start=e.first, end=e.last)
        for e in events
        if _is_break(e) and not is_boundary(e.summary, first_re, last_re)
    ]
    found = find_terms(events, firsts, lasts)
    terms = [
        DateRange(name=school_year_name(first, last), start=first, end=last)
        for first, last in found.terms
    ]
    return SchoolCalendar(breaks, terms, list(found.unpaired))


def _is_break(event: DayEvent) -> bool:
    """An all-day event that closes the school."""
    return (
        event.all_day
        and bool(BREAK_WORDS.search(event.summary))
        and not SCHOOL_DAY_WORDS.search(event.summary)
    )


def decode_ics(raw: bytes) -> str:
    """The file as text. RFC 5545 requires UTF-8; icalendar would silently replace bad
    bytes, turning a break's name (or the error message) into mojibake, so refuse them
    and say where the first one is."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError(
            "not UTF-8 text (it starts with a UTF-16 byte order mark); "
            "an iCalendar file must be UTF-8, save or download it as UTF-8"
        )
    try:
        return raw.decode("utf-8-sig")  # a BOM is not an error
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise ValueError(
            f"not UTF-8 text (byte 0x{bad} at line {line}, byte offset {exc.start}); "
            f"an iCalendar file must be UTF-8, save or download it as UTF-8"
        ) from None


def _check_opening(text: str) -> None:
    """A web page or a CSV saved as .ics is the usual mistake: say what is there instead."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.strip().upper() != "BEGIN:VCALENDAR":
            raise ValueError(
                f"not a valid iCalendar file (line {number}: expected BEGIN:VCALENDAR, "
                f"found {_shorten(line.strip())})"
            )
        return
    raise ValueError("not a valid iCalendar file (the file is empty)")


_UNPARSABLE = re.compile(r"could not be parsed into parts: '(.*?)':")


def _parse_detail(exc: Exception, text: str) -> str:
    """icalendar's complaint, with the line it is about when that can be found."""
    message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    found = _UNPARSABLE.search(message)
    if found is None:
        return _shorten(message, quote=False)
    bad = found.group(1)
    line = _line_of(text, bad)
    where = f"line {line}: " if line else ""
    return f"{where}{_shorten(bad)} is not a NAME:value content line"


def _line_of(text: str, content: str) -> int | None:
    """The physical line a (possibly folded) content line starts on."""
    start = None
    logical = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and start is not None:
            logical += line[1:]
            continue
        if start is not None and logical == content:
            return start
        start, logical = number, line
    return start if start is not None and logical == content else None


def _shorten(value: str, limit: int = 60, *, quote: bool = True) -> str:
    """Printable, bounded text for a message (no control characters)."""
    clean = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)
    if len(clean) > limit:
        clean = clean[: limit - 3] + "..."
    return f"'{clean}'" if quote else clean
