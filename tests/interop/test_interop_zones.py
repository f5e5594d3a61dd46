"""Our VTIMEZONEs for zones with unusual histories, read by real clients' parsers.

Beyond the families' zones: half-hour DST (Lord Howe), negative DST in tz data
(Dublin), DST suspended for Ramadan (Casablanca), rules that are not "nth Sunday"
(Santiago, Asuncion), a +12:45 zone (Chatham), a zone that left DST (Sao Paulo), one that
never had it (Kolkata). One event an hour before and an hour after every change over
twenty years, one half an hour after (in the hour that repeats in autumn, where the
renderer writes UTC), and one on the 15th of every third month.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Event
from interop_parsers import Calendar, assert_reads_like_timeline

from pc_calendar.render.events import calendar_time
from pc_calendar.render.publish import assemble
from pc_calendar.vtimezone import changes

ZONES = (
    "America/Chicago",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "America/Santiago",
    "America/Asuncion",
    "Africa/Casablanca",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kolkata",
)
FIRST, LAST = datetime(2012, 1, 1, tzinfo=UTC), datetime(2032, 1, 1, tzinfo=UTC)


HOUR = timedelta(hours=1)


def moments(zone: ZoneInfo) -> list[datetime]:
    """Instants around every change, and quarterly."""
    around = (-HOUR, -HOUR / 2, HOUR / 2, HOUR)
    found = [c.at + delta for c in changes(zone, FIRST, LAST) for delta in around]
    found += [datetime(y, m, 15, 12, tzinfo=UTC) for y in range(2012, 2032) for m in (1, 4, 7, 10)]
    return sorted(found)


@pytest.fixture(scope="module")
def zone_calendar(tmp_path_factory: pytest.TempPathFactory) -> list[Calendar]:
    calendars = []
    root = tmp_path_factory.mktemp("zones")
    for key in ZONES:
        zone = ZoneInfo(key)
        events, expected = [], {}
        for index, moment in enumerate(moments(zone)):
            event = Event()
            uid = f"{key}-{index}@zones.invalid"
            event.add("uid", uid)
            event.add("dtstamp", FIRST)
            event.add("dtstart", calendar_time(moment, zone))
            event.add("dtend", calendar_time(moment + HOUR, zone))
            events.append(event)
            end = moment + HOUR
            expected[uid] = tuple(m.strftime("%Y-%m-%dT%H:%M:%SZ") for m in (moment, end))
        path = root / f"{key.replace('/', '_')}.ics"
        path.write_bytes(assemble(events))
        calendars.append(Calendar(key, (path,), expected, (key,)))
    return calendars


def test_every_zone_reads_as_zoneinfo_says(parser: str, zone_calendar) -> None:
    read = assert_reads_like_timeline(parser, zone_calendar)
    assert sum(map(len, read.values())) > len(ZONES) * 80


def test_a_local_time_that_occurs_twice_is_written_in_utc() -> None:
    zone = ZoneInfo("America/Chicago")
    first = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT
    second = first + HOUR  # 01:30 CST
    assert calendar_time(first, zone).tzinfo is UTC and calendar_time(second, zone) == second
    assert calendar_time(first - HOUR, zone).tzinfo is zone  # 00:30 CDT: only once
