"""The RFC 5545 writer's pieces against icalendar's, on generated and edge-case input.

The writer must produce what icalendar produces, byte for byte, or content hashes and
files change: escaping (RFC 5545 3.3.11), folding at 75 octets (never inside a UTF-8
sequence, never after a lone backslash), DATE vs DATE-TIME with TZID or Z, durations.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.content_line import Contentline
from icalendar.parser.string import _escape_char
from icalendar.prop import vDatetime, vDuration

from pc_calendar import identity
from pc_calendar.render.publish import PRODID, _header
from pc_calendar.render.vevent import (
    Reminder,
    VEvent,
    _tzid,
    canonical_hash,
    duration,
    escape_text,
    fold,
    to_icalendar,
    write_vevent,
)

# Text with what matters to escaping and folding: ASCII, 2-, 3- and 4-byte characters,
# backslashes, carets, the characters TEXT escapes, line breaks of every kind.
TEXT = st.text(
    alphabet=st.sampled_from(list('ab ,;:\\^\n\r"N') + ["é", "→", "☂", "𝄞", "Ω"]),
    max_size=300,
)


@given(TEXT)
@settings(max_examples=400, deadline=None)
def test_escaping_matches_icalendar(text: str) -> None:
    assert escape_text(text) == _escape_char(text)


@given(TEXT, st.sampled_from(["DESCRIPTION:", "SUMMARY:", "X-WR-CALNAME:", ""]))
@settings(max_examples=400, deadline=None)
def test_folding_matches_icalendar(text: str, prefix: str) -> None:
    line = prefix + escape_text(text)
    assert fold(line) == Contentline(line).to_ical()


# ASCII lines take a shortcut (one regex): long ones, with backslashes and carets to cut at.
ASCII_TEXT = st.text(alphabet=st.sampled_from(list("ab ,;:\\^N")), min_size=40, max_size=400)


@given(ASCII_TEXT, st.sampled_from(["DESCRIPTION:", "X-WR-CALNAME:", ""]))
@settings(max_examples=400, deadline=None)
def test_folding_ascii_lines_matches_icalendar(text: str, prefix: str) -> None:
    for line in (prefix + text, prefix + escape_text(text)):
        assert fold(line) == Contentline(line).to_ical()


@pytest.mark.parametrize("width", range(70, 80))
def test_folding_at_the_edge_of_75_octets(width: int) -> None:
    for tail in ("x", "é", "→", "𝄞", "\\,", "\\\\"):
        line = "D" * (width - 1) + tail + "y" * 90
        folded = fold(line)
        assert folded == Contentline(line).to_ical()
        assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
        assert folded.replace(b"\r\n ", b"").decode() == line


@pytest.mark.parametrize("minutes", [1, 15, 45, 60, 61, 90, 120, 1440, 1500, 10080, 10081])
def test_durations_match_icalendar(minutes: int) -> None:
    for delta in (timedelta(minutes=-minutes), timedelta(minutes=minutes)):
        assert duration(delta) == vDuration(delta).to_ical().decode()


def test_every_zone_gets_the_tzid_icalendar_gives() -> None:
    """Zones icalendar counts as UTC (Africa/Abidjan, Etc/GMT) are written with Z."""
    utc_like = []
    for key in sorted(available_timezones()):
        value = vDatetime(datetime(2000, 1, 1, tzinfo=ZoneInfo(key)))
        expected = None if value.is_utc() else str(value.params["TZID"])
        assert _tzid(key) == expected, key
        if expected is None:
            utc_like.append(key)
    assert "Africa/Abidjan" in utc_like and "Europe/London" not in utc_like


@pytest.mark.parametrize("name", [None, "Plain", "Rivera, Chen; family \\ Ω", "x" * 120])
def test_calendar_header_matches_icalendar(name: str | None) -> None:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "America/Chicago")
    assert _header(name, "America/Chicago") == cal.to_ical()  # X- values unescaped, as icalendar


def test_a_line_break_in_a_calendar_name_does_not_break_the_file() -> None:
    """icalendar refuses the name (AssertionError); the writer keeps one line."""
    header = _header("Rivera\nChen", "America/Chicago")
    assert b"X-WR-CALNAME:Rivera\\nChen\r\n" in header


CHICAGO = ZoneInfo("America/Chicago")
EVENTS = [
    VEvent(
        "Exchange 15:00 CST: Alex → Sam (Maya, Leo) at School; gate \\N 2",
        datetime(2026, 11, 1, 1, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 1, 45, tzinfo=UTC),
        "Line one\nLine two, with; all \\ of it " + "→" * 40,
        ("Exchange",),
        location="Lincoln Elementary, 100 Example Ave",
        reminder=Reminder("Exchange, soon", timedelta(minutes=1500)),
    ),
    VEvent(
        "Maya & Leo with Alex",
        datetime(2026, 3, 8, 3, 0, tzinfo=CHICAGO),
        datetime(2026, 3, 10, 17, 0, tzinfo=CHICAGO),
        "Why:\n- rotation",
        ("Custody",),
        transparent=True,
    ),
    VEvent(
        "Thanksgiving",
        date(2026, 11, 25),
        date(2026, 11, 30),
        "",
        ("Holiday", "Family, extended"),
        transparent=True,
    ),
]


@pytest.mark.parametrize("event", EVENTS, ids=["exchange-utc", "custody", "holiday"])
def test_a_vevent_is_written_and_hashed_as_icalendar_does(event: VEvent) -> None:
    uid = identity.uid_for("rivera-chen", "x", "key")
    built = to_icalendar(event)
    built.add("uid", uid)
    built.add(identity.OWNER_PROP, "rivera-chen")
    built.add(identity.KIND_PROP, "exchanges")
    content = identity.content_hash(built)
    assert canonical_hash(event, uid, "rivera-chen", "exchanges") == content
    stamp = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    built.add("dtstamp", stamp)
    built.add(identity.HASH_PROP, content)
    assert write_vevent(event, uid, "rivera-chen", "exchanges", stamp, content) == built.to_ical()


def test_a_zone_that_is_not_zoneinfo_is_refused() -> None:
    odd = VEvent("x", datetime(2026, 1, 1, tzinfo=None), date(2026, 1, 2), "", ())
    with pytest.raises(ValueError, match="zoneinfo zone or UTC"):
        write_vevent(odd, "u", "f", "k", datetime(2026, 1, 1, tzinfo=UTC), "h")


def test_the_same_instant_in_two_zones_is_written_in_each_zone() -> None:
    """Aware datetimes of one instant compare equal: the caches must key on the zone."""
    chicago = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    london = chicago.astimezone(ZoneInfo("Europe/London"))
    assert chicago == london
    events = [VEvent("x", moment, moment, "", ()) for moment in (chicago, london, chicago)]
    written = [
        write_vevent(e, "u", "f", "k", datetime(2026, 1, 1, tzinfo=UTC), "h") for e in events
    ]
    assert written[0] == written[2]
    assert b"DTSTART;TZID=America/Chicago:20260701T120000" in written[0]
    assert b"DTSTART;TZID=Europe/London:20260701T180000" in written[1]


def test_day_and_time_words_follow_the_moment_s_own_zone() -> None:
    from pc_calendar.render.text import when

    chicago = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert when(chicago) == "Wed 1 Jul 2026 12:00"
    assert when(chicago.astimezone(ZoneInfo("Asia/Tokyo"))) == "Thu 2 Jul 2026 02:00"
    assert when(chicago) == "Wed 1 Jul 2026 12:00"
