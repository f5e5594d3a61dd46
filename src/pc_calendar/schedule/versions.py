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
the new one takes over at T with one handover there. Every switch-over is recorded for
``show --explain`` and the check's ``mid-block-switch`` warning.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from typing import Any

from ..errors import PlanError
from ..plan.amend import RuleKeys, SchedulePart, apply_amendment, school_year_start
from ..plan.amendments import AgeTrigger, Amendment
from ..plan.model import Plan
from .ahead import PaintingAhead
from .context import EngineContext, plan_error
from .layers import paint_schedule
from .painter import Painter
from .rotation_layer import local_date
from .season_spans import resolve_seasons
from .spans import resolve_holidays
from .timeline import HolidayLabel
from .timeutil import local_midnight, to_seconds

BEFORE_ALL = -(2**62)
AFTER_ALL = 2**62
DAY = 86400
SEARCH_WINDOWS = (8 * DAY, 64 * DAY, 400 * DAY)  # how far to look for the next handover
LABEL_REACH = 60 * DAY  # a holiday begun this long before the range may still be labelled


@dataclass(frozen=True)
class Switchover:
    """Where one amendment takes over from the version before it, and how."""

    amendment: int
    title: str
    kind: str
    effective: int  # T, POSIX seconds
    at: int  # S >= T: the instant the new version is in force
    reading: str | None  # None: same parent at T, nothing to read
    chosen: bool  # the plan's ``switch`` chose the reading
    before: str | None = None  # who has the children at T before the change ...
    after: str | None = None  # ... and who under the new version
    then: str | None = None  # who the new version names at ``at`` (end_of_block)
    schedule: str = "default"
    children: tuple[str, ...] = ()


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

    def handover_version(self, instant: int) -> Version:
        """The version whose exchange settings place a handover at ``instant``."""
        version = self.at(instant)
        if version.late and version.start == instant:
            return self.at(instant - 1)
        return version


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
    untils, shares = _ahead_bounds(ctx, plan, indices, ahead)
    for k, i in enumerate(indices):
        amendment = plan.amendments[i]
        title = amendment.title(i)
        previous = versions[-1]
        so_far = VersionedSchedule(name, list(versions))
        effective = _effective(ctx, plan, amendment, i, so_far, ahead)
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
        switch = _switchover(
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


def _effective(
    ctx: EngineContext,
    plan: Plan,
    amendment: Amendment,
    index: int,
    so_far: VersionedSchedule | None,
    painted: PaintingAhead | None = None,
    start_only: bool = False,
) -> int:
    """T: the instant ``amendment`` takes effect, in POSIX seconds.

    ``painted``: the versions painted ahead, to read the first handover off;
    ``start_only``: for ``first_exchange_after``, the instant the search starts at.
    """
    effective = amendment.effective
    key = f"amendments[{index}].effective"
    if isinstance(effective, datetime):
        return ctx.instant(effective.date(), effective.time(), key)
    if isinstance(effective, date):
        return ctx.instant(effective, time(0, 0), key)
    child = next((c for c in plan.children if c.id == effective.child), None)
    if child is None:
        raise plan_error(f"{key}.child", f"unknown child {effective.child!r}")
    day = effective.reached_on(child.birth_date)
    if effective.at == "school_year_start":
        day = _school_year_start(plan, day, key)
    start = ctx.instant(day, time(0, 0), key)
    if effective.at != "first_exchange_after" or start_only:
        return start
    assert so_far is not None
    part = so_far.part_at(start)
    found = painted.handover_after(painted.painting_of(part), start) if painted else None
    found = found or next_handover(ctx, part, start)
    if found is None:
        raise plan_error(
            f"{key}.at", f"no handover within a year after {day}: nothing to take effect at"
        )
    return found


def _school_year_start(plan: Plan, day: date, key: str) -> date:
    """The first day of the first school year starting on or after ``day``."""
    found = school_year_start(plan, day)
    if found is None:
        raise plan_error(
            f"{key}.at",
            f"no school year starts on or after {day} in the listed [school] terms; "
            "add that school year's terms",
        )
    return found


def holder_at(ctx: EngineContext, part: SchedulePart, at: int) -> str:
    """Who has the children at ``at`` under one version alone (below overrides)."""
    return _painted_aside(ctx, part, at, at + 1).values[0].parent


def next_handover(ctx: EngineContext, part: SchedulePart, after: int) -> int | None:
    """The first change of parent after ``after`` under one version alone."""
    for window in SEARCH_WINDOWS:
        painter = _painted_aside(ctx, part, after, after + window)
        first = painter.values[0].parent
        for at, value in zip(painter.keys[1:-1], painter.values[1:-1], strict=True):
            if value.parent != first:
                return at
    return None


def _painted_aside(ctx: EngineContext, part: SchedulePart, start: int, end: int) -> Painter:
    """``[start, end)`` painted under one version alone, only to read who holds when.

    Nothing it meets is reported, and the school days it watches for guesses are its
    own: a version may be asked about an instant outside the time it is in force, so
    the guesses its holidays' school snaps make elsewhere are not the timeline's (the
    timeline's own painting reports those it makes). Watching only its own days also
    lets it skip the snaps of occurrences far from it, which made each of these
    one-second strips cost as much as a year of the timeline.
    """
    school = ctx.school
    saved = school.watch, ctx.aside
    school.watch = (local_date(ctx, start).toordinal(), local_date(ctx, end - 1).toordinal())
    ctx.aside = True
    try:
        with ctx.quiet():
            painter, _ = paint_schedule(ctx, part.schedule, part.keys, start, end)
    finally:
        school.watch, ctx.aside = saved
    return painter


def _switchover(
    ctx: EngineContext,
    amendment: Amendment,
    index: int,
    title: str,
    before: SchedulePart,
    after: SchedulePart,
    effective: int,
    old: str | None = None,
    new_at: Callable[[int], str | None] = lambda at: None,
    handover_after: Callable[[int], int | None] = lambda at: None,
) -> Switchover:
    """S, the instant the new version takes over, and the reading that gave it.

    ``old``: who holds at T under ``before``, ``new_at``: who holds when under
    ``after``, and ``handover_after``: the first handover after T under ``before``,
    when their paintings have told (ahead.py; None: strips are asked).
    """
    kind = amendment.kind
    if old is None:
        old = holder_at(ctx, before, effective)
    new = new_at(effective) or holder_at(ctx, after, effective)
    if old == new:
        return Switchover(index, title, kind, effective, effective, None, False, old, new, new)
    chosen = amendment.switch is not None
    reading = amendment.switch or _default_reading(amendment)
    at, then = effective, new
    if reading == "end_of_block":
        found = handover_after(effective) or next_handover(ctx, before, effective)
        if found is None:  # no handover within a year to wait for: hand over at T
            reading, chosen = "at_effective", False
        else:
            at, then = found, new_at(found) or holder_at(ctx, after, found)
    return Switchover(index, title, kind, effective, at, reading, chosen, old, new, then)


def _ahead_bounds(
    ctx: EngineContext, plan: Plan, indices: tuple[int, ...], ahead: PaintingAhead | None
) -> tuple[list[int | None], list[int | None]]:
    """For each version painted ahead (ahead.py), how far: through the next amendment's
    instant and the first days after it, where a next handover is looked for (for
    ``first_exchange_after``, twice that from the day the search starts), or to the end
    after the last one; and how far its holiday layer serves: to the next amendment
    that may change the holidays or the rotation's parents. None: not known, when an
    instant cannot be found yet. ``untils[k]``: the version after ``indices[k]``;
    ``shares[k]``: the version before it."""
    n = len(indices)
    if ahead is None or not ahead.on:
        return [None] * n, [None] * (n + 1)
    starts: list[int | None] = []
    for i in indices:
        try:
            with ctx.quiet():  # it warns when its turn comes
                at = _effective(ctx, plan, plan.amendments[i], i, None, start_only=True)
            starts.append(at)
        except PlanError:
            starts.append(None)
    end, search = ahead.end, SEARCH_WINDOWS[0]

    def reach(j: int, days: int) -> int | None:
        at = starts[j]
        return None if at is None else min(at + days + 1, end)

    untils: list[int | None] = []
    for k in range(n):
        if k + 1 == n:
            untils.append(end)
            continue
        trigger = plan.amendments[indices[k + 1]].effective
        first_exchange = isinstance(trigger, AgeTrigger) and trigger.at == "first_exchange_after"
        untils.append(reach(k + 1, 2 * search if first_exchange else search))
    shares: list[int | None] = []
    for k in range(n + 1):
        later = [j for j in range(k, n) if _may_change_holidays(plan.amendments[indices[j]])]
        shares.append(reach(later[0], 2 * search) if later else end)
    return untils, shares


def _may_change_holidays(amendment: Amendment) -> bool:
    """Whether the holiday layer may differ after ``amendment``: its holidays, or the
    rotation's parents (a split's second half goes to the other one)."""
    removed = amendment.remove is not None and bool(amendment.remove.holidays)
    return amendment.rotation is not None or bool(amendment.holidays) or removed


def _default_reading(amendment: Amendment) -> str:
    """A date-time names the instant; a day (or a day-based age trigger) does not."""
    effective = amendment.effective
    if isinstance(effective, datetime):
        return "at_effective"
    if isinstance(effective, AgeTrigger) and effective.at == "first_exchange_after":
        return "at_effective"
    return "end_of_block"


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
        labels += [
            label for label in found if version.start <= _first_instant(ctx, label) < own_end
        ]
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
    return [label for label in found if version.start <= _first_instant(ctx, label) < own_end]


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


def _first_instant(ctx: EngineContext, label: HolidayLabel) -> int:
    return to_seconds(local_midnight(label.first, ctx.zone))


__all__ = [
    "BEFORE_ALL",
    "RuleKeys",
    "Switchover",
    "Version",
    "VersionedSchedule",
    "build_versions",
    "paint_versions",
]
