"""The schedule engine: plan + date range -> Timeline. Pure: no I/O, deterministic.

Layers, lowest first: regular rotation (with visits) < seasons < holidays < overrides;
a higher layer replaces a lower one for exactly the time it covers. Each child follows
its schedule from its birth (or the range start) until its ``until_age`` birthday (or
the range end); once the last child following a schedule has left, nothing more is
painted, so the years after cost nothing. Blocks and exchanges are read off the painted
strip in ``handovers.py``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pluggy

from .. import collector
from ..errors import UserError
from ..plan.amend import RuleKeys, SchedulePart, applicable
from ..plan.model import Child, Plan, Schedule
from .context import EngineContext, leave_date, plan_error
from .handovers import child_timeline
from .painter import Painter
from .rotation_layer import Paint, fixed
from .school_gaps import school_year, where_to_add
from .season_spans import resolve_seasons
from .spans import ResolvedSpan, SpanNote, resolve_holidays
from .switch_report import switch_record, warn_reading
from .timeline import ChildTimeline, HolidayLabel, Rule, Timeline
from .timeutil import local_midnight, to_seconds
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

    The garbage collector is paused meanwhile (:mod:`pc_calendar.collector`): the
    engine makes hundreds of blocks and exchanges a family-year and no cycles.
    """
    if end <= start:
        raise UserError(f"the range end {end} must be after its start {start}")
    collector.pause()
    try:
        return _compute(plan, start, end, pm, watch)
    finally:
        collector.resume()


def _compute(
    plan: Plan,
    start: date,
    end: date,
    pm: pluggy.PluginManager | None,
    watch: tuple[date, date] | None,
) -> Timeline:
    ctx = EngineContext.build(plan, pm)
    range_start = to_seconds(local_midnight(start, ctx.zone))
    range_end = to_seconds(local_midnight(end, ctx.zone))
    first, last = watch or (start, end)
    ctx.school.watch = (first.toordinal(), last.toordinal() - 1)
    overrides = _overrides(ctx)

    on_schedule = _on_schedule(plan, start, end)
    # Nothing is painted after the last child leaves: no guess there is warned about.
    watch_end = min(ctx.school.watch[1], _schedule_end(plan, start, end).toordinal() - 1)
    ctx.school.watch = (ctx.school.watch[0], watch_end)
    painted: dict[tuple[str, tuple[int, ...]], tuple[Painter, VersionedSchedule]] = {}
    variants: dict[tuple[str, tuple[int, ...], tuple[int, ...]], Painter] = {}
    labels: dict[HolidayLabel, None] = {}
    children: dict[str, ChildTimeline] = {}
    switchovers: dict[tuple, list[str]] = {}
    # Each schedule is painted only until the last of its children leaves it: the
    # years after that cost nothing (nobody is on the schedule then).
    paint_until: dict[tuple[str, tuple[int, ...]], int] = {}
    # Children with the same run (variant and dates) move together: one pass over the
    # painted strip builds the blocks and exchanges of them all (handovers.py).
    runs: dict[str, tuple[tuple, int, int]] = {}
    together: dict[tuple, list[str]] = {}
    for child in plan.children:
        if child.id not in on_schedule:
            continue
        first, last, versions_key = on_schedule[child.id]
        hi = range_end if last == end else to_seconds(local_midnight(last, ctx.zone))
        paint_until[versions_key] = max(hi, paint_until.get(versions_key, hi))
        lo = range_start if first == start else to_seconds(local_midnight(first, ctx.zone))
        mine = tuple(i for i, o in enumerate(overrides) if o[3] is None or child.id in o[3])
        variant = (child.schedule, versions_key[1], mine)  # equal variants share work
        runs[child.id] = (variant, lo, hi)
        together.setdefault((variant, lo, hi), []).append(child.id)
    for index, child in enumerate(plan.children):
        if child.id not in on_schedule:
            children[child.id] = ChildTimeline(child.id, [], [])
            continue
        versions_key = on_schedule[child.id][2]
        amended = versions_key[1]
        if versions_key not in painted:
            until = paint_until[versions_key]
            versioned = _versioned(ctx, plan, child.schedule, amended, index, (range_start, until))
            painter, found = paint_versions(ctx, versioned, range_start, until)
            painted[versions_key] = (painter, versioned)
            labels.update(dict.fromkeys(found))
        base, versioned = painted[versions_key]
        for switch in versioned.switchovers:
            switchovers.setdefault(_switch_key(switch), []).append(child.id)
        run = runs[child.id]
        variant, lo, hi = run
        mine = variant[2]
        painter = variants.get(variant)
        if painter is None:
            painter = variants[variant] = base.copy() if mine else base
            for i in mine:
                painter.paint(*overrides[i][:3])
        children[child.id] = child_timeline(
            ctx, painter, versioned, child.id, run, tuple(together[run])
        )
    # Holidays are listed even where no child is on the schedule yet (before a birth,
    # say), but not once every child following the schedule has left it.
    for name in dict.fromkeys([c.schedule for c in plan.children] or ["default"]):
        if name not in {key[0] for key in painted}:
            until = _schedule_end(plan, start, end, name)
            if until > start:
                labels.update(dict.fromkeys(_labels(ctx, plan, name, start, until)))
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
    ctx: EngineContext,
    plan: Plan,
    name: str,
    amended: tuple[int, ...],
    index: int,
    painted: tuple[int, int] | None = None,
) -> VersionedSchedule:
    schedule, keys = _schedule(plan, name, f"children[{index}].schedule")
    base = SchedulePart(schedule, keys)
    if not amended:
        return VersionedSchedule(name, [Version(BEFORE_ALL, base)])
    followers = tuple(c.id for c in plan.children if c.schedule == name)
    return build_versions(ctx, plan, name, base, amended, followers, painted)


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


def _on_schedule(
    plan: Plan, start: date, end: date
) -> dict[str, tuple[date, date, tuple[str, tuple[int, ...]]]]:
    """Children on their schedule within the range: (first, last, versions key) each."""
    found = {}
    for child in plan.children:
        first, last = _child_range(child, start, end)
        if first < last:
            amended = tuple(applicable(plan, child.schedule, child.id))
            found[child.id] = (first, last, (child.schedule, amended))
    return found


def _schedule_end(plan: Plan, start: date, end: date, schedule: str | None = None) -> date:
    """The end of the range, or the day the last child (following ``schedule``) leaves.

    With no such child (a plan without children) the range end.
    """
    leaves = [leave_date(c) for c in plan.children if schedule in (None, c.schedule)]
    return min(end, max(leaves)) if leaves else end


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
