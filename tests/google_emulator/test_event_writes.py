"""Etags, If-Match, soft delete and restore, update vs patch, import, and parent actions."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from .emulator import GoogleEmulator
from .testkit import all_day, error_of, ours, timed


def _insert(svc, body, cal="primary"):
    return svc.events().insert(calendarId=cal, body=body).execute()


def _with_if_match(request, etag: str):
    request.headers["If-Match"] = etag
    return request


def test_etag_changes_on_every_write(svc) -> None:
    made = _insert(svc, all_day("etagcheck", "2026-05-01", "2026-05-02"))
    seen = [made["etag"]]
    patched = svc.events().patch(calendarId="primary", eventId="etagcheck", body={"summary": "a"})
    seen.append(patched.execute()["etag"])
    updated = svc.events().update(
        calendarId="primary", eventId="etagcheck", body=all_day(None, "2026-05-01", "2026-05-03")
    )
    seen.append(updated.execute()["etag"])
    svc.events().delete(calendarId="primary", eventId="etagcheck").execute()
    seen.append(svc.events().get(calendarId="primary", eventId="etagcheck").execute()["etag"])
    assert len(set(seen)) == 4
    assert all(e.startswith('"') and e.endswith('"') for e in seen)
    got = svc.events().get(calendarId="primary", eventId="etagcheck").execute()
    assert got["etag"] == seen[-1]


@pytest.mark.parametrize("verb", ["update", "patch", "delete"])
def test_stale_if_match_is_412_and_changes_nothing(svc, google_emulator, verb: str) -> None:
    made = _insert(svc, all_day("ifmatch01", "2026-05-01", "2026-05-02", **ours(pcal="f")))
    edited = google_emulator.parent_edit("primary", "ifmatch01", summary="Parent's title")
    assert edited["etag"] != made["etag"]
    events = svc.events()
    request = {
        "update": lambda: events.update(
            calendarId="primary",
            eventId="ifmatch01",
            body=all_day(None, "2026-06-01", "2026-06-02"),
        ),
        "patch": lambda: events.patch(
            calendarId="primary", eventId="ifmatch01", body={"summary": "x"}
        ),
        "delete": lambda: events.delete(calendarId="primary", eventId="ifmatch01"),
    }[verb]
    with pytest.raises(HttpError) as err:
        _with_if_match(request(), made["etag"]).execute()
    assert error_of(err.value) == (412, "conditionNotMet")
    (stored,) = google_emulator.events("primary")
    assert stored["etag"] == edited["etag"]
    assert (stored["summary"], stored["status"]) == ("Parent's title", "confirmed")
    _with_if_match(request(), edited["etag"]).execute()  # the current etag succeeds
    assert google_emulator.events("primary")[0]["etag"] != edited["etag"]


def test_delete_keeps_a_cancelled_event(svc, google_emulator: GoogleEmulator) -> None:
    _insert(svc, timed("deleteme1", "2026-05-01T09:00:00", "2026-05-01T10:00:00", **ours(k="v")))
    assert svc.events().delete(calendarId="primary", eventId="deleteme1").execute() == ""
    got = svc.events().get(calendarId="primary", eventId="deleteme1").execute()
    assert got["status"] == "cancelled"
    assert got["extendedProperties"] == {"private": {"k": "v"}}  # organizer still sees details
    assert svc.events().list(calendarId="primary").execute()["items"] == []
    shown = svc.events().list(calendarId="primary", showDeleted=True).execute()["items"]
    assert [(e["id"], e["status"], e["summary"]) for e in shown] == [
        ("deleteme1", "cancelled", "With Alex")
    ]
    with pytest.raises(HttpError) as again:
        svc.events().delete(calendarId="primary", eventId="deleteme1").execute()
    assert error_of(again.value) == (410, "deleted")
    with pytest.raises(HttpError) as unknown:
        svc.events().delete(calendarId="primary", eventId="neverthere").execute()
    assert error_of(unknown.value) == (404, "notFound")
    assert [e["status"] for e in google_emulator.events("primary")] == ["cancelled"]


def test_reinserting_a_deleted_id_is_409_and_update_restores(svc, google_emulator) -> None:
    body = all_day("restoreme", "2026-07-04", "2026-07-05", **ours(pcal="fam"))
    _insert(svc, body)
    with pytest.raises(HttpError) as live:
        _insert(svc, body)
    assert error_of(live.value) == (409, "duplicate")
    google_emulator.parent_delete("primary", "restoreme")
    with pytest.raises(HttpError) as deleted:
        _insert(svc, body)
    assert error_of(deleted.value) == (409, "duplicate")
    current = svc.events().get(calendarId="primary", eventId="restoreme").execute()
    restore = svc.events().update(
        calendarId="primary", eventId="restoreme", body={**body, "status": "confirmed"}
    )
    restored = _with_if_match(restore, current["etag"]).execute()
    assert restored["status"] == "confirmed"
    listed = svc.events().list(calendarId="primary").execute()["items"]
    assert [e["id"] for e in listed] == ["restoreme"]


def test_patch_can_restore_and_merges_nested_objects(svc) -> None:
    _insert(svc, all_day("patchme01", "2026-07-04", "2026-07-05", **ours(a="1", b="2")))
    svc.events().delete(calendarId="primary", eventId="patchme01").execute()
    body = {"status": "confirmed", "extendedProperties": {"private": {"b": "3", "c": "4"}}}
    patched = svc.events().patch(calendarId="primary", eventId="patchme01", body=body).execute()
    assert patched["status"] == "confirmed"
    assert patched["extendedProperties"]["private"] == {"a": "1", "b": "3", "c": "4"}
    assert patched["summary"] == "Holiday"  # untouched by the patch


def test_update_replaces_the_whole_event(svc) -> None:
    _insert(svc, all_day("replaceme", "2026-07-04", "2026-07-05", location="Park", **ours(a="1")))
    body = all_day(None, "2026-07-04", "2026-07-06")
    updated = svc.events().update(calendarId="primary", eventId="replaceme", body=body).execute()
    assert "location" not in updated and "extendedProperties" not in updated
    assert updated["end"] == {"date": "2026-07-06"}
    assert updated["sequence"] == 1  # the time moved
    same_time = svc.events().update(
        calendarId="primary", eventId="replaceme", body={**body, "summary": "Renamed"}
    )
    assert same_time.execute()["sequence"] == 1
    with pytest.raises(HttpError) as missing:
        svc.events().update(calendarId="primary", eventId="nosuchone", body=body).execute()
    assert error_of(missing.value) == (404, "notFound")


def test_import_upserts_by_ical_uid(svc, google_emulator: GoogleEmulator) -> None:
    body = all_day(None, "2026-08-01", "2026-08-02", iCalUID="x1@family.example")
    first = svc.events().import_(calendarId="primary", body=body).execute()
    second = (
        svc.events().import_(calendarId="primary", body={**body, "summary": "Changed"}).execute()
    )
    assert first["id"] == second["id"] and second["summary"] == "Changed"
    assert first["iCalUID"] == "x1@family.example"
    assert len(google_emulator.events("primary")) == 1
    with pytest.raises(HttpError) as err:
        svc.events().import_(
            calendarId="primary", body=all_day(None, "2026-08-01", "2026-08-02")
        ).execute()
    assert error_of(err.value) == (400, "required")


def test_parent_actions_and_foreign_events(svc, google_emulator: GoogleEmulator) -> None:
    foreign = google_emulator.put_foreign(
        "primary", timed(None, "2026-09-01T18:00:00", "2026-09-01T19:00:00", summary="Dentist")
    )
    _insert(svc, all_day("oursevent", "2026-09-02", "2026-09-03", **ours(pcal="fam")))
    calls_before = list(google_emulator.calls)
    google_emulator.parent_edit("primary", "oursevent", start={"date": "2026-09-01"})
    google_emulator.parent_delete("primary", foreign)
    assert google_emulator.calls == calls_before  # UI actions are not API calls
    stored = {e["id"]: e for e in google_emulator.events("primary")}
    assert stored[foreign]["status"] == "cancelled"
    assert stored["oursevent"]["start"] == {"date": "2026-09-01"}
    assert stored["oursevent"]["sequence"] == 1
    assert stored["oursevent"]["extendedProperties"] == {"private": {"pcal": "fam"}}


def test_extended_property_limits_are_silent(svc) -> None:
    """Google drops keys over 44 characters and truncates values over 1024, silently."""
    props = {"k" * 44: "kept", "k" * 45: "dropped", "long": "v" * 1500}
    made = (
        svc.events()
        .insert(
            calendarId="primary",
            body=all_day("limits001", "2026-01-01", "2026-01-02", **ours(**props)),
        )
        .execute()
    )
    private = made["extendedProperties"]["private"]
    assert set(private) == {"k" * 44, "long"}
    assert private["long"] == "v" * 1024
