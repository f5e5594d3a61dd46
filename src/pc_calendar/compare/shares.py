"""Parenting time before and after a change, per month and for the whole range.

The figures are exactly ``stats``' (``schedule.stats``: integer overnights under a
night convention, exact durations); this module only lays two plans' figures side by
side. Children whose figures agree in every period of both plans form one group, so
siblings who move together are shown once ("Maya & Leo") instead of as summed
child-nights that no parent would recognise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pluggy

from ..plan.model import Plan
from ..schedule.engine import compute_timeline
from ..schedule.stats import ChildStats, NightConvention, compute_stats
from ..schedule.timeline import Timeline

TOTAL = "total"


@dataclass(frozen=True)
class Period:
    """A month (``label`` "2026-12") or the whole range (``label`` "total")."""

    label: str
    start: date
    end: date


@dataclass(frozen=True)
class PeriodShares:
    """One period's figures for one group of children, before and after."""

    period: Period
    before: ChildStats
    after: ChildStats

    def delta_nights(self, parent: str) -> int:
        return _nights(self.after, parent) - _nights(self.before, parent)

    def delta_time(self, parent: str) -> timedelta:
        return _time(self.after, parent) - _time(self.before, parent)

    @property
    def changed(self) -> bool:
        parents = set(self.before.shares) | set(self.after.shares)
        return any(self.delta_nights(p) or self.delta_time(p) for p in parents)


@dataclass(frozen=True)
class GroupShares:
    """Children with identical figures throughout, and their periods (months, then total)."""

    children: tuple[str, ...]
    periods: tuple[PeriodShares, ...]

    @property
    def changed_periods(self) -> list[PeriodShares]:
        return [p for p in self.periods if p.changed and p.period.label != TOTAL]

    @property
    def total(self) -> PeriodShares:
        return self.periods[-1]


def _nights(stats: ChildStats, parent: str) -> int:
    share = stats.shares.get(parent)
    return share.overnights if share else 0


def _time(stats: ChildStats, parent: str) -> timedelta:
    share = stats.shares.get(parent)
    return share.time if share else timedelta(0)


def stats_timeline(plan: Plan, start: date, end: date, pm: pluggy.PluginManager | None) -> Timeline:
    """A day wider than the range each side: the last night's check falls on ``end``, and
    a handover at the range's first midnight is still seen as one."""
    return compute_timeline(plan, start - timedelta(days=1), end + timedelta(days=1), pm)


def periods_of(start: date, end: date) -> list[Period]:
    """The months touching ``[start, end)``, each clipped to the range, then the total."""
    periods = []
    first = start
    while first < end:
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        last = min(following, end)
        periods.append(Period(f"{first:%Y-%m}", first, last))
        first = last
    periods.append(Period(TOTAL, start, end))
    return periods


def _per_child(
    timeline: Timeline,
    periods: list[Period],
    children: list[str],
    convention: NightConvention,
    parents: list[str],
) -> dict[str, list[ChildStats]]:
    figures: dict[str, list[ChildStats]] = {c: [] for c in children}
    for period in periods:
        stats = compute_stats(
            timeline,
            period.start,
            period.end,
            convention=convention,
            children=children,
            parents=parents,
        )
        for child_stats in stats.children:
            figures[child_stats.child or ""].append(child_stats)
    return figures


def _signature(stats: ChildStats) -> tuple:
    return tuple(sorted((p, s.overnights, s.time) for p, s in stats.shares.items())) + (
        stats.nights,
        stats.time,
    )


def compare_shares(
    old: Timeline,
    new: Timeline,
    start: date,
    end: date,
    convention: NightConvention,
    parents: list[str],
    children: list[str],
) -> list[GroupShares]:
    """Both timelines' figures for ``children`` (in both plans) over ``[start, end)``.

    The timelines must cover each night's check instant (``cli.timeline_args.
    timeline_for`` computes them a day wider than the range for that).
    """
    periods = periods_of(start, end)
    before = _per_child(old, periods, children, convention, parents)
    after = _per_child(new, periods, children, convention, parents)
    groups: dict[tuple, list[str]] = {}
    for child in children:
        key = tuple(_signature(s) for s in before[child] + after[child])
        groups.setdefault(key, []).append(child)
    result = []
    for members in groups.values():
        first = members[0]
        shares = tuple(
            PeriodShares(period, before[first][i], after[first][i])
            for i, period in enumerate(periods)
        )
        result.append(GroupShares(tuple(members), shares))
    return result
