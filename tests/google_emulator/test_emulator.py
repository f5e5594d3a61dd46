"""Calendars and single-event semantics, driven through the real google-api-python-client."""

from __future__ import annotations

import re

import pytest
from googleapiclient.errors import HttpError

from .emulator import GoogleEmulator
from .store import PRIMARY_ID
from .testkit import all_day, error_of, timed

UPDATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_addresses_are_local(google_emulator: GoogleEmulator) -> None:
    root = google_emulator.root_url
    assert re.match(r"^http://127\.0\.0\.1:\d+/$", root)
    assert google_emulator.api_endpoint == root + "calendar/v3/"
    assert google_emulator.batch_uri == root + "batch/calendar/v3"


def test_calendars_insert_get_and_list(svc, google_emulator: GoogleEmulator) -> None:
    made = svc.calendars().insert(body={"summary": "Kids", "timeZone": "Europe/Paris"}).execute()
    assert made["id"].endswith("@group.calendar.google.com")
    assert made["etag"].startswith('"') and made["etag"].endswith('"')
    got = svc.calendars().get(calendarId=made["id"]).execute()
    assert (got["summary"], got["timeZone"]) == ("Kids", "Europe/Paris")
    assert svc.calendars().get(calendarId="primary").execute()["id"] == PRIMARY_ID
    entries = svc.calendarList().list().execute()["items"]
    assert {e["id"] for e in entries} == {PRIMARY_ID, made["id"]}
    assert [e["id"] for e in entries if e.get("primary")] == [PRIMARY_ID]
    assert google_emulator.add_calendar("primary", summary="Mine") == PRIMARY_ID


def test_calendar_errors(svc) -> None:
    with pytest.raises(HttpError) as missing_title:
        svc.calendars().insert(body={"timeZone": "UTC"}).execute()
    assert error_of(missing_title.value) == (400, "required")
    with pytest.raises(HttpError) as unknown:
        svc.calendars().get(calendarId="nobody@group.calendar.google.com").execute()
    assert error_of(unknown.value) == (404, "notFound")
    with pytest.raises(HttpError) as primary:
        svc.calendars().delete(calendarId="primary").execute()
    assert error_of(primary.value) == (400, "cannotDeletePrimaryCalendar")


def test_insert_get_round_trip(svc, google_emulator: GoogleEmulator) -> None:
    cal = google_emulator.add_calendar(
        "kids@group.calendar.google.com", time_zone="America/Chicago"
    )
    props = {"private": {"pcal": "fam1", "hash": "abc"}, "shared": {"label": "x"}}
    timed_body = timed(
        "ev0timed1",
        "2026-03-06T17:00:00-06:00",
        "2026-03-08T17:00:00-05:00",
        extendedProperties=props,
    )
    made = svc.events().insert(calendarId=cal, body=timed_body).execute()
    got = svc.events().get(calendarId=cal, eventId="ev0timed1").execute()
    for event in (made, got):
        assert event["start"] == timed_body["start"] and event["end"] == timed_body["end"]
        assert event["extendedProperties"] == props
        assert (event["kind"], event["status"], event["sequence"]) == (
            "calendar#event",
            "confirmed",
            0,
        )
        assert UPDATED.match(event["updated"]) and event["created"] == event["updated"]
        assert event["iCalUID"] == "ev0timed1@google.com"
    day = svc.events().insert(calendarId=cal, body=all_day("ev0date01", "2026-12-24", "2026-12-26"))
    day = day.execute()
    assert (day["start"], day["end"]) == ({"date": "2026-12-24"}, {"date": "2026-12-26"})
    assert "extendedProperties" not in day
    generated = svc.events().insert(calendarId=cal, body=all_day(None, "2026-01-01", "2026-01-02"))
    assert re.match(r"^[a-v0-9]{5,1024}$", generated.execute()["id"])


def test_date_time_is_rendered_in_the_response_zone(svc, google_emulator: GoogleEmulator) -> None:
    """Google answers in the calendar's zone (or ?timeZone=), keeping the event's timeZone."""
    cal = google_emulator.add_calendar("c1@group.calendar.google.com", time_zone="America/Chicago")
    body = timed("utcgiven1", "2026-03-06T23:00:00Z", "2026-03-07T00:30:00Z", tz="UTC")
    svc.events().insert(calendarId=cal, body=body).execute()
    got = svc.events().get(calendarId=cal, eventId="utcgiven1").execute()
    assert got["start"] == {"dateTime": "2026-03-06T17:00:00-06:00", "timeZone": "UTC"}
    in_utc = svc.events().get(calendarId=cal, eventId="utcgiven1", timeZone="UTC").execute()
    assert in_utc["end"]["dateTime"] == "2026-03-07T00:30:00Z"
    naive = timed("naivelocal", "2026-07-01T08:00:00", "2026-07-01T09:00:00")
    made = svc.events().insert(calendarId=cal, body=naive).execute()
    assert made["start"]["dateTime"] == "2026-07-01T08:00:00-05:00"
    # A fixed offset that is wrong for the zone on that day (DST began 2026-03-08) is the
    # same instant rendered with the zone's real offset, as Google does.
    dst = timed("dstshift1", "2026-03-08T17:00:00-06:00", "2026-03-08T19:00:00-05:00")
    made = svc.events().insert(calendarId=cal, body=dst).execute()
    assert made["start"]["dateTime"] == "2026-03-08T18:00:00-05:00"


@pytest.mark.parametrize(
    "event_id", ["abcd", "ABCDE", "abcdw", "abc-de", "abc_de", "a" * 1025, "abcdé"]
)
def test_invalid_event_ids_are_rejected(svc, event_id: str) -> None:
    with pytest.raises(HttpError) as err:
        body = all_day(event_id, "2026-01-01", "2026-01-02")
        svc.events().insert(calendarId="primary", body=body).execute()
    assert error_of(err.value) == (400, "invalid")


@pytest.mark.parametrize("event_id", ["abcde", "0123456789abcdefghijklmnopqrstuv", "v" * 1024])
def test_valid_event_ids_are_kept(svc, event_id: str) -> None:
    body = all_day(event_id, "2026-01-01", "2026-01-02")
    assert svc.events().insert(calendarId="primary", body=body).execute()["id"] == event_id


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ({"date": "2026-01-02"}, None, (400, "required")),
        ({"date": "2026-01-02"}, {"date": "2026-01-02"}, (400, "timeRangeEmpty")),
        (
            {"dateTime": "2026-01-02T10:00:00Z"},
            {"dateTime": "2026-01-02T09:00:00Z"},
            (400, "timeRangeEmpty"),
        ),
        ({"date": "2026-01-02"}, {"dateTime": "2026-01-03T10:00:00Z"}, (400, "invalid")),
        (
            {"dateTime": "2026-01-02T10:00:00"},
            {"dateTime": "2026-01-02T11:00:00"},
            (400, "required"),
        ),
        (
            {"dateTime": "2026-01-02T10:00:00", "timeZone": "Mars/Base"},
            {"dateTime": "2026-01-02T11:00:00", "timeZone": "Mars/Base"},
            (400, "invalid"),
        ),
        ({"date": "2026-02-30"}, {"date": "2026-03-01"}, (400, "invalid")),
    ],
)
def test_invalid_start_end(svc, start, end, expected) -> None:
    body = {"id": "badtimes1", "start": start}
    if end is not None:
        body["end"] = end
    with pytest.raises(HttpError) as err:
        svc.events().insert(calendarId="primary", body=body).execute()
    assert error_of(err.value) == expected
