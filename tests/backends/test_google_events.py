"""VEVENT <-> Google event JSON, event ids and edit detection (pure, no server)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pc_calendar.backends.google_events import (
    EDITED_PREFIX,
    FAMILY_KEY,
    FIELDS_KEY,
    HASH_KEY,
    KIND_KEY,
    event_body,
    event_id,
    fields_hash,
    is_ours,
    remote_event,
    to_ical,
)
from pc_calendar.identity import HASH_PROP, KIND_PROP, OWNER_PROP, content_hash, uid_for
from pc_calendar.testing import make_event

FAMILY = "contract-family"
NY = ZoneInfo("America/New_York")
BASE32HEX = set("0123456789abcdefghijklmnopqrstuv")


def stored(body: dict, etag: str = '"1"') -> dict:
    """What Google hands back: our body plus server fields, dateTime in another offset."""
    item = copy.deepcopy(body)
    item.update(etag=etag, kind="calendar#event", created="2026-01-01T00:00:00.000Z")
    for side in ("start", "end"):
        if "dateTime" in item[side]:
            moment = datetime.fromisoformat(item[side]["dateTime"])
            item[side]["dateTime"] = moment.astimezone(ZoneInfo("UTC")).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
    if item["transparency"] == "opaque":
        del item["transparency"]  # Google leaves defaults out
    for empty in ("description", "location"):
        if item[empty] == "":
            del item[empty]
    return item


def test_event_id_is_deterministic_base32hex_within_google_limits() -> None:
    uids = [uid_for(FAMILY, "custody", f"key-{n}") for n in range(200)]
    ids = [event_id(u) for u in uids]
    assert ids == [event_id(u) for u in uids]
    assert len(set(ids)) == len(ids)
    for value in ids:
        assert set(value) <= BASE32HEX
        assert 5 <= len(value) <= 1024


def test_timed_event_body() -> None:
    event = make_event(
        "x",
        datetime(2026, 12, 4, 18, tzinfo=NY),
        datetime(2026, 12, 4, 18, 15, tzinfo=NY),
        summary="Exchange 6pm",
        description="Bring the bag",
        location="School",
        kind="exchanges",
    )
    body = event_body(event, FAMILY)
    assert body["id"] == event_id(event.uid)
    assert body["iCalUID"] == event.uid
    assert body["start"] == {"dateTime": "2026-12-04T18:00:00-05:00", "timeZone": NY.key}
    assert body["end"] == {"dateTime": "2026-12-04T18:15:00-05:00", "timeZone": NY.key}
    assert (body["summary"], body["description"], body["location"]) == (
        "Exchange 6pm",
        "Bring the bag",
        "School",
    )
    assert body["reminders"] == {"useDefault": False, "overrides": []}
    props = body["extendedProperties"]["private"]
    assert props[FAMILY_KEY] == FAMILY
    assert props[HASH_KEY] == event.content_hash
    assert props[KIND_KEY] == "exchanges"
    assert props[FIELDS_KEY] == fields_hash(body)


def test_all_day_event_uses_dates_and_transparency() -> None:
    event = make_event("h", date(2026, 12, 25), date(2026, 12, 27), summary="Christmas")
    event.event.add("TRANSP", "TRANSPARENT")
    body = event_body(event, FAMILY)
    assert body["start"] == {"date": "2026-12-25"}
    assert body["end"] == {"date": "2026-12-27"}
    assert body["transparency"] == "transparent"


def test_valarms_become_reminder_overrides() -> None:
    event = make_event("r", datetime(2026, 12, 4, 18, tzinfo=NY))
    for minutes, action in ((30, "DISPLAY"), (1440, "EMAIL")):
        alarm = icalendar.Alarm()
        alarm.add("ACTION", action)
        alarm.add("TRIGGER", timedelta(minutes=-minutes))
        event.event.add_component(alarm)
    absolute = icalendar.Alarm()
    absolute.add("ACTION", "DISPLAY")
    absolute.add("TRIGGER", datetime(2026, 12, 1, tzinfo=ZoneInfo("UTC")))
    event.event.add_component(absolute)  # no Google equivalent: left out
    body = event_body(event, FAMILY)
    assert body["reminders"] == {
        "useDefault": False,
        "overrides": [{"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 30}],
    }


def test_floating_time_is_refused() -> None:
    event = make_event("f", datetime(2026, 12, 4, 18), datetime(2026, 12, 4, 19))
    with pytest.raises(ValueError, match="floating"):
        event_body(event, FAMILY)


def test_google_reserialisation_is_not_an_edit() -> None:
    event = make_event(
        "s", datetime(2026, 12, 4, 18, tzinfo=NY), datetime(2026, 12, 4, 19, tzinfo=NY)
    )
    remote = remote_event(stored(event_body(event, FAMILY)), FAMILY)
    assert remote is not None
    assert remote.content_hash == remote.actual_hash == event.content_hash
    assert remote.href == event_id(event.uid)
    assert remote.etag == '"1"'
    assert remote.start == date(2026, 12, 4)


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "Dentist instead"},
        {"description": "moved by mum"},
        {"location": "Park"},
        {"start": {"dateTime": "2026-12-04T19:00:00-05:00", "timeZone": "America/New_York"}},
        {"end": {"date": "2026-12-06"}},
        {"transparency": "transparent"},
        {"reminders": {"useDefault": True}},
    ],
)
def test_parent_edit_in_google_ui_shows_as_actual_differs(change: dict) -> None:
    event = make_event(
        "e", datetime(2026, 12, 4, 18, tzinfo=NY), datetime(2026, 12, 4, 19, tzinfo=NY)
    )
    item = stored(event_body(event, FAMILY))
    item.update(change)
    remote = remote_event(item, FAMILY)
    assert remote is not None
    assert remote.content_hash == event.content_hash
    assert remote.actual_hash != remote.content_hash
    assert remote.actual_hash.startswith(EDITED_PREFIX)


def test_colour_or_attendee_changes_are_not_edits_of_what_we_own() -> None:
    event = make_event("c", datetime(2026, 12, 4, 18, tzinfo=NY))
    item = stored(event_body(event, FAMILY))
    item.update(colorId="5", attendees=[{"email": "sam@example.org"}])
    remote = remote_event(item, FAMILY)
    assert remote is not None and remote.actual_hash == event.content_hash


def test_ownership_needs_marker_domain_and_derived_id() -> None:
    event = make_event("o", datetime(2026, 12, 4, 18, tzinfo=NY))
    item = stored(event_body(event, FAMILY))
    assert is_ours(item, FAMILY)
    assert not is_ours(item, "other-family")
    no_marker = copy.deepcopy(item)
    del no_marker["extendedProperties"]
    assert not is_ours(no_marker, FAMILY)
    copied = copy.deepcopy(item)
    copied["id"] = "abcdefgh0123"  # the parent duplicated our event in the UI
    assert not is_ours(copied, FAMILY)
    foreign_uid = copy.deepcopy(item)
    foreign_uid["iCalUID"] = "x@phone.example"
    foreign_uid["id"] = event_id("x@phone.example")
    assert not is_ours(foreign_uid, FAMILY)
    cancelled = dict(item, status="cancelled")
    assert remote_event(cancelled, FAMILY) is None


def _parsed(body: bytes) -> icalendar.Event:
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    return vevent


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 11, 1, 1, 30, tzinfo=NY), datetime(2026, 11, 1, 3, tzinfo=NY)),
        (
            datetime(2026, 12, 24, 18, tzinfo=ZoneInfo("Pacific/Auckland")),
            datetime(2026, 12, 28, 12, tzinfo=ZoneInfo("Pacific/Auckland")),
        ),
        (date(2026, 12, 25), date(2026, 12, 27)),
        (datetime(2027, 3, 14, 7, tzinfo=ZoneInfo("UTC")), None),
    ],
)
def test_round_trip_back_to_icalendar_is_exact(start, end) -> None:
    event = make_event("rt", start, end, summary="Übergabe → Zoë", location="Café")
    back = _parsed(to_ical(stored(event_body(event, FAMILY))))
    original = event.event
    assert back["DTSTART"].dt == original["DTSTART"].dt
    assert back["DTEND"].dt == original["DTEND"].dt
    assert type(back["DTSTART"].dt) is type(original["DTSTART"].dt)
    if isinstance(start, datetime):
        assert str(back["DTSTART"].dt.tzinfo) == str(original["DTSTART"].dt.tzinfo)
    for prop in ("UID", "SUMMARY", "LOCATION", OWNER_PROP, KIND_PROP, HASH_PROP):
        assert str(back[prop]) == str(original[prop])
    # the rebuilt VEVENT carries the same meaning: the VEVENT content hash agrees
    assert content_hash(back) == content_hash(original)


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)),
    st.integers(min_value=1, max_value=60 * 24 * 9),
    st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"]),
)
def test_any_timed_event_round_trips_unedited(local, minutes, zone_name) -> None:
    zone = ZoneInfo(zone_name)
    start = local.replace(microsecond=0, second=0, tzinfo=zone)
    event = make_event("p", start, start + timedelta(minutes=minutes))
    body = event_body(event, FAMILY)
    remote = remote_event(stored(body), FAMILY)
    assert remote is not None and remote.actual_hash == event.content_hash
    back = _parsed(to_ical(stored(body)))
    assert back["DTSTART"].dt == start and back["DTEND"].dt == start + timedelta(minutes=minutes)
