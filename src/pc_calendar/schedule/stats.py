"""Overnights and hours per parent, exact, from a Timeline (pure, no I/O).

Parenting-time percentages feed child-support worksheets, so every figure is an integer
count or a ``Fraction``; rounding happens only when a view displays them.

Overnight convention: the *night of D* runs from the evening of D into the morning of
D+1 and counts for the parent who has the child at the check time of that night. A check
time before noon (default 00:00, midnight) is read on D+1; a check time from noon on
(e.g. 21:00, "where the child goes to bed") is read on D. The nights of a range
``[start, end)`` are the nights of its dates, so they add up to ``(end - start).days``
for a child whose timeline covers the whole range. Nights outside a child's timeline
(born mid-range, or has left the schedule) are not counted, and the result says so.

Hours are exact durations summed from UTC instants, so a spring-forward day has 23 hours
and a fall-back day 25, and the year's total equals the real number of hours.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from . import timeutil
from .timeline import CustodyBlock, Timeline

MIDNIGHT = time(0, 0)
NOON = time(12, 0)
_HOUR = timedelta(hours=1)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of local ``day`` at ``at``, resolved exactly as the engine does.

    A wall time skipped by a DST change maps to the end of the gap; a repeated one to
    its first occurrence. Midnight check times avoid both in most zones.
    """
    return timeutil.local_instant(day, at, zone)[0]


@dataclass(frozen=True)
class NightConvention:
    """Which instant decides who had a child for a night."""

    at: time = MIDNIGHT

    def check_day(self, night: date) -> date:
        """The local date on which the night of ``night`` is checked."""
        return night + timedelta(days=1) if self.at < NOON else night

    def check_instant(self, night: date, zone: ZoneInfo) -> datetime:
        return local_instant(self.check_day(night), self.at, zone)

    def when(self) -> str:
        """When the check happens, relative to the night (e.g. "at 03:00 the morning after")."""
        hhmm = self.at.strftime("%H:%M")
        if self.at == MIDNIGHT:
            return "at midnight (00:00) that night"
        if self.at < NOON:
            return f"at {hhmm} the morning after"
        return f"at {hhmm} that evening"

    def describe(self) -> str:
        """The convention in one sentence, for output and --help."""
        return (
            f"An overnight counts for the parent who has the child {self.when()}; "
            "the night of a date runs from its evening into the next morning."
        )


def timeline_range(start: date, end: date) -> tuple[date, date]:
    """The timeline range ``[start, end)`` stats need: one more day for the last check."""
    return start, end + timedelta(days=1)


def hours(duration: timedelta) -> Fraction:
    """A duration as an exact number of hours."""
    return Fraction(duration // timedelta(microseconds=1), _HOUR // timedelta(microseconds=1))


@dataclass(frozen=True)
class ParentShare:
    """One parent's overnights and time for one child (or summed for the family)."""

    parent: str
    overnights: int
    time: timedelta

    @property
    def hours(self) -> Fraction:
        return hours(self.time)


@dataclass(frozen=True)
class ChildStats:
    """Counts for one child, or for the family (``child`` is ``None``: child-nights summed).

    ``nights`` are the nights counted (inside the child's timeline), ``range_nights`` the
    nights of the range; ``time`` the covered time and ``range_time`` the range's real
    duration. ``first_night``/``last_night`` bound the counted nights.
    """

    child: str | None
    shares: dict[str, ParentShare]
    nights: int
    range_nights: int
    time: timedelta
    range_time: timedelta
    first_night: date | None = None
    last_night: date | None = None

    @property
    def partial(self) -> bool:
        """True if the child's timeline covers only part of the range."""
        return self.nights != self.range_nights or self.time != self.range_time

    def night_fraction(self, parent: str) -> Fraction | None:
        """The parent's exact share of nights (None when no night was counted)."""
        if not self.nights:
            return None
        return Fraction(self.shares[parent].overnights, self.nights)

    def time_fraction(self, parent: str) -> Fraction | None:
        if not self.time:
            return None
        return Fraction(
            self.shares[parent].time // timedelta(microseconds=1),
            self.time // timedelta(microseconds=1),
        )


@dataclass(frozen=True)
class Stats:
    """Stats over local dates ``[start, end)`` under one overnight convention."""

    start: date
    end: date
    zone: ZoneInfo
    convention: NightConvention
    parents: list[str]
    children: list[ChildStats]
    family: ChildStats | None = field(default=None)


class CustodyLookup:
    """Who holds a child at an instant: binary search over sorted, contiguous blocks."""

    def __init__(self, blocks: list[CustodyBlock]) -> None:
        self.blocks = sorted(blocks, key=lambda b: b.start)
        self.starts = [b.start for b in self.blocks]

    def parent_at(self, instant: datetime) -> str | None:
        i = bisect.bisect_right(self.starts, instant) - 1
        if i >= 0 and self.blocks[i].start <= instant < self.blocks[i].end:
            return self.blocks[i].parent
        return None


def night_parent(
    lookup: CustodyLookup, night: date, convention: NightConvention, zone: ZoneInfo
) -> str | None:
    """Who has the child on the night of ``night``; None if the night is not theirs.

    A night belongs to a child's timeline when the timeline overlaps its date: a child
    born on the 2nd has the night of the 2nd, not of the 1st; one whose timeline ends
    at the midnight starting their 18th birthday still has the night before it. When
    the check instant falls outside the timeline on such a first or last night, the
    parent at that edge of the timeline has the night.
    """
    if not lookup.blocks:
        return None
    first, last = lookup.blocks[0], lookup.blocks[-1]
    day_start = local_instant(night, MIDNIGHT, zone)
    day_end = local_instant(night + timedelta(days=1), MIDNIGHT, zone)
    if not (first.start < day_end and day_start < last.end):
        return None
    check = convention.check_instant(night, zone)
    if check < first.start:
        return first.parent
    return last.parent if check >= last.end else lookup.parent_at(check)


def child_stats(
    timeline: Timeline,
    child: str,
    start: date,
    end: date,
    convention: NightConvention,
    parents: list[str],
) -> ChildStats:
    """Overnights and time per parent for ``child`` over local dates ``[start, end)``."""
    zone = timeline.zone
    lookup = CustodyLookup(timeline.children[child].blocks)
    blocks = lookup.blocks
    nights = {p: 0 for p in parents}
    counted: list[date] = []
    day = start
    while day < end:
        parent = night_parent(lookup, day, convention, zone)
        if parent is not None:
            nights[parent] = nights.get(parent, 0) + 1
            counted.append(day)
        day += timedelta(days=1)

    range_start, range_end = (
        local_instant(start, MIDNIGHT, zone),
        local_instant(end, MIDNIGHT, zone),
    )
    spent = {p: timedelta(0) for p in nights}
    for block in blocks:
        lo, hi = max(block.start, range_start), min(block.end, range_end)
        if hi > lo:
            spent[block.parent] = spent.get(block.parent, timedelta(0)) + (hi - lo)
    for p in spent:
        nights.setdefault(p, 0)
    shares = {p: ParentShare(p, nights[p], spent.get(p, timedelta(0))) for p in nights}
    return ChildStats(
        child=child,
        shares=shares,
        nights=len(counted),
        range_nights=(end - start).days,
        time=sum(spent.values(), timedelta(0)),
        range_time=range_end - range_start,
        first_night=counted[0] if counted else None,
        last_night=counted[-1] if counted else None,
    )


def _family(children: list[ChildStats], parents: list[str]) -> ChildStats:
    """Child-nights and child-hours summed over children."""
    shares = {
        p: ParentShare(
            p,
            sum(c.shares[p].overnights for c in children if p in c.shares),
            sum((c.shares[p].time for c in children if p in c.shares), timedelta(0)),
        )
        for p in parents
    }
    return ChildStats(
        child=None,
        shares=shares,
        nights=sum(c.nights for c in children),
        range_nights=sum(c.range_nights for c in children),
        time=sum((c.time for c in children), timedelta(0)),
        range_time=sum((c.range_time for c in children), timedelta(0)),
    )


def compute_stats(
    timeline: Timeline,
    start: date,
    end: date,
    *,
    convention: NightConvention | None = None,
    children: list[str] | None = None,
    parents: list[str] | None = None,
) -> Stats:
    """Stats for ``children`` (default: all in the timeline) over ``[start, end)``.

    ``parents`` fixes the order (and includes parents with zero time); parents found in
    the blocks but not listed are appended in order of appearance. The timeline must
    cover the last night's check instant (see :func:`timeline_range`).
    """
    convention = convention or NightConvention()
    if end <= start:
        raise ValueError(f"empty range: {start} to {end}")
    last_check = convention.check_day(end - timedelta(days=1))
    if timeline.start > start or timeline.end <= last_check:
        raise ValueError(
            f"timeline {timeline.start}..{timeline.end} does not cover nights {start}..{end} "
            f"(last check on {last_check})"
        )
    wanted = list(timeline.children) if children is None else children
    order = list(parents or [])
    for child in wanted:
        for block in timeline.children[child].blocks:
            if block.parent not in order:
                order.append(block.parent)
    per_child = [child_stats(timeline, c, start, end, convention, order) for c in wanted]
    family = _family(per_child, order) if len(per_child) > 1 else None
    return Stats(start, end, timeline.zone, convention, order, per_child, family)
