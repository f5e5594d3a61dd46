"""Which version of a schedule is in force when: amendments as layers in time.

An amendment is not a copy of the plan: ``plan/amend.py`` makes the version of the
schedule after it, and this module finds the instant it takes over (its switch-over)
and paints each version over its own interval only, so a change effective at T never
alters anything before T. The versions of one schedule are a sorted list of start
instants; the version in force at any instant is one bisect away.

At the switch-over: if both versions give the children to the same parent at T, the
new version takes over at T and no handover is created or dropped. Otherwise the
change falls in someone's time, and the amendment's ``switch`` (or its default: a date
or day-based age trigger reads ``end_of_block``, a date-time or ``first_exchange_after``
reads ``at_effective``) decides: the previous version runs to its next handover, or
the new one takes over at T with one handover there (switchover.py). Every
switch-over is recorded for ``show --explain`` and the check's ``mid-block-switch``
warning. Over the range asked for, the versions are painted as their switch-overs are
found (ahead.py), and those paintings answer the questions of the switch-overs.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from ..errors import PlanError
from ..plan.amend import RuleKeys, SchedulePart, apply_amendment
from ..plan.model import Plan
from .ahead import PaintingAhead
from .context import EngineContext
from .layers import paint_schedule
from .painter import Painter
from .rotation_layer import local_date
from .season_spans import resolve_seasons
from .spans import resolve_holidays
from .switchover import Switchover, ahead_bounds, effective_instant, find_switchover
from .timeline import HolidayLabel
from .timeutil import local_midnight, to_seconds

BEFORE_ALL = -(2**62)
AFTER_ALL = 2**62
LABEL_REACH = 60 * 86400  # a holiday begun this long before the range may still be labelled


@dataclass(frozen=True)
class Version:
    """One version of a schedule, in force from ``start``.

    ``late`` marks a version that took over at the previous version's handover
    (``end_of_block``): that handover belongs to the previous version, its time and its
    place.
    """

    start: int
    part: SchedulePart
    amendment: int | None = None
    title: str | None = None
    late: bool = False


@dataclass
class VersionedSchedule:
    """The versions of one schedule for one set of amendments, sorted by start."""

    name: str
    versions: list[Version]
    switchovers: list[Switchover] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    # rule source -> title of the amendment that made it, for blocks (handovers.py)
    made_by: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    # id(version) -> its painting over its own interval, done while building (ahead.py)
    pieces: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.starts = [v.start for v in self.versions]

    def at(self, instant: int) -> Version:
        return self.versions[bisect_right(self.starts, instant) - 1]

    def part_at(self, instant: int) -> SchedulePart:
        return self.at(instant).part


def build_versions(
    ctx: EngineContext,
    plan: Plan,
    name: str,
    base: SchedulePart,
    indices: tuple[int, ...],
    children: tuple[str, ...] = (),
    painted: tuple[int, int] | None = None,
) -> VersionedSchedule:
    """The versions of schedule ``name`` after the amendments ``indices`` (file order).

    ``painted``: the instants ``[start, end)`` the versions will be painted over; each
    version is then painted as its switch-over is found (``ahead.py``), and
    ``paint_versions`` over that range uses those paintings.
    """
    versions = [Version(BEFORE_ALL, base)]
    switchovers: list[Switchover] = []
    ahead = PaintingAhead(ctx, *painted) if painted is not None else None
    untils, shares = ahead_bounds(ctx, plan, indices, ahead, base)
    for k, i in enumerate(indices):
        amendment = plan.amendments[i]
        title = amendment.title(i)
        previous = versions[-1]
        so_far = VersionedSchedule(name, list(versions))
        effective = effective_instant(ctx, plan, amendment, i, so_far, ahead)
        part, problems = apply_amendment(previous.part, amendment, i, local_date(ctx, effective))
        if problems:
            raise PlanError(None, problems)
        before = after = None
        if ahead is not None:
            before = ahead.through(previous, effective, so_far.part_at, shares[k])
            provisional = Version(effective, part)
            after = ahead.after(provisional, effective, untils[k], so_far.part_at, shares[k + 1])
        old = PaintingAhead.holder(before, effective)
        new_at = partial(PaintingAhead.holder, after)
        handover_after = partial(PaintingAhead.handover_after, before)
        switch = find_switchover(
            ctx, amendment, i, title, previous.part, part, effective, old, new_at, handover_after
        )
        switch = _clamped(switch, previous.start, name, children)
        switchovers.append(switch)
        late = switch.reading == "end_of_block" and switch.at > switch.effective
        version = Version(switch.at, part, i, title, late)
        if ahead is not None:
            if before is not None:
                ahead.settle(before, switch.at, so_far.part_at, shares[k])
            if after is not None:
                after.version = version
            ahead.keep(after, switch.at)
        if switch.at == previous.start and previous.amendment is not None:
            versions[-1] = version  # the earlier version is never in force
        else:
            versions.append(version)
    versioned = VersionedSchedule(name, versions, switchovers)
    if ahead is not None:
        ahead.finish(versions[-1])
        versioned.pieces = ahead.pieces
    return versioned


def _clamped(switch: Switchover, floor: int, name: str, children: tuple[str, ...]) -> Switchover:
    at = max(switch.at, floor)
    return Switchover(
        switch.amendment, switch.title, switch.kind, switch.effective, at, switch.reading,
        switch.chosen, switch.before, switch.after, switch.then, name, children,
    )  # fmt: skip


def paint_versions(
    ctx: EngineContext, versioned: VersionedSchedule, start: int, end: int
) -> tuple[Painter, list[HolidayLabel]]:
    """Each version painted over its own interval within ``[start, end)``, spliced."""
    versions = versioned.versions
    if len(versions) == 1:
        part = versions[0].part
        return paint_schedule(ctx, part.schedule, part.keys, start, end)
    keys: list[int] = []
    values: list = []
    labels: list[HolidayLabel] = []
    for k, version in enumerate(versions):
        own_end = versions[k + 1].start if k + 1 < len(versions) else AFTER_ALL
        a, b = max(start, version.start), min(end, own_end)
        if a >= b:
            if start - LABEL_REACH < own_end and version.start < end:
                labels += _labels_only(ctx, version, own_end, start, end)
            continue
        piece = versioned.pieces.get(id(version))
        if piece is not None and piece.version is version and (piece.start, piece.end) == (a, b):
            painter, found = piece.painter, piece.labels
        else:
            part = version.part
            painter, found = paint_schedule(
                ctx, part.schedule, part.keys, a, b, version_at=versioned.part_at
            )
        keys += painter.keys[:-1]
        values += painter.values[:-1]
        labels += _labels_begun(ctx, found, version.start, own_end)
    painter = Painter(start, end, values[0])
    painter.keys = [*keys, end]
    painter.values = [*values, None]
    return painter, labels


def _labels_only(
    ctx: EngineContext, version: Version, own_end: int, start: int, end: int
) -> list[HolidayLabel]:
    """Labels of a version in force just before the range: a holiday it began runs on."""
    first, last = local_date(ctx, start), local_date(ctx, end - 1)
    part = version.part
    with ctx.quiet():
        _, found = resolve_holidays(ctx, part.schedule, part.keys, start, end, first, last)
    return _labels_begun(ctx, found, version.start, own_end)


def version_spans(
    plan: Plan, part: SchedulePart, start: date, end: date, pm: Any = None
) -> tuple[list[Any], list[Any], list[Any]]:
    """Holiday spans, span notes and season spans of one version over local ``[start, end)``.

    For lint: the rules an amendment adds are checked like the plan's own.
    """
    ctx = EngineContext.build(plan, pm)
    lo = to_seconds(local_midnight(start, ctx.zone))
    hi = to_seconds(local_midnight(end, ctx.zone))
    last = date.fromordinal(end.toordinal() - 1)
    spans, _ = resolve_holidays(ctx, part.schedule, part.keys, lo, hi, start, last)
    seasons = resolve_seasons(ctx, part.schedule, part.keys, lo, hi, start, last)
    by_start = lambda s: (s.start, s.index, s.end)  # noqa: E731
    return (
        sorted(spans, key=by_start),
        list(ctx.notes),
        sorted((s for s, _ in seasons), key=by_start),
    )


def _labels_begun(
    ctx: EngineContext, labels: list[HolidayLabel], start: int, end: int
) -> list[HolidayLabel]:
    """The labels whose first day begins (its local midnight) in ``[start, end)``:
    compared as days, the first day beginning at or after each end worked out once."""
    lo, hi = _first_day_from(ctx, start), _first_day_from(ctx, end)
    return [
        label
        for label in labels
        if (lo is None or label.first >= lo) and (hi is None or label.first < hi)
    ]


def _first_day_from(ctx: EngineContext, instant: int) -> date | None:
    """The first local day whose midnight is at or after ``instant`` (None: no bound)."""
    if instant in (BEFORE_ALL, AFTER_ALL):
        return None
    day = local_date(ctx, instant)
    if to_seconds(local_midnight(day, ctx.zone)) < instant:
        day += timedelta(days=1)
    return day


__all__ = [
    "BEFORE_ALL",
    "RuleKeys",
    "Switchover",
    "Version",
    "VersionedSchedule",
    "build_versions",
    "paint_versions",
]
