"""Timeline -> draft VEVENTs for one reader (a parent, or the coordinator).

A draft is what a :class:`~.vevent.VEvent` (plain data) will say, worded on demand by
the reader's :class:`~.words.Words`, plus the identity it will be published under.
Identity and hashing happen in :mod:`.publish`, after plugins had their say. Natural
keys are functions of the thing itself (who, which children, when), never of export
time, so re-rendering yields the same UIDs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
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


@dataclass(frozen=True, slots=True)  # no __dict__: thousands live through a rendering
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


_by_start = attrgetter("start")


def _runs_of_child(blocks: list[CustodyBlock]) -> Iterator[tuple[datetime, datetime, str, list]]:
    run: list[CustodyBlock] = []
    for block in sorted(blocks, key=_by_start):
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


def _segment_order(segment: tuple[datetime, datetime, Rule]) -> tuple:
    return segment[0], segment[1], segment[2].describe()


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
            for block in blocks:
                children.update(block.children)
            children.add(child_timeline.child)
            segments.update(_merge_segments(blocks))
    runs = [
        CustodyRun(
            start,
            end,
            parent,
            tuple(sorted(children)),
            tuple(segments) if len(segments) == 1 else tuple(sorted(segments, key=_segment_order)),
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


class LocalTimes(dict):
    """:func:`calendar_time` of the instants of one rendering, each computed once (a
    run's end is the next run's start and an exchange's time), keyed ``(moment, fold)``:
    datetimes sharing a tzinfo compare by wall time, fold ignored."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self.zone = zone

    def __missing__(self, key: tuple[datetime, int]) -> datetime:
        value = self[key] = calendar_time(key[0], self.zone)
        return value


def _utc_iso(moment: datetime) -> str:
    """``moment.isoformat()``, for the engine's UTC instants at a third of its cost."""
    if moment.tzinfo is not UTC or moment.microsecond:
        return moment.isoformat()
    return "%04d-%02d-%02dT%02d:%02d:%02d+00:00" % (  # noqa: UP031 (twice as fast)
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
    )  # fmt: skip


def custody_draft(words: Words, run: CustodyRun, times: LocalTimes | None = None) -> Draft:
    recipient = words.recipient
    if recipient is None:
        kind = CUSTODY_KIND
    elif run.parent == recipient:
        kind = OWN_KIND
    else:
        kind = OTHER_KIND
    times = LocalTimes(words.zone) if times is None else times
    key = f"{run.parent}|{','.join(sorted(run.children))}|{_utc_iso(run.start)}"
    start, end = times[run.start, run.start.fold], times[run.end, run.end.fold]
    return Draft("custody", kind, key, run.start, run, start, end, words)


def exchange_draft(words: Words, ex: Exchange, times: LocalTimes | None = None) -> Draft:
    """One exchange (the coordinator's carries the exchange log's latest word)."""
    times = LocalTimes(words.zone) if times is None else times
    key = f"{ex.id}|{','.join(sorted(ex.children))}"
    over = ex.at + _EXCHANGE_LENGTH
    start, end = times[ex.at, ex.at.fold], times[over, over.fold]
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
    times = LocalTimes(timeline.zone)
    kinds = set(EventKind) if recipient is None else set(plan.parents[recipient].events)
    drafts: list[Draft] = []
    if kinds & {EventKind.own_custody, EventKind.other_custody}:
        for run in custody_runs(timeline):
            own = run.parent == recipient
            if (
                recipient is None
                or (EventKind.own_custody if own else EventKind.other_custody) in kinds
            ):
                drafts.append(custody_draft(words, run, times))
    if EventKind.exchanges in kinds:
        for ex in timeline.merged_exchanges():
            if recipient is None or recipient in (ex.from_parent, ex.to_parent):
                drafts.append(exchange_draft(words, ex, times))
    if EventKind.holidays in kinds:
        by_key: dict[tuple[date, str], list[HolidayLabel]] = {}
        for label in sorted(timeline.holidays, key=_label_order):
            by_key.setdefault((label.first, label.name), []).append(label)
        for labels in by_key.values():  # one event per holiday, not one per schedule
            drafts.append(holiday_draft(words, labels))
    return drafts
