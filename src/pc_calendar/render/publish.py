"""Drafts -> published events: identity, plugin decoration, content hash, VCALENDARs.

Order matters: the UID, kind and ownership marker go on first so plugins can see them;
then ``pc_calendar_decorate_event`` runs; then the content hash is taken over the final
event and written into it. DTSTAMP is stamped but excluded from the hash, and comes from
``SOURCE_DATE_EPOCH`` when set so builds are reproducible byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Event

from .. import identity
from ..backends.base import DesiredEvent
from ..errors import PluginError, UserError
from ..vtimezone import vtimezone
from .events import Draft
from .vevent import canonical_hash, to_icalendar, tzids, write_vevent

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


def _has_decorators(pm: Any) -> bool:
    return bool(pm.hook.pc_calendar_decorate_event.get_hookimpls())


def _icalendar_event(draft: Draft, info: EventInfo) -> Event:
    """The icalendar form of a draft with its UID and marker, before decoration."""
    event = to_icalendar(draft.event)
    event.add("uid", info.uid)
    event.add(identity.OWNER_PROP, info.family_id)
    event.add(identity.KIND_PROP, info.kind)
    return event


class Published:
    """One event ready to write: identity, content hash and DTSTAMP.

    Without a decorating plugin the event stays plain data (``draft.event``) and is
    written by :func:`.vevent.write_vevent`; its icalendar form is built only when asked
    for (``event``), equal to what rendering built before. A decorated event is the
    icalendar Event the plugins changed, and is serialised by icalendar.
    """

    __slots__ = ("_event", "content_hash", "decorated", "draft", "info", "stamp")

    def __init__(
        self,
        draft: Draft,
        info: EventInfo,
        content_hash: str,
        stamp: datetime,
        event: Event | None = None,
    ) -> None:
        self.draft, self.info, self.content_hash = draft, info, content_hash
        self.stamp, self._event = stamp, event
        self.decorated = event is not None

    @property
    def event(self) -> Event:
        """The icalendar VEVENT (built on first use unless a plugin decorated it)."""
        if self._event is None:
            event = _icalendar_event(self.draft, self.info)
            event.add("dtstamp", self.stamp)
            event.add(identity.HASH_PROP, self.content_hash)
            self._event = event
        return self._event

    def vevent(self) -> bytes:
        """The VEVENT's bytes (BEGIN:VEVENT to END:VEVENT, CRLF)."""
        if self.decorated:
            return self.event.to_ical()
        info = self.info
        return write_vevent(
            self.draft.event, info.uid, info.family_id, info.kind, self.stamp, self.content_hash
        )

    def span(self) -> tuple[Any, Any]:
        """(DTSTART, DTEND) values as an icalendar parse gives them (None where absent)."""
        if self.decorated:
            event = self.event
            return tuple(event.decoded(p) if p in event else None for p in ("DTSTART", "DTEND"))
        return self.draft.event.start, self.draft.event.end

    def tzids(self) -> set[str]:
        return _used_tzids(self.event) if self.decorated else tzids(self.draft.event)


def publish(
    drafts: list[Draft], family_id: str, recipient: str | None, pm: Any, stamp: datetime
) -> list[Published]:
    """Give each draft its UID, marker, decoration, DTSTAMP and hash; sorted for output.

    Two drafts with the same natural key (which a sane timeline never produces) get
    ``#2``, ``#3`` suffixes in a stable order rather than a UID collision that would
    make one overwrite the other in a calendar. With a ``pc_calendar_decorate_event``
    plugin registered, each event is built as an icalendar Event for it to change and
    hashed from that; otherwise the hash is computed from the plain data, the same.
    """
    decorating = _has_decorators(pm)
    seen: dict[tuple[str, str], int] = {}
    done = []
    for draft in sorted(drafts, key=lambda d: (d.sort_at, d.uid_kind, d.natural_key)):
        count = seen.get((draft.uid_kind, draft.natural_key), 0) + 1
        seen[(draft.uid_kind, draft.natural_key)] = count
        if count > 1:
            draft.natural_key += f"#{count}"
        uid = identity.uid_for(family_id, draft.uid_kind, draft.natural_key)
        info = EventInfo(family_id, recipient, draft.kind, draft.natural_key, uid, draft.subject)
        if not decorating:
            content = canonical_hash(draft.event, uid, family_id, draft.kind)
            done.append(Published(draft, info, content, stamp))
            continue
        event = _icalendar_event(draft, info)
        _decorate(pm, event, info)
        content = identity.content_hash(event)
        event.add("dtstamp", stamp)
        event.add(identity.HASH_PROP, content)
        done.append(Published(draft, info, content, stamp, event))
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


def _calendar(
    header: bytes, tzids: set[str], years: tuple[int, int] | None, vevents: Iterable[bytes]
) -> Iterator[bytes]:
    end = b"END:VCALENDAR\r\n"
    yield header[: -len(end)]
    if years is not None:
        for tzid in sorted(tzids):
            yield vtimezone(tzid, *years)
    yield from vevents
    yield end


def assemble(events: list[Event], name: str | None = None, zone_key: str | None = None) -> bytes:
    """A VCALENDAR of icalendar ``events`` with a VTIMEZONE for every TZID they use.

    Serialised piecewise (what ``Calendar.to_ical`` does) so each VTIMEZONE is
    serialised once, not once per event.
    """
    tzids = set().union(*(_used_tzids(e) for e in events))
    years = _years(events) if events else None
    header = _header(name, zone_key).to_ical()
    return b"".join(_calendar(header, tzids, years, (e.to_ical() for e in events)))


def calendar_chunks(
    published: list[Published], name: str | None = None, zone_key: str | None = None
) -> Iterator[bytes]:
    """The VCALENDAR of ``published`` as a stream of byte chunks (one per VEVENT), so a
    long export is written without holding the whole calendar or any icalendar object."""
    tzids: set[str] = set()
    years: list[int] = []
    for item in published:
        tzids |= item.tzids()
        years.extend(moment.year for moment in item.span() if moment is not None)
    span = (min(years), max(years)) if years else None
    header = _header(name, zone_key).to_ical()
    return _calendar(header, tzids, span, (item.vevent() for item in published))


def desired(item: Published) -> DesiredEvent:
    """The event as the sync engine wants it: one VEVENT in its own VCALENDAR, both the
    bytes and the icalendar Event built only if the sync writes or shows the event."""
    start, end = item.span()
    return DesiredEvent(
        uid=item.info.uid,
        kind=item.info.kind,
        natural_key=item.info.natural_key,
        content_hash=item.content_hash,
        build_event=lambda: item.event,
        serialize=lambda: b"".join(calendar_chunks([item])),
        start=start,
        end=end,
    )
