"""Desired events built by hand, so engine tests do not depend on the renderer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from pc_calendar.backends.base import DesiredEvent
from pc_calendar.identity import HASH_PROP, KIND_PROP, OWNER_PROP, content_hash, uid_for
from pc_calendar.sync.apply import RetryPolicy
from pc_calendar.sync.runner import SyncOptions, sync_calendar
from pc_calendar.sync.state import StateStore

FAMILY = "test-family"
ZONE = ZoneInfo("America/Chicago")


def make_event(
    key: str,
    start: datetime | date,
    summary: str | None = None,
    kind: str = "exchange",
    family: str = FAMILY,
    hours: int = 1,
    marker: bool = True,
    uid: str | None = None,
) -> DesiredEvent:
    """One event as the renderer would make it: marker, kind and content hash."""
    event = icalendar.Event()
    event.add("UID", uid or uid_for(family, kind, key))
    event.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    event.add("SUMMARY", summary or f"{kind} {key}")
    event.add("DTSTART", start)
    end = start + (timedelta(hours=hours) if isinstance(start, datetime) else timedelta(days=1))
    event.add("DTEND", end)
    if marker:
        event.add(OWNER_PROP, family)
        event.add(KIND_PROP, kind)
    digest = content_hash(event)
    if marker:
        event.add(HASH_PROP, digest)
    cal = icalendar.Calendar()
    cal.add("PRODID", "-//pc-calendar tests//EN")
    cal.add("VERSION", "2.0")
    cal.add_component(event)
    return DesiredEvent(
        uid=str(event["UID"]),
        kind=kind,
        natural_key=key,
        content_hash=digest,
        ical=cal.to_ical(),
        event=event,
    )


def exchanges(days: list[int], month: int = 12, summary: str = "Exchange") -> list[DesiredEvent]:
    """Exchanges at 18:00 on the given days of ``month`` 2026, keyed by their date."""
    return [
        make_event(
            f"2026-{month:02d}-{d:02d}",
            datetime(2026, month, d, 18, tzinfo=ZONE),
            f"{summary} {month}/{d}",
        )
        for d in days
    ]


def edited_body(desired: DesiredEvent, summary: str) -> bytes:
    """The event as a parent's client stores it after they renamed it (marker kept)."""
    cal = icalendar.Calendar.from_ical(desired.ical)
    for event in cal.walk("VEVENT"):
        event["SUMMARY"] = icalendar.vText(summary)
        event["SEQUENCE"] = 1
    return cal.to_ical()


KEY = f"{FAMILY}/alex/memory"


class Syncer:
    """Runs sync_calendar against one memory calendar with a state file on disk."""

    def __init__(self, tmp_path, backend):
        self.backend = backend
        self.state_path = tmp_path / "state.sqlite"
        self.sleeps: list[float] = []

    def options(self, **changes):
        retry = RetryPolicy(attempts=4, base=0.1, sleep=self.sleeps.append, rand=lambda: 1.0)
        values = dict(start=date(2026, 1, 1), end=date(2028, 1, 1), retry=retry)
        values.update(changes)
        return SyncOptions(**values)

    def run(self, desired, backend=None, **changes):
        options = self.options(**changes)
        with StateStore(self.state_path, readonly=options.dry_run) as store:
            return sync_calendar(backend or self.backend, desired, store, KEY, options, "alex")

    def uids(self, backend=None):
        found = (backend or self.backend).list()
        return sorted(e.uid for e in found.events)
