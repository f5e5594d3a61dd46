"""Holiday and season occurrences resolved to UTC spans.

A holiday's span is written relative to the date rule's occurrence (``SpanEdge``):
shift by days, snap to a weekday, snap to a school day, or name a fixed month-day.
These spans are what the engine paints and what lint compares, so both see the same
instants.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from ..plan.amend import RuleKeys
from ..plan.model import Holiday, Schedule
from ..plan.model import Rotation as RotationModel
from . import school_gaps
from .api import Occurrence
from .bounds import rule_bounds, starts_within
from .context import EngineContext, key_of, plan_error
from .span_edges import Snap, edge_days, midpoint_day, month_day_after, out_of_sight
from .timeline import HolidayLabel, Rule, new_label
from .timeutil import from_seconds

MAX_SNAP_DAYS = 21  # a school snap moving further than this is probably off the calendar
LONG_SPAN_DAYS = 30  # a holiday longer than this is more likely a mistake than a holiday
NEAR_DAYS = timedelta(days=2)  # a span's days this close to the range are resolved


@dataclass(frozen=True)
class ResolvedSpan:
    """One painted span: ``parent`` (None: label or rotation season) from start to end.

    ``start_location``/``end_location`` are the places of the handovers into and out
    of the span (None: the fallback of ``ExchangeDefaults``). ``not_in_possession``
    marks a span whose parent is decided when painting, as the one who would not
    have the children at ``start`` (``parent`` is then None here).
    """

    rule: Rule
    index: int
    start: datetime
    end: datetime
    parent: str | None
    priority: int
    start_location: str | None = None
    end_location: str | None = None
    not_in_possession: bool = False
    occurrence: date | None = None  # first day of the holiday occurrence (None: a season)


_new = object.__new__
_set = object.__setattr__


def _new_span(
    rule: Rule,
    index: int,
    start: datetime,
    end: datetime,
    parent: str | None,
    priority: int,
    start_location: str | None,
    end_location: str | None,
    not_in_possession: bool,
    occurrence: date | None,
) -> ResolvedSpan:
    """``ResolvedSpan(...)`` with every field given, without the frozen ``__init__``
    (every holiday occurrence near the range makes one or two, every run)."""
    span = _new(ResolvedSpan)
    _set(span, "__dict__", {
        "rule": rule, "index": index, "start": start, "end": end, "parent": parent,
        "priority": priority, "start_location": start_location, "end_location": end_location,
        "not_in_possession": not_in_possession, "occurrence": occurrence,
    })  # fmt: skip
    return span


assert [f.name for f in fields(ResolvedSpan)] == list(_new_span.__code__.co_varnames[:10])


@dataclass(frozen=True)
class SpanNote:
    """Something about a resolved span the coordinator should look at (for lint)."""

    code: str
    key: str
    message: str


def other_parent(ctx: EngineContext, rotation: RotationModel | None, parent: str) -> str:
    """The other one of the two rotation parents (for the second half of a split)."""
    pair = (rotation.parents if rotation and rotation.parents else ctx.plan.parent_ids)[:2]
    return next((p for p in pair if p != parent), parent)


def local_text(seconds: int, ctx: EngineContext) -> str:
    """An instant as the family reads it, for messages."""
    return f"{from_seconds(seconds).astimezone(ctx.zone):%Y-%m-%d %H:%M}"


def _facts(
    ctx: EngineContext, holiday: Holiday, key: str
) -> tuple[dict[str, Any], timedelta | None, bool, Hashable]:
    """A holiday's date-rule options, reach (``_reach``), whether its rule reads the
    school calendar, and the options' key (``context.key_of``), worked out once a run
    (the versions of an amended plan, and each switch-over's short strip, ask again).
    An unknown rule is a PlanError at ``key``."""
    known = ctx.holiday_facts.get(id(holiday))
    if known is not None and known[0] is holiday:
        return known[1]
    options = dict(holiday.date)
    name = options.pop("rule", None)
    rule = ctx.date_rules.items.get(name)  # (the registry's dict: every holiday asks)
    if rule is None:
        known_rules = ", ".join(ctx.date_rules.names()) or "none registered"
        message = f"unknown date rule {name!r} (known: {known_rules})"
        raise plan_error(f"{key}.date.rule", message)
    school = school_gaps.uses_school_calendar(rule)
    facts = (options, _reach(holiday), school, key_of(options))
    ctx.holiday_facts[id(holiday)] = (holiday, facts)
    return facts


def resolve_holidays(
    ctx: EngineContext,
    schedule: Schedule,
    keys: RuleKeys,
    start: int,
    end: int,
    first: date,
    last: date,
) -> tuple[list[ResolvedSpan], list[HolidayLabel]]:
    """Spans of every holiday overlapping ``[start, end)`` and labels of those in the dates.

    ``first``/``last`` are the local dates of the range (``last`` included).
    """
    spans: list[ResolvedSpan] = []
    labels: list[HolidayLabel] = []
    years = range(first.year - 1, last.year + 2)
    # Days an occurrence's span must reach to be resolved to instants (see _holiday_span).
    near = (from_seconds(start).date() - NEAR_DAYS, from_seconds(end).date() + NEAR_DAYS)
    watch = ctx.school.watch
    # Days where resolving an occurrence could show: near the range, or watched.
    seen = (min(near[0].toordinal(), watch[0]), max(near[1].toordinal(), watch[1]))
    parents = ctx.plan.parents
    occurrences = ctx.occurrences
    for index, holiday, key, name, options, reach, uses_school, options_key in _holidays(
        ctx, schedule, keys
    ):
        rule: Rule | None = None  # made for the first occurrence resolved (most are not)
        found = occurrences(name, options, years, options_key)
        bounded = holiday.from_ is not None or holiday.until is not None
        bounds = rule_bounds(ctx, holiday, key) if bounded else None
        if uses_school:
            school_gaps.warn_missing_years(ctx, holiday, key, found, first, last)
        if reach is not None:
            latest, earliest = last + reach, first - reach
        assign = holiday.assign
        for occ in found:
            if reach is not None:
                if occ.first > latest or occ.last < earliest:
                    continue  # its span cannot come near the range: skip resolving its edges
            elif bounds is None and out_of_sight(ctx, holiday, occ, seen, first, last):
                continue
            parent = assign.parent_for(occ.first.year) if assign else None
            if parent is not None and parent not in parents:
                ctx.check_parent(parent, f"{key}.assign")  # raises: an unknown parent
            if rule is None:
                rule = Rule("holiday", holiday.name, key, holiday.citation)
            found_spans = _holiday_span(
                ctx, schedule, holiday, key, rule, index, occ, parent, start, end, near
            )
            if bounds is not None and not starts_within(ctx, bounds, found_spans, occ.first):
                continue
            if occ.first <= last and occ.last >= first:
                halves = found_spans if len(found_spans) == 2 else None
                labels.append(
                    new_label(
                        holiday.name,
                        occ.first,
                        occ.last,
                        parent,
                        rule,
                        halves[1].start if halves else None,
                        halves[1].parent if halves else None,
                        bool(holiday.assign is not None and holiday.assign.not_in_possession),
                    )
                )
            spans.extend(found_spans)
    return spans, labels


def _holidays(ctx: EngineContext, schedule: Schedule, keys: RuleKeys) -> list[tuple]:
    """(index, holiday, key, date rule, options, reach, reads the school calendar, the
    options' key) of
    each holiday of ``schedule``, worked out once a run: an amended plan paints a strip
    per version and a one-second strip per switch-over question, each asking again."""
    known = ctx.schedule_holidays.get(id(schedule))
    if known is not None and known[0] is schedule and known[1] is keys:
        return known[2]
    found = []
    for index, holiday in enumerate(schedule.holidays):
        key = keys.holidays[index]
        options, reach, uses_school, options_key = _facts(ctx, holiday, key)
        rule = holiday.date["rule"]
        found.append((index, holiday, key, rule, options, reach, uses_school, options_key))
    ctx.schedule_holidays[id(schedule)] = (schedule, keys, found)
    return found


def _reach(holiday: Holiday) -> timedelta | None:
    """How far a span can reach from its occurrence, when edges are day shifts only.

    A shift of ``days``, a weekday snap (at most 6 days) and a day of slack for the
    UTC date of an instant; None when an edge snaps to the school calendar or names a
    month-day, whose reach has no small bound.
    """
    first, last = holiday.start, holiday.end
    if first.school is not None or first.month_day is not None:
        return None
    if last.school is not None or last.month_day is not None:
        return None
    return timedelta(days=max(abs(first.days), abs(last.days)) + 10)


def _holiday_span(
    ctx: EngineContext,
    schedule: Schedule,
    holiday: Holiday,
    key: str,
    rule: Rule,
    index: int,
    occ: Occurrence,
    parent: str | None,
    start: int,
    end: int,
    near: tuple[date, date],
) -> list[ResolvedSpan]:
    """The span (or two split halves) of one occurrence, if it overlaps the range.

    ``near``: the UTC dates of the range's ends, widened by ``NEAR_DAYS``.
    """
    first_day, last_day, snapped = edge_days(ctx, holiday, occ)
    # Resolve instants only for occurrences near the range (DST warnings stay relevant).
    if first_day > near[1] or last_day < near[0]:
        return []
    snaps = list(snapped)
    s = ctx.instant_of(first_day, holiday.start.time, key, holiday.name, "start")
    e = ctx.instant_of(last_day, holiday.end.time, key, holiday.name, "end")
    if e <= s:
        raise plan_error(
            key,
            f"the span of '{holiday.name}' for {occ.first} ends "
            f"({local_text(e, ctx)}) before it starts ({local_text(s, ctx)}); "
            "check start and end",
        )
    if e <= start or s >= end:
        return []
    where = holiday.location
    start_place = holiday.start.location or where
    end_place = holiday.end.location or where
    relative = holiday.assign is not None and holiday.assign.not_in_possession
    pieces = [(s, e, parent, start_place, end_place)]
    if holiday.split is not None and parent is not None:
        split_day = (
            midpoint_day(first_day, last_day)
            if holiday.split.midpoint
            else month_day_after(
                ctx, holiday.split, occ.first, first_day, is_start=True, snaps=snaps, name="split"
            )
        )
        cut = ctx.instant_of(split_day, holiday.split.time, key, holiday.name, "split")
        if not s < cut < e:
            raise plan_error(
                f"{key}.split",
                f"the split of '{holiday.name}' for {occ.first} "
                f"({local_text(cut, ctx)}) is not inside its span "
                f"({local_text(s, ctx)} to {local_text(e, ctx)})",
            )
        second = other_parent(ctx, schedule.rotation, parent)
        cut_place = holiday.split.location or where
        pieces = [(s, cut, parent, start_place, cut_place), (cut, e, second, cut_place, end_place)]
    if snaps:
        _note_snaps(ctx, holiday, key, occ, snaps)
    if e - s > LONG_SPAN_DAYS * 86400:
        ctx.notes.append(
            SpanNote(
                "long-holiday",
                key,
                f"'{holiday.name}' for {occ.first} runs {local_text(s, ctx)} to "
                f"{local_text(e, ctx)}, more than {LONG_SPAN_DAYS} days; check its start and "
                "end (a season may "
                "say this better)",
            )
        )
    return [
        _new_span(
            rule,
            index,
            from_seconds(a),
            from_seconds(b),
            who,
            holiday.priority,
            p,
            q,
            relative,
            occ.first,
        )
        for a, b, who, p, q in pieces
    ]


def _note_snaps(
    ctx: EngineContext, holiday: Holiday, key: str, occ: Occurrence, snaps: list[Snap]
) -> None:
    """Warn about school snaps that failed or moved suspiciously far (past the calendar)."""
    for snap in snaps:
        edge = getattr(holiday, snap.edge)
        school_gaps.warn_snap_past_calendar(ctx, holiday, key, occ, snap.edge, snap.day)
        if snap.to is None:
            message = (
                f"{key}.{snap.edge} ('{holiday.name}' for {occ.first}): no school day "
                f"within a year of {snap.day}; {edge.school} ignored"
            )
        elif abs((snap.to - snap.day).days) > MAX_SNAP_DAYS:
            message = (
                f"{key}.{snap.edge} ('{holiday.name}' for {occ.first}): {edge.school} "
                f"moves from {snap.day} to {snap.to}, {abs((snap.to - snap.day).days)} days "
                f"away; check that [school] lists the terms and breaks around {snap.day}"
            )
        else:
            continue
        ctx.warn(message)
        ctx.notes.append(SpanNote("school-snap", f"{key}.{snap.edge}.school", message))
