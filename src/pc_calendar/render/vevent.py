"""Events as plain data, written as RFC 5545 text without building icalendar objects.

Why: building and serialising ``icalendar.Event`` objects was 59x the schedule engine's
time for 18 years (0.35-0.43 ms per event). A :class:`VEvent` holds what an event says;
:func:`write_vevent` writes it exactly as icalendar 7 would (same property order, TEXT
escaping per RFC 5545 3.3.11, folding at 75 octets without splitting a UTF-8 sequence or
an escape, CRLF), and :func:`canonical_hash` gives exactly what
:func:`pc_calendar.identity.content_hash` gives for the icalendar form of the same event,
so every calendar already written keeps its hashes. :func:`to_icalendar` builds that
icalendar form, for plugins (``pc_calendar_decorate_event``) and for comparisons.
tests/test_render_equivalence.py proves bytes and hashes equal over 18 years.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from .. import identity

_SAMPLE_YEARS = range(1970, 2040, 3)
_QUOTABLE = re.compile("[,;:\u2019]")  # parameter values icalendar puts in double quotes


@dataclass(frozen=True, slots=True)
class Reminder:
    """A VALARM that shows ``description`` ``before`` the event starts."""

    description: str
    before: timedelta


@dataclass(frozen=True, slots=True)
class VEvent:
    """What one event says: timed (aware datetimes) or all-day (dates, ``end`` exclusive)."""

    summary: str
    start: datetime | date
    end: datetime | date
    description: str
    categories: tuple[str, ...]
    location: str | None = None
    transparent: bool = False
    reminder: Reminder | None = None

    def text_properties(self) -> list[tuple[str, str]]:
        """(NAME, value) of the TEXT-like properties, before escaping."""
        props = [("DESCRIPTION", self.description)]
        if self.location:
            props.append(("LOCATION", self.location))
        if self.transparent:
            props.append(("TRANSP", "TRANSPARENT"))
        return props


def escape_text(text: str) -> str:
    """RFC 5545 3.3.11 TEXT escaping, replacement for replacement what icalendar does
    (``\\N`` read as a line break, CR LF and lone CR as ``\\n``)."""
    if "\\" not in text and "\r" not in text:  # the usual text: three of the seven steps
        return text.replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> bytes:
    """One content line, folded as icalendar folds it, UTF-8 encoded (no final CRLF).

    Each physical line holds at most 74 octets after the fold's space, never splits a
    UTF-8 sequence, and never ends in ``\\`` or ``^`` (the character moves to the next
    line, so an escape stays whole for clients that unfold naively).
    """
    data = line.encode()
    if len(data) < 75:
        return data
    pieces = []
    start, size = 0, len(data)
    while size - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a continuation byte: end before its character
            end -= 1
        if data[end - 1] in (0x5C, 0x5E) and end - 1 > start:  # backslash or caret
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def _value(moment: datetime | date) -> tuple[str, str, str]:
    """(parameters as written, as hashed, value) of a DTSTART/DTEND: TZID for zoned
    times, Z for UTC, VALUE=DATE for days (the hash leaves VALUE out, and quotes)."""
    # Aware datetimes in different zones compare equal at the same instant: the zone is
    # part of the key. A custody run ends when the next event starts: values repeat.
    return _zoned_value(moment, getattr(moment, "tzinfo", None))


@lru_cache(maxsize=128)
def _zoned_value(moment: datetime | date, zone: object) -> tuple[str, str, str]:
    if not isinstance(moment, datetime):
        return "VALUE=DATE", "", f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
    text = (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T"
        f"{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )
    if moment.tzinfo is UTC:
        return "", "", text + "Z"
    key = getattr(moment.tzinfo, "key", None)
    if key is None:
        raise ValueError(f"{moment!r}: a calendar time needs a zoneinfo zone or UTC")
    tzid = _tzid(key)
    if tzid is None:
        return "", "", text + "Z"
    written = f'TZID="{tzid}"' if _QUOTABLE.search(tzid) else f"TZID={tzid}"
    return written, f"TZID={tzid}", text


@lru_cache(maxsize=64)
def _tzid(key: str) -> str | None:
    """The TZID icalendar writes for zone ``key``, or None where it writes UTC ("Z"):
    it counts zones whose offset was always 0 (Africa/Abidjan, Etc/GMT) as UTC.

    A zone with a non-zero offset at one of the sampled dates is not one of those and
    keeps its key; only for the others is icalendar (~5 MiB, 0.1 s to import) asked.
    """
    zone = ZoneInfo(key)
    samples = (datetime(year, month, 1, tzinfo=zone) for year in _SAMPLE_YEARS for month in (1, 7))
    if any(moment.utcoffset() for moment in samples):
        return key
    from icalendar.prop import vDatetime

    value = vDatetime(datetime(2000, 1, 1, tzinfo=zone))
    return None if value.is_utc() else str(value.params["TZID"])


def duration(delta: timedelta) -> str:
    """An RFC 5545 DURATION the way icalendar writes one (``-PT2H``, ``-P1DT1H``)."""
    sign = ""
    if delta.days < 0:
        sign, delta = "-", -delta
    timepart = ""
    if delta.seconds:
        hours, rest = divmod(delta.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        timepart = "T"
        if hours:
            timepart += f"{hours}H"
        if minutes or (hours and seconds):
            timepart += f"{minutes}M"
        if seconds:
            timepart += f"{seconds}S"
    if delta.days == 0 and timepart:
        return f"{sign}P{timepart}"
    return f"{sign}P{abs(delta.days)}D{timepart}"


def tzids(*moments: datetime | date) -> set[str]:
    """The TZIDs DTSTART/DTEND values name (each needs a VTIMEZONE)."""
    found = set()
    for moment in moments:
        if isinstance(moment, datetime) and moment.tzinfo is not UTC:
            tzid = _tzid(moment.tzinfo.key)  # type: ignore[union-attr]
            if tzid is not None:
                found.add(tzid)
    return found


@lru_cache(maxsize=256)  # family ids and kinds: a few values, written thousands of times
def raw_value(value: str) -> str:
    """The value of an X- property as icalendar writes it: unescaped (its vUnknown).

    A line break, which icalendar refuses there, becomes ``\\n`` rather than a broken line.
    """
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


#: An event encoded once for both its hash and its bytes: the content lines as written
#: before DTSTAMP (SUMMARY, DTSTART, DTEND: icalendar's canonical order), from UID up to
#: the hash property, after it (X-PC-CALENDAR-KIND and the VALARM), and the canonical
#: lines the hash is taken over: the VEVENT's properties, then the VALARM's.
Encoded = tuple[list[str], list[str], list[str], list[str], list[str]]


def _text_line(name: str, value: str) -> tuple[str, str]:
    """(as written, as hashed) of a property without parameters."""
    return f"{name}:{value}", f"{name};:{value}"


@lru_cache(maxsize=64)
def _fixed_lines(
    categories: tuple[str, ...], transparent: bool, family_id: str, kind: str
) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str] | None, tuple[str, str]]:
    """Lines that repeat across a calendar (a few variants each), computed once."""
    return (
        _text_line("CATEGORIES", ",".join(escape_text(c) for c in categories)),
        _text_line(identity.OWNER_PROP, raw_value(family_id)),
        _text_line("TRANSP", "TRANSPARENT") if transparent else None,
        _text_line(identity.KIND_PROP, raw_value(kind)),
    )


def _timed_line(name: str, moment: datetime | date) -> tuple[str, str]:
    written, hashed, value = _value(moment)
    line = f"{name};{written}:{value}" if written else f"{name}:{value}"
    return line, f"{name};{hashed}:{value}"


def encode(event: VEvent, uid: str, family_id: str, kind: str) -> Encoded:
    """Escape and format every value of the event once."""
    categories, owner, transp, kind_line = _fixed_lines(
        event.categories, event.transparent, family_id, kind
    )
    summary = escape_text(event.summary)
    pairs = [
        _text_line("SUMMARY", summary),
        _timed_line("DTSTART", event.start),
        _timed_line("DTEND", event.end),
        _text_line("UID", escape_text(uid)),
        categories,
        _text_line("DESCRIPTION", escape_text(event.description)),
    ]
    if event.location:
        pairs.append(_text_line("LOCATION", escape_text(event.location)))
    if transp is not None:
        pairs.append(transp)
    pairs.append(owner)
    written = [line for line, _ in pairs]
    canonical = [line for _, line in pairs]
    canonical.append(kind_line[1])
    after = [kind_line[0]]
    alarm_canonical = []
    if event.reminder is not None:
        said = event.reminder.description
        alarm = [
            ("ACTION", "DISPLAY"),
            ("DESCRIPTION", summary if said == event.summary else escape_text(said)),
            ("TRIGGER", duration(-event.reminder.before)),
        ]
        after += ["BEGIN:VALARM", *(f"{n}:{v}" for n, v in alarm), "END:VALARM"]
        alarm_canonical = ["BEGIN:VALARM", *(f"{n};:{v}" for n, v in alarm), "END:VALARM"]
    return written[:3], written[3:], after, canonical, alarm_canonical


def hash_encoded(encoded: Encoded) -> str:
    """``identity.content_hash`` of the event's icalendar form, without building it.

    The canonical form (see ``identity._canonical_lines``): ``NAME;PARAMS:VALUE`` per
    property (VALUE= parameters dropped, the semicolon always there), sorted, then each
    subcomponent the same way (VALARM's lines are in name order already).
    """
    lines = ["BEGIN:VEVENT", *sorted(encoded[3]), *encoded[4], "END:VEVENT"]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def stamp_value(stamp: datetime) -> str:
    """A DTSTAMP value (UTC, ``Z``)."""
    return _value(stamp.astimezone(UTC))[2]


def write_encoded(encoded: Encoded, stamp: str, content: str) -> bytes:
    """The VEVENT as icalendar 7 serialises it: SUMMARY, DTSTART, DTEND, DTSTAMP, UID
    first (its canonical order), the other properties by name, then the VALARM."""
    head, middle, after = encoded[:3]
    lines = [
        "BEGIN:VEVENT",
        *head,
        f"DTSTAMP:{stamp}",
        *middle,
        f"{identity.HASH_PROP}:{raw_value(content)}",  # sorts between FAMILY and KIND
        *after,
        "END:VEVENT\r\n",
    ]
    return "\r\n".join(
        [line if len(line) < 75 and line.isascii() else fold(line).decode() for line in lines]
    ).encode()


def canonical_hash(event: VEvent, uid: str, family_id: str, kind: str) -> str:
    """``identity.content_hash`` of the event's icalendar form (see :func:`hash_encoded`)."""
    return hash_encoded(encode(event, uid, family_id, kind))


def write_vevent(
    event: VEvent, uid: str, family_id: str, kind: str, stamp: datetime, content: str
) -> bytes:
    """The VEVENT's bytes (see :func:`write_encoded`)."""
    return write_encoded(encode(event, uid, family_id, kind), stamp_value(stamp), content)


def to_icalendar(event: VEvent) -> Any:
    """The ``icalendar.Event`` of the same content (what rendering built before 0.x)."""
    from icalendar import Alarm, Event

    built = Event()
    built.add("summary", event.summary)
    built.add("dtstart", event.start)
    built.add("dtend", event.end)
    if event.location:
        built.add("location", event.location)
    built.add("description", event.description)
    if event.transparent:
        built.add("transp", "TRANSPARENT")
    built.add("categories", list(event.categories))
    if event.reminder is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.reminder.description)
        alarm.add("trigger", -event.reminder.before)
        built.add_component(alarm)
    return built
