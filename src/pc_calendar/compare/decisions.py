"""The register of decisions: every swap, decision and amendment of a plan, in date order.

For each: what kind it is, who agreed or decided and when, why (the note or reason and
the clause it cites), when it applies, what it changed -- the overnights and hours per
parent, found by computing the timeline with and without it, the way ``diff`` compares
two plans -- its review date ("monitor the impact, modify if necessary") and how the
coordinator apportioned its fee. ``today`` is always passed in, so tests and scripted
runs are repeatable.

A review is *due* from its ``review_on`` day on. Fees are percentages per parent of one
decision's fee; the register sums them as whole fees (60% + 50% = 1.1 fees), since the
plan records how charges were apportioned, not their amounts.

The engine, the statistics and the event wording are imported where an effect or an
override's summary needs them: ``check`` asks only for the reviews that are due.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

import pluggy

from ..errors import PlanError, UserError
from ..plan.lint import LintWarning
from ..plan.model import Plan

#: how long after it takes effect an amendment's effect is measured
AMENDMENT_WINDOW = timedelta(days=365)
#: how long after a child reaches an age the school year it waits for may begin
SCHOOL_YEAR_SLACK = timedelta(days=35)


@dataclass(frozen=True)
class Effect:
    """What one decision changed for ``children``: overnights and time per parent."""

    children: tuple[str, ...]
    nights: dict[str, int]
    time: dict[str, timedelta]


@dataclass(frozen=True)
class Decision:
    """One entry of the register; ``key`` is where it is in the plan (``overrides[0]``)."""

    key: str
    kind: str
    name: str
    decided_on: date
    agreed_by: tuple[str, ...]
    decided_by: str | None
    reason: str | None
    cites: str | None
    applies: str
    window: tuple[date, date]
    review_on: date | None
    fees: dict[str, Fraction] | None
    review_due: bool = False
    effects: tuple[Effect, ...] = ()
    exchanges: dict[str, int] = field(default_factory=dict)
    effect_error: str | None = None


@dataclass
class Register:
    plan: Plan
    today: date
    decisions: list[Decision] = field(default_factory=list)

    @property
    def reviews_due(self) -> list[Decision]:
        return [d for d in self.decisions if d.review_due]

    @property
    def apportioned(self) -> int:
        """How many decisions say how their fee was apportioned."""
        return sum(1 for d in self.decisions if d.fees)

    def fee_totals(self) -> dict[str, Fraction]:
        """Per parent, the fees they bear, in whole fees (every parent listed)."""
        totals = {p: Fraction(0) for p in self.plan.parent_ids}
        for d in self.decisions:
            for parent, share in (d.fees or {}).items():
                totals[parent] = totals.get(parent, Fraction(0)) + share
        return totals


def family_today(plan: Plan) -> date:
    """The family's local date now: of ``$PC_CALENDAR_NOW`` when set (scripts, tests)."""
    from zoneinfo import ZoneInfo

    from ..clock import current_time

    try:
        zone = ZoneInfo(plan.family.timezone)
    except (KeyError, ValueError):  # validation names a bad zone; never guess here
        raise UserError(f"family.timezone: unknown time zone {plan.family.timezone!r}") from None
    return current_time().astimezone(zone).date()


def _fees(fees: dict[str, float] | None) -> dict[str, Fraction] | None:
    """Percentages as exact fractions of one fee (62.5 -> 5/8)."""
    if not fees:
        return None
    return {p: Fraction(str(v)) / 100 for p, v in fees.items()}


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _items(plan: Plan) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = [(f"overrides[{i}]", o) for i, o in enumerate(plan.overrides)]
    amendments = getattr(plan, "amendments", [])
    items += [(f"amendments[{i}]", a) for i, a in enumerate(amendments)]
    return items


def _effective_day(plan: Plan, amendment: Any) -> tuple[date, str]:
    """The local day an amendment takes effect, and how the plan says it."""
    effective = amendment.effective
    if isinstance(effective, datetime):
        return effective.date(), f"from {_stamp(effective)}"
    if isinstance(effective, date):
        return effective, f"from {effective}"
    child = next(c for c in plan.children if c.id == effective.child)
    day = effective.reached_on(child.birth_date)
    at = effective.at.replace("_", " ")
    return day, f"from {child.name}'s age {effective.age} ({day}), at {at}"


def _describe(plan: Plan, key: str, item: Any, today: date) -> Decision:
    """The entry's facts; its effect is worked out separately (it needs the engine)."""
    if key.startswith("overrides"):
        from ..render import text

        start, end = item.start, item.end
        applies = f"{_stamp(start)} to {_stamp(end)}, with {text.full_name(plan, item.parent)}"
        if item.children:
            applies += f" ({text.join_names(text.child_names(plan, item.children))})"
        window = (start.date(), end.date() + timedelta(days=1))
        kind, name, reason, cites = item.kind, item.name, item.note, None
    else:
        day, applies = _effective_day(plan, item)
        window = (day, day + AMENDMENT_WINDOW)
        kind, name = item.kind, item.name or key
        reason, cites = item.reason, item.cites
    return Decision(
        key=key,
        kind=kind,
        name=name,
        decided_on=item.decided_on,
        agreed_by=tuple(item.agreed_by),
        decided_by=item.decided_by,
        reason=reason,
        cites=cites,
        applies=applies,
        window=window,
        review_on=item.review_on,
        fees=_fees(item.fees),
        review_due=_review_due(item, today),
    )


def _review_due(item: Any, today: date) -> bool:
    return item.review_on is not None and item.review_on <= today


def _without(plan: Plan, key: str) -> Plan:
    """The plan as if the entry at ``key`` had never been made."""
    table, index = key.rstrip("]").split("[")
    kept = [x for i, x in enumerate(getattr(plan, table)) if i != int(index)]
    return plan.model_copy(update={table: kept})


def effect_of(
    plan: Plan, key: str, window: tuple[date, date], pm: pluggy.PluginManager | None = None
) -> tuple[tuple[Effect, ...], dict[str, int]]:
    """Overnights and time per parent the entry moved over ``window`` (with minus without),
    and how many exchanges it added, removed and moved there (see ``compare.handovers``)."""
    from ..schedule.stats import NightConvention
    from .handovers import compare_exchanges
    from .shares import compare_shares, stats_timeline

    start, end = window
    with_it = stats_timeline(plan, start, end, pm)
    without = stats_timeline(_without(plan, key), start, end, pm)
    counts: dict[str, int] = {}
    for change in compare_exchanges(without, with_it, start, end):
        counts[change.change] = counts.get(change.change, 0) + 1
    children = [c for c in with_it.children if with_it.children[c].blocks]
    groups = compare_shares(
        without, with_it, start, end, NightConvention(), plan.parent_ids, children
    )
    effects = []
    for group in groups:
        total = group.total
        parents = list(dict.fromkeys([*total.before.shares, *total.after.shares]))
        nights = {p: total.delta_nights(p) for p in parents if total.delta_nights(p)}
        time = {p: total.delta_time(p) for p in parents if total.delta_time(p)}
        if nights or time:
            effects.append(Effect(group.children, nights, time))
    return tuple(effects), counts


def build_register(
    plan: Plan,
    today: date,
    pm: pluggy.PluginManager | None = None,
    *,
    effects: bool = True,
    only_due: bool = False,
) -> Register:
    """Every swap, decision and amendment by ``decided_on`` (then plan order); with
    ``only_due``, only those whose review has come (the others are not even described)."""
    register = Register(plan, today)
    for key, item in _items(plan):
        if only_due and not _review_due(item, today):
            continue
        entry = _describe(plan, key, item, today)
        if effects:
            try:
                entry = _with_effect(plan, entry, pm)
            except PlanError as exc:  # a later amendment builds on this one
                entry = replace(entry, effect_error=_without_problem(key, exc))
        register.decisions.append(entry)
    order = {key: i for i, (key, _item) in enumerate(_items(plan))}
    register.decisions.sort(key=lambda d: (d.decided_on, order[d.key]))
    return register


def _with_effect(plan: Plan, entry: Decision, pm: pluggy.PluginManager | None) -> Decision:
    if entry.key.startswith("amendments"):
        entry = _in_force_from(plan, entry, pm)
    effects, exchanges = effect_of(plan, entry.key, entry.window, pm)
    return replace(entry, effects=effects, exchanges=exchanges)


def _in_force_from(plan: Plan, entry: Decision, pm: pluggy.PluginManager | None) -> Decision:
    """The entry measured from the day the engine switches to it.

    An age trigger read at the first handover or the school year takes effect later
    than the birthday the plan names; the engine's switch-over says when.
    """
    index = int(entry.key.rstrip("]").split("[")[1])
    amendment = plan.amendments[index]
    if isinstance(amendment.effective, date) or amendment.effective.at == "birthday":
        return entry
    from ..schedule.engine import compute_timeline

    first = entry.window[0]
    probe = compute_timeline(plan, first, first + AMENDMENT_WINDOW + SCHOOL_YEAR_SLACK, pm)
    days = [
        s.effective.astimezone(probe.zone).date() for s in probe.switchovers if s.amendment == index
    ]
    if not days:
        return entry
    day = min(days)
    return replace(
        entry, applies=f"{entry.applies}: in force from {day}", window=(day, day + AMENDMENT_WINDOW)
    )


def _without_problem(key: str, exc: PlanError) -> str:
    """The first problem of the plan without ``key``, its keys numbered as in the file."""
    table, index = key.rstrip("]").split("[")
    problem = exc.problems[0] if exc.problems else None
    said = f"{problem.key}: {problem.message}" if problem else exc.render()

    def renumber(m: re.Match[str]) -> str:
        i = int(m[1])
        return f"{table}[{i + 1 if i >= int(index) else i}]"

    return "without it, " + re.sub(rf"\b{table}\[(\d+)\]", renumber, said)


def due_reviews(plan: Plan, today: date) -> list[Decision]:
    """Entries whose review date has come (cheap: no timeline, and the wording of the
    others is never loaded), in date order."""
    return build_register(plan, today, effects=False, only_due=True).decisions


def review_warnings(
    plan: Plan, today: date, line_of: Callable[[str], int | None] = lambda key: None
) -> list[LintWarning]:
    """``check``'s warnings for reviews that are due: a reminder, never an error."""
    warnings = []
    for entry in due_reviews(plan, today):
        late = (today - entry.review_on).days if entry.review_on else 0
        when = "today" if late == 0 else f"{late} day{'s' if late != 1 else ''} ago"
        key = f"{entry.key}.review_on"
        warnings.append(
            LintWarning(
                "review-due",
                key,
                f"the review of {entry.kind} '{entry.name}' (decided {entry.decided_on}) was "
                f"due on {entry.review_on} ({when}); review it, then set the next review_on "
                "or remove it (pc-calendar decisions lists the register)",
                line_of(key),
            )
        )
    return warnings
