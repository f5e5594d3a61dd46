"""Timeline -> draft VEVENTs for one reader (a parent, or the coordinator).

A draft is a :class:`~.vevent.VEvent` (plain data) with what the plan says, plus the
identity it will be published under. Identity and hashing happen in :mod:`.publish`,
after plugins had their say. Natural keys are functions of the thing itself (who,
which children, when), never of export time, so re-rendering yields the same UIDs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ..plan.model import EventKind, Plan
from ..schedule.timeline import CustodyBlock, Exchange, HolidayLabel, Rule, Timeline
from .checkin_text import CheckinNotes
from .vevent import VEvent
from .words import Words

#: How long an exchange event lasts in the calendar.
EXCHANGE_MINUTES = 15

#: X-PC-CALENDAR-KIND of custody events in the coordinator's calendar (no "own" there).
CUSTODY_KIND = "custody"
OWN_KIND, OTHER_KIND = EventKind.own_custody.value, EventKind.other_custody.value
EXCHANGE_KIND, HOLIDAY_KIND = EventKind.exchanges.value, EventKind.holidays.value
_EXCHANGE_LENGTH = timedelta(minutes=EXCHANGE_MINUTES)


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


@dataclass(slots=True)
class Draft:
    """An event before identity and hash: ``uid_kind`` and ``natural_key`` make the UID.

    ``start``/``end`` are its DTSTART/DTEND values; ``subject`` the timeline object
    behind it. The words are written only when asked for (:meth:`event`), each time
    anew: an 18-year export then holds one event's text at a time, not thousands.
    """

    uid_kind: str
    kind: str
    natural_key: str
    sort_at: datetime
    subject: Any
    start: datetime | date
    end: datetime | date
    words: Words

    def event(self) -> VEvent:
        words, subject = self.words, self.subject
        if self.uid_kind == "custody":
            return words.custody(subject, self.start, self.end)
        if self.uid_kind == "exchange":
            return words.exchange(subject, self.start, self.end)
        return words.holiday(list(subject))


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


@lru_cache(maxsize=256)  # a run's end is the next run's start and an exchange's time
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


def custody_draft(words: Words, run: CustodyRun) -> Draft:
    recipient, zone = words.recipient, words.zone
    if recipient is None:
        kind = CUSTODY_KIND
    elif run.parent == recipient:
        kind = OWN_KIND
    else:
        kind = OTHER_KIND
    key = f"{run.parent}|{','.join(sorted(run.children))}|{run.start.isoformat()}"
    start, end = calendar_time(run.start, zone), calendar_time(run.end, zone)
    return Draft("custody", kind, key, run.start, run, start, end, words)


def exchange_draft(words: Words, ex: Exchange) -> Draft:
    """One exchange (the coordinator's carries the exchange log's latest word)."""
    key = f"{ex.id}|{','.join(sorted(ex.children))}"
    start = calendar_time(ex.at, words.zone)
    end = calendar_time(ex.at + _EXCHANGE_LENGTH, words.zone)
    return Draft("exchange", EXCHANGE_KIND, key, ex.at, ex, start, end, words)


def holiday_draft(words: Words, labels: list[HolidayLabel]) -> Draft:
    """One all-day event for a holiday, even when several schedules label it."""
    label = labels[0]
    key = f"{label.name}|{label.first.isoformat()}"
    sort_at = datetime.combine(label.first, datetime.min.time(), words.zone)
    end = label.last + timedelta(days=1)  # DTEND of a VALUE=DATE is exclusive
    return Draft("holiday", HOLIDAY_KIND, key, sort_at, tuple(labels), label.first, end, words)


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
    words = Words(plan, timeline.zone, recipient, outcomes, checkin)
    kinds = set(EventKind) if recipient is None else set(plan.parents[recipient].events)
    drafts: list[Draft] = []
    if kinds & {EventKind.own_custody, EventKind.other_custody}:
        for run in custody_runs(timeline):
            own = run.parent == recipient
            if (
                recipient is None
                or (EventKind.own_custody if own else EventKind.other_custody) in kinds
            ):
                drafts.append(custody_draft(words, run))
    if EventKind.exchanges in kinds:
        for ex in timeline.merged_exchanges():
            if recipient is None or recipient in (ex.from_parent, ex.to_parent):
                drafts.append(exchange_draft(words, ex))
    if EventKind.holidays in kinds:
        by_key: dict[tuple[date, str], list[HolidayLabel]] = {}
        for label in sorted(timeline.holidays, key=_label_order):
            by_key.setdefault((label.first, label.name), []).append(label)
        for labels in by_key.values():  # one event per holiday, not one per schedule
            drafts.append(holiday_draft(words, labels))
    return drafts
