"""What a sync would do to each parent's calendar, computed without contacting a server.

Both plans' desired events are rendered exactly as ``sync`` renders them (the same
windowed timeline, whole runs at its edges, and the same ``render_parent`` window),
then compared by UID and content hash: a UID only in the new plan is a create, one only
in the old plan a delete, one in both with another hash an update. That is what a sync
would do to a calendar that holds the old plan's events, as it does after the last sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pluggy

from ..backends.base import DesiredEvent
from ..plan.model import Plan
from ..render import render_parent
from ..schedule.window import compute_window
from .revision import blamed_on


@dataclass(frozen=True)
class EventChange:
    """One event a sync would write: ``change`` is create, update or delete."""

    change: str
    uid: str
    kind: str
    summary: str
    start: datetime | date | None
    summary_before: str | None = None


@dataclass
class CalendarChanges:
    """One parent's calendar: the target type (None: no calendar target) and its changes."""

    parent: str
    target: str | None
    events: list[EventChange] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for e in self.events if e.change == change)


def desired_events(
    plan: Plan, start: date, end: date, pm: pluggy.PluginManager | None
) -> dict[str, dict[str, DesiredEvent]]:
    """Per parent, the events their calendar should hold after a sync of ``[start, end)``."""
    timeline = compute_window(plan, start, end, pm)
    return {
        parent: {d.uid: d for d in render_parent(plan, timeline, parent, pm, (start, end))}
        for parent in plan.parent_ids
    }


def _summary(event: DesiredEvent) -> str:
    return str(event.event.get("SUMMARY", "")) if event.event is not None else event.uid


def _start(event: DesiredEvent) -> datetime | date | None:
    if event.event is None or "DTSTART" not in event.event:
        return None
    return event.event["DTSTART"].dt


def _target(plan: Plan, parent: str) -> str | None:
    info = plan.parents.get(parent)
    if info is None or not info.calendar:
        return None
    return str(info.calendar.get("type", "?"))


def _order(change: EventChange, zone: ZoneInfo) -> tuple:
    start = change.start
    if isinstance(start, datetime):
        key = start.timestamp()
    elif isinstance(start, date):  # an all-day event starts at the family's midnight
        key = datetime.combine(start, time(0), zone).timestamp()
    else:
        key = 0.0
    return (key, change.uid)


def compare_calendars(
    old: Plan,
    new: Plan,
    start: date,
    end: date,
    pm: pluggy.PluginManager | None = None,
    labels: tuple[str, str] = ("old", "new"),
) -> list[CalendarChanges]:
    """Per parent (of either plan, new plan's order first), the writes a sync would make."""
    parents = list(dict.fromkeys([*new.parent_ids, *old.parent_ids]))
    zone = ZoneInfo(new.family.timezone)
    with blamed_on(labels[0]):
        before = desired_events(old, start, end, pm)
    with blamed_on(labels[1]):
        after = desired_events(new, start, end, pm)
    result = []
    for parent in parents:
        was, now = before.get(parent, {}), after.get(parent, {})
        changes = CalendarChanges(parent, _target(new, parent) or _target(old, parent))
        for uid, event in now.items():
            if uid not in was:
                changes.events.append(
                    EventChange("create", uid, event.kind, _summary(event), _start(event))
                )
            elif was[uid].content_hash != event.content_hash:
                changes.events.append(
                    EventChange(
                        "update",
                        uid,
                        event.kind,
                        _summary(event),
                        _start(event),
                        _summary(was[uid]),
                    )
                )
        for uid, event in was.items():
            if uid not in now:
                changes.events.append(
                    EventChange("delete", uid, event.kind, _summary(event), _start(event))
                )
        changes.events.sort(key=lambda c: _order(c, zone))
        result.append(changes)
    return result
