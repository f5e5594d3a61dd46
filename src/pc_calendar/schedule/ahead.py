"""Versions painted while their switch-overs are found: who holds when, read off them.

Each switch-over asks who has the children at its instant T under the version before
it and the one after (switchover.py), and, when the previous version runs to its next
handover, where that is. Asked alone, each is a strip painted aside, nearly as dear as
painting a year. But each version is painted over its own interval anyway, and those
intervals meet at T. So the versions of a range are painted here in switch-over order,
each from its instant through the next one's and the days after it where a next
handover is looked for, and cut where the next version takes over; the questions are
read off these paintings, which are the versions' paintings in the timeline.

A version's painting must stay what it would have been alone, so what it reports must
not change, nor the order of it:

- nothing is painted ahead where a school day outside the listed terms could be noted
  (``SchoolDays.assumed`` names the first one asked, and the order of questions changes);
- a painting ahead that warns, or fails, is undone (warnings, notes, the guessed day)
  and that version and those after it are painted afterwards, as before, by
  ``paint_versions``; so every painting kept reported nothing;
- an answer that hangs on a holiday given to whoever does not hold the children
  (``not_in_possession``) is asked of a strip instead: the strip looks back under its
  own version, the painting under the version in force then.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from ..errors import PlanError
from ..plan.amend import SchedulePart
from .context import EngineContext
from .holiday_window import HolidayWindow, holidays_key
from .layers import Holder, keep_aside, paint_schedule, resolved_label
from .painter import Painter
from .rotation_layer import local_date
from .timeutil import from_seconds

ENABLED = True  # off: every question is asked of a short strip painted aside, as before
# (tests compare both)
SEARCH = 8 * 86400  # the first window a strip looks for a next handover in (versions.py)


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
    """A version painted over ``[start, end)`` ahead of knowing where it ends: through
    the instant the next version may take over, or from the instant it may itself."""

    version: Any
    start: int
    end: int
    painter: Painter
    # (holiday spans, labels as resolved, not-in-possession parents) of each painting
    layers: list[tuple[list, list, dict]]

    @property
    def spans(self) -> list:
        return self.layers[0][0]


class PaintingAhead:
    """The versions of one schedule over ``[start, end)``, painted as they are found."""

    def __init__(self, ctx: EngineContext, start: int, end: int) -> None:
        self.ctx, self.start, self.end = ctx, start, end
        self.pieces: dict[int, Piece] = {}  # id(version) -> its painting
        self.on = ENABLED and no_guess(ctx, ctx.school.watch)
        self.next: Pending | None = None  # the newest version, painted from its instant
        self.windows: dict[tuple, HolidayWindow] = {}  # holidays_key -> layer kept

    def through(
        self, version: Any, at: int, version_at: Holder, share: int | None = None
    ) -> Pending | None:
        """``version`` (the last so far) painted from its start through ``at``, or None
        when that cannot be done without changing what the run reports."""
        ahead, self.next = self.next, None
        start = max(self.start, version.start)
        if ahead is not None and ahead.version is version and at >= self.end == ahead.end:
            self._store(ahead)  # it ends after the range: painted to its end
            return None
        if not self.on or not start < at < self.end or not self._clear(at):
            return None
        if ahead is not None and ahead.version is version and ahead.start == start < at < ahead.end:
            pending: Pending | None = ahead
        else:
            pending = self._paint(version, start, at + 1, version_at, share)
        if pending is not None:
            part = version.part
            keep_aside(self.ctx, part.schedule, part.keys, at, at + 1, _at(pending.spans, at))
        return pending

    def after(
        self,
        version: Any,
        at: int,
        until: int | None,
        version_at: Holder,
        share: int | None = None,
    ) -> Pending | None:
        """The new ``version`` painted from ``at``, where it may take over, to ``until``:
        through the next switch-over's instant, or the end (None: do not paint)."""
        if until is None or not self.on or not self.start <= at < until <= self.end:
            return None
        if not self._clear(at):
            return None
        return self._paint(version, at, until, version_at, share)

    def painting_of(self, part: SchedulePart) -> Pending | None:
        """The newest version's painting ahead, if it is ``part``'s."""
        ahead = self.next
        return ahead if ahead is not None and ahead.version.part is part else None

    @staticmethod
    def handover_after(pending: Pending | None, at: int) -> int | None:
        """The first change of parent after ``at`` under ``pending``'s version, if it
        lies in the first window a strip would search (None: ask the strips)."""
        if pending is None or not pending.start <= at < at + SEARCH <= pending.end:
            return None
        keys, values = pending.painter.keys, pending.painter.values
        part = pending.version.part
        i = bisect_right(keys, at) - 1
        first = values[i]
        for k in range(i, len(keys) - 1):
            if k > i and keys[k] >= at + SEARCH:
                break
            value = values[k]
            if value.rule.layer == "holiday" and _not_in_possession(part, value):
                return None
            if value.parent != first.parent:
                return keys[k]
        return None

    @staticmethod
    def holder(pending: Pending | None, at: int) -> str | None:
        """Who holds at ``at`` under ``pending``'s version (None: ask a strip)."""
        if pending is None or not pending.start <= at < pending.end:
            return None
        value = pending.painter.value_at(at)
        if value.rule.layer == "holiday" and _not_in_possession(pending.version.part, value):
            return None
        return value.parent

    def settle(
        self, pending: Pending, switch_at: int, version_at: Holder, share: int | None = None
    ) -> None:
        """Cut the previous version's ``pending`` where the next one takes over
        (``switch_at``), painting on from ``pending.end`` when it runs to its next
        handover."""
        end = min(switch_at, self.end)
        painter = pending.painter
        if end > pending.end:
            tail = self._paint(pending.version, pending.end, end, version_at, share)
            if tail is None:
                return
            painter = _joined(painter, tail.painter)
            pending.layers = pending.layers + tail.layers
        else:
            painter = _cut(painter, end)
        pending.painter, pending.end = painter, end
        self._store(pending)

    def keep(self, pending: Pending | None, switch_at: int) -> None:
        """Keep the new version's painting for the next switch-over, from ``switch_at``
        where it takes over; dropped if a not-in-possession holiday began before that
        (the painting from ``switch_at`` would look back under the previous version)."""
        if pending is None or not pending.start <= switch_at < pending.end:
            return
        if switch_at > pending.start:
            if any(
                span.not_in_possession and pending.start <= int(span.start.timestamp()) < switch_at
                for span in pending.spans
            ):
                return
            pending.painter = _from(pending.painter, switch_at)
            pending.start = switch_at
        self.next = pending

    def finish(self, version: Any) -> None:
        """The last version's painting, if painted to the end."""
        pending, self.next = self.next, None
        if pending is not None and pending.version is version and pending.end == self.end:
            self._store(pending)

    def _store(self, pending: Pending) -> None:
        version, start, end = pending.version, pending.start, pending.end
        labels = _labels(pending.layers, start, end)
        self.pieces[id(version)] = Piece(version, start, end, pending.painter, labels)

    def _window(self, part: SchedulePart, start: int, share: int, end: int) -> HolidayWindow:
        """The holiday layer kept for ``part``'s holidays, resolved anew from ``start``
        to ``share`` unless the one kept covers ``[start, end)``."""
        key = holidays_key(part.schedule, part.keys)
        window = self.windows.get(key)
        if window is None or not window.serves(part.schedule, part.keys, start, end):
            window = self.windows[key] = HolidayWindow(
                self.ctx, part.schedule, part.keys, start, min(share, self.end)
            )
        return window

    def _clear(self, at: int) -> bool:
        """Whether a strip at ``at`` would note no guessed school day (so skipping it
        changes nothing)."""
        day = local_date(self.ctx, at).toordinal()
        return no_guess(self.ctx, (day, day))

    def _paint(
        self, version: Any, start: int, end: int, version_at: Holder, share: int | None = None
    ) -> Pending | None:
        """``version`` painted over ``[start, end)``; None, with nothing reported, if
        that reports or fails: it is then painted afterwards, with the versions after it
        (each painting ahead reports nothing, so the order of what is reported holds)."""
        ctx = self.ctx
        saved = _state(ctx)
        part: SchedulePart = version.part
        ctx.captured_holidays = []
        try:
            if share is not None and share >= end:
                ctx.shared_holidays = self._window(part, start, share, end)
            painter, _ = paint_schedule(
                ctx, part.schedule, part.keys, start, end, version_at=version_at
            )
        except PlanError:
            painter = None
        finally:
            captured, ctx.captured_holidays = ctx.captured_holidays, None
            ctx.shared_holidays = None
        if painter is None or _reported(ctx, saved):
            _restore(ctx, saved)
            self.on = False  # (painting twice is not worth trying again)
            return None
        layer = next((c[2:] for c in reversed(captured) if c[:2] == (start, end)), None)
        if layer is None:  # (every painting keeps its layer: not expected)
            self.on = False
            return None
        return Pending(version, start, end, painter, [layer])


def _restore(ctx: EngineContext, saved: tuple) -> None:
    """Forget what was reported since ``saved``."""
    warnings, seen, notes, assumed = saved
    ctx.warnings[:] = warnings
    ctx._seen.clear()
    ctx._seen.update(seen)
    ctx.notes[:] = notes
    ctx.school.assumed = assumed


def _state(ctx: EngineContext) -> tuple:
    return list(ctx.warnings), set(ctx._seen), list(ctx.notes), ctx.school.assumed


def _reported(ctx: EngineContext, saved: tuple) -> bool:
    """Whether anything was warned or guessed since ``saved`` (notes are for lint,
    which paints no versions)."""
    return len(ctx.warnings) != len(saved[0]) or ctx.school.assumed is not saved[3]


def no_guess(ctx: EngineContext, days: tuple[int, int]) -> bool:
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


def _labels(layers: list[tuple[list, list, dict]], start: int, end: int) -> list:
    """The labels of a version painted over ``[start, end)`` in one go, from paintings
    reaching further: a not-in-possession holiday's label names the parent chosen for
    it only when its span lies in ``[start, end)`` (as ``layers._paint_layers`` does)."""
    found = dict.fromkeys(label for _, labels, _ in layers for label in labels)
    chosen: dict = {}
    lo, hi = from_seconds(start), from_seconds(end)
    for spans, _, picked in layers:
        if picked:
            for span in spans:
                key = (span.rule.source, span.occurrence)
                if key in picked and span.start < hi and span.end > lo:
                    chosen[key] = picked[key]
    return [resolved_label(label, chosen) for label in found] if chosen else list(found)


def _at(spans: list, at: int) -> list:
    """The spans a strip over ``[at, at + 1)`` resolves: every piece of each occurrence
    (a split holiday's two halves, which meet) whose span covers ``at``."""
    moment = from_seconds(at)
    covering = {(s.index, s.occurrence) for s in spans if s.start <= moment < s.end}
    if not covering:
        return []
    return [span for span in spans if (span.index, span.occurrence) in covering]


def _cut(painter: Painter, end: int) -> Painter:
    """``painter`` up to ``end`` (inside it)."""
    i = bisect_left(painter.keys, end)
    cut = Painter.__new__(Painter)
    cut.keys = [*painter.keys[:i], end]
    cut.values = [*painter.values[:i], None]
    return cut


def _from(painter: Painter, start: int) -> Painter:
    """``painter`` from ``start`` (inside it)."""
    i = bisect_right(painter.keys, start) - 1
    cut = Painter.__new__(Painter)
    cut.keys = [start, *painter.keys[i + 1 :]]
    cut.values = painter.values[i:]
    return cut


def _joined(first: Painter, then: Painter) -> Painter:
    """Two painters, ``then`` starting where ``first`` ends, as one."""
    joined = Painter.__new__(Painter)
    joined.keys = first.keys[:-1] + then.keys
    joined.values = first.values[:-1] + then.values
    return joined


__all__ = ["ENABLED", "PaintingAhead", "Pending", "Piece"]
