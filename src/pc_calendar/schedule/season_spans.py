"""Season occurrences resolved to UTC spans (what the season layer paints, lint checks).

A season names its dates each year (month-days) or once (dates); the spans are the
occurrences overlapping the range, in file order. Holidays are resolved in spans.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..plan.amend import RuleKeys
from ..plan.model import MonthDay, Schedule, Season
from .bounds import rule_bounds, within
from .context import EngineContext, plan_error
from .spans import ResolvedSpan, local_text
from .timeline import Rule
from .timeutil import from_seconds


def _season_dates(season: Season, years: range) -> list[tuple[date, date]]:
    if isinstance(season.start, date):
        return [(season.start, season.end)]  # type: ignore[list-item]
    assert isinstance(season.start, MonthDay) and isinstance(season.end, MonthDay)
    out = []
    for year in years:
        first = season.start.in_year(year)
        last = season.end.in_year(year)
        if last < first:
            last = season.end.in_year(year + 1)
        out.append((first, last))
    return out


def resolve_seasons(
    ctx: EngineContext,
    schedule: Schedule,
    keys: RuleKeys,
    start: int,
    end: int,
    first: date,
    last: date,
) -> list[tuple[ResolvedSpan, Season]]:
    """Every season occurrence overlapping ``[start, end)``, in file order."""
    found: list[tuple[ResolvedSpan, Season]] = []
    years = range(first.year - 1, last.year + 1)
    after, before = last + timedelta(days=1), first - timedelta(days=1)
    for index, season in enumerate(schedule.seasons):
        key = keys.item("seasons", index)
        bounds = rule_bounds(ctx, season, key)
        rule: Rule | None = None  # made for the first occurrence near the range
        for day_from, day_to in _season_dates(season, years):
            if day_from > after or day_to < before:
                continue
            s = ctx.instant_of(day_from, season.start_time, key, season.name, "start")
            e = ctx.instant_of(day_to, season.end_time, key, season.name, "end")
            if e <= s:
                raise plan_error(
                    key,
                    f"'{season.name}' from {day_from} ends "
                    f"({local_text(e, ctx)}) before it starts ({local_text(s, ctx)})",
                )
            if e <= start or s >= end or not within(bounds, s):
                continue
            parent = season.assign.parent_for(day_from.year) if season.assign else None
            if season.assign is not None and parent is None:
                raise plan_error(f"{key}.assign", "expected parent, or even_years and odd_years")
            if parent is not None:
                ctx.check_parent(parent, f"{key}.assign")
            rule = rule or _season_rule(season, key)
            span = ResolvedSpan(rule, index, from_seconds(s), from_seconds(e), parent, 0)
            found.append((span, season))
    return found


def _season_rule(season: Season, key: str) -> Rule:
    """The Rule of a season's spans (made only for an occurrence near the range)."""
    rotation = season.rotation
    citation = season.citation or (rotation.citation if rotation else None)
    return Rule("season", season.name, key, citation)
