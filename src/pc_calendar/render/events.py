"""Timeline -> draft VEVENTs for one reader (a parent, or the coordinator).

A draft is an ``icalendar.Event`` with what the plan says, plus the identity it will be
published under. Identity and hashing happen in :mod:`.publish`, after plugins had
their say. Natural keys are functions of the thing itself (who, which children, when),
never of export time, so re-rendering yields the same UIDs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Event

from ..plan.model import EventKind, Plan
from ..schedule.timeline import CustodyBlock, Exchange, HolidayLabel, Rule, Timeline
from . import text
from .checkin_text import CheckinNotes, exchange_lines

#: How long an exchange event lasts in the calendar.
EXCHANGE_MINUTES = 15

#: X-PC-CALENDAR-KIND of custody events in the coordinator's calendar (no "own" there).
CUSTODY_KIND = "custody"


@dataclass(frozen=True)
class CustodyRun:
    """Consecutive custody with one parent for one group of children.

    ``segments`` are the (start, end, rule) pieces inside the run, so the event can say
    which rule holds each part (a weekend extended by a holiday names both).
    """

    start: datetime
    end: datetime
    parent: str
    children: tuple[str, ...]
    segments: tuple[tuple[datetime, datetime, Rule], ...]


@dataclass
class Draft:
    """An event before identity and hash: ``uid_kind`` and ``natural_key`` make the UID."""

    uid_kind: str
    kind: str
    natural_key: str
    event: Event
    sort_at: datetime
    subject: object


def _runs_of_child(blocks: list[CustodyBlock]) -> Iterator[tuple[datetime, datetime, str, list]]:
    run: list[CustodyBlock] = []
    for block in sorted(blocks, key=lambda b: b.start):
        if block.end <= block.start:
            continue  # an empty block holds no time and must not split a run
        if run and (block.parent != run[-1].parent or block.start != run[-1].end):
            yield run[0].start, run[-1].end, run[0].parent, run
            run = []
        run.append(block)
    if run:
        yield run[0].start, run[-1].end, run[0].parent, run


def _merge_segments(blocks: list[CustodyBlock]) -> list[tuple[datetime, datetime, Rule]]:
    """Adjacent pieces produced by the same rule become one piece."""
    pieces: list[tuple[datetime, datetime, Rule]] = []
    for b in blocks:
        if pieces and pieces[-1][2] == b.rule and pieces[-1][1] == b.start:
            pieces[-1] = (pieces[-1][0], b.end, b.rule)
        else:
            pieces.append((b.start, b.end, b.rule))
    return pieces


def custody_runs(timeline: Timeline) -> list[CustodyRun]:
    """Runs of custody, merged across children who move together.

    Runs are formed per child first (a rule boundary inside one child's time with the
    same parent does not split it), then identical (start, end, parent) runs of
    different children become one run, so siblings share one event.
    """
    groups: dict[tuple[datetime, datetime, str], tuple[set[str], set]] = {}
    for child_timeline in timeline.children.values():
        for start, end, parent, blocks in _runs_of_child(child_timeline.blocks):
            children, segments = groups.setdefault((start, end, parent), (set(), set()))
            children.update(c for b in blocks for c in b.children)
            children.add(child_timeline.child)
            segments.update(_merge_segments(blocks))
    runs = [
        CustodyRun(
            start,
            end,
            parent,
            tuple(sorted(children)),
            tuple(sorted(segments, key=lambda s: (s[0], s[1], s[2].describe()))),
        )
        for (start, end, parent), (children, segments) in groups.items()
    ]
    return sorted(runs, key=lambda r: (r.start, r.parent, r.children))


def calendar_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` in the family's zone, or in UTC where that local time occurs twice.

    In the hour clocks repeat in autumn, a local time with a TZID names two instants:
    RFC 5545 means the first, ical.js and libical read the second. UTC is read alike by
    every client, so the rare event there is written in UTC.
    """
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def _timed(summary: str, start: datetime, end: datetime, zone: ZoneInfo) -> Event:
    event = Event()
    event.add("summary", summary)
    event.add("dtstart", calendar_time(start, zone))
    event.add("dtend", calendar_time(end, zone))
    return event


def custody_draft(plan: Plan, run: CustodyRun, zone: ZoneInfo, recipient: str | None) -> Draft:
    names = text.child_names(plan, run.children)
    event = _timed(
        f"{text.join_names(names)} with {text.short_name(plan, run.parent)}",
        run.start,
        run.end,
        zone,
    )
    start, end = run.start.astimezone(zone), run.end.astimezone(zone)
    lines = [
        f"{text.join_names(names, ' and ')} with {text.full_name(plan, run.parent)} "
        f"from {text.when(start)} to {text.when(end)} ({zone.key}).",
        *text.local_time_lines(plan, recipient, run.start, run.end),
        "Why:",
    ]
    for seg_start, seg_end, rule in run.segments:
        why = text.explain_rule(plan, rule, coordinator=recipient is None)
        lines.append(
            f"- {text.when(seg_start.astimezone(zone))} to "
            f"{text.when(seg_end.astimezone(zone))}: {why}"
        )
    lines.append(text.footer(plan))
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")  # days with the children are not "busy" time
    event.add("categories", ["Custody"])
    if recipient is None:
        kind = CUSTODY_KIND
    elif run.parent == recipient:
        kind = EventKind.own_custody.value
    else:
        kind = EventKind.other_custody.value
    key = f"{run.parent}|{','.join(sorted(run.children))}|{run.start.isoformat()}"
    return Draft("custody", kind, key, event, run.start, run)


def exchange_draft(
    plan: Plan,
    ex: Exchange,
    zone: ZoneInfo,
    recipient: str | None,
    outcome: str | None = None,
    checkin: CheckinNotes | None = None,
) -> Draft:
    """One exchange; ``outcome`` (coordinator only) is the exchange log's latest word;
    ``checkin`` (a parent's) adds the others' reports and the parent's check-in link."""
    local = ex.at.astimezone(zone)
    names = text.child_names(plan, ex.children)
    place = text.location_name(plan, ex.location)
    # The reader's clock, named: a parent one zone west sees "14:00 MST" where their
    # calendar shows the event, not the family's "15:00".
    shown = ex.at.astimezone(text.reader_zone(plan, recipient, zone))
    summary = (
        f"Exchange {text.clock_and_zone(shown)}: {text.short_name(plan, ex.from_parent)} → "
        f"{text.short_name(plan, ex.to_parent)} ({', '.join(names)})"
    )
    if place:
        summary += f" at {place}"
    if outcome and recipient is None:
        summary += f" - {outcome}"
    event = _timed(summary, ex.at, ex.at + timedelta(minutes=EXCHANGE_MINUTES), zone)
    address = text.location_text(plan, ex.location)
    if address:
        event.add("location", address)
    coordinator = recipient is None
    lines = [
        f"{text.join_names(names, ' and ')} go from {text.full_name(plan, ex.from_parent)} "
        f"to {text.full_name(plan, ex.to_parent)} on {text.when(local)} ({zone.key}).",
        *([f"Place: {address}"] if address else []),
        *text.local_time_lines(plan, recipient, ex.at),
        f"Why: {text.explain_rule(plan, ex.rule, coordinator=coordinator)} begins; "
        f"ends: {text.explain_rule(plan, ex.ending_rule, coordinator=coordinator)}.",
        *([f"Plan as amended by {ex.amendment}."] if ex.amendment else []),
        f"Exchange id: {ex.id}",
        *([f"Recorded outcome: {outcome}"] if outcome and recipient is None else []),
        *(exchange_lines(plan, recipient, checkin, ex.id) if checkin and recipient else []),
        text.footer(plan),
    ]
    event.add("description", "\n".join(lines))
    event.add("categories", ["Exchange"])
    minutes = plan.parents[recipient].reminder_minutes if recipient in plan.parents else None
    if minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-minutes))
        event.add_component(alarm)
    key = f"{ex.id}|{','.join(sorted(ex.children))}"
    return Draft("exchange", EventKind.exchanges.value, key, event, ex.at, ex)


def holiday_draft(
    plan: Plan, labels: list[HolidayLabel], zone: ZoneInfo, recipient: str | None
) -> Draft:
    """One all-day event for a holiday, even when several schedules label it."""
    label = labels[0]
    event = Event()
    event.add("summary", label.name)
    event.add("dtstart", label.first)
    event.add("dtend", label.last + timedelta(days=1))  # DTEND of a VALUE=DATE is exclusive
    coordinator = recipient is None
    whys = dict.fromkeys(text.explain_rule(plan, lb.rule, coordinator=coordinator) for lb in labels)
    lines = [f"Why: {why}" for why in whys]
    who = text.holiday_assignment(plan, labels, zone)
    if who is not None:
        lines.append(
            (
                "Split by the plan: "
                if any(lb.split_at for lb in labels)
                else "Assigned by the plan to "
            )
            + f"{who}; the custody and exchange events show the exact times."
        )
    else:
        lines.append("A label only: it does not change who has the children.")
    lines.append(text.footer(plan))
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Holiday"])
    key = f"{label.name}|{label.first.isoformat()}"
    sort_at = datetime.combine(label.first, datetime.min.time(), zone)
    return Draft("holiday", EventKind.holidays.value, key, event, sort_at, tuple(labels))


def _label_order(label: HolidayLabel) -> tuple:
    return (label.first, label.name, label.last, label.parent or "", label.rule.source)


def drafts_for(
    plan: Plan,
    timeline: Timeline,
    recipient: str | None,
    outcomes: Mapping[str, str] | None = None,
    *,
    checkin: CheckinNotes | None = None,
) -> list[Draft]:
    """Every draft the reader chose: a parent's event kinds, or everything for None.

    ``outcomes`` (exchange id -> label such as "MISSED") marks exchanges in the
    coordinator's calendar only. A parent's exchange events carry ``checkin``: their
    check-in link and what others reported on the exchange (both sides are heard).
    """
    outcomes = outcomes if recipient is None and outcomes else {}
    zone = timeline.zone
    kinds = set(EventKind) if recipient is None else set(plan.parents[recipient].events)
    drafts: list[Draft] = []
    if kinds & {EventKind.own_custody, EventKind.other_custody}:
        for run in custody_runs(timeline):
            own = run.parent == recipient
            if (
                recipient is None
                or (EventKind.own_custody if own else EventKind.other_custody) in kinds
            ):
                drafts.append(custody_draft(plan, run, zone, recipient))
    if EventKind.exchanges in kinds:
        for ex in timeline.merged_exchanges():
            if recipient is None or recipient in (ex.from_parent, ex.to_parent):
                drafts.append(
                    exchange_draft(plan, ex, zone, recipient, outcomes.get(ex.id), checkin)
                )
    if EventKind.holidays in kinds:
        by_key: dict[tuple[date, str], list[HolidayLabel]] = {}
        for label in sorted(timeline.holidays, key=_label_order):
            by_key.setdefault((label.first, label.name), []).append(label)
        for labels in by_key.values():  # one event per holiday, not one per schedule
            drafts.append(holiday_draft(plan, labels, zone, recipient))
    return drafts
