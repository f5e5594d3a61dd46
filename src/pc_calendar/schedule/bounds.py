"""``from``/``until`` bounds of visits, seasons and holidays, as instants.

An occurrence belongs to a bounded rule when it starts inside the bounds; a bound never
cuts an occurrence short, so a holiday that has begun runs to its end.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from ..plan.bounds import Bounded
from .context import EngineContext

if TYPE_CHECKING:
    from .spans import ResolvedSpan


def rule_bounds(ctx: EngineContext, rule: Bounded, key: str) -> tuple[int, int] | None:
    """A bounded rule's ``[from, until)`` in POSIX seconds (None: not bounded)."""
    if rule.from_ is None and rule.until is None:
        return None
    lo, hi = -(2**62), 2**62
    if rule.from_ is not None:
        lo = ctx.instant(*_day_and_time(rule.from_), f"{key}.from")
    if rule.until is not None:
        hi = ctx.instant(*_day_and_time(rule.until), f"{key}.until")
    return lo, hi


def _day_and_time(value: date | datetime) -> tuple[date, time]:
    if isinstance(value, datetime):
        return value.date(), value.time()
    return value, time(0, 0)


def within(bounds: tuple[int, int] | None, start: int) -> bool:
    """Whether an occurrence starting at ``start`` belongs to a rule with ``bounds``."""
    return bounds is None or bounds[0] <= start < bounds[1]


def starts_within(
    ctx: EngineContext, bounds: tuple[int, int], spans: list[ResolvedSpan], first: date
) -> bool:
    """A holiday occurrence is in bounds by its span's start (its first day if unresolved)."""
    if spans:
        return within(bounds, int(spans[0].start.timestamp()))
    return within(bounds, ctx.instant(first, time(0, 0), "holiday occurrence"))
