"""Custody blocks and exchanges of one child, read off a painted strip.

Blocks are maximal runs of one parent under one rule; an exchange is derived at every
change of parent, with the place of the rule whose boundary it is. Children who move
together (same schedule, amendments and overrides over the same dates) share the work:
the first child's blocks and exchanges are built, the others get copies naming them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import Any

from ..plan.model import TimeKeyword
from .context import EngineContext
from .handover_places import ExchangeTable, HandoverRule, exchange_table
from .painter import Painter
from .timeline import (
    BlockDraft,
    ChildTimeline,
    CustodyBlock,
    Exchange,
    ExchangeDraft,
    Rule,
    new_block,
)
from .timeutil import WALL_SECONDS, day_seconds, from_seconds, moments
from .versions import Version, VersionedSchedule


def child_timeline(
    ctx: EngineContext,
    painter: Painter,
    versioned: VersionedSchedule,
    child: str,
    run: tuple[Any, int, int],
    together: tuple[str, ...],
) -> ChildTimeline:
    """Blocks and the exchanges between them over ``run``'s ``[start, end)``.

    ``together``: the children with this same run (the child among them), who move
    together. The first of them asked builds the blocks and exchanges of them all in
    one pass (what does not name a child, instants, parents, rules and places, is
    worked out once); the others find theirs in ``ctx.runs``.
    """
    built = ctx.runs.get(run)
    if built is None:
        _, start, end = run
        built = ctx.runs[run] = _shared_facts(ctx, painter, versioned, start, end, together)
    blocks, exchanges = built[child]
    return ChildTimeline(child, blocks, exchanges)


def _shared_facts(
    ctx: EngineContext,
    painter: Painter,
    versioned: VersionedSchedule,
    start: int,
    end: int,
    together: tuple[str, ...],
) -> dict[str, tuple[list[CustodyBlock], list[Exchange]]]:
    """The blocks and exchanges over ``[start, end)`` of each of the children who move
    together, by child.

    One pass over the painted segments: a block is a maximal run of one parent under
    one rule, and the boundary between two runs of different parents is a handover,
    at the place of the rule whose boundary it is (the rotation's for the day between
    two rotation runs). Each fact is worked out once and built for every child.

    ``timeline.new_block``/``new_exchange`` are written out in the loop: a call each
    per handover was a tenth of this function's time (issue 15's engine target).
    """
    keys, values = painter.keys, painter.values
    i = bisect_right(keys, start) - 1
    last = bisect_left(keys, end)  # the segments i .. last - 1 overlap the range
    versions = versioned.versions
    only = versions[0] if len(versions) == 1 else None
    zone = ctx.zone
    table_of: Any = None
    table: Any = None
    days: dict[int, DayFacts] = {}  # local ordinal -> the facts of the table in use
    built = {child: ([], []) for child in together}
    # (children, its blocks' append) and (children, its exchanges' append) of each child
    block_targets = [((child,), lists[0].append) for child, lists in built.items()]
    exchange_targets = [((child,), lists[1].append) for child, lists in built.items()]
    current = values[i]
    parent, rule = current.parent, current.rule
    # With amendments, the version in force at the instant the loop is at, followed as
    # the instants grow instead of searched for at each block (``versioned.at``).
    starts = versioned.starts
    in_force = versioned.at(start)
    following = bisect_right(starts, start)  # the index of the next version to start
    block_start = from_seconds(start)
    for at, value in zip(keys[i + 1 : last], values[i + 1 : last], strict=True):
        if value is current:  # the rotation paints one value per parent
            continue
        to_parent, to_rule, location, daily, _ = value
        if to_parent == parent:
            if to_rule is rule or to_rule == rule:
                continue  # the same run goes on
            block_end = from_seconds(at)
        else:  # a handover: its local time too, both kept together
            block_end, local = moments(at, zone)
        if only:
            amendment = None
        else:
            amendment = _amendment_of(versioned, rule, in_force)
            while following < len(starts) and starts[following] <= at:
                in_force = versions[following]
                following += 1
        for children, add_block in block_targets:
            block = BlockDraft()
            block.start = block_start
            block.end = block_end
            block.parent = parent
            block.rule = rule
            block.children = children
            block.amendment = amendment
            block.__class__ = CustodyBlock
            add_block(block)
        if to_parent != parent:
            version = only or in_force
            if version.late and version.start == at:
                # A version that took over at this handover (end_of_block): the handover
                # is the previous version's, its time and its place (Version.late).
                version = versioned.at(at - 1)
            if version is not table_of:  # one table per version, not per exchange
                table_of = version
                table = exchange_table(ctx, version.part.schedule.exchange)
                days = ctx.handover_days.setdefault(id(table), {})
            facts = days.get(local.toordinal()) or _day_facts(ctx, table, local, days)
            rotation = facts[0]
            begins, ends = to_rule.layer == "rotation", rule.layer == "rotation"
            if not begins:
                place = None if daily else location
            elif not ends:
                place = None if current.daily else current.end_location
            else:
                place = rotation[1]
            if place is None and not (begins and ends):
                # Another rule's handover naming no place: the rotation's place that
                # day, unless that place goes with a school bell this handover is not at.
                bell = facts[1]
                place = rotation[1] if bell is None or bell == at else rotation[2]
            title = version.title
            for children, add_exchange in exchange_targets:
                exchange = ExchangeDraft()
                exchange.at = block_end
                exchange.from_parent = parent
                exchange.to_parent = to_parent
                exchange.location = place
                exchange.rule = to_rule
                exchange.ending_rule = rule
                exchange.children = children
                exchange.local_at = local
                exchange.amendment = title
                exchange.__class__ = Exchange
                add_exchange(exchange)
        current, block_start, parent, rule = value, block_end, to_parent, to_rule
    amendment = None if only else _amendment_of(versioned, rule, in_force)
    block_end = from_seconds(end)
    for children, add_block in block_targets:
        add_block(new_block(block_start, block_end, parent, rule, children, amendment))
    return built


# A day's rotation handover rule, and the instant of its school bell (None: the rule's
# time is a clock time).
DayFacts = tuple[HandoverRule, int | None]


def _day_facts(
    ctx: EngineContext, table: ExchangeTable, local: datetime, days: dict[int, DayFacts]
) -> DayFacts:
    """The facts of the day of ``local``, kept in ``days`` (a visit's two handovers
    share their day; the rotation's painting has already kept those of its handover
    days: ``EngineContext.handover_days``)."""
    day = local.date()
    rotation = table[ctx.school.is_school_day(day)][day.weekday()]
    when = rotation[0]
    bell = None
    if when.__class__ is TimeKeyword:
        wall = ctx.wall_time(when, day)
        midnight, offset = ctx.midnights.get(day), WALL_SECONDS.get(wall)
        if midnight is not None and offset is not None:
            bell = midnight + offset
        else:
            bell = day_seconds(day, wall, ctx.zone)[0]
    found = days[day.toordinal()] = (rotation, bell)
    return found


_IN_FORCE = object()  # a rule of the plan as written: the amendment in force names it


def _amendment_of(versioned: VersionedSchedule, rule: Rule, in_force: Version) -> str | None:
    """The amendment behind a block: the one that made its rule, else ``in_force``, the
    version in force when the block starts.

    Which amendment made a rule depends on the rule's source alone, so it is worked out
    once per source and kept on ``versioned`` (an amended timeline has thousands of
    blocks and a dozen sources).
    """
    made_by = versioned.made_by.get(rule.source, _IN_FORCE)
    if made_by is _IN_FORCE and rule.source not in versioned.made_by:
        made_by = versioned.made_by[rule.source] = _maker(versioned, rule.source)
    if made_by is _IN_FORCE:
        return in_force.title
    return made_by  # type: ignore[return-value]


def _maker(versioned: VersionedSchedule, source: str) -> object:
    """The title of the amendment that made the rule at ``source`` (``_IN_FORCE``: none)."""
    if not source.startswith("amendments["):
        return _IN_FORCE
    index = int(source[len("amendments[") : source.index("]")])
    return next((v.title for v in versioned.versions if v.amendment == index), None)
