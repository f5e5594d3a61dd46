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

from ..plan.model import Child, TimeKeyword
from .context import EngineContext
from .handover_places import exchange_table
from .layers import Paint
from .painter import Painter
from .timeline import (
    ChildTimeline,
    CustodyBlock,
    Exchange,
    Rule,
    blocks_for,
    exchanges_for,
    new_block,
    new_exchange,
)
from .timeutil import from_seconds, local_seconds, local_time
from .versions import VersionedSchedule


def _runs(painter: Painter, start: int, end: int) -> list[tuple[int, int, Paint]]:
    """Maximal runs of one parent under one rule over ``[start, end)``."""
    keys, values = painter.keys, painter.values
    i = bisect_right(keys, start) - 1
    last = bisect_left(keys, end)  # the segments i .. last - 1 overlap the range
    runs: list[tuple[int, int, Paint]] = []
    run_start, current = start, values[i]
    for k in range(i + 1, last):
        value = values[k]
        if value is current:  # the rotation paints one value per parent
            continue
        if value.parent != current.parent or (
            value.rule is not current.rule and value.rule != current.rule
        ):
            runs.append((run_start, keys[k], current))
            run_start, current = keys[k], value
    runs.append((run_start, end, current))
    return runs


def child_timeline(
    ctx: EngineContext,
    painter: Painter,
    versioned: VersionedSchedule,
    child: Child,
    key: Any,
    start: int,
    end: int,
) -> ChildTimeline:
    """Blocks and the exchanges between them; children who move together share the work.

    What does not name the child (instants, parents, rules, places) is worked out once
    per run of the painter and kept in ``ctx.runs``; each child only adds its name.
    """
    children = (child.id,)
    shared = ctx.runs.get(key)
    if shared is None:
        blocks, exchanges = _shared_facts(ctx, painter, versioned, start, end, children)
        ctx.runs[key] = (blocks, exchanges)
        return ChildTimeline(child.id, blocks, exchanges)
    blocks, exchanges = shared
    return ChildTimeline(child.id, blocks_for(blocks, children), exchanges_for(exchanges, children))


def _shared_facts(
    ctx: EngineContext,
    painter: Painter,
    versioned: VersionedSchedule,
    start: int,
    end: int,
    children: tuple[str, ...],
) -> tuple[list[CustodyBlock], list[Exchange]]:
    """The blocks and exchanges over ``[start, end)`` of the first of the children who
    move together (the others get copies naming them).

    One pass over the runs: each run is a block, and the boundary between two runs of
    different parents is a handover whose place is that of the rule whose boundary it
    is (the rotation's for the day between two rotation runs).
    """
    runs = _runs(painter, start, end)
    versions = versioned.versions
    only = versions[0] if len(versions) == 1 else None
    zone, is_school_day, wall_time = ctx.zone, ctx.school.is_school_day, ctx.wall_time
    blocks: list[CustodyBlock] = []
    exchanges: list[Exchange] = []
    table_of: Any = None
    table: Any = None
    defaults: Any = None
    ending: Paint = runs[0][2]
    block_end = from_seconds(runs[0][0])
    for s, e, value in runs:
        instant, block_end = block_end, from_seconds(e)
        rule = value.rule
        amendment = None if only else _amendment_of(versioned, rule, s)
        blocks.append(new_block(instant, block_end, value.parent, rule, children, amendment))
        if ending.parent == value.parent:  # the first run, or a change of rule only
            ending = value
            continue
        version = only or versioned.handover_version(s)
        if version is not table_of:  # one table per version, not per exchange
            table_of, defaults = version, version.part.schedule.exchange
            table = exchange_table(ctx, defaults)
        local: datetime = local_time(s, zone)
        day = local.date()
        rotation = table[is_school_day(day)][day.weekday()]
        if rule.layer != "rotation":
            place = None if value.daily else value.location
        elif ending.rule.layer != "rotation":
            place = None if ending.daily else ending.end_location
        else:
            place = rotation[1]
        if place is None and (rule.layer != "rotation" or ending.rule.layer != "rotation"):
            # Another rule's handover naming no place: the rotation's place that day,
            # unless that place goes with a school bell this handover is not at.
            when = rotation[0]
            bell = when.__class__ is TimeKeyword
            if bell and local_seconds(day, wall_time(when, day), zone)[0] != s:
                place = rotation[2]
            else:
                place = rotation[1]
        exchanges.append(
            new_exchange(
                instant,
                ending.parent,
                value.parent,
                place,
                rule,
                ending.rule,
                children,
                local,
                version.title,
            )
        )
        ending = value
    return blocks, exchanges


def _amendment_of(versioned: VersionedSchedule, rule: Rule, at: int) -> str | None:
    """The amendment behind a block: the one that made its rule, else the one in force."""
    if rule.source.startswith("amendments["):
        index = int(rule.source[len("amendments[") : rule.source.index("]")])
        return next((v.title for v in versioned.versions if v.amendment == index), None)
    return versioned.at(at).title
