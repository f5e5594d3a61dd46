"""Painting one schedule's layers: rotation and visits, then seasons, then holidays.

Each layer replaces the one below for exactly the time it covers (see painter.py).
Overrides are painted per child by the engine, because they may name children.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from ..plan.amend import RuleKeys, SchedulePart
from ..plan.model import ExchangeDefaults, Rotation, Schedule, Visit
from .api import PatternContext
from .context import EngineContext, plan_error
from .handover_places import exchange_table
from .painter import Painter
from .patterns import FALLBACK_ANCHOR
from .school_gaps import warn_terms_unknown
from .spans import (
    ResolvedSpan,
    other_parent,
    resolve_holidays,
    resolve_seasons,
    rule_bounds,
)
from .timeline import HolidayLabel, Rule
from .timeutil import local_midnight, local_seconds


class Paint(NamedTuple):
    """What a segment of the strip holds.

    ``daily`` marks rotation-made segments: their exchange place is the rotation's
    place for the day of the exchange rather than a fixed ``location``. ``location``
    is where the segment's rule begins (the handover into it), ``end_location`` where
    it ends (a holiday may pick up at school and return curbside).
    """

    parent: str
    rule: Rule
    location: str | None
    daily: bool
    end_location: str | None


def fixed(parent: str, rule: Rule, location: str | None) -> Paint:
    """A segment with one place for both of its ends."""
    return Paint(parent, rule, location, False, location)


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
    times_from: str | None = None  # the plan key of the handover times, when not [exchange]


def resolve_rotation(
    ctx: EngineContext,
    rotation: Rotation,
    exchange: ExchangeDefaults,
    key: str,
    rule: Rule,
    times_from: str | None = None,
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
    return ResolvedRotation(pattern, context, parents, rule, exchange, key, times_from)


def _rotation_of(
    ctx: EngineContext, schedule: Schedule, key: str, times_from: str | None
) -> ResolvedRotation:
    """The schedule's rotation resolved, once a run: an amended plan paints a strip per
    version and a one-second strip per switch-over question, each asking again.

    A rotation that warns (a pattern needing an anchor it lacks) is resolved each time,
    so a strip painted quietly cannot swallow its warning for the others.
    """
    rotation, exchange = schedule.rotation, schedule.exchange
    assert rotation is not None
    known = ctx.rotations.get(id(rotation))
    if (
        known is not None
        and known[0] is rotation
        and known[1][0] is exchange
        and known[1][1:] == (key, times_from)
    ):
        return known[2]
    rule = Rule("rotation", rotation.pattern, key, rotation.citation)
    resolved = resolve_rotation(ctx, rotation, exchange, key, rule, times_from)
    if rotation.anchor is not None or not getattr(resolved.pattern, "needs_anchor", False):
        ctx.rotations[id(rotation)] = (rotation, (exchange, key, times_from), resolved)
    return resolved


def rotation_pieces(
    ctx: EngineContext,
    rot: ResolvedRotation,
    start: int,
    end: int,
    location: str | None = None,
    days: tuple[date, date] | None = None,
) -> list[tuple[int, int, Paint]]:
    """The rotation's custody over ``[start, end)`` as (start, end, Paint) pieces.

    ``days``: the local dates of ``start`` and ``end - 1`` when the caller has them.
    """
    first, last = days or (local_date(ctx, start), local_date(ctx, end - 1))
    first -= timedelta(days=1)
    parents = rot.parents
    paints = _paints_of(ctx, rot, location)

    def paint(slot: int) -> Paint:
        found = paints.get(slot) if 0 <= slot < len(parents) else None
        if found is None:
            raise plan_error(
                f"{rot.name}.parents",
                f"the pattern uses slot {slot + 1} but {len(parents)} parents are listed",
            )
        return found

    initial, changes = _slot_changes(rot, first, last)
    current = paint(initial)
    cut = start
    pieces: list[tuple[int, int, Paint]] = []
    table = exchange_table(ctx, rot.exchange)
    # The day's facts the handovers will ask for (most handovers are the rotation's).
    facts = ctx.handover_days.setdefault(id(table), {})
    is_school_day, wall_time, zone = ctx.school.is_school_day, ctx.wall_time, ctx.zone
    for day, slot in changes:
        row = table[is_school_day(day)][day.weekday()]
        when = row[0]
        bell = when.__class__ is not time
        # ctx.instant, inlined: it is asked once a handover; it warns about DST days.
        at, flag = local_seconds(day, wall_time(when, day) if bell else when, zone)
        if flag is not None:
            at = ctx.instant(day, when, _handover_words(rot))
        if at >= end:
            break
        facts[day.toordinal()] = (row, at if bell else None)
        if at > cut:
            pieces.append((cut, at, current))
            cut = at
        current = paints.get(slot) or paint(slot)
    pieces.append((cut, end, current))
    return pieces


def _paints_of(ctx: EngineContext, rot: ResolvedRotation, location: str | None) -> dict:
    """Slot -> the Paint of its parent, once a run per rotation and place."""
    key = (id(rot), location)
    known = ctx.rotation_paints.get(key)
    if known is not None and known[0] is rot:
        return known[1]
    daily = location is None
    paints = {
        slot: Paint(parent, rot.rule, location, daily, location)
        for slot, parent in enumerate(rot.parents)
    }
    ctx.rotation_paints[key] = (rot, paints)
    return paints


def _handover_words(rot: ResolvedRotation) -> str:
    """How a DST warning names a rotation handover (made only when one is warned)."""
    return f"{rot.times_from}: rotation handover" if rot.times_from else f"{rot.name} exchange"


def _slot_changes(
    rot: ResolvedRotation, first: date, last: date
) -> tuple[int, Iterable[tuple[date, int]]]:
    """The slot of day ``first``, and (day, slot) for each later day up to ``last`` whose
    slot differs from the day before's."""
    pattern, pctx = rot.pattern, rot.context
    cycle = getattr(pattern, "cycle", None)
    if cycle is None:
        slot_for = pattern.slot_for
        initial = slot_for(first, pctx)

        def each_day() -> Iterator[tuple[date, int]]:
            prev, day, one = initial, first, timedelta(days=1)
            while day < last:
                day += one
                slot = slot_for(day, pctx)
                if slot != prev:
                    prev = slot
                    yield day, slot

        return initial, each_day()
    origin, slots = cycle(pctx)
    size, base = len(slots), origin.toordinal()
    lo, hi = first.toordinal(), last.toordinal()
    # Offsets within the cycle where the slot differs from the day before's.
    turns = [(k, slots[k]) for k in range(size) if slots[k] != slots[k - 1]]
    changes: list[tuple[date, int]] = []
    if turns:
        fromordinal = date.fromordinal
        round_start = lo + 1 - (lo + 1 - base) % size  # a day at offset 0 of the cycle
        while round_start <= hi:
            for k, slot in turns:
                ordinal = round_start + k
                if lo < ordinal <= hi:
                    changes.append((fromordinal(ordinal), slot))
            round_start += size
    return slots[(lo - base) % size], changes


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
        in_term, week = ctx.school.in_term, timedelta(days=7)
        wall_time, zone, paint_where = ctx.wall_time, ctx.zone, painter.paint_where
        paint_inside, strip, held = painter.paint_inside, painter.keys, painter.values
        not_theirs = lambda old, p=parent: old.parent != p  # noqa: E731
        while day <= last:
            if during == "always" or (during == "school_term") == in_term(day):
                wall = start if start.__class__ is time else wall_time(start, day)
                if wall >= end:
                    raise plan_error(f"{key}.end", f"'{visit.name}' on {day} ends before it starts")
                # ctx.instant, inlined (once a week a visit); a DST day goes through it to warn.
                s, flag = local_seconds(day, wall, zone)
                if flag is not None:
                    s = ctx.instant(day, start, f"{key} ({visit.name}) start")
                e, flag = local_seconds(day, end, zone)
                if flag is not None:
                    e = ctx.instant(day, end, f"{key} ({visit.name}) end")
                # Both ends inside one DST gap collapse to the same instant: nothing to paint.
                if bounds is None or bounds[0] <= s < bounds[1]:
                    # Painter.paint_where, its common case written out: the visit lies
                    # inside one segment of the rotation (most weeks of most plans).
                    i = bisect_right(strip, s) - 1
                    if 0 <= i < len(strip) - 1 and e <= strip[i + 1]:
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
    resolved = _rotation_of(ctx, schedule, keys.rotation, times_from)
    first, last = local_date(ctx, start), local_date(ctx, end - 1)
    pieces = rotation_pieces(ctx, resolved, start, end, days=(first, last))
    painter = Painter(start, end, pieces[0][2])
    painter.keys[1:1] = [p[0] for p in pieces[1:]]
    painter.values[1:1] = [p[2] for p in pieces[1:]]

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
    if chosen:
        labels = [_resolved_label(label, chosen) for label in labels]
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
        return resolve_holidays(ctx, schedule, keys, start, end, first, last)
    holidays = schedule.holidays
    rotation = schedule.rotation
    pair = tuple(rotation.parents) if rotation is not None and rotation.parents else None
    key = (id(holidays), keys.holidays, pair, start, end)
    known = ctx.aside_holidays.get(key)
    if known is not None and known[0] is holidays:
        return list(known[1]), known[2]
    spans, labels = resolve_holidays(ctx, schedule, keys, start, end, first, last)
    ctx.aside_holidays[key] = (holidays, list(spans), labels)
    return spans, labels


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


def _resolved_label(
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
    resolved = resolve_rotation(ctx, season.rotation, schedule.exchange, key, span.rule)
    for a, b, value in rotation_pieces(ctx, resolved, s, e, season.location):
        painter.paint(a, b, value)
