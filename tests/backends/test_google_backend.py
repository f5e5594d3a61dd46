"""The Google backend against the local Calendar v3 emulator (real client, real HTTP).

The backend contract suite runs first; then what is specific to Google: batches and
their per-part results, 409 adoption and restoring events a parent deleted, If-Match,
sync tokens and 410, paging, rate limits, 5xx and dropped connections, and errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from google_emulator.fixtures import google_emulator, google_emulator_server  # noqa: F401

from pc_calendar.backends.base import Backend, WriteOp
from pc_calendar.backends.google import GoogleBackend
from pc_calendar.backends.google_config import read_settings
from pc_calendar.backends.google_events import event_id
from pc_calendar.errors import BackendError, PreconditionFailed, TransientBackendError
from pc_calendar.identity import OWNER_PROP
from pc_calendar.testing import FAMILY_ID, BackendContract, make_event

UTC = ZoneInfo("UTC")


def make_backend(emu, calendar_id: str = "primary", **config) -> GoogleBackend:
    """A backend on the emulator; sleeps are recorded, never slept."""
    settings = read_settings(
        {
            "calendar_id": calendar_id,
            "account": "alex",
            "credentials": "anonymous",
            "api_endpoint": emu.api_endpoint,
            "batch_uri": emu.batch_uri,
            "requests_per_minute": 10**6,  # pacing has its own test; keep sleeps for backoff
            **config,
        },
        {"parent_id": "alex"},
    )
    backend = GoogleBackend(settings, FAMILY_ID, sleep=emu_sleeps(emu).append, rand=lambda: 1.0)
    return backend


def emu_sleeps(emu) -> list[float]:
    if not hasattr(emu, "test_sleeps"):
        emu.test_sleeps = []
    return emu.test_sleeps


def foreign_body(ical: bytes) -> dict:
    """A parent's own event as Google would hold it (an X- marker becomes a property)."""
    (vevent,) = icalendar.Calendar.from_ical(ical).walk("VEVENT")
    start, end = vevent["DTSTART"].dt, vevent["DTEND"].dt
    body = {
        "iCalUID": str(vevent["UID"]),
        "summary": str(vevent["SUMMARY"]),
        "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": end.isoformat(), "timeZone": "UTC"},
    }
    if OWNER_PROP in vevent:
        body["extendedProperties"] = {"private": {"pcCalendarFamily": str(vevent[OWNER_PROP])}}
    return body


class TestGoogleContract(BackendContract):
    lists_stripped = False  # our marker is a private extended property clients keep

    @pytest.fixture
    def backend(self, google_emulator) -> Iterator[Backend]:  # noqa: F811
        self.emu = google_emulator
        self.names: dict[str, str] = {}
        backend = make_backend(google_emulator)
        yield backend
        backend.close()

    def foreign_put(self, backend: Backend, name: str, ical: bytes) -> None:
        self.names[name] = self.emu.put_foreign("primary", foreign_body(ical))

    def foreign_get(self, backend: Backend, name: str) -> bytes | None:
        found = [e for e in self.emu.events("primary") if e["id"] == self.names[name]]
        if not found or found[0].get("status") == "cancelled":
            return None
        return repr(sorted(found[0].items())).encode()


# -- Google specifics --------------------------------------------------------------------


def events(n: int, first: int = 0) -> list:
    start = datetime(2026, 1, 1, 18, tzinfo=ZoneInfo("America/Chicago"))
    return [
        make_event(f"k{i}", start + timedelta(days=i), start + timedelta(days=i, minutes=15))
        for i in range(first, first + n)
    ]


@pytest.fixture
def emu(google_emulator):  # noqa: F811
    google_emulator.test_sleeps = []
    return google_emulator


def test_writes_go_fifty_to_a_batch(emu) -> None:
    backend = make_backend(emu)
    wanted = events(120)
    results = backend.apply_batch([WriteOp("create", event=e) for e in wanted])
    assert [r.uid for r in results] == [e.uid for e in wanted]
    assert emu.batch_sizes == [50, 50, 20]
    assert backend.request_count == 3
    assert len(emu.calls) == 3
    stored = {e["iCalUID"]: e for e in emu.events("primary")}
    assert set(stored) == {e.uid for e in wanted}
    assert all(stored[e.uid]["id"] == event_id(e.uid) for e in wanted)
    listing = backend.list()
    assert listing.requests == 1 and len(listing.events) == 120
    assert all(r.actual_hash == r.content_hash for r in listing.events)


def test_one_part_failing_does_not_hide_the_others(emu) -> None:
    backend = make_backend(emu)
    a, b, c = events(3)
    made = backend.apply_batch([WriteOp("create", event=e) for e in (a, b)])
    stale = made[0]
    current = backend.update(stale, make_event("k0", datetime(2026, 1, 1, 18, tzinfo=UTC)))
    results = backend.apply_batch(
        [
            WriteOp("update", event=a, remote=stale),  # stale etag: 412
            WriteOp("delete", remote=made[1]),
            WriteOp("create", event=c),
        ]
    )
    assert isinstance(results[0], PreconditionFailed)
    assert results[1] is None
    assert results[2].uid == c.uid
    assert {r.uid for r in backend.list().events} == {current.uid, c.uid}


def test_rate_limited_parts_are_retried_with_backoff(emu) -> None:
    backend = make_backend(emu)
    insert = "POST /calendar/v3/calendars/primary/events"
    emu.inject("userRateLimitExceeded", times=1, match=insert)  # the first part
    emu.inject(429, times=1, match=insert)  # the second part
    results = backend.apply_batch([WriteOp("create", event=e) for e in events(3)])
    assert [kind for kind, _ in emu.faults.fired] == ["userRateLimitExceeded", 429]
    assert all(r is not None and not isinstance(r, Exception) for r in results)
    assert emu.batch_sizes == [3, 2]  # only the refused parts went again
    assert emu.test_sleeps == [1.0]  # one backoff pause before the retry
    assert len(backend.list().events) == 3


def test_rate_limits_that_never_end_become_transient_errors(emu) -> None:
    backend = make_backend(emu, requests_per_minute=100000)
    backend.executor.backoff.attempts = 3
    emu.inject("rateLimitExceeded", times=100)
    (result,) = backend.apply_batch([WriteOp("create", event=events(1)[0])])
    assert isinstance(result, TransientBackendError)
    assert "3 attempts" in str(result)
    sleeps = emu.test_sleeps
    assert sleeps == sorted(sleeps) and len(sleeps) == 2  # exponential, between attempts


def test_server_errors_and_dropped_connections_are_retried(emu) -> None:
    backend = make_backend(emu)
    first = backend.list()
    emu.inject(503, times=1, match="GET")
    emu.inject("drop", times=1, match="GET")
    assert backend.list().events == first.events
    emu.inject("drop", times=1, match="batch")
    results = backend.apply_batch([WriteOp("create", event=e) for e in events(2)])
    assert [kind for kind, _ in emu.faults.fired] == [503, "drop", "drop"]
    assert all(not isinstance(r, Exception) for r in results)
    assert len(backend.list().events) == 2


def test_answer_lost_after_the_write_landed_is_not_duplicated(emu) -> None:
    backend = make_backend(emu)
    wanted = events(2)
    emu.inject("drop_after", times=1, match="batch")
    results = backend.apply_batch([WriteOp("create", event=e) for e in wanted])
    assert [kind for kind, _ in emu.faults.fired] == ["drop_after"]
    # the retry met 409 and found live events: PreconditionFailed, which the sync
    # engine settles by re-listing (and keeping what it finds); never a second copy
    assert all(isinstance(r, PreconditionFailed) for r in results)
    assert sorted(e["iCalUID"] for e in emu.events("primary")) == sorted(e.uid for e in wanted)
    assert {r.uid for r in backend.list().events} == {e.uid for e in wanted}


def test_event_deleted_in_google_ui_is_restored_on_create(emu) -> None:
    backend = make_backend(emu)
    (wanted,) = events(1)
    made = backend.create(wanted)
    emu.parent_delete("primary", made.href)
    assert backend.list().events == []
    restored = backend.create(wanted)
    assert restored.href == made.href and restored.etag != made.etag
    (stored,) = emu.events("primary")
    assert stored["status"] == "confirmed"
    assert [r.uid for r in backend.list().events] == [wanted.uid]


def test_parent_edit_is_seen_and_stale_writes_refused(emu) -> None:
    backend = make_backend(emu)
    (wanted,) = events(1)
    made = backend.create(wanted)
    emu.parent_edit("primary", made.href, summary="Dentist")
    (seen,) = backend.list().events
    assert seen.content_hash == wanted.content_hash != seen.actual_hash
    assert seen.etag != made.etag
    with pytest.raises(PreconditionFailed):
        backend.update(made, wanted)
    with pytest.raises(PreconditionFailed):
        backend.delete(made)
    restored = backend.update(seen, wanted)
    assert restored.actual_hash == wanted.content_hash
    body = backend.fetch(restored)
    assert body is not None and b"SUMMARY:" in body and b"Dentist" not in body


def test_sync_token_gives_changes_and_410_gives_a_full_listing(emu) -> None:
    backend = make_backend(emu)
    a, b, c = events(3)
    made = {r.uid: r for r in backend.apply_batch([WriteOp("create", event=e) for e in (a, b)])}
    token = backend.list().token
    foreign_id = emu.put_foreign("primary", foreign_body(_ical("dentist@phone.example")))
    backend.create(c)
    backend.delete(made[a.uid])
    delta = backend.list(token)
    assert not delta.full
    assert [e.uid for e in delta.events] == [c.uid]
    assert made[a.uid].href in delta.removed and foreign_id not in delta.removed
    assert delta.requests == 1
    emu.invalidate_sync_tokens()
    again = backend.list(delta.token)
    assert again.full and {e.uid for e in again.events} == {b.uid, c.uid}


def test_listing_follows_pages(emu) -> None:
    backend = make_backend(emu)
    backend.page_size = 7
    backend.apply_batch([WriteOp("create", event=e) for e in events(30)])
    for n in range(10):
        emu.put_foreign("primary", foreign_body(_ical(f"f{n}@phone.example")))
    listing = backend.list()
    assert listing.requests == 5 and len(listing.events) == 30 and listing.token
    backend.update(listing.events[0], events(1)[0])
    assert len(backend.list(listing.token).events) == 1


def test_missing_calendar_is_a_clear_error(emu) -> None:
    backend = make_backend(emu, calendar_id="nope@group.calendar.google.com")
    with pytest.raises(BackendError, match="not found") as info:
        backend.list()
    assert "google setup" in info.value.render()
    assert not isinstance(info.value, TransientBackendError)


def test_secondary_calendar_and_setup(emu) -> None:
    backend = make_backend(emu)
    calendar_id = backend.create_calendar("Kids", "America/Chicago")
    kids = make_backend(emu, calendar_id=calendar_id)
    kids.create(events(1)[0])
    assert len(kids.list().events) == 1
    assert backend.list().events == []


def test_all_day_events_round_trip(emu) -> None:
    backend = make_backend(emu)
    wanted = make_event("h", date(2026, 12, 25), date(2026, 12, 27), summary="Christmas")
    backend.create(wanted)
    (stored,) = emu.events("primary")
    assert stored["start"] == {"date": "2026-12-25"} and stored["end"] == {"date": "2026-12-27"}
    (seen,) = backend.list().events
    assert seen.actual_hash == wanted.content_hash and seen.start == date(2026, 12, 25)


def test_pacing_keeps_under_the_per_user_rate(emu) -> None:
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    settings = read_settings(
        {
            "credentials": "anonymous",
            "api_endpoint": emu.api_endpoint,
            "batch_uri": emu.batch_uri,
            "requests_per_minute": 600,
        },
        {"parent_id": "alex"},
    )
    backend = GoogleBackend(settings, FAMILY_ID, sleep=sleep, clock=lambda: clock[0])
    backend.apply_batch([WriteOp("create", event=e) for e in events(150)])
    assert emu.quota_units == 150
    # 150 requests at 600/min: a burst of 50, then 100 at (600 - 50) per minute
    assert clock[0] == pytest.approx(100 * 60 / 550)
    assert backend.executor.pacer.waited == pytest.approx(clock[0])


def _ical(uid: str) -> bytes:
    from pc_calendar.testing import foreign_ical

    return foreign_ical(uid, "Dentist")


class RevokedCredentials:
    """OAuth credentials whose refresh Google refuses (the parent revoked access)."""

    def __new__(cls):
        from google.auth import credentials, exceptions

        class Revoked(credentials.Credentials):
            def refresh(self, request) -> None:
                raise exceptions.RefreshError("invalid_grant: Token has been revoked.")

        return Revoked()


class CountingCredentials:
    """Valid credentials that count how often they sign a request."""

    def __new__(cls):
        from google.auth import credentials

        class Counting(credentials.Credentials):
            signed = 0

            def __init__(self) -> None:
                super().__init__()
                self.token = "fake-access-token"

            def refresh(self, request) -> None:  # pragma: no cover - never expires
                raise AssertionError("no refresh expected")

            def apply(self, headers, token=None) -> None:
                type(self).signed += 1
                headers["authorization"] = f"Bearer {self.token}"

        return Counting()


def _with_credentials(emu, creds) -> GoogleBackend:
    settings = read_settings(
        {"credentials": "anonymous", "api_endpoint": emu.api_endpoint, "batch_uri": emu.batch_uri},
        {"parent_id": "alex"},
    )
    return GoogleBackend(settings, FAMILY_ID, credentials=creds, sleep=lambda s: None)


def test_revoked_authorisation_asks_for_login_not_retry(emu) -> None:
    backend = _with_credentials(emu, RevokedCredentials())
    with pytest.raises(BackendError) as info:
        backend.list()
    assert not isinstance(info.value, TransientBackendError)
    assert "pc-calendar google login alex" in info.value.render()
    with pytest.raises(BackendError, match="refused the stored authorisation"):
        backend.apply_batch([WriteOp("create", event=e) for e in events(2)])
    assert emu.calls == []  # nothing was sent without a token


def test_requests_and_batches_are_signed(emu) -> None:
    creds = CountingCredentials()
    backend = _with_credentials(emu, creds)
    backend.list()
    backend.apply_batch([WriteOp("create", event=e) for e in events(2)])
    assert len(emu.calls) == 2
    assert type(creds).signed == 4  # the listing, the batch, and each of its two parts


def test_unauthorised_answer_is_a_login_error() -> None:
    import json
    from types import SimpleNamespace

    from pc_calendar.backends.google_batch import Backoff, Executor, Pacer

    executor = Executor("google primary (alex)", "alex", Pacer(600), Backoff())
    unauthorised = SimpleNamespace(
        resp=SimpleNamespace(status=401), content=json.dumps({"error": {"code": 401}}).encode()
    )
    with pytest.raises(BackendError) as info:
        executor.check_auth(unauthorised)
    assert "pc-calendar google login alex" in info.value.render()
    forbidden = SimpleNamespace(
        resp=SimpleNamespace(status=403),
        content=json.dumps({"error": {"errors": [{"reason": "forbidden"}]}}).encode(),
    )
    with pytest.raises(BackendError, match="refused access"):
        executor.check_auth(forbidden)
