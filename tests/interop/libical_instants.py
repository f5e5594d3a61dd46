"""Reads .ics files with libical (Evolution's and GNOME Calendar's parser) through
Debian's GObject bindings, converting each VEVENT's DTSTART and DTEND to UTC with the
VTIMEZONE of the same file (never libical's built-in zone data).

Run with Debian's python3 (the bindings are a Debian package, not on PyPI):
    /usr/bin/python3 libical_instants.py FILE...
Prints the same JSON as icaljs_instants.mjs: {FILE: [{uid, summary, start, end,
start_zone, end_zone}, ...]}; a TZID without a VTIMEZONE in the file is reported as "missing".
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

VEVENT = ICalGLib.ComponentKind.VEVENT_COMPONENT
KINDS = {
    "start": ICalGLib.PropertyKind.DTSTART_PROPERTY,
    "end": ICalGLib.PropertyKind.DTEND_PROPERTY,
}


def instant(calendar, event, kind) -> tuple[str, str | None]:
    prop = event.get_first_property(kind)
    value = prop.get_dtstart() if kind == KINDS["start"] else prop.get_dtend()
    if value.is_date():
        return f"{value.get_year():04d}-{value.get_month():02d}-{value.get_day():02d}", None
    if value.is_utc():
        zone, name = ICalGLib.Timezone.get_utc_timezone(), None
    else:
        name = prop.get_parameter_as_string("TZID")
        zone = calendar.get_timezone(name) if name else None
        if zone is None:
            return "", "missing" if name else "floating"
    seconds = value.as_timet_with_zone(zone)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), name


def events(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        calendar = ICalGLib.Component.new_from_string(handle.read())
    found = []
    event = calendar.get_first_component(VEVENT)
    while event is not None:
        start, start_zone = instant(calendar, event, KINDS["start"])
        end, end_zone = instant(calendar, event, KINDS["end"])
        found.append(
            {
                "uid": event.get_uid(),
                "summary": event.get_summary(),
                "start": start,
                "end": end,
                "start_zone": start_zone,
                "end_zone": end_zone,
            }
        )
        event = calendar.get_next_component(VEVENT)
    return found


if __name__ == "__main__":
    json.dump({path: events(path) for path in sys.argv[1:]}, sys.stdout)
