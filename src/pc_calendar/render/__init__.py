"""Timeline -> calendar events (pure: no I/O).

``render_parent`` gives the events one parent chose, each as a :class:`DesiredEvent`
the sync engine can push; ``render_calendar`` gives a whole VCALENDAR (one parent's, or
with ``parent_id=None`` the coordinator's calendar of the whole family). Both are
deterministic: the same plan and range give the same UIDs, hashes and bytes (DTSTAMP
aside, which ``SOURCE_DATE_EPOCH`` pins).

Modules: :mod:`.events` builds drafts per event kind, :mod:`.text` words them,
:mod:`.publish` gives them identity and hash and serialises them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..backends.base import DesiredEvent, event_days, overlaps
from ..errors import UserError
from ..plan.model import Plan
from ..schedule.timeline import Timeline
from .checkin_text import CheckinNotes
from .events import CUSTODY_KIND, EXCHANGE_MINUTES, CustodyRun, custody_runs, drafts_for
from .publish import PRODID, EventInfo, assemble, desired, dtstamp, publish

__all__ = [
    "CUSTODY_KIND",
    "EXCHANGE_MINUTES",
    "PRODID",
    "CustodyRun",
    "EventInfo",
    "custody_runs",
    "render_calendar",
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
):
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
    return [(d, i) for d, i in published if overlaps(*event_days(d.event), window)]


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
    return [desired(draft, info) for draft, info in published]


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
    published = _render(plan, timeline, parent_id, pm, outcomes, window, checkin=checkin)
    who = plan.family.name
    if parent_id is not None:
        who += f" - {plan.parents[parent_id].name}"
    return assemble([draft.event for draft, _ in published], name=who, zone_key=timeline.zone.key)


def count_events(ical: bytes) -> int:
    """How many VEVENTs a rendered calendar holds (for CLI summaries)."""
    return ical.count(b"\r\nBEGIN:VEVENT\r\n")
