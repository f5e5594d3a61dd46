"""Lint checks for plans that compute, but not what the coordinator probably meant.

A rotation anchored on a weekday that makes its pattern hand the children over in the
middle of a weekend (a 2-2-3 anchored on a Tuesday), a visit that never happens because
a season covers every day it would fall on (seasons replace the rotation and its
visits), and a child whose birth date lies ahead. All are legal, so they are
warnings that say what was probably meant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pluggy

from .. import plugins
from ..schedule import engine
from ..schedule.api import PatternContext
from ..schedule.school import SchoolDays
from ..schedule.spans import ResolvedSpan
from ..schedule.timeutil import local_instant
from .model import Plan, Rotation, TimeKeyword, Visit, Weekday
from .references import schedule_prefixes

Found = tuple[str, str, str]  # (code, key, message)

_PROBE_DAYS = 168  # long enough to see any cycle of up to 12 weeks repeat
_FRIDAY, _SATURDAY = 4, 5
_NAMES = [w.value.capitalize() for w in Weekday]


def _rotations(plan: Plan) -> Iterator[tuple[str, Rotation]]:
    for name, prefix in schedule_prefixes(plan):
        schedule = plan.schedule(name)
        if schedule.rotation is not None:
            yield f"{prefix}rotation", schedule.rotation
        for i, season in enumerate(schedule.seasons):
            if season.rotation is not None:
                yield f"{prefix}seasons[{i}].rotation", season.rotation


def _split_weekends(pattern: Any, rotation: Rotation, anchor: date) -> tuple[int, int] | None:
    """(weekends split, weekends in one cycle) with the cycle starting at ``anchor``.

    A weekend is split when Friday night and Saturday night go to different parents.
    None when the cycle is not whole weeks (its weekends drift, whatever the anchor).
    """
    ctx = PatternContext(anchor, rotation.options)
    slots = [pattern.slot_for(anchor + timedelta(days=d), ctx) for d in range(_PROBE_DAYS)]
    period = next(
        (
            p
            for p in range(1, _PROBE_DAYS // 2 + 1)
            if all(slots[i] == slots[i + p] for i in range(_PROBE_DAYS - p))
        ),
        None,
    )
    if period is None or period % 7:
        return None
    fridays = [d for d in range(period) if (anchor + timedelta(days=d)).weekday() == _FRIDAY]
    split = sum(1 for d in fridays if slots[d] != slots[d + 1])
    return split, len(fridays)


def anchor_weekdays(plan: Plan, pm: pluggy.PluginManager | None) -> Iterator[Found]:
    """Anchors on a weekday that splits more weekends than another weekday would.

    A one-week day string (``pattern = "days"`` with seven letters) names each weekday's
    night itself, so its split weekends are the plan's choice, not an anchor mistake
    (the step-up template's "Saturday night with the other parent" is one).
    """
    registry = plugins.patterns(pm)
    for key, rotation in _rotations(plan):
        pattern = registry.items.get(rotation.pattern)
        if rotation.anchor is None or pattern is None:
            continue
        if rotation.pattern == "days" and len(str(rotation.options.get("days", ""))) == 7:
            continue
        try:
            counts = {
                shift: _split_weekends(pattern, rotation, rotation.anchor - timedelta(days=shift))
                for shift in range(7)
            }
        except Exception:  # a plugin pattern that cannot be probed is not linted
            continue
        if any(c is None for c in counts.values()):
            continue
        split, weekends = counts[0]  # type: ignore[misc]
        best = min(c[0] for c in counts.values())  # type: ignore[index]
        if split <= best:
            continue
        shift = min(s for s, c in counts.items() if c[0] == best)  # type: ignore[index]
        meant = rotation.anchor - timedelta(days=shift)
        keeps = "keeps every weekend whole" if best == 0 else f"splits only {best}"
        yield (
            "anchor-weekday",
            f"{key}.anchor",
            f"anchor {rotation.anchor} is a {_NAMES[rotation.anchor.weekday()]}: with it, "
            f"pattern {rotation.pattern!r} splits {split} of every {weekends} weekends "
            "(Friday night with one parent, Saturday night with the other). Anchored on a "
            f"{_NAMES[meant.weekday()]} (anchor = {meant}) it {keeps}; if the split is "
            "intended, keep the anchor",
        )


def unborn_children(plan: Plan, today: date | None = None) -> Iterator[Found]:
    """A birth date after today: a plan made before a birth, or a mistyped year.

    Legal (the child joins the schedule at birth), so a warning that says what follows.
    """
    today = today or date.today()
    for i, child in enumerate(plan.children):
        if child.birth_date > today:
            yield (
                "birth-date-future",
                f"children[{i}].birth_date",
                f"{child.name} is born {child.birth_date}, after today: {child.name} has "
                "no custody time, calendar events or overnights before that day. If the "
                "child is already born, the year is probably mistyped",
            )


def hidden_visits(plan: Plan, pm: pluggy.PluginManager | None, years: list[int]) -> Iterator[Found]:
    """Visits whose every occurrence in ``years`` lies inside another parent's season."""
    if not years:
        return
    zone = ZoneInfo(plan.family.timezone)
    school = SchoolDays(plan.school)
    start, end = date(years[0], 1, 1), date(years[-1] + 1, 1, 1)
    for name, prefix in schedule_prefixes(plan):
        schedule = plan.schedule(name)
        if not schedule.visits or not schedule.seasons:
            continue
        seasons = engine.season_spans(plan, name, start, end, pm)
        for index, visit in enumerate(schedule.visits):
            found = _hidden(visit, seasons, school, zone, start, end)
            if found is None:
                continue
            count, season = found
            yield (
                "visit-hidden",
                f"{prefix}visits[{index}]",
                f"visit '{visit.name}' never happens in {years[0]}-{years[-1]}: each of its "
                f"{count} {visit.weekday.value}s falls inside a season (e.g. "
                f"'{season.rule.name}', {season.rule.source}), and a season replaces the "
                "rotation and its visits. If the visit should go on during the season, "
                "shorten the season or add those days as overrides; otherwise remove the "
                "visit",
            )


def _wall(spec: time | TimeKeyword, day: date, school: SchoolDays) -> time:
    if isinstance(spec, time):
        return spec
    return school.dismissal(day) if spec == TimeKeyword.dismissal else school.start(day)


def _hidden(
    visit: Visit,
    seasons: list[ResolvedSpan],
    school: SchoolDays,
    zone: ZoneInfo,
    start: date,
    end: date,
) -> tuple[int, ResolvedSpan] | None:
    """(occurrences, a season hiding them) if every occurrence is inside a season.

    None when one is not, when there are none, or when only seasons of the visiting
    parent hide them (that parent has the children anyway).
    """
    day = start + timedelta(days=(visit.weekday.index - start.weekday()) % 7)
    count, other = 0, None
    while day < end:
        in_term = school.in_term(day)
        wanted = visit.during == "always" or (visit.during == "school_term") == in_term
        if wanted:
            count += 1
            s: datetime = local_instant(day, _wall(visit.start, day, school), zone)[0]
            e: datetime = local_instant(day, visit.end, zone)[0]
            cover = next((sp for sp in seasons if sp.start <= s and e <= sp.end), None)
            if cover is None:
                return None
            if cover.parent != visit.parent and other is None:
                other = cover
        day += timedelta(days=7)
    return (count, other) if count and other is not None else None
