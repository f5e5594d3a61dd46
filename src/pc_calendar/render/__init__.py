"""Timeline -> calendar events (pure: no I/O).

``render_parent`` gives the events one parent chose, each as a :class:`DesiredEvent`
the sync engine can push; ``render_calendar`` gives a whole VCALENDAR (one parent's, or
with ``parent_id=None`` the coordinator's calendar of the whole family). Both are
deterministic: the same plan and range give the same UIDs, hashes and bytes (DTSTAMP
aside, which ``SOURCE_DATE_EPOCH`` pins).

Modules: :mod:`.events` builds drafts per event kind, :mod:`.words` words them (one
reader's repeated parts once, from :mod:`.text`'s sentences), :mod:`.publish` gives
them identity and hash and assembles calendars, :mod:`.vevent`
writes events as RFC 5545 text from plain data (icalendar objects are built only for a
``pc_calendar_decorate_event`` plugin or when a caller asks for ``event``);
``render_calendar_chunks`` streams a calendar for writing to a file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from ..backends.base import DesiredEvent, overlaps
from ..errors import UserError
from ..plan.model import Plan
from ..schedule.timeline import Timeline
from .checkin_text import CheckinNotes
from .events import CUSTODY_KIND, EXCHANGE_MINUTES, CustodyRun, custody_runs, drafts_for
from .publish import PRODID, EventInfo, Published, calendar_chunks, desired, dtstamp, publish

__all__ = [
    "CUSTODY_KIND",
    "EXCHANGE_MINUTES",
    "PRODID",
    "CustodyRun",
    "EventInfo",
    "custody_runs",
    "render_calendar",
    "render_calendar_chunks",
    "render_parent",
]


def _check_parent(plan: Plan, parent_id: str | None) -> None:
    if parent_id is not None and parent_id not in plan.parents:
        raise UserError(
            f"unknown parent {parent_id!r}",
            hint=f"the plan's parents are: {', '.join(plan.parents)}",
        )


def _render(
    plan: Plan,
    timeline: Timeline,
    parent_id: str | None,
    pm: Any,
    outcomes: Mapping[str, str] | None = None,
    window: tuple[date, date] | None = None,
    *,
    checkin: CheckinNotes | None = None,
) -> list[Published]:
    _check_parent(plan, parent_id)
    if pm is None:
        from ..plugins import get_plugin_manager

        pm = get_plugin_manager()
    drafts = drafts_for(plan, timeline, parent_id, outcomes, checkin=checkin)
    published = publish(drafts, plan.family.id, parent_id, pm, dtstamp())
    if window is None:
        return published
    # whole events touching the window (the timeline is computed beyond it, see
    # schedule.window): never clipped, so a window never changes an event's content
    return [p for p in published if overlaps(*p.days(), window)]


def render_parent(
    plan: Plan,
    timeline: Timeline,
    parent_id: str,
    pm: Any = None,
    window: tuple[date, date] | None = None,
    *,
    checkin: CheckinNotes | None = None,
) -> list[DesiredEvent]:
    """The events ``parent_id`` wants in their calendar, sorted by start then UID.

    With ``window`` (local dates ``[start, end)``), only those touching it; ``checkin``
    adds their check-in link and others' reports to exchange events.
    """
    published = _render(plan, timeline, parent_id, pm, window=window, checkin=checkin)
    return [desired(item) for item in published]


def render_calendar_chunks(
    plan: Plan,
    timeline: Timeline,
    parent_id: str | None,
    pm: Any = None,
    outcomes: Mapping[str, str] | None = None,
    window: tuple[date, date] | None = None,
    *,
    checkin: CheckinNotes | None = None,
) -> Iterator[bytes]:
    """:func:`render_calendar` as a stream of byte chunks (one per VEVENT), for writing
    a long calendar to a file without holding it whole. Events are rendered (and plan
    errors raised) before the first chunk is returned."""
    published = _render(plan, timeline, parent_id, pm, outcomes, window, checkin=checkin)
    who = plan.family.name
    if parent_id is not None:
        who += f" - {plan.parents[parent_id].name}"
    return calendar_chunks(published, name=who, zone_key=timeline.zone.key)


def render_calendar(
    plan: Plan,
    timeline: Timeline,
    parent_id: str | None,
    pm: Any = None,
    outcomes: Mapping[str, str] | None = None,
    window: tuple[date, date] | None = None,
    *,
    checkin: CheckinNotes | None = None,
) -> bytes:
    """A whole VCALENDAR: one parent's calendar, or the coordinator's if ``parent_id`` is None.

    With ``window``, only the events touching it, whole (as sync pushes them); ``checkin``
    adds the parent's check-in link and the other side's reports to exchange events.

    The coordinator's calendar has every kind of event and every exchange, without
    reminders (the coordinator does not attend exchanges); ``outcomes`` (exchange id ->
    label, from :func:`pc_calendar.exchanges.service.outcome_labels`) marks each
    recorded exchange there, e.g. "... - MISSED".
    """
    chunks = render_calendar_chunks(
        plan, timeline, parent_id, pm, outcomes, window, checkin=checkin
    )
    return b"".join(chunks)
