"""The backend contract suite: every backend, built-in or third-party, passes it.

A plugin author subclasses :class:`BackendContract` in a test module, provides a
``backend`` fixture (a fresh, empty calendar built for :data:`FAMILY_ID`) and two
helpers that act as another calendar client would (a parent's phone, say)::

    from pc_calendar.testing import BackendContract

    class TestMyBackend(BackendContract):
        @pytest.fixture
        def backend(self, tmp_path):
            return MyBackend({...}, {"family_id": self.family_id})

        def foreign_put(self, backend, name, ical):   # store a raw object, no marker checks
            ...

        def foreign_get(self, backend, name):         # its bytes now, or None if gone
            ...

The suite checks the promises the sync engine relies on: conditional writes
(``PreconditionFailed`` on a stale etag or an existing event), that only events carrying
our marker are listed and that nothing else is ever touched, that what we write reads
back with the same content hash (unicode, long text, time zones, all-day), and that an
unchanged calendar gives an empty incremental listing. Build events with
:func:`make_event`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from .backends.base import Backend, DesiredEvent, RemoteEvent
from .errors import PreconditionFailed
from .identity import HASH_PROP, KIND_PROP, OWNER_PROP, content_hash, uid_for

FAMILY_ID = "contract-family"
PRODID = "-//pc-calendar//contract tests//EN"


def make_event(
    natural_key: str,
    start: date | datetime,
    end: date | datetime | None = None,
    *,
    summary: str = "With Alex",
    kind: str = "custody",
    family_id: str = FAMILY_ID,
    description: str | None = None,
    location: str | None = None,
) -> DesiredEvent:
    """A DesiredEvent as the renderer would make it: our UID, marker and content hash.

    ``start``/``end`` may be dates (all-day) or aware datetimes (a VTIMEZONE is added
    for zoneinfo zones other than UTC).
    """
    uid = uid_for(family_id, kind, natural_key)
    event = icalendar.Event()
    event.add("UID", uid)
    event.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    event.add("DTSTART", start)
    if end is None:
        end = start + timedelta(days=1) if not isinstance(start, datetime) else start
    event.add("DTEND", end)
    event.add("SUMMARY", summary)
    if description is not None:
        event.add("DESCRIPTION", description)
    if location is not None:
        event.add("LOCATION", location)
    event.add(OWNER_PROP, family_id)
    event.add(KIND_PROP, kind)
    digest = content_hash(event)
    event.add(HASH_PROP, digest)
    cal = icalendar.Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add_component(event)
    cal.add_missing_timezones()
    return DesiredEvent(
        uid=uid,
        kind=kind,
        natural_key=natural_key,
        content_hash=digest,
        ical=cal.to_ical(),
        event=event,
    )


def foreign_ical(
    uid: str, summary: str, start: datetime | None = None, extra: dict[str, str] | None = None
) -> bytes:
    """An event a parent made in their own calendar app (no marker unless ``extra`` adds one)."""
    start = start or datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))
    event = icalendar.Event()
    event.add("UID", uid)
    event.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    event.add("DTSTART", start)
    event.add("DTEND", start + timedelta(hours=1))
    event.add("SUMMARY", summary)
    for key, value in (extra or {}).items():
        event.add(key, value)
    cal = icalendar.Calendar()
    cal.add("PRODID", "-//A parent's phone//EN")
    cal.add("VERSION", "2.0")
    cal.add_component(event)
    return cal.to_ical()


def _by_uid(events: list[RemoteEvent]) -> dict[str, RemoteEvent]:
    return {e.uid: e for e in events}


class BackendContract:
    """Subclass and provide ``backend``, ``foreign_put`` and ``foreign_get``."""

    family_id = FAMILY_ID
    #: whether a client can strip our marker off an event while keeping its UID and
    #: name (any calendar of iCalendar objects). Set False where it cannot (Google keeps
    #: our marker in private extended properties that clients do not edit).
    lists_stripped = True

    @pytest.fixture
    def backend(self) -> Backend:  # pragma: no cover - subclasses override
        raise NotImplementedError("provide a `backend` fixture returning an empty calendar")

    def foreign_put(self, backend: Backend, name: str, ical: bytes) -> None:
        """Store ``ical`` as object ``name`` the way another client would."""
        raise NotImplementedError

    def foreign_get(self, backend: Backend, name: str) -> bytes | None:
        """The stored bytes of object ``name``, or None if it no longer exists."""
        raise NotImplementedError

    # -- create and list ---------------------------------------------------------------

    def test_empty_calendar_lists_nothing(self, backend: Backend) -> None:
        listing = backend.list()
        assert listing.full is True
        assert listing.events == []

    def test_create_then_list_ours(self, backend: Backend) -> None:
        a = make_event(
            "a",
            datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 12, 4, 19, tzinfo=ZoneInfo("UTC")),
        )
        b = make_event("b", date(2026, 12, 5), date(2026, 12, 6), summary="Christmas Eve")
        made = {r.uid: r for r in (backend.create(a), backend.create(b))}
        assert set(made) == {a.uid, b.uid}
        assert all(r.etag for r in made.values()), "create must return the new etag"
        listing = backend.list()
        assert listing.full is True
        found = _by_uid(listing.events)
        assert set(found) == {a.uid, b.uid}
        for desired in (a, b):
            remote = found[desired.uid]
            assert remote.href == made[desired.uid].href
            assert remote.etag == made[desired.uid].etag
            assert remote.content_hash == desired.content_hash
            assert remote.actual_hash == desired.content_hash

    def test_create_existing_fails(self, backend: Backend) -> None:
        event = make_event("dup", datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC")))
        backend.create(event)
        with pytest.raises(PreconditionFailed):
            backend.create(event)
        assert [e.uid for e in backend.list().events] == [event.uid]

    # -- update and delete with etags ----------------------------------------------------

    def test_update_with_current_etag(self, backend: Backend) -> None:
        start = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))
        first = backend.create(make_event("u", start, summary="With Alex"))
        changed = make_event("u", start, summary="With Sam")
        second = backend.update(first, changed)
        assert second.href == first.href
        assert second.etag and second.etag != first.etag
        (listed,) = backend.list().events
        assert listed.etag == second.etag
        assert listed.content_hash == listed.actual_hash == changed.content_hash

    def test_stale_etag_refused(self, backend: Backend) -> None:
        start = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))
        first = backend.create(make_event("s", start, summary="v1"))
        current = backend.update(first, make_event("s", start, summary="v2"))
        with pytest.raises(PreconditionFailed):
            backend.update(first, make_event("s", start, summary="v3"))
        with pytest.raises(PreconditionFailed):
            backend.delete(first)
        (listed,) = backend.list().events
        assert listed.etag == current.etag
        assert listed.content_hash == make_event("s", start, summary="v2").content_hash

    def test_delete(self, backend: Backend) -> None:
        start = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))
        keep = backend.create(make_event("keep", start))
        gone = backend.create(make_event("gone", start + timedelta(days=1)))
        backend.delete(gone)
        assert [e.uid for e in backend.list().events] == [keep.uid]
        with pytest.raises(PreconditionFailed):
            backend.delete(gone)

    # -- never touch what is not ours ----------------------------------------------------

    def test_foreign_events_not_listed_and_untouched(self, backend: Backend) -> None:
        lookalike_uid = uid_for(self.family_id, "custody", "2026-12-04")
        foreign = {
            "dentist.ics": foreign_ical("dentist-1@phone.example", "Dentist"),
            # a parent copied one of ours: our UID domain and summary, but no marker
            "lookalike.ics": foreign_ical(lookalike_uid, "With Alex"),
            # marker of another family (another coordinator's plan)
            "other-family.ics": foreign_ical(
                uid_for("other-family", "custody", "x"),
                "With Alex",
                extra={OWNER_PROP: "other-family"},
            ),
            # a marker but not our UID domain
            "marker-only.ics": foreign_ical(
                "x@elsewhere.example", "With Alex", extra={OWNER_PROP: self.family_id}
            ),
        }
        for name, body in foreign.items():
            self.foreign_put(backend, name, body)
        before = {name: self.foreign_get(backend, name) for name in foreign}
        assert all(before.values())
        start = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))
        ours = backend.create(make_event("mine", start))
        listing = backend.list()
        assert [e.uid for e in listing.events] == [ours.uid]
        assert listing.unmarked == []  # a copy under another name is never ours
        ours = backend.update(ours, make_event("mine", start, summary="With Sam"))
        backend.delete(ours)
        assert backend.list().events == []
        after = {name: self.foreign_get(backend, name) for name in foreign}
        assert after == before

    def test_stripped_event_listed_apart(self, backend: Backend) -> None:
        """A client re-saved one of ours without our X-PC-* properties: not listed as
        ours, but in ``unmarked`` (full and incremental listings alike), with no content
        hash, so the engine can treat it as the parent's edit rather than a deletion."""
        if not self.lists_stripped:
            pytest.skip("no client can strip this backend's marker")
        start = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))
        ours = backend.create(make_event("stripped", start))
        token = backend.list().token
        name = ours.href.rsplit("/", 1)[-1]
        self.foreign_put(backend, name, foreign_ical(ours.uid, "Mine now", start))
        listings = [backend.list()] + ([backend.list(token)] if token is not None else [])
        for listing in listings:
            assert listing.events == []
            assert ours.href not in listing.removed
            found = [(e.uid, e.href, e.content_hash) for e in listing.unmarked]
            assert found == [(ours.uid, ours.href, None)]

    # -- round trips ---------------------------------------------------------------------

    def test_unicode_and_long_fields_round_trip(self, backend: Backend) -> None:
        text = "Übergabe für Zoë 👧 — «Schule», Straße 5; Ecke 7\n" * 120
        event = make_event(
            "unicode",
            datetime(2026, 12, 4, 15, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 12, 4, 16, tzinfo=ZoneInfo("UTC")),
            summary="Übergabe: Zoë & Mateo → Ana (Schule) ✓",
            description=text,
            location="Café «Zum Bären», Königstraße 12, 70173 Stuttgart",
        )
        backend.create(event)
        (listed,) = backend.list().events
        assert listed.actual_hash == event.content_hash
        body = backend.fetch(listed)
        if body is not None:
            parsed = icalendar.Calendar.from_ical(body)
            (vevent,) = parsed.walk("VEVENT")
            assert str(vevent["SUMMARY"]) == "Übergabe: Zoë & Mateo → Ana (Schule) ✓"
            assert str(vevent["DESCRIPTION"]) == text

    def test_time_zones_and_all_day_round_trip(self, backend: Backend) -> None:
        ny, auck = ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland")
        events = [
            # the US DST change day: 01:30 happens twice
            make_event(
                "dst",
                datetime(2026, 11, 1, 1, 30, tzinfo=ny),
                datetime(2026, 11, 1, 3, 0, tzinfo=ny),
            ),
            make_event(
                "auckland",
                datetime(2026, 12, 24, 18, tzinfo=auck),
                datetime(2026, 12, 28, 12, tzinfo=auck),
            ),
            make_event("allday", date(2026, 12, 25), date(2026, 12, 27), summary="Christmas"),
            make_event(
                "utc",
                datetime(2027, 3, 14, 7, tzinfo=ZoneInfo("UTC")),
                datetime(2027, 3, 14, 8, tzinfo=ZoneInfo("UTC")),
            ),
        ]
        for event in events:
            backend.create(event)
        found = _by_uid(backend.list().events)
        for event in events:
            assert found[event.uid].actual_hash == event.content_hash, event.natural_key
            assert found[event.uid].content_hash == event.content_hash
        assert found[events[2].uid].start == date(2026, 12, 25)

    # -- change tokens -------------------------------------------------------------------

    def test_no_changes_gives_empty_incremental_listing(self, backend: Backend) -> None:
        backend.create(make_event("t", datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))))
        token = backend.list().token
        if token is None:
            pytest.skip("backend offers no change token")
        again = backend.list(token)
        if again.full:
            assert [e.uid for e in again.events] == [uid_for(self.family_id, "custody", "t")]
        else:
            assert again.events == []
            assert again.removed == []
        assert again.token is not None

    def test_token_reports_changes(self, backend: Backend) -> None:
        start = datetime(2026, 12, 4, 18, tzinfo=ZoneInfo("UTC"))
        first = backend.create(make_event("c1", start))
        token = backend.list().token
        if token is None:
            pytest.skip("backend offers no change token")
        second = backend.create(make_event("c2", start + timedelta(days=1)))
        backend.delete(first)
        listing = backend.list(token)
        uids = [e.uid for e in listing.events]
        if listing.full:
            assert uids == [second.uid]
        else:
            assert uids == [second.uid]
            assert first.href in listing.removed
