"""Painting one schedule's layers: rotation and visits, then seasons, then holidays.

Each layer replaces the one below for exactly the time it covers (see painter.py).
Overrides are painted per child by the engine, because they may name children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from ..plan.model import ExchangeDefaults, Rotation, Schedule, TimeKeyword, Weekday
from .api import PatternContext
from .context import EngineContext, plan_error
from .painter import Painter
from .patterns import FALLBACK_ANCHOR
from .spans import ResolvedSpan, resolve_holidays, resolve_seasons
from .timeline import HolidayLabel, Rule


class Paint(NamedTuple):
    """What a segment of the strip holds.

    ``daily`` marks rotation-made segments: their exchange place is the rotation's
    place for the day of the exchange rather than a fixed ``location``.
    """

    parent: str
    rule: Rule
    location: str | None
    daily: bool


def exchange_for(
    exchange: ExchangeDefaults, school_day: bool, weekday: int
) -> tuple[time | TimeKeyword, str | None]:
    """Time and place of a rotation handover: weekday > school/non-school > default."""
    levels = [exchange.weekdays.get(_WEEKDAY_KEYS[weekday])]
    levels.append(exchange.school_day if school_day else exchange.non_school_day)
    when: Any = None
    where: str | None = None
    for level in levels:
        if level is None:
            continue
        when = level.time if when is None else when
        where = level.location if where is None else where
    return (exchange.time if when is None else when, exchange.location if where is None else where)


_WEEKDAY_KEYS = list(Weekday)


def local_date(ctx: EngineContext, seconds: int) -> date:
    return datetime.fromtimestamp(seconds, ctx.zone).date()


@dataclass(frozen=True)
class ResolvedRotation:
    """A rotation with its pattern looked up, options checked and anchor settled."""

    pattern: Any
    context: PatternContext
    parents: tuple[str, ...]
    rule: Rule
    exchange: ExchangeDefaults
    name: str


def resolve_rotation(
    ctx: EngineContext, rotation: Rotation, exchange: ExchangeDefaults, key: str, rule: Rule
) -> ResolvedRotation:
    if rotation.pattern not in ctx.patterns:
        known = ", ".join(ctx.patterns.names())
        raise plan_error(f"{key}.pattern", f"unknown pattern {rotation.pattern!r} (known: {known})")
    pattern = ctx.patterns[rotation.pattern]
    problems = pattern.validate(rotation.options) if hasattr(pattern, "validate") else []
    if problems:
        raise plan_error(f"{key}.options", "; ".join(problems))
    anchor = rotation.anchor
    if anchor is None and getattr(pattern, "needs_anchor", False):
        anchor = FALLBACK_ANCHOR
        ctx.warn(
            f"{key}: pattern {rotation.pattern!r} needs an anchor date and none is "
            f"given; counting from Monday {FALLBACK_ANCHOR}"
        )
    parents = tuple(rotation.parents or ctx.plan.parent_ids)
    for i, parent in enumerate(parents):
        ctx.check_parent(parent, f"{key}.parents[{i}]")
    context = PatternContext(anchor, rotation.options, ctx.school.is_school_day)
    return ResolvedRotation(pattern, context, parents, rule, exchange, key)


def rotation_pieces(
    ctx: EngineContext, rot: ResolvedRotation, start: int, end: int, location: str | None = None
) -> list[tuple[int, int, Paint]]:
    """The rotation's custody over ``[start, end)`` as (start, end, Paint) pieces."""
    day = local_date(ctx, start) - timedelta(days=1)
    last = local_date(ctx, end - 1)
    slot_for, pctx, parents = rot.pattern.slot_for, rot.context, rot.parents
    daily = location is None

    def paint(slot: int) -> Paint:
        if not 0 <= slot < len(parents):
            raise plan_error(
                f"{rot.name}.parents",
                f"the pattern uses slot {slot + 1} but {len(parents)} parents are listed",
            )
        return Paint(parents[slot], rot.rule, location, daily)

    prev = slot_for(day, pctx)
    current = paint(prev)
    cut = start
    pieces: list[tuple[int, int, Paint]] = []
    one = timedelta(days=1)
    what = f"{rot.name} exchange"
    while day < last:
        day += one
        slot = slot_for(day, pctx)
        if slot == prev:
            continue
        prev = slot
        when, _ = exchange_for(rot.exchange, ctx.school.is_school_day(day), day.weekday())
        at = ctx.instant(day, when, what)
        if at >= end:
            break
        if at > cut:
            pieces.append((cut, at, current))
            cut = at
        current = paint(slot)
    pieces.append((cut, end, current))
    return pieces


def paint_visits(ctx: EngineContext, painter: Painter, schedule: Schedule, prefix: str) -> None:
    """Visits give the visiting parent time they do not already hold under the rotation."""
    first = local_date(ctx, painter.start) - timedelta(days=1)
    last = local_date(ctx, painter.end)
    for index, visit in enumerate(schedule.visits):
        key = f"{prefix}visits[{index}]"
        parent = ctx.check_parent(visit.parent, f"{key}.parent")
        value = Paint(parent, Rule("visit", visit.name, key, visit.citation), visit.location, False)
        day = first + timedelta(days=(visit.weekday.index - first.weekday()) % 7)
        while day <= last:
            wanted = visit.during == "always" or (
                visit.during == "school_term"
            ) == ctx.school.in_term(day)
            if wanted:
                if ctx.wall_time(visit.start, day) >= visit.end:
                    raise plan_error(f"{key}.end", f"'{visit.name}' on {day} ends before it starts")
                s = ctx.instant(day, visit.start, f"{key} ({visit.name}) start")
                e = ctx.instant(day, visit.end, f"{key} ({visit.name}) end")
                # Both ends inside one DST gap collapse to the same instant: nothing to paint.
                painter.paint_where(s, e, value, lambda old, p=parent: old.parent != p)
            day += timedelta(days=7)


def paint_schedule(
    ctx: EngineContext, schedule: Schedule, prefix: str, start: int, end: int
) -> tuple[Painter, list[HolidayLabel]]:
    """All layers of one schedule below overrides over ``[start, end)``."""
    if schedule.rotation is None:
        raise plan_error(
            f"{prefix}rotation" if prefix else "rotation",
            "a schedule that children follow needs a rotation",
        )
    key = f"{prefix}rotation"
    rotation = schedule.rotation
    rule = Rule("rotation", rotation.pattern, key, rotation.citation)
    resolved = resolve_rotation(ctx, rotation, schedule.exchange, key, rule)
    pieces = rotation_pieces(ctx, resolved, start, end)
    painter = Painter(start, end, pieces[0][2])
    painter.keys[1:1] = [p[0] for p in pieces[1:]]
    painter.values[1:1] = [p[2] for p in pieces[1:]]

    paint_visits(ctx, painter, schedule, prefix)

    first, last = local_date(ctx, start), local_date(ctx, end - 1)
    for span, season in resolve_seasons(ctx, schedule, prefix, start, end, first, last):
        paint_season(ctx, painter, schedule, span, season)

    spans, labels = resolve_holidays(ctx, schedule, prefix, start, end, first, last)
    spans.sort(key=lambda s: (s.priority, s.index, s.start))
    for span in spans:
        if span.parent is not None:
            holiday = schedule.holidays[span.index]
            value = Paint(span.parent, span.rule, holiday.location, False)
            painter.paint(int(span.start.timestamp()), int(span.end.timestamp()), value)
    return painter, labels


def paint_season(
    ctx: EngineContext, painter: Painter, schedule: Schedule, span: ResolvedSpan, season: Any
) -> None:
    s, e = int(span.start.timestamp()), int(span.end.timestamp())
    if span.parent is not None:
        painter.paint(s, e, Paint(span.parent, span.rule, season.location, False))
        return
    key = f"{span.rule.source}.rotation"
    resolved = resolve_rotation(ctx, season.rotation, schedule.exchange, key, span.rule)
    for a, b, value in rotation_pieces(ctx, resolved, s, e, season.location):
        painter.paint(a, b, value)
