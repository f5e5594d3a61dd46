"""The schedule engine: plan + date range -> Timeline. Pure: no I/O, deterministic.

Layers, lowest first: regular rotation (with visits) < seasons < holidays < overrides;
a higher layer replaces a lower one for exactly the time it covers. Each child follows
its schedule from its birth (or the range start) until its ``until_age`` birthday (or
the range end). Blocks are maximal runs of one parent under one rule; an exchange is
derived at every change of parent, with the place of the rule whose boundary it is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pluggy

from ..errors import UserError
from ..plan.amend import RuleKeys, SchedulePart, applicable
from ..plan.model import Child, Plan, Schedule
from .context import EngineContext, leave_date, plan_error
from .layers import Paint, exchange_for, fallback_place, fixed
from .painter import Painter
from .school import school_year, where_to_add
from .spans import ResolvedSpan, SpanNote, resolve_holidays, resolve_seasons
from .switch_report import switch_record, warn_reading
from .timeline import ChildTimeline, CustodyBlock, Exchange, HolidayLabel, Rule, Timeline
from .timeutil import from_seconds, local_midnight, to_seconds
from .versions import (
    BEFORE_ALL,
    Switchover,
    Version,
    VersionedSchedule,
    build_versions,
    paint_versions,
)

__all__ = [
    "ResolvedSpan",
    "SpanNote",
    "compute_timeline",
    "holiday_spans",
    "holiday_spans_and_notes",
    "season_spans",
]


def compute_timeline(
    plan: Plan,
    start: date,
    end: date,
    pm: pluggy.PluginManager | None = None,
    *,
    watch: tuple[date, date] | None = None,
) -> Timeline:
    """Every child's custody over local dates ``[start, end)`` in the family zone.

    ``watch``: the dates ``[first, last)`` whose guesses are warned about (school days
    outside the listed terms); the whole range by default. A range padded around a
    window (:mod:`.window`) watches the window only.
    """
    if end <= start:
        raise UserError(f"the range end {end} must be after its start {start}")
    ctx = EngineContext.build(plan, pm)
    range_start = to_seconds(local_midnight(start, ctx.zone))
    range_end = to_seconds(local_midnight(end, ctx.zone))
    first, last = watch or (start, end)
    ctx.school.watch = (first.toordinal(), last.toordinal() - 1)
    overrides = _overrides(ctx)
    painted: dict[tuple[str, tuple[int, ...]], tuple[Painter, VersionedSchedule]] = {}
    variants: dict[tuple[str, tuple[int, ...], tuple[int, ...]], Painter] = {}
    labels: dict[HolidayLabel, None] = {}
    children: dict[str, ChildTimeline] = {}
    switchovers: dict[tuple, list[str]] = {}
    for index, child in enumerate(plan.children):
        first, last = _child_range(child, start, end)
        if first >= last:
            children[child.id] = ChildTimeline(child.id, [], [])
            continue
        amended = tuple(applicable(plan, child.schedule, child.id))
        versions_key = (child.schedule, amended)
        if versions_key not in painted:
            versioned = _versioned(ctx, plan, child.schedule, amended, index)
            painter, found = paint_versions(ctx, versioned, range_start, range_end)
            painted[versions_key] = (painter, versioned)
            labels.update(dict.fromkeys(found))
        base, versioned = painted[versions_key]
        for switch in versioned.switchovers:
            switchovers.setdefault(_switch_key(switch), []).append(child.id)
        mine = tuple(i for i, o in enumerate(overrides) if o[3] is None or child.id in o[3])
        variant = (child.schedule, amended, mine)  # children with equal variants share work
        painter = variants.get(variant)
        if painter is None:
            painter = variants[variant] = base.copy() if mine else base
            for i in mine:
                painter.paint(*overrides[i][:3])
        lo = range_start if first == start else to_seconds(local_midnight(first, ctx.zone))
        hi = range_end if last == end else to_seconds(local_midnight(last, ctx.zone))
        children[child.id] = _child_timeline(
            ctx, painter, versioned, child, (variant, lo, hi), lo, hi
        )
    # Holidays are listed even where no child is on the schedule (before a birth, say).
    for name in dict.fromkeys([c.schedule for c in plan.children] or ["default"]):
        if name not in {key[0] for key in painted}:
            labels.update(dict.fromkeys(_labels(ctx, plan, name, start, end)))
    if ctx.school.assumed is not None and (coverage := ctx.school.coverage) is not None:
        ctx.warn(
            f"school: terms are listed from {coverage[0]} to {coverage[1]} only; on days "
            f"outside them (such as {ctx.school.assumed}) every weekday not in a break "
            "counts as a school day in term, so term-only visits go on and school-day "
            f"times are guessed -- add the {_missing_year(ctx.school.assumed, coverage)} "
            f"school year{where_to_add(plan.school)}"
        )
    ordered = sorted(labels, key=lambda h: (h.first, h.last, h.name, h.rule.source))
    for key in switchovers:  # only the switch-overs in the range asked for
        if range_start <= key[0].effective < range_end:
            warn_reading(ctx, key[0])
    timeline = Timeline(plan.family.id, ctx.zone, start, end, children, ordered, ctx.warnings)
    timeline.switchovers = [
        switch_record(key[0], tuple(sorted(set(who))), ctx.zone) for key, who in switchovers.items()
    ]
    timeline.switchovers.sort(key=lambda s: (s.at, s.amendment))
    return timeline


def _switch_key(switch: Switchover) -> tuple:
    return (switch, switch.amendment, switch.at)


def _versioned(
    ctx: EngineContext, plan: Plan, name: str, amended: tuple[int, ...], index: int
) -> VersionedSchedule:
    schedule, keys = _schedule(plan, name, f"children[{index}].schedule")
    base = SchedulePart(schedule, keys)
    if not amended:
        return VersionedSchedule(name, [Version(BEFORE_ALL, base)])
    followers = tuple(c.id for c in plan.children if c.schedule == name)
    return build_versions(ctx, plan, name, base, amended, followers)


def _missing_year(assumed: date, coverage: tuple[date, date]) -> str:
    """The school year to add: the one after the listed terms (July on), or before."""
    if assumed < coverage[0]:
        return school_year(assumed)
    after = coverage[1] + timedelta(days=1)
    return school_year(max(after, date(coverage[1].year, 7, 1)))


def holiday_spans(
    plan: Plan, schedule_name: str, start: date, end: date, pm: pluggy.PluginManager | None = None
) -> list[ResolvedSpan]:
    """Every holiday span of a schedule overlapping ``[start, end)``, split halves apart.

    Label-only holidays are included with ``parent=None``. Sorted by start instant.
    """
    return holiday_spans_and_notes(plan, schedule_name, start, end, pm)[0]


def holiday_spans_and_notes(
    plan: Plan, schedule_name: str, start: date, end: date, pm: pluggy.PluginManager | None = None
) -> tuple[list[ResolvedSpan], list[SpanNote]]:
    """Like :func:`holiday_spans`, with notes (far school snaps, long spans) for lint.

    Notes concern only the occurrences whose span overlaps ``[start, end)``.
    """
    ctx, schedule, keys, lo, hi = _span_setup(plan, schedule_name, start, end, pm)
    spans, _ = resolve_holidays(ctx, schedule, keys, lo, hi, start, _last_day(start, end))
    return sorted(spans, key=lambda s: (s.start, s.index, s.end)), list(ctx.notes)


def season_spans(
    plan: Plan, schedule_name: str, start: date, end: date, pm: pluggy.PluginManager | None = None
) -> list[ResolvedSpan]:
    """Every season of a schedule overlapping ``[start, end)`` (parent None: a rotation)."""
    ctx, schedule, keys, lo, hi = _span_setup(plan, schedule_name, start, end, pm)
    found = resolve_seasons(ctx, schedule, keys, lo, hi, start, _last_day(start, end))
    return sorted((span for span, _ in found), key=lambda s: (s.start, s.index, s.end))


def _last_day(start: date, end: date) -> date:
    return date.fromordinal(max(start.toordinal(), end.toordinal() - 1))


def _span_setup(
    plan: Plan, schedule_name: str, start: date, end: date, pm: pluggy.PluginManager | None
):
    if end <= start:
        raise UserError(f"the range end {end} must be after its start {start}")
    ctx = EngineContext.build(plan, pm)
    schedule, keys = _schedule(plan, schedule_name, "schedules")
    lo = to_seconds(local_midnight(start, ctx.zone))
    hi = to_seconds(local_midnight(end, ctx.zone))
    return ctx, schedule, keys, lo, hi


def _labels(ctx: EngineContext, plan: Plan, name: str, start: date, end: date) -> list:
    """Holiday labels of a schedule nobody in the range follows (nothing is painted)."""
    schedule, keys = _schedule(plan, name, "schedules")
    lo = to_seconds(local_midnight(start, ctx.zone))
    hi = to_seconds(local_midnight(end, ctx.zone))
    return resolve_holidays(ctx, schedule, keys, lo, hi, start, _last_day(start, end))[1]


def _schedule(plan: Plan, name: str, key: str) -> tuple[Schedule, RuleKeys]:
    """The named schedule and the keys its rules are cited by."""
    if name == "default" and "default" not in plan.schedules:
        schedule = plan.schedule(name)
        return schedule, RuleKeys.of(schedule, "")
    if name not in plan.schedules:
        known = (
            ", ".join(["default", *plan.schedules])
            if "default" not in plan.schedules
            else ", ".join(plan.schedules)
        )
        raise plan_error(key, f"unknown schedule {name!r} (expected one of: {known})")
    schedule = plan.schedules[name]
    return schedule, RuleKeys.of(schedule, f"schedules.{name}.")


def _child_range(child: Child, start: date, end: date) -> tuple[date, date]:
    """Local dates ``[first, last)`` the child follows the schedule within the range."""
    return max(start, child.birth_date), min(end, leave_date(child))


def _overrides(ctx: EngineContext) -> list[tuple[int, int, Paint, frozenset[str] | None]]:
    """Overrides resolved to instants, in file order (later ones win)."""
    known_children = {c.id for c in ctx.plan.children}
    resolved = []
    for index, override in enumerate(ctx.plan.overrides):
        key = f"overrides[{index}]"
        parent = ctx.check_parent(override.parent, f"{key}.parent")
        wanted = None
        if override.children is not None:
            unknown = [c for c in override.children if c not in known_children]
            if unknown:
                raise plan_error(
                    f"{key}.children",
                    f"unknown child {unknown[0]!r} (expected "
                    f"one of: {', '.join(sorted(known_children))})",
                )
            wanted = frozenset(override.children)
        what = f"{key} ({override.name})"
        s = ctx.instant(override.start.date(), override.start.time(), f"{what} start")
        e = ctx.instant(override.end.date(), override.end.time(), f"{what} end")
        if e <= s:
            raise plan_error(key, f"'{override.name}' ends before it starts")
        rule = Rule("override", override.name, key, None)
        resolved.append((s, e, fixed(parent, rule, override.location), wanted))
    return resolved


def _runs(painter: Painter, start: int, end: int) -> list[tuple[int, int, Paint]]:
    """Maximal runs of one parent under one rule over ``[start, end)``."""
    runs: list[tuple[int, int, Paint]] = []
    run_start = start
    current: Paint | None = None
    for s, _, value in painter.segments(start, end):
        if current is None:
            current = value
        elif value.parent != current.parent or value.rule != current.rule:
            runs.append((run_start, s, current))
            run_start, current = s, value
    assert current is not None
    runs.append((run_start, end, current))
    return runs


def _child_timeline(
    ctx: EngineContext,
    painter: Painter,
    versioned: VersionedSchedule,
    child: Child,
    key: Any,
    start: int,
    end: int,
) -> ChildTimeline:
    """Blocks and the exchanges between them; children who move together share the runs."""
    runs = ctx.runs.get(key)
    if runs is None:
        runs = ctx.runs[key] = _runs(painter, start, end)
    children = (child.id,)
    amended = len(versioned.versions) > 1
    blocks = [
        CustodyBlock(
            from_seconds(s),
            from_seconds(e),
            value.parent,
            value.rule,
            children,
            _amendment_of(versioned, value.rule, s) if amended else None,
        )
        for s, e, value in runs
    ]
    exchanges = [
        _exchange(ctx, key[0], versioned, after[0], before[2], after[2], children)
        for before, after in zip(runs, runs[1:], strict=False)
        if before[2].parent != after[2].parent
    ]
    return ChildTimeline(child.id, blocks, exchanges)


def _amendment_of(versioned: VersionedSchedule, rule: Rule, at: int) -> str | None:
    """The amendment behind a block: the one that made its rule, else the one in force."""
    if rule.source.startswith("amendments["):
        index = int(rule.source[len("amendments[") : rule.source.index("]")])
        return next((v.title for v in versioned.versions if v.amendment == index), None)
    return versioned.at(at).title


def _exchange(
    ctx: EngineContext,
    variant: Any,
    versioned: VersionedSchedule,
    at: int,
    ending: Paint,
    beginning: Paint,
    children: tuple[str, ...],
) -> Exchange:
    """The handover at ``at``; its place is that of the rule whose boundary it is."""
    key = (at, variant)
    version = versioned.handover_version(at)
    schedule = version.part.schedule
    known = ctx.moments.get(key)
    if known is None:
        instant = from_seconds(at)
        local: datetime = instant.astimezone(ctx.zone)
        day = local.date()
        rotation = exchange_for(schedule.exchange, ctx.school.is_school_day(day), day.weekday())
        known = ctx.moments[key] = (instant, local, rotation)
    instant, local, rotation = known
    if beginning.rule.layer != "rotation":
        place = None if beginning.daily else beginning.location
    elif ending.rule.layer != "rotation":
        place = None if ending.daily else ending.end_location
    else:
        place = rotation[1]
    if place is None and (beginning.rule.layer, ending.rule.layer) != ("rotation", "rotation"):
        place = fallback_place(ctx, schedule.exchange, local.date(), at, rotation)
    return Exchange(
        instant,
        ending.parent,
        beginning.parent,
        place,
        beginning.rule,
        ending.rule,
        children,
        local,
        version.title,
    )
