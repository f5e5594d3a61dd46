"""What ``pc-calendar sync`` writes, read back and parsed by real clients' parsers.

- the ics folder target: each parent's subscribable feed and the vdir (one file per
  event, each with a VTIMEZONE covering only its own years), twenty years of the Sao
  Paulo family (DST until 2019, none after);
- CalDAV: what Radicale stores after a sync, fetched back over HTTP with a REPORT, for
  one parent of a Sydney family and of the Sao Paulo family, across both changes of a
  year and the abolition of DST (short ranges: Radicale writes are slow).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from interop_families import (
    END,
    FAMILIES,
    START,
    Family,
    crossing_edges,
    expected_instants,
    write_plan,
)
from interop_parsers import Calendar, assert_reads_like_timeline

from pc_calendar.cli import main

ICS_FAMILIES = [f for f in FAMILIES if f.zone == "America/Sao_Paulo"]
CALDAV_RANGES = {  # family zone -> [from, to): both changes of a year, and DST's end in Brazil
    "Australia/Sydney": (date(2027, 3, 1), date(2027, 11, 1)),
    "America/Sao_Paulo": (date(2018, 9, 1), date(2020, 3, 1)),
}
MARGIN = timedelta(days=120)  # sync renders from before the range; edge events may stay
REPORT = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter>
  </C:filter>
</C:calendar-query>"""


def sync(plan: Path, start: date, end: date) -> None:
    state = plan.parent / "state.sqlite3"
    args = ["sync", str(plan), "--state", str(state), "--from", str(start), "--to", str(end)]
    try:
        main(args)
    except SystemExit as exc:
        assert not exc.code, f"pc-calendar {' '.join(args)} exited {exc.code}"


def toml_table(config: dict) -> str:
    return "{ " + ", ".join(f"{key} = {json.dumps(value)}" for key, value in config.items()) + " }"


@pytest.fixture(scope="module")
def ics_folders(tmp_path_factory: pytest.TempPathFactory) -> list[Calendar]:
    root = tmp_path_factory.mktemp("ics")
    calendars = []
    for family in ICS_FAMILIES:
        targets = {p: f'{{ type = "ics", folder = "out/{p}" }}' for p in ("robin", "kai")}
        plan = write_plan(root / family.id, family, targets)
        sync(plan, START, END)
        for parent, expected in expected_instants(plan, START, END, MARGIN).items():
            if parent is None:
                continue
            folder = plan.parent / "out" / parent
            feed = folder / f"{family.id}-{parent}.ics"
            vdir = tuple(sorted((folder / "vdir").glob("*.ics")))
            edges = crossing_edges(expected, START, END, family.zone)
            for name, files in ((feed.name, (feed,)), (f"{family.id}-{parent} vdir", vdir)):
                calendars.append(Calendar(name, files, expected, (family.zone,), edges))
    return calendars


def test_ics_folder_feeds_and_vdirs_read_as_zoneinfo_says(parser: str, ics_folders) -> None:
    compared = sum(map(len, assert_reads_like_timeline(parser, ics_folders).values()))
    assert compared >= sum(len(c.expected) - len(c.optional) for c in ics_folders) > 2 * 700


def stored_objects(calendar, folder: Path) -> tuple[Path, ...]:
    """Every object the server stores in ``calendar``, as the server sends it back."""
    status, _, body = calendar.server.http(
        "REPORT", calendar.path, REPORT, {"Depth": "1", "Content-Type": "application/xml"}
    )
    assert status == 207, body[:300]
    folder.mkdir(parents=True)
    paths = []
    for index, data in enumerate(
        ET.fromstring(body).iter("{urn:ietf:params:xml:ns:caldav}calendar-data")
    ):
        path = folder / f"{index}.ics"
        path.write_bytes(re.sub(r"\r?\n", "\r\n", data.text or "").encode())
        paths.append(path)
    return tuple(paths)


@pytest.fixture(scope="module")
def caldav_calendars(tmp_path_factory: pytest.TempPathFactory, radicale_server) -> list[Calendar]:
    root = tmp_path_factory.mktemp("caldav")
    calendars = []
    for family in [f for f in FAMILIES if f.zone in CALDAV_RANGES]:
        start, end = CALDAV_RANGES[family.zone]
        remote = {"robin": radicale_server.new_calendar()}
        targets = {"robin": toml_table(remote["robin"].config(timeout=30))}
        targets["kai"] = '{ type = "ics", folder = "out/kai" }'
        plan = write_plan(root / family.id, family, targets)
        sync(plan, start, end)
        for parent, expected in expected_instants(plan, start, end, MARGIN).items():
            if parent not in remote:
                continue
            objects = stored_objects(remote[parent], root / family.id / parent)
            name = f"{family.id}-{parent} on Radicale"
            edges = crossing_edges(expected, start, end, family.zone)
            calendars.append(Calendar(name, objects, expected, (family.zone,), edges))
    return calendars


def test_what_caldav_stores_reads_as_zoneinfo_says(parser: str, caldav_calendars) -> None:
    compared = sum(map(len, assert_reads_like_timeline(parser, caldav_calendars).values()))
    assert compared >= sum(len(c.expected) - len(c.optional) for c in caldav_calendars) > 100


def test_caldav_ranges_cross_changes(caldav_calendars: list[Calendar]) -> None:
    """Sao Paulo's range holds events before, in and after its last DST period (18:00
    is 21:00 UTC at -03 and 20:00 UTC at -02), so a VTIMEZONE that misses a change, or
    goes on with DST after 2019, is caught."""
    family: Family = next(f for f in FAMILIES if f.zone == "America/Sao_Paulo")
    calendar = next(c for c in caldav_calendars if c.name.startswith(f"{family.id}-robin"))
    hours: dict[str, set[str]] = {}
    for start, _ in calendar.expected.values():
        if "T" in start:
            hours.setdefault(start[:7], set()).add(start[11:13])
    assert {"21"} <= hours["2018-09"] and "20" not in hours["2018-09"]
    assert {"20"} <= hours["2019-01"] and "21" not in hours["2019-01"]
    assert {"21"} <= hours["2020-01"] and "20" not in hours["2020-01"]
