"""Where each amendment takes over: its instant T, who holds there, and S.

``versions.py`` builds the versions of a schedule; this module answers its questions
about one switch-over. Who holds at T under the version before and the one after is
read off the versions painted ahead (``ahead.py``) where they were, and asked of a
strip painted aside under one version alone otherwise (before the range, after it,
or where painting ahead could change what the run reports).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import TYPE_CHECKING

from ..errors import PlanError
from ..plan.amend import SchedulePart, school_year_start
from ..plan.amendments import AgeTrigger, Amendment
from ..plan.model import Plan
from . import ahead
from .ahead import PaintingAhead, no_guess
from .context import EngineContext, plan_error
from .layers import paint_schedule
from .painter import Painter
from .rotation_layer import local_date

if TYPE_CHECKING:
    from .versions import VersionedSchedule

DAY = 86400
SEARCH_WINDOWS = (8 * DAY, 64 * DAY, 400 * DAY)  # how far to look for the next handover


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


def effective_instant(
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


def find_switchover(
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
    reading = amendment.switch or _default_reading(amendment)
    if ahead.ENABLED and old is None and reading == "end_of_block" and new_at(effective) is None:
        strips = _first_window(ctx, before, after, effective)
        if strips is not None:  # one strip per version answers every question
            old = strips[0].values[0].parent
            handover_after = partial(_first_change, strips[0])
            new_at = partial(_holder_on, strips[1])
    if old is None:
        old = holder_at(ctx, before, effective)
    new = new_at(effective) or holder_at(ctx, after, effective)
    if old == new:
        return Switchover(index, title, kind, effective, effective, None, False, old, new, new)
    chosen = amendment.switch is not None
    at, then = effective, new
    if reading == "end_of_block":
        found = handover_after(effective) or next_handover(ctx, before, effective)
        if found is None:  # no handover within a year to wait for: hand over at T
            reading, chosen = "at_effective", False
        else:
            at, then = found, new_at(found) or holder_at(ctx, after, found)
    return Switchover(index, title, kind, effective, at, reading, chosen, old, new, then)


def _first_window(
    ctx: EngineContext, before: SchedulePart, after: SchedulePart, at: int
) -> tuple[Painter, Painter] | None:
    """Each version painted aside over the first window a next handover is looked for
    in (where no painting ahead reaches, as after the range): who holds at ``at``, the
    previous version's next handover and who holds then under the new one, read off
    two strips rather than four. None where a longer strip could note a guessed school
    day, or fails (the short strips then answer, as they would have)."""
    end = at + SEARCH_WINDOWS[0]
    if not no_guess(ctx, (local_date(ctx, at).toordinal(), local_date(ctx, end - 1).toordinal())):
        return None
    try:
        return _painted_aside(ctx, before, at, end), _painted_aside(ctx, after, at, end)
    except PlanError:
        return None


def _first_change(strip: Painter, at: int) -> int | None:
    """The first change of parent after ``at`` on ``strip``, which starts there, as
    ``next_handover``'s first window finds it (None: look further)."""
    if at != strip.start:
        return None
    first = strip.values[0].parent
    for key, value in zip(strip.keys[1:-1], strip.values[1:-1], strict=True):
        if value.parent != first:
            return key
    return None


def _holder_on(strip: Painter, at: int) -> str | None:
    """Who holds at ``at`` on ``strip``, if it covers ``at``."""
    return strip.value_at(at).parent if strip.start <= at < strip.end else None


def ahead_bounds(
    ctx: EngineContext,
    plan: Plan,
    indices: tuple[int, ...],
    ahead: PaintingAhead | None,
    base: SchedulePart,
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
                at = effective_instant(ctx, plan, plan.amendments[i], i, None, start_only=True)
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
    changes: list[int] = []  # the amendments after which the holiday layer may differ
    rotation = base.schedule.rotation
    pair = tuple(rotation.parents) if rotation is not None and rotation.parents else None
    for j, i in enumerate(indices):
        amendment = plan.amendments[i]
        before, pair = pair, _parents_after(pair, amendment)
        removed = amendment.remove is not None and bool(amendment.remove.holidays)
        if pair != before or amendment.holidays or removed:
            changes.append(j)
    shares: list[int | None] = []
    for k in range(n + 1):
        later = next((j for j in changes if j >= k), None)
        shares.append(end if later is None else reach(later, 2 * search))
    return untils, shares


def _parents_after(pair: tuple | None, amendment: Amendment) -> tuple | None:
    """The rotation's parents after ``amendment``, as ``plan.amend`` sets them (a split
    holiday's second half goes to the other one, so the holiday layer depends on them).
    Only a guess of what layer a version may share: the layer kept is checked anyway."""
    change = amendment.rotation
    if change is None:
        return pair
    if "parents" in change.model_fields_set:
        return tuple(change.parents) if change.parents else None
    return None if change.pattern is not None else pair


def _default_reading(amendment: Amendment) -> str:
    """A date-time names the instant; a day (or a day-based age trigger) does not."""
    effective = amendment.effective
    if isinstance(effective, datetime):
        return "at_effective"
    if isinstance(effective, AgeTrigger) and effective.at == "first_exchange_after":
        return "at_effective"
    return "end_of_block"
