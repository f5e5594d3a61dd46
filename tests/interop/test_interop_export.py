"""``pc-calendar export`` output read by real clients' parsers, instant for instant.

Every calendar an export writes (each parent's, the family's) for families in four
zones over twenty years: ical.js (Thunderbird, Nextcloud) and libical (Evolution) must
place every event where zoneinfo does.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Timezone
from interop_families import END, FAMILIES, START, expected_instants, write_plan
from interop_parsers import Calendar, assert_reads_like_timeline, mismatches, parse, require

from pc_calendar.cli import main
from pc_calendar.render.text import zone_abbreviation

TITLE_CLOCK = re.compile(r"Exchange (\d\d:\d\d) (\S+): ")


def run_cli(*args: str) -> None:
    try:
        main(list(args))
    except SystemExit as exc:
        assert not exc.code, f"pc-calendar {' '.join(args)} exited {exc.code}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> list[Calendar]:
    root = tmp_path_factory.mktemp("export")
    calendars = []
    for family in FAMILIES:
        plan = write_plan(root / "plans", family)
        out = root / family.id
        run_cli("export", str(plan), "-o", f"{out}/", "--from", str(START), "--to", str(END))
        for reader, expected in expected_instants(plan, START, END).items():
            name = f"{family.id}-{reader}.ics" if reader else f"{family.id}.ics"
            calendars.append(Calendar(name, (out / name,), expected, (family.zone,)))
    return calendars


def test_every_exported_instant_reads_as_zoneinfo_says(parser: str, exported) -> None:
    """Every instant as zoneinfo says, and every exchange title gives the time where the
    reader's calendar shows it: Kai lives in another zone than the family."""
    read = assert_reads_like_timeline(parser, exported)
    assert sum(map(len, read.values())) == sum(len(c.expected) for c in exported) > 4 * 3 * 700
    titles = 0
    for family in FAMILIES:
        for name, zone in (
            (f"{family.id}-robin.ics", family.zone),
            (f"{family.id}-kai.ics", family.away_zone),
            (f"{family.id}.ics", family.zone),
        ):
            for event in read[name]:
                match = TITLE_CLOCK.match(event["summary"])
                if match is None:
                    continue
                moment = datetime.fromisoformat(event["start"]).astimezone(ZoneInfo(zone))
                assert match.groups() == (f"{moment:%H:%M}", zone_abbreviation(moment)), name
                titles += 1
    assert titles > 4 * 3 * 200


def test_the_vtimezone_icalendar_writes_is_misread_by_icaljs(exported, tmp_path) -> None:
    """The test above can fail: with icalendar's own VTIMEZONE (several dates on one
    RDATE line, the first change only in DTSTART) ical.js puts summer events an hour off,
    as Thunderbird and Nextcloud showed them (issue 13)."""
    require("ical.js")
    calendar = next(c for c in exported if c.zones == ("America/Chicago",))
    text = calendar.files[0].read_bytes().decode()
    theirs = Timezone.from_tzid(
        calendar.zones[0], first_date=date(START.year, 1, 1), last_date=date(END.year + 1, 1, 1)
    ).to_ical()
    broken = re.sub(
        r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", theirs.decode(), text, flags=re.DOTALL
    )
    path = tmp_path / "icalendar-vtimezone.ics"
    path.write_text(broken, encoding="utf-8", newline="")
    wrong = mismatches(parse("ical.js", [path])[path], calendar.expected, calendar.zones)
    timed = sum("T" in start for start, _ in calendar.expected.values())
    assert timed / 4 < len(wrong) < timed  # the summer months, not everything
