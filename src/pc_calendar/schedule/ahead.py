"""Versions painted while their switch-overs are found: who holds at T, read off them.

Each switch-over asks who has the children at its instant T under the version before
it (versions.py). Asked alone, that is a one-second strip painted aside, nearly as dear
as painting a year. But that version is painted over its own interval anyway, and its
interval reaches T: painted one second further, through T, the painting itself answers.
So the versions of a range are painted here in switch-over order, each through the
next one's T, and cut at the instant S the next one takes over (its painting goes on
to S when the previous version runs to its next handover). The holidays met at T are
kept for the question about the new version at T, so it resolves none either.

A version's painting must stay what it would have been alone, so the one second past
its interval must report nothing and the order of what is reported must not change:

- nothing is done ahead where a school day outside the listed terms could be noted
  (``SchoolDays.assumed`` names the first one asked, and the order of questions changes);
- a painting ahead that warns, or fails, is undone (warnings, notes, the guessed day)
  and the versions from it on are painted afterwards as before, by ``paint_versions``;
- a holder read off a holiday given to whoever does not hold the children
  (``not_in_possession``) is asked of a strip instead: the strip looks back under the
  same version, the painting under the version then in force.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from ..errors import PlanError
from ..plan.amend import SchedulePart
from .context import EngineContext
from .layers import Holder, keep_aside, paint_schedule
from .painter import Painter
from .rotation_layer import local_date

ENABLED = True  # off: every holder is asked of a strip painted aside (tests compare both)


@dataclass
class Piece:
    """One version painted over ``[start, end)``, its own interval within the range."""

    version: Any
    start: int
    end: int
    painter: Painter
    labels: list


@dataclass
class Pending:
    """A version painted through ``at`` (one second past where it may end)."""

    version: Any
    start: int
    at: int
    painter: Painter
    labels: list
    saved: tuple


class PaintingAhead:
    """The versions of one schedule over ``[start, end)``, painted as they are found."""

    def __init__(self, ctx: EngineContext, start: int, end: int) -> None:
        self.ctx, self.start, self.end = ctx, start, end
        self.pieces: dict[int, Piece] = {}  # id(version) -> its painting
        self.on = ENABLED and _no_guess(ctx, ctx.school.watch)

    def paint_through(self, version: Any, at: int, version_at: Holder) -> Pending | None:
        """``version`` (the last so far) painted from its start through ``at``, or None
        when that cannot be done without changing what the run reports."""
        ctx = self.ctx
        start = max(self.start, version.start)
        if not self.on or not start < at < self.end:
            return None
        day = local_date(ctx, at).toordinal()
        if not _no_guess(ctx, (day, day)):
            return None
        saved = _state(ctx)
        part: SchedulePart = version.part
        ctx.captured_holidays = []
        try:
            painter, labels = paint_schedule(
                ctx, part.schedule, part.keys, start, at + 1, version_at=version_at
            )
        except PlanError:
            return self._undo(saved)
        finally:
            captured, ctx.captured_holidays = ctx.captured_holidays, None
        if _reported(ctx, saved):
            return self._undo(saved)
        if captured and captured[0][:2] == (start, at + 1):
            _, _, schedule, keys, spans = captured[0]
            keep_aside(ctx, schedule, keys, at, at + 1, _at(spans, at))
        return Pending(version, start, at, painter, labels, saved)

    def holder(self, pending: Pending) -> str | None:
        """Who holds at ``pending.at`` under its version (None: ask a strip)."""
        value = pending.painter.value_at(pending.at)
        if value.rule.layer == "holiday" and _not_in_possession(pending.version.part, value):
            return None
        return value.parent

    def settle(self, pending: Pending, switch_at: int, version_at: Holder) -> None:
        """Cut ``pending`` where the next version takes over (``switch_at``), painting on
        from ``at + 1`` when the previous version runs to its next handover."""
        end = min(switch_at, self.end)
        painter = pending.painter
        if end > pending.at + 1:
            ctx, part = self.ctx, pending.version.part
            saved = _state(ctx)
            try:
                tail, labels = paint_schedule(
                    ctx, part.schedule, part.keys, pending.at + 1, end, version_at=version_at
                )
            except PlanError:
                self._undo(pending.saved)
                return
            if _reported(ctx, saved):
                self._undo(pending.saved)
                return
            painter = _joined(painter, tail)
            pending.labels = pending.labels + labels
        else:
            painter = _cut(painter, end)
        version = pending.version
        self.pieces[id(version)] = Piece(version, pending.start, end, painter, pending.labels)

    def _undo(self, saved: tuple) -> None:
        """Forget what a painting ahead reported; the rest is painted as before."""
        ctx = self.ctx
        warnings, seen, notes, assumed = saved
        ctx.warnings[:] = warnings
        ctx._seen.clear()
        ctx._seen.update(seen)
        ctx.notes[:] = notes
        ctx.school.assumed = assumed
        self.on = False
        return None


def _state(ctx: EngineContext) -> tuple:
    return list(ctx.warnings), set(ctx._seen), list(ctx.notes), ctx.school.assumed


def _reported(ctx: EngineContext, saved: tuple) -> bool:
    """Whether anything was warned or guessed since ``saved`` (notes are for lint,
    which paints no versions)."""
    return len(ctx.warnings) != len(saved[0]) or ctx.school.assumed is not saved[3]


def _no_guess(ctx: EngineContext, days: tuple[int, int]) -> bool:
    """Whether asking about the school days ``days`` (ordinals) cannot note a guess."""
    school = ctx.school
    if school.assumed is not None:
        return True  # only the first guess is noted
    coverage = school.coverage
    if coverage is None:
        return True  # no terms listed: nothing is a guess
    lo, hi = days
    return lo > hi or (coverage[0].toordinal() <= lo and hi <= coverage[1].toordinal())


def _not_in_possession(part: SchedulePart, value: Any) -> bool:
    """Whether ``value`` was painted by a holiday of ``part`` given by who does not hold."""
    try:
        holiday = part.schedule.holidays[part.keys.holidays.index(value.rule.source)]
    except ValueError:
        return True  # not one of this version's own: ask the strip
    return holiday.assign is not None and holiday.assign.not_in_possession


def _at(spans: list, at: int) -> list:
    """The spans a strip over ``[at, at + 1)`` resolves: every piece of each occurrence
    (a split holiday's two halves) whose span covers ``at``."""
    reach: dict[tuple, tuple[int, int]] = {}
    for span in spans:
        key = (span.index, span.occurrence)
        s, e = int(span.start.timestamp()), int(span.end.timestamp())
        lo, hi = reach.get(key, (s, e))
        reach[key] = (min(lo, s), max(hi, e))
    return [
        span for span in spans if (lohi := reach[(span.index, span.occurrence)])[0] <= at < lohi[1]
    ]


def _cut(painter: Painter, end: int) -> Painter:
    """``painter`` up to ``end`` (inside it)."""
    i = bisect_left(painter.keys, end)
    cut = Painter.__new__(Painter)
    cut.keys = [*painter.keys[:i], end]
    cut.values = [*painter.values[:i], None]
    return cut


def _joined(first: Painter, then: Painter) -> Painter:
    """Two painters, ``then`` starting where ``first`` ends, as one."""
    joined = Painter.__new__(Painter)
    joined.keys = first.keys[:-1] + then.keys
    joined.values = first.values[:-1] + then.values
    return joined


__all__ = ["ENABLED", "PaintingAhead", "Pending", "Piece"]
