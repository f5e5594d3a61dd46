"""One subscribable feed built from a vdir's files of ours.

The VEVENT blocks are copied line for line from each file (no re-serialisation), so the
feed says exactly what the vdir says, and building it costs a text scan plus a small
parse of each VEVENT to confirm it is ours (a VTIMEZONE is far larger than its event).
Each file's VTIMEZONE may only cover the years of its own event, so the feed gets one
VTIMEZONE per TZID covering every year its events touch (the file's own block is the
fallback for a TZID that is not an IANA zone).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..identity import OWNER_PROP, is_ours
from ..vtimezone import vtimezone

PRODID = "-//pc-calendar//feed//EN"


def _blocks(text: str) -> Iterable[tuple[str, list[str]]]:
    """Top-level VEVENT and VTIMEZONE blocks of one VCALENDAR, as their lines."""
    name: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if name is None:
            if line in ("BEGIN:VEVENT", "BEGIN:VTIMEZONE"):
                name, lines = line[6:], [line]
            continue
        lines.append(line)
        if line == f"END:{name}":
            yield name, lines
            name = None


def _tzid(lines: list[str]) -> str:
    return next((line[5:] for line in lines if line.startswith("TZID:")), "")


def build_feed(bodies: Iterable[bytes], family_id: str, name: str) -> bytes:
    """A VCALENDAR of the events of ours among ``bodies`` (in the order given)."""
    import icalendar  # only when a feed is written: a no-op sync never needs it

    marker = f"{OWNER_PROP}:{family_id}"
    zones: dict[str, list[str]] = {}
    events: list[list[str]] = []
    used: set[str] = set()
    years: set[int] = set()
    for body in bodies:
        text = body.decode("utf-8", errors="replace")
        if marker not in text:
            continue
        found = list(_blocks(text))
        vevents = [lines for kind, lines in found if kind == "VEVENT"]
        if len(vevents) != 1:
            continue
        try:
            event = icalendar.Event.from_ical("\r\n".join(vevents[0]) + "\r\n")
        except ValueError:
            continue
        if not is_ours(event, family_id):
            continue
        events.append(vevents[0])
        for prop in ("DTSTART", "DTEND"):
            if prop in event:
                years.add(event.decoded(prop).year)
                if "TZID" in event[prop].params:
                    used.add(str(event[prop].params["TZID"]))
        for kind, lines in found:
            if kind == "VTIMEZONE":
                zones.setdefault(_tzid(lines), lines)
    head = icalendar.Calendar()
    head.add("VERSION", "2.0")
    head.add("PRODID", PRODID)
    head.add("X-WR-CALNAME", name)
    out = head.to_ical().decode().splitlines()[:-1]  # without END:VCALENDAR
    for tzid in sorted(used):
        out.extend(_vtimezone(tzid, min(years), max(years), zones.get(tzid, [])))
    for lines in events:
        out.extend(lines)
    out.append("END:VCALENDAR")
    return ("\r\n".join(out) + "\r\n").encode()


def _vtimezone(tzid: str, first: int, last: int, fallback: list[str]) -> list[str]:
    """A VTIMEZONE for whole years ``first``..``last``."""
    try:
        return vtimezone(tzid, first, last).decode().splitlines()
    except (ValueError, KeyError, LookupError):
        return fallback
