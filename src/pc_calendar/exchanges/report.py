"""Per-parent summary of exchange outcomes and parenting time, for a date range.

Counts are per *delivering* parent (the one handing the children over), except lateness,
absence and interference, which count against the parent the record names at fault
(the one handing over or the one receiving), split by whether both parents agree on it,
one disputes it, or it is one side's word. Parenting time
compares planned overnights with those lost to missed exchanges: a missed exchange costs
the receiving parent the overnights of the block it should have started. Pure functions
over a Timeline and records; rendering to text lives in ``render``.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ..schedule.stats import NightConvention
from ..schedule.timeline import Exchange, Timeline
from .agreement import AGREEMENTS, ONE_SIDED
from .chain import FAULT_STATUSES, Record
from .status import ExchangeRow, Status, exchange_rows, utc_text

DEFAULT_NIGHTS = NightConvention()  # midnight, as the stats command counts
STATES = ("on-time", "late", "missed", "interference", "cancelled", "overdue", "upcoming")


@dataclass
class ParentSummary:
    """One parent's exchanges as the delivering parent, and their overnights."""

    parent: str
    scheduled: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    late_minutes: list[int] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)  # agreement of what is held against
    overnights_planned: int = 0
    overnights_lost: int = 0

    @property
    def late_total(self) -> int:
        return sum(self.late_minutes)

    @property
    def late_median(self) -> float | None:
        return statistics.median(self.late_minutes) if self.late_minutes else None

    @property
    def overnights_exercised(self) -> int:
        return self.overnights_planned - self.overnights_lost

    def as_dict(self) -> dict[str, Any]:
        return {
            "parent": self.parent,
            "scheduled": self.scheduled,
            "on_time": self.counts["on-time"],
            "late": self.counts["late"],
            "late_minutes_total": self.late_total,
            "late_minutes_median": self.late_median,
            "missed": self.counts["missed"],
            "interference": self.counts["interference"],
            "faults_agreed": self.faults["agreed"],
            "faults_disputed": self.faults["disputed"],
            "faults_one_sided": self.faults["one-sided"],
            "cancelled": self.counts["cancelled"],
            "overdue": self.counts["overdue"],
            "upcoming": self.counts["upcoming"],
            "overnights_planned": self.overnights_planned,
            "overnights_lost": self.overnights_lost,
            "overnights_exercised": self.overnights_exercised,
        }


@dataclass
class Report:
    family_id: str
    family_name: str
    start: date
    end: date  # exclusive
    generated_at: datetime
    parents: list[ParentSummary]
    months: dict[str, Counter[str]]
    rows: list[ExchangeRow]
    agreement: Counter[str] = field(default_factory=Counter)  # of recorded outcomes
    verification: Any = None  # what the log was checked against (Verification)

    @property
    def no_longer_in_plan(self) -> list[ExchangeRow]:
        return [r for r in self.rows if not r.in_plan]

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family_id,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "generated_at": utc_text(self.generated_at),
            "parents": [p.as_dict() for p in self.parents],
            "months": {m: {s: c[s] for s in STATES} for m, c in self.months.items()},
            "agreement": {a: self.agreement[a] for a in AGREEMENTS},
            "verification": _verification_json(self.verification),
            "exchanges": [
                {
                    "exchange_id": r.exchange_id,
                    "local_time": r.local_at.isoformat(),
                    "from_parent": r.from_parent,
                    "to_parent": r.to_parent,
                    "location": r.place,
                    "location_id": r.location,
                    "state": _state(r) if r.in_plan else r.state,
                    "in_plan": r.in_plan,
                    "minutes_late": r.latest.minutes_late if r.latest else None,
                    "reported_by": r.latest.reported_by if r.latest else None,
                    "at_fault": r.latest.at_fault_parent if r.latest else None,
                    "agreement": r.agreement_state,
                    "records": r.record_count,
                }
                for r in self.rows
            ],
            "no_longer_in_plan": [
                {
                    "exchange_id": r.exchange_id,
                    "status": r.state,
                    "from_parent": r.from_parent,
                    "to_parent": r.to_parent,
                }
                for r in self.no_longer_in_plan
            ],
        }


def _verification_json(verification: Any) -> dict[str, Any] | None:
    if verification is None:
        return None
    from .verification import as_json

    return as_json(verification)


def _state(row: ExchangeRow) -> str:
    return {"pending": "upcoming"}.get(row.state, row.state)


def build_report(
    timeline: Timeline,
    records: list[Record],
    *,
    start: date,
    end: date,
    now: datetime,
    grace: timedelta,
    parents: list[str],
    family_name: str = "",
    nights: NightConvention = DEFAULT_NIGHTS,
    places: Mapping[str, str] | None = None,
) -> Report:
    """Summarise ``[start, end)``; ``timeline`` must cover it (a wider one is fine).

    ``places`` maps location ids to the names shown (``plan.locations``).
    """
    zone = timeline.zone
    exchanges = [
        ex
        for ex in timeline.merged_exchanges()
        if start <= (ex.local_at or ex.at).astimezone(zone).date() < end
    ]
    rows = exchange_rows(exchanges, records, now=now, grace=grace, zone=zone, places=places)
    summaries = {p: ParentSummary(p) for p in parents}
    months: dict[str, Counter[str]] = {}
    agreed: Counter[str] = Counter()
    lost: dict[str, set[date]] = {p: set() for p in parents}
    for row in rows:
        summary = summaries.setdefault(row.from_parent, ParentSummary(row.from_parent))
        if not row.in_plan:
            continue  # listed separately; it is no longer scheduled
        state = _state(row)
        summary.scheduled += 1
        months.setdefault(f"{row.local_at:%Y-%m}", Counter())[state] += 1
        if row.agreement_state is not None:
            agreed[row.agreement_state] += 1
        blamed = row.latest.at_fault_parent if row.latest else None
        if state in FAULT_STATUSES and blamed is not None:
            held = summaries.setdefault(blamed, ParentSummary(blamed))
            held.counts[state] += 1
            held.faults[row.agreement_state or ONE_SIDED] += 1
            if state == Status.late and row.latest and row.latest.minutes_late is not None:
                held.late_minutes.append(row.latest.minutes_late)
        else:
            summary.counts[state] += 1
        if state == Status.missed and row.exchange is not None:
            missed = nights_of_block(timeline, row.exchange, start, end, nights)
            lost.setdefault(row.to_parent, set()).update(missed)
    planned = planned_overnights(timeline, start, end, nights)
    for parent, held in planned.items():
        summaries.setdefault(parent, ParentSummary(parent)).overnights_planned = len(held)
    for parent, gone in lost.items():
        summaries.setdefault(parent, ParentSummary(parent)).overnights_lost = len(
            gone & planned.get(parent, set())
        )
    return Report(
        timeline.family_id,
        family_name,
        start,
        end,
        now,
        list(summaries.values()),
        dict(sorted(months.items())),
        rows,
        agreed,
    )


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]


@lru_cache(maxsize=8192)
def _check_instant(nights: NightConvention, day: date, zone: ZoneInfo) -> datetime:
    """Cached: a year's report asks for the same nights once per missed exchange."""
    return nights.check_instant(day, zone)


def planned_overnights(
    timeline: Timeline, start: date, end: date, nights: NightConvention = DEFAULT_NIGHTS
) -> dict[str, set[date]]:
    """Nights in ``[start, end)`` each parent has at least one child, per the Timeline.

    A night counts by the same convention as ``stats`` (midnight by default), so the
    planned figures here match the stats command.
    """
    result: dict[str, set[date]] = {}
    checks = [(day, _check_instant(nights, day, timeline.zone)) for day in _days(start, end)]
    for child in timeline.children.values():
        blocks = child.blocks
        starts = [b.start for b in blocks]
        for day, instant in checks:
            i = bisect.bisect_right(starts, instant) - 1
            if i >= 0 and blocks[i].start <= instant < blocks[i].end:
                result.setdefault(blocks[i].parent, set()).add(day)
    return result


def nights_of_block(
    timeline: Timeline,
    exchange: Exchange,
    start: date,
    end: date,
    nights: NightConvention = DEFAULT_NIGHTS,
) -> set[date]:
    """Nights in ``[start, end)`` of the block(s) ``exchange`` starts for its receiver."""
    lost: set[date] = set()
    zone = timeline.zone
    for child_id in exchange.children:
        child = timeline.children.get(child_id)
        if child is None:
            continue
        i = bisect.bisect_left([b.start for b in child.blocks], exchange.at)
        if i == len(child.blocks):
            continue
        block = child.blocks[i]
        if block.start != exchange.at or block.parent != exchange.to_parent:
            continue
        first = max(start, block.start.astimezone(zone).date() - timedelta(1))
        last = min(end, block.end.astimezone(zone).date() + timedelta(1))
        for day in _days(first, last):
            if block.start <= _check_instant(nights, day, zone) < block.end:
                lost.add(day)
    return lost
