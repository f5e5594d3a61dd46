"""Painting one schedule's layers: rotation (rotation_layer.py) and visits, then
seasons, then holidays.

Each layer replaces the one below for exactly the time it covers (see painter.py).
Overrides are painted per child by the engine, because they may name children.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

from ..plan.amend import RuleKeys, SchedulePart
from ..plan.model import Schedule, Visit
from .context import EngineContext, plan_error
from .holiday_window import holidays_key
from .painter import Painter
from .rotation_layer import (
    Paint,
    fixed,
    local_date,
    rotation_of,
    rotation_strip,
    season_rotation,
)
from .school_gaps import warn_terms_unknown
from .season_spans import resolve_seasons
from .spans import (
    ResolvedSpan,
    other_parent,
    resolve_holidays,
    rule_bounds,
)
from .timeline import HolidayLabel, Rule
from .timeutil import WALL_SECONDS, local_midnight, wall_seconds


def paint_visits(
    ctx: EngineContext,
    painter: Painter,
    schedule: Schedule,
    keys: RuleKeys,
    days: tuple[date, date] | None = None,
) -> None:
    """Visits give the visiting parent time they do not already hold under the rotation.

    ``days``: the local dates of the painter's start and end when the caller has them.
    """
    first, last = days or (local_date(ctx, painter.start), local_date(ctx, painter.end))
    first -= timedelta(days=1)
    for index, visit in enumerate(schedule.visits):
        key = keys.item("visits", index)
        bounds = rule_bounds(ctx, visit, key)
        parent, value, weekday = _visit_of(ctx, visit, key)
        warn_terms_unknown(ctx, key, visit)
        day = first + timedelta(days=(weekday - first.weekday()) % 7)
        start, end, during = visit.start, visit.end, visit.during
        always, in_school_term = during == "always", during == "school_term"
        in_term, week = ctx.school.in_term, timedelta(days=7)
        wall_time, midnights, walls = ctx.wall_time, ctx.midnights, WALL_SECONDS
        ends_at = wall_seconds(end)  # (None: microseconds, left to ctx.instant)
        starts_at = wall_seconds(start) if start.__class__ is time else None
        paint_where = painter.paint_where
        paint_inside, strip, held = painter.paint_inside, painter.keys, painter.values
        not_theirs = lambda old, p=parent: old.parent != p  # noqa: E731
        lo = 0  # the segment of the last visit painted: the next ones lie after it
        while day <= last:
            if always or in_school_term == in_term(day):
                if starts_at is None:
                    wall = start if start.__class__ is time else wall_time(start, day)
                    offset = walls.get(wall)
                    if offset is None:
                        offset = wall_seconds(wall)
                else:
                    wall, offset = start, starts_at
                if wall >= end:
                    raise plan_error(f"{key}.end", f"'{visit.name}' on {day} ends before it starts")
                # ctx.instant, inlined (once a week a visit); a DST day goes through it to warn.
                midnight = midnights.get(day)
                if midnight is not None and offset is not None and ends_at is not None:
                    s, e = midnight + offset, midnight + ends_at
                else:
                    s = ctx.instant(day, start, f"{key} ({visit.name}) start")
                    e = ctx.instant(day, end, f"{key} ({visit.name}) end")
                # Both ends inside one DST gap collapse to the same instant: nothing to paint.
                if bounds is None or bounds[0] <= s < bounds[1]:
                    # Painter.paint_where, its common case written out: the visit lies
                    # inside one segment of the rotation (most weeks of most plans).
                    i = bisect_right(strip, s, lo) - 1
                    if 0 <= i < len(strip) - 1 and e <= strip[i + 1]:
                        lo = i
                        if s < e and held[i].parent != parent:
                            paint_inside(i, s, e, value)
                    else:
                        paint_where(s, e, value, not_theirs)
            day += week


def _visit_of(ctx: EngineContext, visit: Visit, key: str) -> tuple[str, Paint, int]:
    """A visit's parent (checked), its paint and its weekday, once a run (see
    ``_rotation_of``)."""
    known = ctx.visits.get((id(visit), key))
    if known is not None and known[0] is visit:
        return known[1]
    parent = ctx.check_parent(visit.parent, f"{key}.parent")
    value = fixed(parent, Rule("visit", visit.name, key, visit.citation), visit.location)
    found = (parent, value, visit.weekday.index)
    ctx.visits[(id(visit), key)] = (visit, found)
    return found


Holder = Callable[[int], SchedulePart]


def paint_schedule(
    ctx: EngineContext,
    schedule: Schedule,
    keys: RuleKeys,
    start: int,
    end: int,
    version_at: Holder | None = None,
) -> tuple[Painter, list[HolidayLabel]]:
    """All layers of one schedule below overrides over ``[start, end)``.

    ``version_at`` gives the schedule version in force at an instant, for rules that
    look back before ``start`` (a not-in-possession holiday that began earlier).
    """
    if schedule.rotation is None:
        raise plan_error(keys.rotation, "a schedule that children follow needs a rotation")
    return _paint_layers(ctx, schedule, keys, start, end, version_at=version_at)


def _paint_layers(
    ctx: EngineContext,
    schedule: Schedule,
    keys: RuleKeys,
    start: int,
    end: int,
    stop: tuple[int, int] | None = None,
    version_at: Holder | None = None,
) -> tuple[Painter, list[HolidayLabel]]:
    """Paint ``[start, end)``; with ``stop``, only holidays ranked below (priority, index)."""
    assert schedule.rotation is not None
    # Handover times an amendment set are named by its key in warnings.
    times_from = keys.exchange if keys.exchange.startswith("amendments[") else None
    resolved = rotation_of(ctx, schedule, keys.rotation, times_from)
    first, last = local_date(ctx, start), local_date(ctx, end - 1)
    cuts, held = rotation_strip(ctx, resolved, start, end, days=(first, last))
    cuts.append(end)
    held.append(None)
    painter = Painter.of(cuts, held)

    paint_visits(ctx, painter, schedule, keys, (first, local_date(ctx, end)))

    for span, season in resolve_seasons(ctx, schedule, keys, start, end, first, last):
        paint_season(ctx, painter, schedule, span, season)

    spans, labels = _holiday_layer(ctx, schedule, keys, start, end, first, last)
    spans.sort(key=lambda s: (s.priority, s.index, s.start))
    chosen: dict[tuple[str, date | None], str] = {}
    for span in spans:
        if stop is not None and (span.priority, span.index) >= stop:
            break
        s, e = int(span.start.timestamp()), int(span.end.timestamp())
        parent = span.parent
        if span.not_in_possession:
            holder = _holder(ctx, schedule, keys, painter, span, version_at)
            parent = other_parent(ctx, schedule.rotation, holder)
            chosen[(span.rule.source, span.occurrence)] = parent
        if parent is not None:
            value = Paint(parent, span.rule, span.start_location, False, span.end_location)
            painter.paint(s, e, value)
    captured = ctx.captured_holidays
    if captured is not None and stop is None:  # a version painted ahead (ahead.py)
        captured.append((start, end, spans, labels, chosen))
    if chosen:
        labels = [resolved_label(label, chosen) for label in labels]
    return painter, labels


def _holiday_layer(
    ctx: EngineContext,
    schedule: Schedule,
    keys: RuleKeys,
    start: int,
    end: int,
    first: date,
    last: date,
) -> tuple[list[ResolvedSpan], list[HolidayLabel]]:
    """``resolve_holidays``; for a strip painted aside (``ctx.aside``: nothing reported),
    kept for the next one over the same time and holidays.

    An amendment is asked who holds at its instant before and after it (versions.py):
    unless it changes the holidays, both strips meet the same ones, and the holidays
    are most of such a strip's cost. What a split's second half goes to depends on the
    rotation's parents, so they are part of the key.
    """
    if not ctx.aside:
        shared = ctx.shared_holidays  # (ahead.py: one layer for several versions)
        if shared is not None and shared.serves(schedule, keys, start, end):
            spans, labels = shared.within(start, end, first, last)
        else:
            spans, labels = resolve_holidays(ctx, schedule, keys, start, end, first, last)
        return spans, labels
    holidays = schedule.holidays
    key = _aside_key(schedule, keys, start, end)
    known = ctx.aside_holidays.get(key)
    if known is not None and known[0] is holidays:
        return list(known[1]), known[2]
    spans, labels = resolve_holidays(ctx, schedule, keys, start, end, first, last)
    ctx.aside_holidays[key] = (holidays, list(spans), labels)
    return spans, labels


def keep_aside(
    ctx: EngineContext, schedule: Schedule, keys: RuleKeys, start: int, end: int, spans: list
) -> None:
    """The holiday layer of a strip painted aside over ``[start, end)``, found by a
    painting that covered it (ahead.py): ``spans`` as ``resolve_holidays`` gives them."""
    key = _aside_key(schedule, keys, start, end)
    ctx.aside_holidays[key] = (schedule.holidays, list(spans), [])


def _aside_key(schedule: Schedule, keys: RuleKeys, start: int, end: int) -> tuple:
    """What a strip's holiday layer depends on: its holidays, their keys, the rotation's
    parents (a split's second half goes to the other one) and its instants."""
    return (*holidays_key(schedule, keys), start, end)


def _holder(
    ctx: EngineContext,
    schedule: Schedule,
    keys: RuleKeys,
    painter: Painter,
    span: ResolvedSpan,
    version_at: Holder | None = None,
) -> str:
    """Who holds the children at ``span.start`` under the layers painted below it.

    A span starting before the painted range is looked up on a one-day strip painted
    the same way (with the schedule version in force then), so the answer does not
    depend on the range asked for.
    """
    at = int(span.start.timestamp())
    if at >= painter.start:
        return painter.value_at(at).parent
    if version_at is not None:
        part = version_at(at)
        if part.keys.holidays[span.index : span.index + 1] == (span.rule.source,):
            schedule, keys = part.schedule, part.keys
    day = local_date(ctx, at)
    window = int(local_midnight(day, ctx.zone).timestamp())
    window_end = int(local_midnight(day + timedelta(days=1), ctx.zone).timestamp())
    with ctx.quiet():  # nothing outside the range asked for is reported
        strip, _ = _paint_layers(
            ctx, schedule, keys, window, window_end, (span.priority, span.index)
        )
    return strip.value_at(at).parent


def resolved_label(
    label: HolidayLabel, resolved: dict[tuple[str, date | None], str]
) -> HolidayLabel:
    """A not-in-possession holiday's label names the parent the engine chose for it."""
    parent = resolved.get((label.rule.source, label.first))
    if parent is None or label.parent is not None:
        return label
    return HolidayLabel(label.name, label.first, label.last, parent, label.rule)


def paint_season(
    ctx: EngineContext, painter: Painter, schedule: Schedule, span: ResolvedSpan, season: Any
) -> None:
    s, e = int(span.start.timestamp()), int(span.end.timestamp())
    if span.parent is not None:
        painter.paint(s, e, fixed(span.parent, span.rule, season.location))
        return
    key = f"{span.rule.source}.rotation"
    resolved = season_rotation(ctx, season.rotation, schedule.exchange, key, span.rule)
    cuts, held = rotation_strip(ctx, resolved, s, e, season.location)
    if s < e:
        painter.paint_run(cuts, held, e)
