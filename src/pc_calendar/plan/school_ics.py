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

    text = decode_ics(raw)
    _check_opening(text)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and friends on bad input
        raise ValueError(f"not a valid iCalendar file ({_parse_detail(exc, text)})") from None
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
