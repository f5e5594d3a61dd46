"""When and where a handover happens: the rotation's time and place for a day.

``[exchange]`` settles a rotation handover's time and place by level: a weekday's
entry beats ``school_day``/``non_school_day``, which beat the default. The answer
depends only on (school day?, weekday), so it is worked out once per run as a table
the engine reads at every handover.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from ..plan.model import ExchangeDefaults, TimeKeyword, Weekday
from .context import EngineContext

_WEEKDAY_KEYS = list(Weekday)

# table[school_day][weekday] = (time, place, place away from the bell); see exchange_table.
HandoverRule = tuple[time | TimeKeyword, str | None, str | None]
ExchangeTable = tuple[tuple[HandoverRule, ...], ...]


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


def off_bell_place(exchange: ExchangeDefaults, weekday: int) -> str | None:
    """The place of a handover on ``weekday`` that is not at the day's school bell.

    A place that goes with a school bell (the level deciding the day's time says
    ``dismissal`` or ``school_start``, typically ``school_day = { time = "dismissal",
    location = "school" }``) is only right at that bell: an override ending at 18:00 on
    a school day must not send the children to a closed school. Another rule's
    handover that names no place of its own then takes the place the rotation uses
    without school, from the levels not tied to a bell.
    """
    levels = [exchange.weekdays.get(_WEEKDAY_KEYS[weekday]), exchange.non_school_day]
    for level in levels:
        if level is not None and level.location and not isinstance(level.time, TimeKeyword):
            return level.location
    return exchange.location


def exchange_table(ctx: EngineContext, exchange: ExchangeDefaults) -> ExchangeTable:
    """``table[school_day][weekday]``: the rotation's (time, place) that day and the
    ``off_bell_place``, worked out once per run."""
    table = ctx.tables.get(id(exchange))
    if table is None or table[0] is not exchange:
        rows = tuple(_row(exchange, school_day) for school_day in (False, True))
        table = ctx.tables[id(exchange)] = (exchange, rows)
    return table[1]


def _row(exchange: ExchangeDefaults, school_day: bool) -> tuple[HandoverRule, ...]:
    """One row of the table; without weekday entries every weekday is the same (the
    usual plan, whose table is then made from one entry instead of seven)."""
    if not exchange.weekdays:
        return ((*exchange_for(exchange, school_day, 0), off_bell_place(exchange, 0)),) * 7
    return tuple(
        (*exchange_for(exchange, school_day, weekday), off_bell_place(exchange, weekday))
        for weekday in range(7)
    )
