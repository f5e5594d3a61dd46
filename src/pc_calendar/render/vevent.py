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
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from .. import identity

_SAMPLE_YEARS = range(1970, 2040, 3)
_QUOTABLE = re.compile("[,;:\u2019]")  # parameter values icalendar puts in double quotes
# fold_text's pieces of an ASCII line: while 75 or more characters remain, 74 of them, or
# 73 when the 74th is a backslash or a caret; then the rest
_ASCII_PIECES = re.compile(r"(?s)(?=.{75}).{73}[^\\^]?|.+")


class Reminder(NamedTuple):
    """A VALARM that shows ``description`` ``before`` the event starts."""

    description: str
    before: timedelta


class VEvent(NamedTuple):
    """What one event says: timed (aware datetimes) or all-day (dates, ``end`` exclusive).

    A named tuple: thousands are made per calendar, at a third of a frozen dataclass's
    cost, and as immutable.
    """

    summary: str
    start: datetime | date
    end: datetime | date
    description: str
    categories: tuple[str, ...]
    location: str | None = None
    transparent: bool = False
    reminder: Reminder | None = None


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
    """One content line, folded as icalendar folds it, UTF-8 encoded (no final CRLF)."""
    return fold_text(line).encode()


def fold_text(line: str) -> str:
    """One content line, folded as icalendar folds it (no final CRLF).

    Each physical line holds at most 74 octets after the fold's space, never splits a
    UTF-8 sequence, and never ends in ``\\`` or ``^`` (the character moves to the next
    line, so an escape stays whole for clients that unfold naively).
    """
    if line.isascii():  # one octet a character: cut the text itself, in C
        return line if len(line) < 75 else "\r\n ".join(_ASCII_PIECES.findall(line))
    data = line.encode()
    if len(data) < 75:
        return line
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
    return b"\r\n ".join(pieces).decode()


def _value(moment: datetime | date) -> tuple[str, str, str]:
    """(parameters as written, as hashed, value) of a DTSTART/DTEND: TZID for zoned
    times, Z for UTC, VALUE=DATE for days (the hash leaves VALUE out, and quotes)."""
    # Aware datetimes in different zones compare equal at the same instant: the zone is
    # part of the key. A custody run ends when the next event starts: values repeat.
    return _zoned_value(moment, getattr(moment, "tzinfo", None))


@lru_cache(maxsize=512)
def _zoned_value(moment: datetime | date, zone: object) -> tuple[str, str, str]:
    # %-formatting (noqa UP031): twice as fast as format specs in an f-string, same digits
    if not isinstance(moment, datetime):
        return "VALUE=DATE", "", "%04d%02d%02d" % (moment.year, moment.month, moment.day)  # noqa: UP031
    text = "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
    )  # fmt: skip
    if moment.tzinfo is UTC:
        return "", "", text + "Z"
    key = getattr(moment.tzinfo, "key", None)
    if key is None:
        raise ValueError(f"{moment!r}: a calendar time needs a zoneinfo zone or UTC")
    params = _tzid_params(key)
    if params is None:
        return "", "", text + "Z"
    return params[0], params[1], text


@lru_cache(maxsize=64)
def _tzid_params(key: str) -> tuple[str, str] | None:
    """The TZID parameter of zone ``key`` (as written, as hashed), None where UTC."""
    tzid = _tzid(key)
    if tzid is None:
        return None
    return (f'TZID="{tzid}"' if _QUOTABLE.search(tzid) else f"TZID={tzid}"), f"TZID={tzid}"


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


@lru_cache(maxsize=64)  # a parent's reminder: one value, on every exchange
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
    return zone_tzids({moment.tzinfo for moment in moments if isinstance(moment, datetime)})


def zone_tzids(zones: Iterable[Any]) -> set[str]:
    """The TZIDs of the zones of DTSTART/DTEND date-times (UTC needs none)."""
    found = set()
    for zone in zones:
        if zone is not UTC:
            tzid = _tzid(zone.key)
            if tzid is not None:
                found.add(tzid)
    return found


@lru_cache(maxsize=256)  # family ids and kinds: a few values, written thousands of times
def raw_value(value: str) -> str:
    """The value of an X- property as icalendar writes it: unescaped (its vUnknown).

    A line break, which icalendar refuses there, becomes ``\\n`` rather than a broken line.
    """
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


class Fixed(NamedTuple):
    """Lines that repeat across a calendar, each (as written and folded, as hashed)."""

    categories: tuple[str, str]
    owner: tuple[str, str]
    transp: tuple[str, str] | None
    kind: tuple[str, str]


class Encoded(NamedTuple):
    """An event's values escaped and formatted once, for its hash and for its bytes."""

    summary: str  # the SUMMARY value, escaped
    start: tuple[str, str]  # the DTSTART line as written (folded) and as hashed
    end: tuple[str, str]
    uid: str
    fixed: Fixed
    description: str
    location: str | None
    alarm: tuple[str, str] | None  # the VALARM's DESCRIPTION (escaped) and TRIGGER


def _text_line(name: str, value: str) -> tuple[str, str]:
    """(as written and folded, as hashed) of a property without parameters."""
    return fold_text(f"{name}:{value}"), f"{name};:{value}"


@lru_cache(maxsize=64)
def _fixed_lines(
    categories: tuple[str, ...], transparent: bool, family_id: str, kind: str
) -> Fixed:
    """Lines that repeat across a calendar (a few variants each), computed once."""
    return Fixed(
        _text_line("CATEGORIES", ",".join(escape_text(c) for c in categories)),
        _text_line(identity.OWNER_PROP, raw_value(family_id)),
        _text_line("TRANSP", "TRANSPARENT") if transparent else None,
        _text_line(identity.KIND_PROP, raw_value(kind)),
    )


def _timed_line(name: str, moment: datetime | date) -> tuple[str, str]:
    """(as written and folded, as hashed) of DTSTART or DTEND."""
    written, hashed, value = _zoned_value(moment, getattr(moment, "tzinfo", None))
    line = f"{name};{written}:{value}" if written else f"{name}:{value}"
    return line if len(line) < 75 else fold_text(line), f"{name};{hashed}:{value}"


def encode(event: VEvent, uid: str, family_id: str, kind: str) -> Encoded:
    """Escape and format every value of the event once."""
    summary = escape_text(event.summary)
    alarm = None
    if event.reminder is not None:
        said = event.reminder.description
        alarm = (
            summary if said == event.summary else escape_text(said),
            duration(-event.reminder.before),
        )
    return Encoded(
        summary,
        _timed_line("DTSTART", event.start),
        _timed_line("DTEND", event.end),
        escape_text(uid),
        _fixed_lines(event.categories, event.transparent, family_id, kind),
        escape_text(event.description),
        escape_text(event.location) if event.location else None,
        alarm,
    )


def hash_encoded(encoded: Encoded) -> str:
    """``identity.content_hash`` of the event's icalendar form, without building it.

    The canonical form (see ``identity._canonical_lines``): ``NAME;PARAMS:VALUE`` per
    property (VALUE= parameters dropped, the semicolon always there), sorted, then each
    subcomponent the same way (VALARM's lines are in name order already).
    """
    fixed = encoded.fixed
    props = [
        f"SUMMARY;:{encoded.summary}",
        encoded.start[1],
        encoded.end[1],
        f"UID;:{encoded.uid}",
        fixed.categories[1],
        f"DESCRIPTION;:{encoded.description}",
        fixed.owner[1],
        fixed.kind[1],
    ]
    if encoded.location is not None:
        props.append(f"LOCATION;:{encoded.location}")
    if fixed.transp is not None:
        props.append(fixed.transp[1])
    props.sort()
    props.insert(0, "BEGIN:VEVENT")
    if encoded.alarm is not None:
        said, trigger = encoded.alarm
        props += ("BEGIN:VALARM", "ACTION;:DISPLAY", f"DESCRIPTION;:{said}")
        props += (f"TRIGGER;:{trigger}", "END:VALARM")
    props.append("END:VEVENT")
    return hashlib.sha256("\n".join(props).encode()).hexdigest()[:32]


def stamp_value(stamp: datetime) -> str:
    """A DTSTAMP value (UTC, ``Z``)."""
    return _value(stamp.astimezone(UTC))[2]


def write_encoded(encoded: Encoded, stamp: str, content: str) -> bytes:
    """The VEVENT as icalendar 7 serialises it: SUMMARY, DTSTART, DTEND, DTSTAMP, UID
    first (its canonical order), the other properties by name, then the VALARM."""
    fixed = encoded.fixed
    lines = [
        "BEGIN:VEVENT",
        fold_text(f"SUMMARY:{encoded.summary}"),
        encoded.start[0],
        encoded.end[0],
        f"DTSTAMP:{stamp}",
        fold_text(f"UID:{encoded.uid}"),
        fixed.categories[0],
        fold_text(f"DESCRIPTION:{encoded.description}"),
    ]
    if encoded.location is not None:
        lines.append(fold_text(f"LOCATION:{encoded.location}"))
    if fixed.transp is not None:
        lines.append(fixed.transp[0])
    if "\n" in content or "\r" in content:  # never in a hash; raw_value caches few values
        content = raw_value(content)
    lines += (fixed.owner[0], fold_text(f"{identity.HASH_PROP}:{content}"))
    lines.append(fixed.kind[0])  # the hash sorts between FAMILY and KIND
    if encoded.alarm is not None:
        said, trigger = encoded.alarm
        lines += ("BEGIN:VALARM", "ACTION:DISPLAY", fold_text(f"DESCRIPTION:{said}"))
        lines += (fold_text(f"TRIGGER:{trigger}"), "END:VALARM")
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines).encode()


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
