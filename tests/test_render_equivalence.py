"""The plain-data writer against the icalendar path, over 18 years of three families.

Events are written from plain data (:mod:`pc_calendar.render.vevent`) unless a
``pc_calendar_decorate_event`` plugin is registered; then each is built as an
``icalendar.Event``, hashed with :func:`pc_calendar.identity.content_hash` and
serialised by icalendar, which is how every event was rendered before. A plugin that
changes nothing therefore renders the old way, and both must agree: the same bytes, the
same content hashes (or every calendar already synced would get a mass update), the
same parsed content, and the hash a server's copy gives back must be the one we wrote.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

import pc_calendar.templates
from pc_calendar import hookimpl, identity
from pc_calendar.plan.load import load_plan
from pc_calendar.plugins import build_plugin_manager
from pc_calendar.render import render_calendar, render_parent
from pc_calendar.schedule.engine import compute_timeline

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2026, 1, 1), date(2044, 1, 1)  # 18 years

# An invented family in London with a parent in New York: handovers at 01:30, inside
# the hour clocks repeat each October (written in UTC there), names and places with
# characters TEXT must escape and multi-byte ones where lines fold, a day-long reminder.
MULTI_ZONE = """\
[family]
id = "aalto-norgaard"
name = "Aalto-Nørgaard; family, \\\\ test"
timezone = "Europe/London"

[parents.ilse]
name = "Ilse Nørgaard-Ødegård"
events = ["own_custody", "other_custody", "exchanges", "holidays"]
reminder_minutes = 1500

[parents.tuomas]
name = "Tuomas Aalto"
timezone = "America/New_York"
events = ["own_custody", "exchanges", "holidays"]
reminder_minutes = 45

[[children]]
id = "siiri"
name = "Siiri Ææææææææææææææææææææææææææææææææææææææææææææææ"
birth_date = 2020-03-01

[[children]]
id = "eeli"
name = "Eeli"
birth_date = 2022-10-30

[locations.station]
name = "Kings Cross; platform 9, under the clock"
address = "Euston Rd, London N1C 4QP — ☂ by the ticket hall, a very long way round"

[rotation]
pattern = "alternating_weeks"
anchor = 2026-01-04  # a Sunday: handovers on the Sundays clocks change
parents = ["ilse", "tuomas"]

[exchange]
time = 01:30:00
location = "station"

[[holidays]]
name = "Midsummer; juhannus, \\\\ night"
date = { rule = "fixed", month = 6, day = 21 }
assign = { even_years = "ilse", odd_years = "tuomas" }

[[holidays]]
name = "Christmas"
date = { rule = "fixed", month = 12, day = 25 }
start = { month_day = "12-23", time = 10:00:00 }
split = { month_day = "12-26", time = 12:00:00 }
end = { month_day = "12-29", time = 18:00:00 }
assign = { even_years = "tuomas", odd_years = "ilse" }
"""


class Unchanged:
    """A decorating plugin that changes nothing: rendering takes the icalendar path."""

    @hookimpl
    def pc_calendar_decorate_event(self, event, info):
        pass


def _plan(name: str, tmp_path_factory):
    if name == "example":
        return load_plan(ROOT / "examples" / "rivera-chen.toml")
    if name == "texas":
        return load_plan(Path(pc_calendar.templates.__file__).parent / "texas-spo.toml")
    path = tmp_path_factory.mktemp("plans") / "aalto.toml"
    path.write_text(MULTI_ZONE, encoding="utf-8")
    return load_plan(path)


@pytest.fixture(scope="module", params=["example", "texas", "multi-zone"])
def family(request, tmp_path_factory):
    plan = _plan(request.param, tmp_path_factory)
    return plan, compute_timeline(plan, START, END)


@pytest.fixture(scope="module")
def old_path():
    return build_plugin_manager(extra=[Unchanged()])


@pytest.fixture(autouse=True)
def pinned_dtstamp(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def _vevents(ical: bytes) -> list:
    return list(icalendar.Calendar.from_ical(ical).walk("VEVENT"))


def _blocks(ical: bytes) -> dict[str, bytes]:
    """UID -> the VEVENT's bytes, in calendar order."""
    found = {}
    for part in ical.split(b"BEGIN:VEVENT\r\n")[1:]:
        block = b"BEGIN:VEVENT\r\n" + part.split(b"END:VEVENT\r\n")[0] + b"END:VEVENT\r\n"
        found[_uid(block)] = block
    return found


def _uid(block: bytes) -> str:
    unfolded = block.replace(b"\r\n ", b"")
    return unfolded.split(b"\r\nUID:")[1].split(b"\r\n")[0].decode()


def _content(event) -> list[tuple]:
    """Every property of a parsed VEVENT and its VALARMs: name, params, value."""
    return [
        (
            name,
            dict(getattr(value, "params", {})),
            value if isinstance(value, bytes) else value.to_ical(),
        )
        for name, value in event.property_items(recursive=True, sorted=True)
    ]


def test_same_bytes_hashes_and_content_as_the_icalendar_path(family, old_path) -> None:
    """Every reader's calendar over 18 years; parsing is slow, so every 10th event is
    parsed back (what a server returns) and compared property by property."""
    plan, timeline = family
    for reader in [*plan.parents, None]:
        new = render_calendar(plan, timeline, reader)
        old = render_calendar(plan, timeline, reader, old_path)
        assert new == old, reader
        blocks = _blocks(new)
        assert len(blocks) == new.count(b"BEGIN:VEVENT") > 400, reader  # UIDs unique
        sample = set(list(blocks)[::10])
        for uid in sample:
            parsed = icalendar.Event.from_ical(blocks[uid])
            assert identity.content_hash(parsed) == str(parsed[identity.HASH_PROP])
        if reader is None:
            continue
        desired = render_parent(plan, timeline, reader)
        assert [d.uid for d in desired] == list(blocks)
        for event in desired:
            assert f"{identity.HASH_PROP}:{event.content_hash}\r\n".encode() in blocks[event.uid]
            if event.uid in sample:  # built on demand: the same as the icalendar path's
                assert blocks[event.uid] in event.ical
                parsed = icalendar.Event.from_ical(blocks[event.uid])
                assert _content(event.event) == _content(parsed)
                assert event.span() == (parsed["DTSTART"].dt, parsed["DTEND"].dt)


def test_the_multi_zone_family_exercises_what_the_writer_must_get_right(tmp_path_factory):
    plan = _plan("multi-zone", tmp_path_factory)
    timeline = compute_timeline(plan, date(2030, 10, 20), date(2031, 1, 1))
    ical = render_calendar(plan, timeline, "ilse")
    lines = ical.split(b"\r\n")
    assert max(len(line) for line in lines) == 75  # folded, some lines exactly full
    assert any(line.startswith(b" ") and line[1:2] >= b"\x80" for line in lines)
    assert b"TRIGGER:-P1DT1H" in ical
    assert b"\\;" in ical and b"\\," in ical and b"\\\\" in ical
    # 01:30 on 27 October 2030 occurs twice in London: that handover is written in UTC
    assert b"DTSTART:20301027T003000Z\r\nDTEND:20301027T004500Z\r\n" in ical
    assert b"DTEND:20301027T003000Z\r\n" in ical  # and the custody ending then
    assert b"DTSTART;TZID=Europe/London:20301103T013000\r\n" in ical


def test_days_without_the_event_match_the_event(tmp_path_factory) -> None:
    """``Published.days`` (for windows) reads the plain data as the icalendar form says."""
    from pc_calendar.render import _render

    plan = _plan("multi-zone", tmp_path_factory)
    timeline = compute_timeline(plan, date(2030, 1, 1), date(2031, 1, 1))
    for item in _render(plan, timeline, None, None):
        start, end = item.event["DTSTART"].dt, item.event["DTEND"].dt
        first = start.date() if isinstance(start, datetime) else start
        last = end.date() if isinstance(end, datetime) else end - timedelta(days=1)
        assert item.days() == (first, max(first, last))


def _report(ex, seq: int, by: str, note: str):
    from pc_calendar.exchanges.chain import Record

    return Record(
        seq=seq,
        family="nair-ruiz",
        exchange_id=ex.id,
        scheduled_at=ex.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        scheduled_local=ex.at.isoformat(),
        from_parent=ex.from_parent,
        to_parent=ex.to_parent,
        location=ex.location,
        children=list(ex.children),
        rule="rotation",
        status="late",
        minutes_late=25,
        reported_by=by,
        agreed_by=[],
        recorded_at="2027-03-01T18:05:00Z",
        note=note,
        supersedes=None,
        prev_hash="0" * 64,
        channel="checkin",
        at_fault="handing_over",
        hash=f"{seq:064x}",
    )


def test_checkin_notes_amendments_and_windows_take_the_same_bytes(old_path) -> None:
    """What main added to descriptions (check-in reports and link, "Plan as amended by")
    and sync windows give the same bytes and hashes on both paths."""
    from pc_calendar.render.checkin_text import CheckinNotes

    plan = load_plan(Path(pc_calendar.templates.__file__).parent / "step-up-young-children.toml")
    window = (date(2026, 11, 1), date(2029, 1, 1))
    timeline = compute_timeline(plan, date(2026, 10, 1), date(2029, 2, 1))
    exchanges = [
        ex for ex in timeline.merged_exchanges() if "priya" in (ex.from_parent, ex.to_parent)
    ]
    records = {
        ex.id: (_report(ex, n, "tomas", 'stuck; "traffic", \\ A1 — ☂ ' * (n % 3 + 1)),)
        for n, ex in enumerate(exchanges[::7], start=1)
    }
    notes = CheckinNotes("https://checkin.example.org/c/tok;en,x?a=1&b=2", records)
    new = render_calendar(plan, timeline, "priya", None, None, window, checkin=notes)
    old = render_calendar(plan, timeline, "priya", old_path, None, window, checkin=notes)
    assert new == old
    unfolded = new.replace(b"\r\n ", b"")
    inside = [e for e in exchanges if e.id in records and window[0] <= e.at.date() < window[1]]
    assert 50 < len(inside) < len(records)
    assert unfolded.count(b"Reported by Tom\xc3\xa1s Ruiz (check-in link)") == len(inside)
    assert b"Plan as amended by amendments[1] 'Step-up at 3'." in unfolded
    desired = render_parent(plan, timeline, "priya", None, window, checkin=notes)
    assert [d.content_hash for d in desired] == [
        d.content_hash
        for d in render_parent(plan, timeline, "priya", old_path, window, checkin=notes)
    ]
    everything = render_parent(plan, timeline, "priya", None, checkin=notes)
    assert 0 < len(desired) < len(everything)
