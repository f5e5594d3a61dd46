"""One subscribable feed built from a vdir's files of ours.

The blocks are copied line for line from each file (no re-serialisation), so the feed
says exactly what the vdir says, and building it costs a text scan plus a small parse of
each VEVENT to confirm it is ours (a VTIMEZONE is far larger than the event it serves).
"""

from __future__ import annotations

from collections.abc import Iterable

import icalendar

from ..identity import OWNER_PROP, is_ours

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
    marker = f"{OWNER_PROP}:{family_id}"
    zones: dict[str, list[str]] = {}
    events: list[list[str]] = []
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
        for kind, lines in found:
            if kind == "VTIMEZONE":
                zones.setdefault(_tzid(lines), lines)
    head = icalendar.Calendar()
    head.add("VERSION", "2.0")
    head.add("PRODID", PRODID)
    head.add("X-WR-CALNAME", name)
    out = head.to_ical().decode().splitlines()[:-1]  # without END:VCALENDAR
    for tzid in sorted(zones):
        out.extend(zones[tzid])
    for lines in events:
        out.extend(lines)
    out.append("END:VCALENDAR")
    return ("\r\n".join(out) + "\r\n").encode()
