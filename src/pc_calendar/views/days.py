"""What a calendar day shows, computed once for the terminal grid and the HTML calendar.

A day is described by who has the children on its night (under the overnight
convention shared with ``stats``), the custodians over the day in time order (so a day
with an exchange can show both colours), its exchanges and its holidays. Children who
are with different parents at the same time make the day *split*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..schedule.stats import MIDNIGHT, CustodyLookup, NightConvention, local_instant, night_parent
from ..schedule.timeline import Exchange, HolidayLabel, Timeline

# (terminal style, HTML fill) per parent in plan order; fills are light so text stays
# readable and distinct when printed in grey.
PALETTE: tuple[tuple[str, str], ...] = (
    ("bold white on blue", "#9ecae1"),
    ("bold black on dark_orange", "#fdae6b"),
    ("bold white on green4", "#a1d99b"),
    ("bold white on magenta", "#d4a6c8"),
    ("bold black on cyan", "#9edae5"),
    ("bold black on yellow", "#ffe082"),
)
SPLIT_STYLE, SPLIT_FILL = "bold black on grey70", "#d9d9d9"
NONE_STYLE, NONE_FILL = "dim", "#ffffff"


@dataclass(frozen=True)
class ViewContext:
    """Names and settings the views need from the plan (kept small for testing)."""

    family_name: str
    parents: dict[str, str]  # id -> display name, in plan order
    children: dict[str, str]
    locations: dict[str, str] = field(default_factory=dict)
    convention: NightConvention = NightConvention()

    @classmethod
    def from_plan(cls, plan, convention: NightConvention | None = None) -> ViewContext:
        return cls(
            family_name=plan.family.name,
            parents={pid: p.name for pid, p in plan.parents.items()},
            children={c.id: c.name for c in plan.children},
            locations={key: loc.name for key, loc in plan.locations.items()},
            convention=convention or NightConvention(),
        )

    def colour(self, parent: str) -> tuple[str, str]:
        """A stable colour: by the parent's position in the plan."""
        order = list(self.parents)
        index = order.index(parent) if parent in order else len(order)
        return PALETTE[index % len(PALETTE)]

    def location_name(self, key: str | None) -> str | None:
        return self.locations.get(key, key) if key else None


@dataclass(frozen=True)
class Segment:
    """Part of a day with one custodian (``parent``), or ``split`` between several."""

    start: datetime
    end: datetime
    parent: str | None
    split: bool = False


@dataclass(frozen=True)
class DayView:
    day: date
    night: dict[str, str | None]  # child -> parent at the night check (None: outside)
    segments: tuple[Segment, ...]
    exchanges: tuple[Exchange, ...]
    holidays: tuple[HolidayLabel, ...]

    @property
    def night_parents(self) -> list[str]:
        return sorted({p for p in self.night.values() if p is not None})

    @property
    def night_parent(self) -> str | None:
        """The one parent who has every (covered) child that night, else None."""
        parents = self.night_parents
        return parents[0] if len(parents) == 1 else None

    @property
    def split(self) -> bool:
        return len(self.night_parents) > 1


def local_time(ex: Exchange, timeline: Timeline) -> datetime:
    return ex.local_at or ex.at.astimezone(timeline.zone)


def _segments(lookups: dict[str, CustodyLookup], start: datetime, end: datetime) -> list[Segment]:
    cuts = {start, end}
    for lookup in lookups.values():
        cuts.update(s for s in lookup.starts if start < s < end)
    edges = sorted(cuts)
    out: list[Segment] = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        held = {lk.parent_at(lo) for lk in lookups.values()} - {None}
        parent = next(iter(held)) if len(held) == 1 else None
        seg = Segment(lo, hi, parent, split=len(held) > 1)
        if out and (out[-1].parent, out[-1].split) == (seg.parent, seg.split):
            out[-1] = Segment(out[-1].start, hi, seg.parent, seg.split)
        else:
            out.append(seg)
    return out


def build_days(
    timeline: Timeline,
    first: date,
    end: date,
    children: list[str] | None,
    convention: NightConvention,
) -> list[DayView]:
    """One DayView per local date in ``[first, end)`` for ``children`` (default: all)."""
    zone = timeline.zone
    wanted = list(timeline.children) if children is None else children
    lookups = {c: CustodyLookup(timeline.children[c].blocks) for c in wanted}
    by_day: dict[date, list[Exchange]] = {}
    for ex in timeline.merged_exchanges(wanted):
        by_day.setdefault(local_time(ex, timeline).date(), []).append(ex)
    days = []
    day = first
    while day < end:
        nxt = day + timedelta(days=1)
        days.append(
            DayView(
                day=day,
                night={c: night_parent(lk, day, convention, zone) for c, lk in lookups.items()},
                segments=tuple(
                    _segments(
                        lookups,
                        local_instant(day, MIDNIGHT, zone),
                        local_instant(nxt, MIDNIGHT, zone),
                    )
                ),
                exchanges=tuple(by_day.get(day, ())),
                holidays=tuple(h for h in timeline.holidays if h.first <= day <= h.last),
            )
        )
        day = nxt
    return days


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """``[first day, first day of next month)``."""
    first = date(year, month, 1)
    return first, (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1))


def holiday_owner(
    label: HolidayLabel, timeline: Timeline, names: dict[str, str] | None = None
) -> str:
    """Who a holiday belongs to, by parent id or ``names`` ("" for a label only).

    A split holiday names both halves ("marcus until 28 Dec 12:00, then dana"): it is
    never shown as one parent's, since each parent has part of it.
    """
    names = names or {}
    if label.split_at is not None and label.parent and label.second_parent:
        cut = label.split_at.astimezone(timeline.zone)
        first = names.get(label.parent, label.parent)
        second = names.get(label.second_parent, label.second_parent)
        return f"{first} until {cut:%d %b %H:%M}, then {second}"
    if label.parent:
        return names.get(label.parent, label.parent)
    if label.not_in_possession:
        return "the parent not in possession"
    return ""
