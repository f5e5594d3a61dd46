"""The plan-side helpers every exchange operation shares: where the log is, the zone,
place names, and the Timeline around a date range (``compute`` is injectable so tests
can pass hand-built Timelines)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..plan.model import Plan
from ..schedule.timeline import Exchange, Timeline
from .lookup import local_of
from .store import default_db_path

Compute = Callable[[Plan, date, date], Timeline]


def engine_timeline(plan: Plan, start: date, end: date, pm: Any = None) -> Timeline:
    """The schedule engine's Timeline for ``[start, end)``."""
    from ..schedule.engine import compute_timeline

    return compute_timeline(plan, start, end, pm=pm)


def db_path_for(plan: Plan, db: Path | None) -> Path:
    return db if db is not None else default_db_path(plan.family.id)


def zone_of(plan: Plan) -> ZoneInfo:
    return ZoneInfo(plan.family.timezone)


def location_names(plan: Plan) -> dict[str, str]:
    """Location id -> the name people read (``[locations.ID] name = ...``)."""
    return {key: loc.name for key, loc in plan.locations.items()}


def timeline_around(plan: Plan, start: date, end: date, compute: Compute) -> Timeline:
    """A Timeline one day wider than ``[start, end)`` so boundary exchanges are seen."""
    return compute(plan, start - timedelta(days=1), end + timedelta(days=1))


def exchanges_in(timeline: Timeline, start: date, end: date) -> list[Exchange]:
    """Merged exchanges whose local date is in ``[start, end)``."""
    return [
        ex
        for ex in timeline.merged_exchanges()
        if start <= local_of(ex, timeline.zone).date() < end
    ]
