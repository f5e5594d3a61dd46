"""The rotation layer: a schedule's rotation resolved and read off as custody pieces.

What the strip's segments hold (``Paint``) is defined here too, as the rotation paints
first and every later layer paints the same kind of value (layers.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from ..plan.model import ExchangeDefaults, Rotation, Schedule, TimeKeyword
from .api import PatternContext
from .context import EngineContext, plan_error
from .handover_places import exchange_table
from .patterns import FALLBACK_ANCHOR
from .timeline import Rule
from .timeutil import WALL_SECONDS, day_seconds

_DISMISSAL = TimeKeyword.dismissal


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


def rotation_of(
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


def season_rotation(
    ctx: EngineContext, rotation: Rotation, exchange: ExchangeDefaults, key: str, rule: Rule
) -> ResolvedRotation:
    """A season's rotation resolved, once a run (see ``rotation_of``): every strip
    painted (a version, a switch-over question) paints the season again."""
    known = ctx.rotations.get(id(rotation))
    if (
        known is not None
        and known[0] is rotation
        and known[1][0] is exchange
        and known[1][1] == key
        and known[1][2] == rule
    ):
        return known[2]
    resolved = resolve_rotation(ctx, rotation, exchange, key, rule)
    if rotation.anchor is not None or not getattr(resolved.pattern, "needs_anchor", False):
        ctx.rotations[id(rotation)] = (rotation, (exchange, key, rule), resolved)
    return resolved


def rotation_strip(
    ctx: EngineContext,
    rot: ResolvedRotation,
    start: int,
    end: int,
    location: str | None = None,
    days: tuple[date, date] | None = None,
) -> tuple[list[int], list[Paint]]:
    """The rotation's custody over ``[start, end)``: the instant each piece begins (the
    first is ``start``) and its Paint, as a Painter's keys and values hold them.

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
    cuts: list[int] = []
    held: list[Paint] = []
    table = exchange_table(ctx, rot.exchange)
    # The day's facts the handovers will ask for (most handovers are the rotation's).
    facts = ctx.handover_days.setdefault(id(table), {})
    is_school_day, zone = ctx.school.is_school_day, ctx.zone
    # ctx.wall_time, inlined: the school's bell that day
    dismissal, school_start = ctx.school.dismissal, ctx.school.start
    midnights = ctx.midnights
    for day, slot in changes:
        row = table[is_school_day(day)][day.weekday()]
        when = row[0]
        bell = when.__class__ is not time
        wall = (dismissal(day) if when is _DISMISSAL else school_start(day)) if bell else when
        # ctx.instant, inlined: it is asked once a handover; it warns about DST days.
        midnight, offset = midnights.get(day), WALL_SECONDS.get(wall)
        if midnight is not None and offset is not None:
            at = midnight + offset
        else:
            at, flag = day_seconds(day, wall, zone)
            if flag is not None:
                at = ctx.instant(day, when, _handover_words(rot))
        if at >= end:
            break
        facts[day.toordinal()] = (row, at if bell else None)
        if at > cut:
            cuts.append(cut)
            held.append(current)
            cut = at
        current = paints.get(slot) or paint(slot)
    cuts.append(cut)
    held.append(current)
    return cuts, held


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
