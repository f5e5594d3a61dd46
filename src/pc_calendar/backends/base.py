"""The interface every calendar backend implements.

A backend only moves bytes: it lists the events carrying our marker, and creates,
updates and deletes them with conditional requests. It never computes schedules and
never decides what to change; the sync engine does that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any


class DesiredEvent:
    """One event as the plan wants it in one calendar.

    ``ical`` is a complete VCALENDAR (VTIMEZONE + one VEVENT) ready to PUT; ``event``
    the icalendar VEVENT; ``content_hash`` is also in the body as ``X-PC-CALENDAR-HASH``.
    Serialising is the costly part of rendering and a no-op sync writes nothing, so
    ``ical`` may be given as a ``serialize`` callable and ``event`` as ``build_event``;
    each is then built on first use. ``start``/``end`` are DTSTART/DTEND's values (an
    aware datetime or a date) when known without building the event.
    Equality is identity and content: (uid, kind, natural_key, content_hash).
    """

    def __init__(
        self,
        uid: str,
        kind: str,
        natural_key: str,
        content_hash: str,
        ical: bytes | None = None,
        event: Any = None,
        *,
        serialize: Callable[[], bytes] | None = None,
        build_event: Callable[[], Any] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> None:
        if ical is None and serialize is None:
            raise TypeError("DesiredEvent needs ical bytes or a serialize callable")
        self.uid = uid
        self.kind = kind
        self.natural_key = natural_key
        self.content_hash = content_hash
        self._event = event
        self._build_event = build_event
        self._ical = ical
        self._serialize = serialize
        self._span = (start, end)

    @property
    def event(self) -> Any:
        if self._event is None and self._build_event is not None:
            self._event = self._build_event()
            self._build_event = None
        return self._event

    def span(self) -> tuple[date | None, date | None]:
        """(DTSTART, DTEND) values, from the event only when not given."""
        if self._span != (None, None):
            return self._span
        event = self.event
        if event is None:
            return None, None
        start, end = (event.get(p) for p in ("DTSTART", "DTEND"))
        return (start.dt if start is not None else None, end.dt if end is not None else None)

    @property
    def ical(self) -> bytes:
        if self._ical is None:
            assert self._serialize is not None
            self._ical = self._serialize()
        return self._ical

    def _key(self) -> tuple[str, str, str, str]:
        return (self.uid, self.kind, self.natural_key, self.content_hash)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DesiredEvent) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"DesiredEvent(uid={self.uid!r}, kind={self.kind!r}, hash={self.content_hash!r})"


@dataclass(frozen=True)
class RemoteEvent:
    """One of our events as the backend holds it.

    ``content_hash`` is the hash we wrote into it; ``actual_hash`` is recomputed from
    what is there now, so a parent's edit shows as ``actual_hash != content_hash`` even
    when the local state was lost.
    """

    uid: str
    href: str
    etag: str | None
    content_hash: str | None
    actual_hash: str | None
    #: the event's start day (DTSTART's own date) and last day (see :func:`event_days`):
    #: the sync engine leaves ours alone when they lie wholly outside the synced range
    #: instead of deleting past history, and owns every one overlapping it.
    start: date | None = None
    end: date | None = None

    @property
    def marked(self) -> bool:
        """Whether it carries our whole marker; if not, only its UID says it is ours (a
        client stripped our X-PC-* properties): see :func:`remote_event_from_ical`."""
        return self.content_hash is not None


def remote_event_from_ical(
    body: bytes, href: str, etag: str | None, family_id: str, *, unmarked: bool = False
) -> RemoteEvent | None:
    """Parse one stored calendar object; a RemoteEvent if it is ours, else None.

    Shared by backends so every one applies the same ownership test and hash. With
    ``unmarked`` an object whose UID is in our family's domain but whose marker or hash
    is gone (and carries no other family's marker) is returned too, with
    ``content_hash`` None: backends report those only at the resource name they give
    that UID themselves, in :attr:`Listing.unmarked`, and the sync engine decides.
    """
    import icalendar

    from ..identity import HASH_PROP, content_hash, is_ours, uid_is_ours

    try:
        cal = icalendar.Calendar.from_ical(body)
    except ValueError:
        return None  # not ours to judge: a broken foreign object is skipped, never touched
    events = [c for c in cal.walk("VEVENT")]
    if len(events) != 1:
        return None
    event = events[0]
    if is_ours(event, family_id):
        marker: str | None = str(event[HASH_PROP])
    elif unmarked and uid_is_ours(event, family_id):
        marker = None
    else:
        return None
    first, last = event_days(event)
    return RemoteEvent(
        uid=str(event["UID"]),
        href=href,
        etag=etag,
        content_hash=marker,
        actual_hash=content_hash(event),
        start=first,
        end=last,
    )


def remote_from_desired(event: DesiredEvent, href: str, etag: str | None) -> RemoteEvent:
    """What we just stored, without parsing it back (the desired event is its source)."""
    first, last = span_days(*event.span())
    return RemoteEvent(event.uid, href, etag, event.content_hash, event.content_hash, first, last)


def start_day(event: Any) -> date | None:
    """A VEVENT's DTSTART as a date (its own zone's day for a date-time)."""
    return event_days(event)[0]


def event_days(event: Any) -> tuple[date | None, date | None]:
    """A VEVENT's first and last day, each in its own zone.

    The last day is DTEND's date for a date-time (an event ending at midnight counts
    on that day too), the day before DTEND for an all-day event (DTEND is exclusive),
    the first day when there is no DTEND.
    """
    start = event.get("DTSTART") if event is not None else None
    if start is None:
        return None, None
    end = event.get("DTEND")
    return span_days(start.dt, end.dt if end is not None else None)


def span_days(
    start: date | datetime | None, end: date | datetime | None
) -> tuple[date | None, date | None]:
    """First and last day of DTSTART/DTEND values, as :func:`event_days` counts them."""
    if start is None:
        return None, None
    first = _day(start)
    if end is None:
        return first, first
    if isinstance(end, datetime):
        return first, end.date()
    return first, max(first, end - timedelta(days=1))


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def overlaps(first: date | None, last: date | None, window: tuple[date, date] | None) -> bool:
    """Whether days ``first``..``last`` touch the local dates ``[start, end)`` of ``window``.

    One test for both sides of a sync, so what the plan wants in a window and what the
    engine owns in the calendar never disagree: events that only touch the window
    (starting before it, or ending after it) belong to it whole.
    """
    if window is None or first is None:
        return True
    return first < window[1] and (last or first) >= window[0]


@dataclass
class Listing:
    """What ``Backend.list`` found.

    ``full``: ``events`` is every event of ours in the calendar. Otherwise it is only
    ours among what changed since the token, and ``removed`` holds hrefs deleted since.
    ``token`` is the change token to pass next time (None if the server has none).
    """

    events: list[RemoteEvent]
    full: bool
    token: str | None = None
    removed: list[str] = field(default_factory=list)
    requests: int = 0
    #: objects at the resource name the backend gives one of our UIDs, that lost our
    #: marker (a client stripped our X-PC-* properties): ``content_hash`` None. Listed
    #: apart so ``events`` stays "what carries our marker"; the engine claims them
    #: only when the plan wants that UID or it pushed that object itself.
    unmarked: list[RemoteEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Probe:
    """A quick probe's finding that nothing changed since the token (see
    :mod:`pc_calendar.sync.quick`): the token a listing would have returned, and the
    requests (or folder scans) it took."""

    token: str | None
    requests: int


@dataclass(frozen=True)
class WriteOp:
    """One write for :meth:`Backend.apply_batch`: ``op`` is create | update | delete.

    create needs ``event``; update needs ``remote`` and ``event``; delete ``remote``.
    """

    op: str
    event: DesiredEvent | None = None
    remote: RemoteEvent | None = None


#: per op of ``apply_batch``: the new RemoteEvent (create/update), None (delete done), or
#: the error that op alone met (PreconditionFailed, TransientBackendError, BackendError)
WriteResult = RemoteEvent | None | Exception


class Backend(ABC):
    """One calendar. Methods raise errors from :mod:`pc_calendar.errors`:

    ``PreconditionFailed`` when an If-Match / If-None-Match fails, ``BackendError`` for
    what the user must fix (auth, missing calendar), ``TransientBackendError`` for what a
    retry may cure.
    """

    #: how the target is shown in summaries, e.g. "caldav https://host/cal/ (alex)"
    label: str = "calendar"

    @abstractmethod
    def list(self, since_token: str | None = None) -> Listing:
        """Our events (all of them, or what changed since ``since_token``)."""

    @abstractmethod
    def create(self, event: DesiredEvent) -> RemoteEvent:
        """Create; fails with PreconditionFailed if the UID/href already exists."""

    @abstractmethod
    def update(self, remote: RemoteEvent, event: DesiredEvent) -> RemoteEvent:
        """Replace at ``remote.href`` only if its etag is still ``remote.etag``."""

    @abstractmethod
    def delete(self, remote: RemoteEvent) -> None:
        """Delete at ``remote.href`` only if its etag is still ``remote.etag``."""

    def confirm_writes(
        self, since_token: str | None, written: Mapping[str, str | None], deleted: Collection[str]
    ) -> str | None:
        """A change token past our own writes, or None (optional extension).

        ``since_token`` is the token the run listed with; ``written`` maps the href of
        each event the run created or updated to the etag its write returned, ``deleted``
        holds the hrefs it deleted. Answer only when the changes since ``since_token``
        are exactly these, so a parent's edit made meanwhile is never absorbed. With the
        default None the next run reads the run's own writes back.
        """
        return None

    #: how many writes ``apply_batch`` sends in one request (1: no batching, the default)
    batch_size: int = 1
    #: how many single writes (create/update/delete) the sync engine may have in flight at
    #: once, each from its own thread (1, the default: one at a time). A backend that sets
    #: it above 1 must be safe to call from that many threads (see sync.concurrent)
    max_in_flight: int = 1

    def apply_batch(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        """Do several writes, each settled on its own (optional extension).

        Returns one result per op, in order. An op's PreconditionFailed or BackendError
        is returned, not raised, so one failed part never hides the others' success.
        Backends with a batch endpoint (Google: 50 per HTTP request) override this; the
        default makes one call per op.
        """
        from ..errors import PcCalendarError

        results: list[WriteResult] = []
        for item in ops:
            try:
                if item.op == "create":
                    assert item.event is not None
                    results.append(self.create(item.event))
                elif item.op == "update":
                    assert item.event is not None and item.remote is not None
                    results.append(self.update(item.remote, item.event))
                elif item.op == "delete":
                    assert item.remote is not None
                    self.delete(item.remote)
                    results.append(None)
                else:
                    raise ValueError(f"unknown write op {item.op!r}")
            except PcCalendarError as exc:
                results.append(exc)
        return results

    def fetch(self, remote: RemoteEvent) -> bytes | None:
        """The current body of one of our events (for conflict reports); optional."""
        return None

    @property
    def request_count(self) -> int:
        """Requests made so far (benchmarks and no-op cost checks)."""
        return 0

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release connections."""
