"""The VTIMEZONE writer, without client tools: form, and offsets as icalendar reads them.

tests/interop reads the same blocks with ical.js and libical; these checks need nothing
but Python, so a broken form is caught even where those tools are missing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from pc_calendar.vtimezone import vtimezone


def block(tzid: str, first: int, last: int) -> icalendar.Timezone:
    text = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + vtimezone(tzid, first, last) + b"END:VCALENDAR\r\n"
    )
    (zone,) = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    return zone


@pytest.mark.parametrize(
    "tzid", ["America/Chicago", "Australia/Sydney", "America/Sao_Paulo", "Australia/Lord_Howe"]
)
def test_offsets_match_zoneinfo_every_six_hours(tzid: str) -> None:
    tz = block(tzid, 2012, 2031).to_tz()
    zone = ZoneInfo(tzid)
    moment = datetime(2012, 1, 1, tzinfo=UTC)
    while moment.year < 2032:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(zone).utcoffset(), moment
        moment += timedelta(hours=6)


def test_one_date_per_rdate_line_and_the_first_change_among_them() -> None:
    text = vtimezone("America/Sao_Paulo", 2010, 2030).decode()
    rdates = [line for line in text.splitlines() if line.startswith("RDATE")]
    assert rdates and all("," not in line for line in rdates)
    for part in block("America/Sao_Paulo", 2010, 2030).walk():
        if "RDATE" in part:
            starts = part.decoded("DTSTART")
            listed = part["RDATE"] if isinstance(part["RDATE"], list) else [part["RDATE"]]
            assert starts in [d.dt for r in listed for d in r.dts]


def test_yearly_rules_are_rrules_open_ended_while_in_force() -> None:
    chicago = block("America/Chicago", 2026, 2027)
    rules = [str(p["RRULE"].to_ical(), "ascii") for p in chicago.walk() if "RRULE" in p]
    assert sorted(rules) == ["FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"]
    sao_paulo = vtimezone("America/Sao_Paulo", 2012, 2031).decode()
    assert "RRULE" in sao_paulo and all(
        "UNTIL=" in line for line in sao_paulo.splitlines() if line.startswith("RRULE")
    )  # DST was abolished in 2019: no rule goes on


def test_a_zone_without_changes_has_one_observance() -> None:
    text = vtimezone("Asia/Kolkata", 2026, 2027).decode()
    assert text.count("BEGIN:STANDARD") == 1 and "TZOFFSETTO:+0530" in text
    assert "DAYLIGHT" not in text


def test_cached_and_deterministic() -> None:
    assert vtimezone("Europe/London", 2020, 2040) is vtimezone("Europe/London", 2020, 2040)
    vtimezone.cache_clear()
    first = vtimezone("Europe/London", 2020, 2040)
    vtimezone.cache_clear()
    assert vtimezone("Europe/London", 2020, 2040) == first


def test_an_unknown_zone_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        vtimezone("Mars/Olympus_Mons", 2026, 2026)
