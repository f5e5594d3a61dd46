"""Drafts -> published events: identity, plugin decoration, content hash, VCALENDARs.

Order matters: the UID, kind and ownership marker go on first so plugins can see them;
then ``pc_calendar_decorate_event`` runs; then the content hash is taken over the final
event and written into it. DTSTAMP is stamped but excluded from the hash, and comes from
``SOURCE_DATE_EPOCH`` when set so builds are reproducible byte for byte.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Event

from .. import identity
from ..backends.base import DesiredEvent
from ..errors import PluginError, UserError
from ..vtimezone import vtimezone
from .events import Draft

PRODID = "-//pc-calendar//pc-calendar//EN"
EPOCH_ENV = "SOURCE_DATE_EPOCH"


@dataclass(frozen=True)
class EventInfo:
    """What a ``pc_calendar_decorate_event`` plugin is told about the event.

    ``recipient`` is the parent id whose calendar this is, or None for the coordinator's
    whole-family calendar. ``kind`` is the X-PC-CALENDAR-KIND value (own_custody,
    other_custody, custody, exchanges, holidays). ``subject`` is the timeline object
    behind the event (a CustodyRun, an Exchange, or a tuple of HolidayLabels).
    """

    family_id: str
    recipient: str | None
    kind: str
    natural_key: str
    uid: str = ""
    subject: Any = field(default=None, compare=False, repr=False)


def dtstamp() -> datetime:
    """``SOURCE_DATE_EPOCH`` if set (reproducible builds), else now, to the second, UTC."""
    raw = os.environ.get(EPOCH_ENV)
    if raw is None or raw.strip() == "":
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return datetime.fromtimestamp(int(raw.strip()), UTC)
    except (ValueError, OverflowError, OSError):
        raise UserError(
            f"{EPOCH_ENV}: expected whole seconds since 1970-01-01 UTC, got {raw!r}"
        ) from None


def _decorate(pm: Any, event: Event, info: EventInfo) -> None:
    try:
        pm.hook.pc_calendar_decorate_event(event=event, info=info)
    except Exception as exc:
        raise PluginError(
            "pc_calendar_decorate_event", f"failed on {info.uid}: {exc.__class__.__name__}: {exc}"
        ) from exc
    if str(event.get("UID")) != info.uid or str(event.get(identity.OWNER_PROP)) != info.family_id:
        raise PluginError(
            "pc_calendar_decorate_event",
            f"changed the UID or the {identity.OWNER_PROP} marker of {info.uid}",
        )


def publish(
    drafts: list[Draft], family_id: str, recipient: str | None, pm: Any, stamp: datetime
) -> list[tuple[Draft, EventInfo]]:
    """Give each draft its UID, marker, decoration, DTSTAMP and hash; sorted for output.

    Two drafts with the same natural key (which a sane timeline never produces) get
    ``#2``, ``#3`` suffixes in a stable order rather than a UID collision that would
    make one overwrite the other in a calendar.
    """
    seen: dict[tuple[str, str], int] = {}
    done = []
    for draft in sorted(drafts, key=lambda d: (d.sort_at, d.uid_kind, d.natural_key)):
        count = seen.get((draft.uid_kind, draft.natural_key), 0) + 1
        seen[(draft.uid_kind, draft.natural_key)] = count
        if count > 1:
            draft.natural_key += f"#{count}"
        uid = identity.uid_for(family_id, draft.uid_kind, draft.natural_key)
        event = draft.event
        event.add("uid", uid)
        event.add(identity.OWNER_PROP, family_id)
        event.add(identity.KIND_PROP, draft.kind)
        info = EventInfo(family_id, recipient, draft.kind, draft.natural_key, uid, draft.subject)
        _decorate(pm, event, info)
        content = identity.content_hash(event)
        event.add("dtstamp", stamp)
        event.add(identity.HASH_PROP, content)
        done.append((draft, info))
    return done


def _header(name: str | None = None, zone_key: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    if zone_key:
        cal.add("x-wr-timezone", zone_key)
    return cal


def _used_tzids(event: Event) -> set[str]:
    return {
        str(event[p].params["TZID"])
        for p in ("DTSTART", "DTEND")
        if p in event and "TZID" in event[p].params
    }


def _years(events: list[Event]) -> tuple[int, int]:
    years = [e.decoded(p).year for e in events for p in ("DTSTART", "DTEND") if p in e]
    return min(years), max(years)


def assemble(events: list[Event], name: str | None = None, zone_key: str | None = None) -> bytes:
    """A VCALENDAR of ``events`` with a VTIMEZONE for every TZID they use.

    Serialised piecewise (what ``Calendar.to_ical`` does) so each VTIMEZONE is
    serialised once, not once per event: rendering 18 years stays well under a second.
    """
    end = b"END:VCALENDAR\r\n"
    header = _header(name, zone_key).to_ical()
    parts = [header[: -len(end)]]
    if events:
        first, last = _years(events)
        tzids = sorted(set().union(*(_used_tzids(e) for e in events)))
        parts.extend(vtimezone(tzid, first, last) for tzid in tzids)
    parts.extend(event.to_ical() for event in events)
    parts.append(end)
    return b"".join(parts)


def desired(draft: Draft, info: EventInfo) -> DesiredEvent:
    """The event as the sync engine wants it: one VEVENT in its own VCALENDAR."""
    event = draft.event
    return DesiredEvent(
        uid=info.uid,
        kind=info.kind,
        natural_key=info.natural_key,
        content_hash=str(event[identity.HASH_PROP]),
        event=event,
        serialize=lambda: assemble([event]),
    )
