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
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from .. import identity
from ..backends.base import DesiredEvent, span_days
from ..errors import PluginError, UserError
from ..vtimezone import vtimezone
from .events import Draft
from .vevent import (
    Encoded,
    VEvent,
    encode,
    escape_text,
    fold,
    hash_encoded,
    raw_value,
    stamp_value,
    to_icalendar,
    tzids,
    write_encoded,
    zone_tzids,
)

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//pc-calendar//pc-calendar//EN"
EPOCH_ENV = "SOURCE_DATE_EPOCH"


@dataclass(frozen=True, slots=True)
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


def _icalendar_event(event: VEvent, info: EventInfo) -> Event:
    """The icalendar form of an event with its UID and marker, before decoration."""
    built = to_icalendar(event)
    built.add("uid", info.uid)
    built.add(identity.OWNER_PROP, info.family_id)
    built.add(identity.KIND_PROP, info.kind)
    return built


@dataclass(frozen=True, slots=True)
class Batch:
    """What every event of one rendering shares (kept once, not per event)."""

    family_id: str
    recipient: str | None
    stamp: datetime
    stamp_text: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stamp_text", stamp_value(self.stamp))


class Published:
    """One event ready to write: identity, content hash and DTSTAMP.

    Without a decorating plugin the event stays a draft whose words are written when
    needed (for the hash, then for the bytes) and not kept, and is serialised by
    :func:`.vevent.write_vevent`; its icalendar form is built only when asked for
    (``event``), equal to what rendering built before. A decorated event is the
    icalendar Event the plugins changed, serialised by icalendar. Little is kept per
    event (no words, no EventInfo), so an 18-year export stays small in memory.
    """

    __slots__ = ("_event", "_hash", "_uid", "batch", "decorated", "draft")

    def __init__(
        self,
        draft: Draft,
        batch: Batch,
        decorated: Event | None = None,
        content_hash: str | None = None,
    ) -> None:
        self.draft, self.batch = draft, batch
        self._event, self._hash = decorated, content_hash
        self._uid: str | None = None
        self.decorated = decorated is not None

    @property
    def info(self) -> EventInfo:
        draft, batch = self.draft, self.batch
        return EventInfo(
            batch.family_id, batch.recipient, draft.kind, draft.natural_key, self.uid, draft.subject
        )

    @property
    def uid(self) -> str:
        """Kept once asked for (a sync asks for it, then for the hash that needs it)."""
        if self._uid is None:
            self._uid = self._make_uid()
        return self._uid

    def _make_uid(self) -> str:
        draft = self.draft
        return identity.uid_for(self.batch.family_id, draft.uid_kind, draft.natural_key)

    def _encode(self, event: VEvent) -> Encoded:
        # not kept when only written: a long export holds no UIDs
        uid = self._uid if self._uid is not None else self._make_uid()
        return encode(event, uid, self.batch.family_id, self.draft.kind)

    def _hash_of(self, event: VEvent) -> str:
        if self._hash is None:
            self._hash = hash_encoded(self._encode(event))
        return self._hash

    @property
    def content_hash(self) -> str:
        return self._hash if self._hash is not None else self._hash_of(self.draft.event())

    @property
    def event(self) -> Event:
        """The icalendar VEVENT (built on first use unless a plugin decorated it)."""
        if self._event is None:
            plain, info = self.draft.event(), self.info
            event = _icalendar_event(plain, info)
            event.add("dtstamp", self.batch.stamp)
            event.add(identity.HASH_PROP, self._hash_of(plain))
            self._event = event
        return self._event

    def vevent(self) -> bytes:
        """The VEVENT's bytes (BEGIN:VEVENT to END:VEVENT, CRLF)."""
        if self.decorated:
            return self.event.to_ical()
        encoded = self._encode(self.draft.event())
        if self._hash is None:
            self._hash = hash_encoded(encoded)
        return write_encoded(encoded, self.batch.stamp_text, self._hash)

    def span(self) -> tuple[Any, Any]:
        """(DTSTART, DTEND) values as an icalendar parse gives them (None where absent)."""
        if self.decorated:
            event = self.event
            return tuple(event.decoded(p) if p in event else None for p in ("DTSTART", "DTEND"))
        return self.draft.start, self.draft.end

    def days(self) -> tuple[date | None, date | None]:
        """First and last day, each in its own zone: DTEND's date for a date-time, the
        day before DTEND for an all-day event (exclusive), computed without the event."""
        return span_days(*self.span())

    def tzids(self) -> set[str]:
        return _used_tzids(self.event) if self.decorated else tzids(*self.span())


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
    batch = Batch(family_id, recipient, stamp)
    seen: dict[tuple[str, str], int] = {}
    done = []
    for draft in sorted(drafts, key=lambda d: (d.sort_at, d.uid_kind, d.natural_key)):
        count = seen.get((draft.uid_kind, draft.natural_key), 0) + 1
        seen[(draft.uid_kind, draft.natural_key)] = count
        if count > 1:
            draft.natural_key += f"#{count}"
        item = Published(draft, batch)
        if decorating:
            info = item.info
            event = _icalendar_event(draft.event(), info)
            _decorate(pm, event, info)
            content = identity.content_hash(event)
            event.add("dtstamp", stamp)
            event.add(identity.HASH_PROP, content)
            item = Published(draft, batch, event, content)
        done.append(item)
    return done


def _header(name: str | None = None, zone_key: str | None = None) -> bytes:
    """BEGIN:VCALENDAR and its properties, as icalendar writes them (its order)."""
    props = [("VERSION", "2.0"), ("PRODID", PRODID), ("CALSCALE", "GREGORIAN")]
    if name:
        props.append(("X-WR-CALNAME", name))
    if zone_key:
        props.append(("X-WR-TIMEZONE", zone_key))
    lines = [
        fold(f"{key}:{raw_value(value) if key.startswith('X-') else escape_text(value)}")
        for key, value in props
    ]
    return b"\r\n".join([b"BEGIN:VCALENDAR", *lines, b"END:VCALENDAR\r\n"])


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
    header = _header(name, zone_key)
    return b"".join(_calendar(header, tzids, years, (e.to_ical() for e in events)))


def calendar_chunks(
    published: list[Published], name: str | None = None, zone_key: str | None = None
) -> Iterator[bytes]:
    """The VCALENDAR of ``published`` as a stream of byte chunks (one per VEVENT), so a
    long export is written without holding the whole calendar or any icalendar object."""
    drafts = [item.draft for item in published if not item.decorated]  # spans as drafted
    moments = [d.start for d in drafts] + [d.end for d in drafts]
    tzids = zone_tzids({m.tzinfo for m in moments if isinstance(m, datetime)})
    years = {moment.year for moment in moments}
    for item in published:
        if item.decorated:
            tzids |= item.tzids()
            years.update(moment.year for moment in item.span() if moment is not None)
    span = (min(years), max(years)) if years else None
    header = _header(name, zone_key)
    return _calendar(header, tzids, span, (item.vevent() for item in published))


def desired(item: Published) -> DesiredEvent:
    """The event as the sync engine wants it: one VEVENT in its own VCALENDAR, both the
    bytes and the icalendar Event built only if the sync writes or shows the event."""
    start, end = item.span()
    return DesiredEvent(
        uid=item.uid,
        kind=item.draft.kind,
        natural_key=item.draft.natural_key,
        content_hash=item.content_hash,
        build_event=lambda: item.event,
        serialize=lambda: b"".join(calendar_chunks([item])),
        start=start,
        end=end,
    )
