"""events.list: extended-property filters, time windows, pagination and sync tokens."""

from __future__ import annotations

import time

import pytest
from googleapiclient.errors import HttpError

from .emulator import GoogleEmulator
from .testkit import all_day, error_of, ours, timed


def _list_all(svc, **params) -> tuple[list[dict], list[dict]]:
    """All items over every page, and the raw pages."""
    pages, token = [], None
    while True:
        page = svc.events().list(calendarId="primary", pageToken=token, **params).execute()
        pages.append(page)
        token = page.get("nextPageToken")
        if token is None:
            return [e for p in pages for e in p["items"]], pages


def test_private_extended_property_filter_ands_conditions(svc, google_emulator) -> None:
    for event_id, props in [
        ("evfilt001", {"a": "1", "b": "2"}),
        ("evfilt002", {"a": "1"}),
        ("evfilt003", {"a": "2", "b": "2"}),
    ]:
        svc.events().insert(
            calendarId="primary",
            body=all_day(event_id, "2026-01-05", "2026-01-06", **ours(**props)),
        ).execute()
    google_emulator.put_foreign("primary", all_day(None, "2026-01-05", "2026-01-06"))

    def ids(*filters: str) -> list[str]:
        page = svc.events().list(calendarId="primary", privateExtendedProperty=list(filters))
        return [e["id"] for e in page.execute()["items"]]

    assert ids("a=1") == ["evfilt001", "evfilt002"]
    assert ids("a=1", "b=2") == ["evfilt001"]
    assert ids("b=2") == ["evfilt001", "evfilt003"]
    assert ids("a=3") == []
    shared = svc.events().list(calendarId="primary", sharedExtendedProperty="a=1").execute()
    assert shared["items"] == []  # private and shared are separate namespaces
    with pytest.raises(HttpError) as err:
        svc.events().list(calendarId="primary", privateExtendedProperty="novalue").execute()
    assert error_of(err.value) == (400, "invalid")


def test_time_window_and_ordering(svc) -> None:
    bodies = [
        timed("late00001", "2026-02-10T18:00:00", "2026-02-10T19:00:00"),
        all_day("allda0001", "2026-02-09", "2026-02-10"),
        timed("earl00001", "2026-02-08T08:00:00", "2026-02-08T09:00:00"),
    ]
    for body in bodies:
        svc.events().insert(calendarId="primary", body=body).execute()

    def ids(**params) -> list[str]:
        return [
            e["id"] for e in svc.events().list(calendarId="primary", **params).execute()["items"]
        ]

    # timeMin bounds the end (exclusive), timeMax the start (exclusive).
    assert ids(timeMin="2026-02-08T15:00:00Z") == ["late00001", "allda0001"]
    assert ids(timeMin="2026-02-08T15:00:00Z", timeMax="2026-02-10T00:00:00Z") == ["allda0001"]
    assert ids(timeMax="2026-02-08T14:00:00Z") == []  # 08:00 Chicago is 14:00Z: excluded
    assert ids(timeMax="2026-02-08T14:00:01Z") == ["earl00001"]
    ordered = ids(singleEvents=True, orderBy="startTime")
    assert ordered == ["earl00001", "allda0001", "late00001"]
    for bad in (
        {"timeMin": "2026-02-08T15:00:00"},
        {"orderBy": "startTime"},
        {"timeMin": "2026-02-09T00:00:00Z", "timeMax": "2026-02-08T00:00:00Z"},
    ):
        with pytest.raises(HttpError) as err:
            svc.events().list(calendarId="primary", **bad).execute()
        assert err.value.resp.status == 400


def test_pagination_covers_everything_once(svc, google_emulator: GoogleEmulator) -> None:
    made = [
        google_emulator.put_foreign("primary", all_day(None, "2026-03-01", "2026-03-02"))
        for _ in range(7)
    ]
    items, pages = _list_all(svc, maxResults=3)
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert [e["id"] for e in items] == made
    assert all("nextSyncToken" not in p for p in pages[:-1])
    assert "nextSyncToken" in pages[-1] and "nextPageToken" not in pages[-1]
    with pytest.raises(HttpError) as err:
        svc.events().list(calendarId="primary", pageToken="Pbogus").execute()
    assert err.value.resp.status == 400


def test_page_size_default_250_and_cap_2500(svc, google_emulator: GoogleEmulator) -> None:
    for _ in range(2501):
        google_emulator.put_foreign("primary", all_day(None, "2026-03-01", "2026-03-02"))
    assert len(svc.events().list(calendarId="primary").execute()["items"]) == 250
    capped = svc.events().list(calendarId="primary", maxResults=5000).execute()
    assert len(capped["items"]) == 2500 and "nextPageToken" in capped


def test_sync_token_returns_changes_including_deletions(svc, google_emulator) -> None:
    for event_id in ("chg000001", "chg000002", "chg000003"):
        body = all_day(event_id, "2026-04-01", "2026-04-02", **ours(pcal="fam"))
        svc.events().insert(calendarId="primary", body=body).execute()
    token = _list_all(svc)[1][-1]["nextSyncToken"]
    quiet = svc.events().list(calendarId="primary", syncToken=token).execute()
    assert quiet["items"] == [] and quiet["nextSyncToken"]

    svc.events().patch(calendarId="primary", eventId="chg000001", body={"summary": "x"}).execute()
    svc.events().delete(calendarId="primary", eventId="chg000002").execute()
    foreign = google_emulator.put_foreign("primary", all_day(None, "2026-04-03", "2026-04-04"))
    changes = svc.events().list(calendarId="primary", syncToken=token).execute()["items"]
    by_id = {e["id"]: e for e in changes}
    assert set(by_id) == {"chg000001", "chg000002", foreign}  # foreign changes come too
    assert by_id["chg000001"]["summary"] == "x"
    # Without showDeleted a deleted event is bare: only id/status/etag/kind.
    assert set(by_id["chg000002"]) == {"kind", "etag", "id", "status"}
    assert by_id["chg000002"]["status"] == "cancelled"
    detailed = svc.events().list(calendarId="primary", syncToken=token, showDeleted=True)
    deleted = [e for e in detailed.execute()["items"] if e["id"] == "chg000002"]
    assert deleted[0]["extendedProperties"] == {"private": {"pcal": "fam"}}


def test_sync_token_pages_and_chains(svc, google_emulator: GoogleEmulator) -> None:
    token = svc.events().list(calendarId="primary").execute()["nextSyncToken"]
    for _ in range(5):
        google_emulator.put_foreign("primary", all_day(None, "2026-04-01", "2026-04-02"))
    items, pages = _list_all(svc, syncToken=token, maxResults=2)
    assert [len(p["items"]) for p in pages] == [2, 2, 1] and len({e["id"] for e in items}) == 5
    chained = pages[-1]["nextSyncToken"]
    assert svc.events().list(calendarId="primary", syncToken=chained).execute()["items"] == []


@pytest.mark.parametrize(
    "extra",
    [
        {"privateExtendedProperty": "pcal=fam"},
        {"sharedExtendedProperty": "a=b"},
        {"timeMin": "2026-01-01T00:00:00Z"},
        {"timeMax": "2026-01-01T00:00:00Z"},
        {"q": "Alex"},
        {"iCalUID": "x@y"},
        {"updatedMin": "2026-01-01T00:00:00Z"},
        {"orderBy": "updated"},
    ],
)
def test_sync_token_rejects_filters(svc, extra: dict) -> None:
    token = svc.events().list(calendarId="primary").execute()["nextSyncToken"]
    with pytest.raises(HttpError) as err:
        svc.events().list(calendarId="primary", syncToken=token, **extra).execute()
    assert error_of(err.value) == (400, "invalid")


def test_invalidated_sync_token_is_410(svc, google_emulator: GoogleEmulator) -> None:
    token = svc.events().list(calendarId="primary").execute()["nextSyncToken"]
    google_emulator.invalidate_sync_tokens()
    with pytest.raises(HttpError) as err:
        svc.events().list(calendarId="primary", syncToken=token).execute()
    assert error_of(err.value) == (410, "fullSyncRequired")
    fresh = svc.events().list(calendarId="primary").execute()["nextSyncToken"]
    assert svc.events().list(calendarId="primary", syncToken=fresh).execute()["items"] == []
    with pytest.raises(HttpError) as garbled:
        svc.events().list(calendarId="primary", syncToken="not-a-token").execute()
    assert garbled.value.resp.status in (400, 410)


def test_token_from_another_calendar_is_refused(svc, google_emulator: GoogleEmulator) -> None:
    other = google_emulator.add_calendar("other@group.calendar.google.com")
    token = svc.events().list(calendarId=other).execute()["nextSyncToken"]
    with pytest.raises(HttpError) as err:
        svc.events().list(calendarId="primary", syncToken=token).execute()
    assert error_of(err.value) == (410, "fullSyncRequired")


def test_updated_min_includes_deletions(svc, google_emulator: GoogleEmulator) -> None:
    old = google_emulator.put_foreign("primary", all_day(None, "2026-04-01", "2026-04-02"))
    time.sleep(0.003)  # `updated` has millisecond precision
    gone = google_emulator.put_foreign("primary", all_day(None, "2026-04-01", "2026-04-02"))
    since = google_emulator.event("primary", gone)["updated"]
    google_emulator.parent_delete("primary", gone)
    items = svc.events().list(calendarId="primary", updatedMin=since).execute()["items"]
    assert [(e["id"], e["status"]) for e in items] == [(gone, "cancelled")]
    assert old not in {e["id"] for e in items}


def test_short_pages_still_cover_everything(svc, google_emulator: GoogleEmulator) -> None:
    made = [
        google_emulator.put_foreign("primary", all_day(None, "2026-03-01", "2026-03-02"))
        for _ in range(5)
    ]
    google_emulator.short_pages = True
    items, pages = _list_all(svc, maxResults=4)
    assert [len(p["items"]) for p in pages] == [0, 2, 2, 1]
    assert [e["id"] for e in items] == made and "nextSyncToken" in pages[-1]


def test_fields_selects_a_partial_response(svc, google_emulator: GoogleEmulator) -> None:
    google_emulator.put_foreign("primary", all_day(None, "2026-03-01", "2026-03-02"))
    page = svc.events().list(calendarId="primary", fields="items(id,start/date)").execute()
    (item,) = page["items"]
    assert set(page) == {"items"}  # no nextSyncToken: it was not asked for
    assert set(item) == {"id", "start"} and item["start"] == {"date": "2026-03-01"}
    both = svc.events().list(calendarId="primary", fields="items/etag,nextSyncToken").execute()
    assert set(both) == {"items", "nextSyncToken"} and set(both["items"][0]) == {"etag"}
    with pytest.raises(HttpError) as err:
        svc.events().list(calendarId="primary", fields="items(id").execute()
    assert err.value.resp.status == 400
