"""The days a holiday span runs: its edges resolved against one occurrence.

An edge (``SpanEdge``) is written relative to the date rule's occurrence: shift by
days, snap to a weekday, snap to a school day, or name a fixed month-day. School snaps
are recorded so the caller can warn about far or failed ones for the occurrences it
actually uses. The days are pure in the occurrence, so each is worked out once a run;
and where they can fall is bounded without asking the school calendar
(``edge_window``), so an occurrence that cannot show is not resolved at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..plan.model import Holiday, SpanEdge
from .api import Occurrence
from .context import EngineContext
from .school import SEARCH_LIMIT, SchoolDays


@dataclass
class Snap:
    """A school snap made while resolving one edge: from ``day`` to ``to`` (None: none)."""

    edge: str
    day: date
    to: date | None


def edge_day(
    ctx: EngineContext,
    edge: SpanEdge,
    ref: date,
    *,
    is_start: bool,
    year_shift: int = 0,
    snaps: list[Snap] | None = None,
    name: str = "",
) -> date:
    """The day an edge names: month-day or ``ref``, shifted, then weekday/school snapped.

    School snaps are recorded in ``snaps`` (when given) so the caller can warn about
    far or failed ones for the occurrences it actually uses.
    """
    day = edge.month_day.in_year(ref.year + year_shift) if edge.month_day else ref
    day = _shifted(edge, day, is_start)
    if edge.school is not None:
        if edge.school == "last_school_day_before":
            snapped = ctx.school.last_school_day_before(day)
        else:
            snapped = ctx.school.first_school_day_after(day)
            if snapped is not None and edge.school == "day_before_school_resumes":
                snapped -= timedelta(days=1)
        if snaps is not None:
            snaps.append(Snap(name, day, snapped))
        if snapped is not None:
            day = snapped
    return day


def _shifted(edge: SpanEdge, day: date, is_start: bool) -> date:
    """``day`` shifted by the edge's days, then snapped to its weekday (no school snap)."""
    if edge.days:
        day += timedelta(days=edge.days)
    if edge.weekday is not None:
        target = edge.weekday.index
        if is_start:
            day -= timedelta(days=(day.weekday() - target) % 7)
        else:
            day += timedelta(days=(target - day.weekday()) % 7)
    return day


def edge_window(
    edge: SpanEdge,
    ref: date,
    *,
    is_start: bool,
    school: SchoolDays | None = None,
    floor: int | None = None,
) -> tuple[int, int]:
    """Ordinals between which the edge's day falls, and every day its school snap asks
    about: worked out without walking the school calendar.

    An occurrence whose windows lie far from the range need not be resolved at all
    (``out_of_sight``), so a window may be wider than the days the edge can take, never
    narrower. A weekday snap moves up to six days; a month-day may take the year before
    or after (``start_day``, ``month_day_after``); a school snap looks up to
    ``SEARCH_LIMIT`` days back (``last_school_day_before``) or forward (the other two).
    ``school`` and ``floor`` narrow it (see ``_unsnapped`` and ``_snap_reach``).
    """
    if school is not None:
        days = _unsnapped(edge, ref, is_start=is_start, exact=True, floor=floor)
        return _snap_reach(edge, days, school)
    if edge.month_day is None:  # (_unsnapped and _snap_reach written out: asked often)
        lo = hi = ref.toordinal() + edge.days
        if edge.weekday is not None:  # at most six days back (a start) or on (an end)
            lo, hi = (lo - 6, hi) if is_start else (lo, hi + 6)
    else:
        years = range(ref.year - 1 if is_start else ref.year, ref.year + 2)
        days = [_shifted(edge, edge.month_day.in_year(year), is_start) for year in years]
        lo, hi = min(days).toordinal(), max(days).toordinal()
    if edge.school == "last_school_day_before":
        lo -= SEARCH_LIMIT
    elif edge.school is not None:
        hi += SEARCH_LIMIT
    return lo, hi


def _unsnapped(
    edge: SpanEdge, ref: date, *, is_start: bool, exact: bool, floor: int | None = None
) -> tuple[int, int]:
    """Ordinals between which the edge's day falls before any school snap.

    ``exact``: a start's month-day takes the year ``start_day`` picks, rather than any
    of three. ``floor`` (the earliest day the start can take, school snap included): an
    end's month-day without a school snap skips the year whose day falls before it, as
    ``month_day_after`` does (asking the school calendar nothing about that year).
    """
    if edge.month_day is None:
        lo = hi = ref.toordinal() + edge.days
        if edge.weekday is not None:  # at most six days back (a start) or on (an end)
            lo, hi = (lo - 6, hi) if is_start else (lo, hi + 6)
        return lo, hi
    years = range(ref.year - 1 if is_start else ref.year, ref.year + 2)
    if exact and is_start:
        year = ref.year + _year_shift(edge, ref)
        years = range(year, year + 1)
    month_day = edge.month_day
    days = [_shifted(edge, month_day.in_year(year), is_start).toordinal() for year in years]
    if floor is not None and not is_start and edge.school is None and days[0] < floor:
        del days[0]  # before the start's earliest day: the next year is taken
    return min(days), max(days)


def _snap_reach(
    edge: SpanEdge,
    days: tuple[int, int],
    school: SchoolDays | None,
    seen: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """``days`` widened by the days the edge's school snap may ask about from them.

    Up to ``SEARCH_LIMIT`` days; with ``school``, only as far as a school day found next
    to them (``SchoolDays.school_day_near``; one short of the ``seen`` days will do),
    where every walk from them stops. Next year's Christmas, snapped to the last school
    day before it, then reaches back days rather than into this year's range, and need
    not be resolved (nor the school days around it tabled).
    """
    lo, hi = days
    if edge.school == "last_school_day_before":
        enough = seen[1] if seen is not None else None
        found = school.school_day_near(lo - 1, -1, enough) if school is not None else None
        lo = lo - SEARCH_LIMIT if found is None else found
    elif edge.school is not None:
        enough = seen[0] if seen is not None else None
        found = school.school_day_near(hi + 1, 1, enough) if school is not None else None
        hi = hi + SEARCH_LIMIT if found is None else found
    return lo, hi


def _year_shift(edge: SpanEdge, ref: date) -> int:
    """The year (-1, 0 or 1 from ``ref``'s) whose month-day is nearest ``ref``."""
    month_day = edge.month_day
    assert month_day is not None
    return min((-1, 0, 1), key=lambda k: abs((month_day.in_year(ref.year + k) - ref).days))


def out_of_sight(
    ctx: EngineContext,
    holiday: Holiday,
    occ: Occurrence,
    seen: tuple[int, int],
    first: date,
    last: date,
) -> bool:
    """Whether resolving an occurrence whose edges snap to the school calendar or name a
    month-day would show nowhere, so ``spans.resolve_holidays`` can skip it (a snap
    walks over many days).

    It would not when it is labelled (it falls in the dates ``first..last``), when its
    span could reach the ``seen`` days (the range's near days and the watched days),
    or when a school snap of either edge could ask about a seen day (a guessed school
    day there is warned about, see ``SchoolDays.assumed``).
    """
    if occ.first <= last and occ.last >= first:
        return False
    lo, hi = seen
    # The windows depend on the occurrence alone: worked out once a run (an amended
    # plan's strips ask about the same occurrences again and again).
    key = (id(holiday), occ.first, occ.last)
    known = ctx.edge_windows.get(key)
    if known is None or known[0] is not holiday:
        start_window = edge_window(holiday.start, occ.first, is_start=True)
        end_window = edge_window(holiday.end, occ.last, is_start=False)
        known = ctx.edge_windows[key] = (holiday, start_window, end_window, False)
    if not _meets(known, lo, hi):
        return known[2][1] < lo or known[1][0] > hi
    if known[3]:
        return False
    # A school snap's year-long reach may be all that meets the seen days: narrowed by
    # the school days near the edges, step by step (each step costs more than the one
    # before, and most occurrences meeting the seen days really do).
    start, end = holiday.start, holiday.end
    start_days = _unsnapped(start, occ.first, is_start=True, exact=True)
    if start_days[0] <= hi and start_days[1] >= lo:
        return False
    start_window = _snap_reach(start, start_days, ctx.school, seen)
    if start_window[0] <= hi and start_window[1] >= lo:
        return False
    end_days = _unsnapped(end, occ.last, is_start=False, exact=True, floor=start_window[0])
    if end_days[0] <= hi and end_days[1] >= lo:
        return False
    known = (holiday, start_window, _snap_reach(end, end_days, ctx.school, seen), True)
    ctx.edge_windows[key] = known
    if _meets(known, lo, hi):
        return False
    return known[2][1] < lo or known[1][0] > hi


def _meets(windows: tuple, lo: int, hi: int) -> bool:
    """Whether the start's or the end's window (``windows[1:3]``) meets ``lo..hi``."""
    (start_lo, start_hi), (end_lo, end_hi) = windows[1], windows[2]
    return start_lo <= hi and start_hi >= lo or end_lo <= hi and end_hi >= lo


def start_day(
    ctx: EngineContext, edge: SpanEdge, ref: date, snaps: list[Snap] | None = None
) -> date:
    """A start edge's day; a month-day takes the year that puts it nearest ``ref``.

    So a New Year's Day span may start on "12-31" of the year before.
    """
    if edge.month_day is None:
        return edge_day(ctx, edge, ref, is_start=True, snaps=snaps, name="start")
    shift = _year_shift(edge, ref)
    return edge_day(ctx, edge, ref, is_start=True, year_shift=shift, snaps=snaps, name="start")


def month_day_after(
    ctx: EngineContext,
    edge: SpanEdge,
    ref: date,
    floor: date,
    *,
    is_start: bool,
    snaps: list[Snap],
    name: str,
) -> date:
    """An edge day; a month-day falling before ``floor`` moves to the next year."""
    found: list[Snap] = []
    day = edge_day(ctx, edge, ref, is_start=is_start, snaps=found, name=name)
    if edge.month_day is not None and day < floor:
        found.clear()
        day = edge_day(ctx, edge, ref, is_start=is_start, year_shift=1, snaps=found, name=name)
    snaps.extend(found)
    return day


def midpoint_day(first: date, last: date) -> date:
    """The middle day of a span from day ``first`` to day ``last`` (``split.midpoint``).

    first + floor((last - first) / 2): for an odd number of days between them the
    earlier of the two middle days, so the first half is never the longer in days.
    """
    return first + timedelta(days=(last - first).days // 2)


def edge_days(
    ctx: EngineContext, holiday: Holiday, occ: Occurrence
) -> tuple[date, date, tuple[Snap, ...]]:
    """The first and last day of an occurrence's span, and the school snaps made.

    Worked out once a run per holiday and occurrence: the versions of an amended plan
    share their holidays, and each switch-over paints a short strip asking again.
    """
    memo_key = (id(holiday), occ.first, occ.last)  # (no dataclass __hash__ to call)
    known = ctx.edge_days.get(memo_key)
    if known is not None and known[0] is holiday:
        return known[1]
    snaps: list[Snap] = []
    start, end = holiday.start, holiday.end
    # An edge shifted by days or to a weekday alone (most are) asks nothing else.
    if start.month_day is None and start.school is None:
        first_day = _shifted(start, occ.first, True)
    else:
        first_day = start_day(ctx, start, occ.first, snaps)
    if end.month_day is None and end.school is None:
        last_day = _shifted(end, occ.last, False)
    else:
        last_day = month_day_after(
            ctx, end, occ.last, first_day, is_start=False, snaps=snaps, name="end"
        )
    found = (first_day, last_day, tuple(snaps) if snaps else ())
    ctx.edge_days[memo_key] = (holiday, found)
    return found
