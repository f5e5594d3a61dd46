"""Two plans compared as timelines: what a proposed change does to the children's time.

Not a text diff of TOML: both plans go through the engine over the same range, and
the comparison is of what parents live by -- overnights and hours per month, the
exchanges, the holidays, and the events a sync would write into each calendar. Pure:
the engine and renderer only, no server and no file is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import pluggy

from ..plan.model import Plan
from ..schedule.stats import NightConvention
from .calendars import CalendarChanges, compare_calendars
from .handovers import ExchangeChange, HolidayChange, compare_exchanges, compare_holidays
from .revision import blamed_on
from .shares import GroupShares, compare_shares, stats_timeline


@dataclass
class PlanDiff:
    """Everything that differs between ``old`` and ``new`` over local dates ``[start, end)``."""

    old_label: str
    new_label: str
    old: Plan
    new: Plan
    start: date
    end: date
    zone: ZoneInfo
    convention: NightConvention
    parents: list[str]
    shares: list[GroupShares]
    exchanges: list[ExchangeChange]
    holidays: list[HolidayChange]
    calendars: list[CalendarChanges]
    children_only_old: list[str] = field(default_factory=list)
    children_only_new: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def timelines_same(self) -> bool:
        """True when nobody's time, no exchange and no holiday changes."""
        return not (
            any(p.changed for g in self.shares for p in g.periods)
            or self.exchanges
            or self.holidays
            or self.children_only_old
            or self.children_only_new
        )

    @property
    def same(self) -> bool:
        """True when the timelines are the same and no calendar event changes either."""
        return self.timelines_same and not any(c.events for c in self.calendars)

    def parent_name(self, parent: str) -> str:
        """The parent's name in the new plan (the old one's for a parent who left)."""
        for plan in (self.new, self.old):
            if parent in plan.parents:
                return plan.parents[parent].name
        return parent

    def child_names(self, children: tuple[str, ...] | list[str]) -> list[str]:
        """Names in plan order (the new plan's, then children only the old one has)."""
        names = {c.id: c.name for c in [*self.old.children, *self.new.children]}
        order = [c.id for c in [*self.new.children, *self.old.children]]
        ranked = sorted(children, key=lambda c: (order.index(c) if c in order else len(order), c))
        return [names.get(c, c) for c in ranked]


def compare_plans(
    old: Plan,
    new: Plan,
    start: date,
    end: date,
    *,
    convention: NightConvention | None = None,
    labels: tuple[str, str] = ("old", "new"),
    pm: pluggy.PluginManager | None = None,
) -> PlanDiff:
    """Compare ``old`` with ``new`` over ``[start, end)`` in the new plan's time zone."""
    convention = convention or NightConvention()
    with blamed_on(labels[0]):
        before = stats_timeline(old, start, end, pm)
    with blamed_on(labels[1]):
        after = stats_timeline(new, start, end, pm)
    parents = list(dict.fromkeys([*new.parent_ids, *old.parent_ids]))
    old_children = [c.id for c in old.children]
    new_children = [c.id for c in new.children]
    both = [c for c in new_children if c in old_children]
    warnings = [f"{labels[0]}: {w}" for w in before.warnings]
    warnings += [f"{labels[1]}: {w}" for w in after.warnings]
    if old.family.id != new.family.id:
        warnings.append(
            f"the family id changes from {old.family.id!r} to {new.family.id!r}: every event "
            "gets a new UID, so a sync would delete and re-create all of them"
        )
    if old.family.timezone != new.family.timezone:
        warnings.append(
            f"the family time zone changes from {old.family.timezone} to "
            f"{new.family.timezone}; months and days are read in {new.family.timezone}"
        )
    return PlanDiff(
        old_label=labels[0],
        new_label=labels[1],
        old=old,
        new=new,
        start=start,
        end=end,
        zone=after.zone,
        convention=convention,
        parents=parents,
        shares=compare_shares(before, after, start, end, convention, parents, both),
        exchanges=compare_exchanges(before, after, start, end),
        holidays=compare_holidays(before, after, start, end),
        calendars=compare_calendars(old, new, start, end, pm, labels),
        children_only_old=[c for c in old_children if c not in new_children],
        children_only_new=[c for c in new_children if c not in old_children],
        warnings=warnings,
    )
