"""The school calendar as the engine asks about it: is this a school day, in term?

Exchange times ("dismissal" on school days, 18:00 otherwise), term-only visits and
holiday spans snapped to the last school day all depend on these answers, so they are
answered in one place. Lookups are bisects over merged date intervals, because the
engine asks once per day over up to eighteen years.

Conventions (documented in the plan reference):
- without a ``[school]`` table, or with no ``terms`` listed, every weekday outside the
  listed breaks is a school day and in term;
- a day inside a listed break is never a school day; it is out of term only when the
  break is a vacation, i.e. it covers at least ``VACATION_WEEKDAYS`` weekdays (a school
  week). A holiday Monday, an in-service Friday or a two-day fall break is a day off
  *inside* the term: "Thursday evenings during the school term" still happen on a
  Thursday that is a one-day holiday, while spring break and winter break are not term;
- weekends are never school days, but are in term when they fall inside a term;
- before the first listed term and after the last one the calendar is unknown, so the
  no-terms rule applies there (a plan listing one school year must not make every
  later year a holiday); ``assumed`` then records that this happened, so the engine
  can warn that the school calendar needs extending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import date, time
from itertools import chain, compress, repeat
from operator import and_, attrgetter, ge, le

from ..plan.model import DateRange, School
from .api import SchoolBreak

_new = object.__new__
_set = object.__setattr__
assert [f.name for f in fields(SchoolBreak)] == ["name", "first", "last"]  # as built below

_START, _END, _NAME = attrgetter("start"), attrgetter("end"), attrgetter("name")
SEARCH_LIMIT = 366  # days to look for the next/previous school day
VACATION_WEEKDAYS = 5  # a break covering a school week or more takes its days out of term
NEAR_LOOK = 14  # days ``school_day_near`` looks through for a school day


def _joined(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(first, last) pairs sorted by first, with overlapping or touching ones merged."""
    runs: list[tuple[int, int]] = []
    for first, last in pairs:
        if runs and first <= runs[-1][1] + 1:
            if last > runs[-1][1]:
                runs[-1] = (runs[-1][0], last)
        else:
            runs.append((first, last))
    return runs


def _weekdays(first: int, last: int) -> int:
    """Weekdays among the ordinals ``first..last`` (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(last, 7)  # the ordinals 1..last
    before, rest_before = divmod(first - 1, 7)  # the ordinals 1..first - 1
    return weeks * 5 + min(rest, 5) - before * 5 - min(rest_before, 5)


def _is_vacation(first: int, last: int) -> bool:
    """Whether the days ``first..last`` hold a school week (``VACATION_WEEKDAYS``).

    Any seven days in a row hold five weekdays and fewer days than that number cannot,
    so most breaks need no counting (a plan lists dozens of breaks).
    """
    days = last - first + 1
    if days // 7 * 5 >= VACATION_WEEKDAYS:
        return True
    return days >= VACATION_WEEKDAYS and _weekdays(first, last) >= VACATION_WEEKDAYS


# Flags of a day in SchoolDays' table, and the byte maps that set them (bytes.translate).
IN_TERM, SCHOOL_DAY, GUESSED, WEEKEND = 1, 2, 4, 8
CHUNK_BITS = 9
CHUNK_DAYS, CHUNK_MASK = 1 << CHUNK_BITS, (1 << CHUNK_BITS) - 1
_FIRST_DAY, _LAST_DAY = date.min.toordinal(), date.max.toordinal()


def _byte_map(change: Callable[[int], int]) -> bytes:
    return bytes(change(flags) & 0xFF for flags in range(256))


_TERM_DAY = IN_TERM | SCHOOL_DAY  # until weekends and breaks are taken out
_ALL_TERM_DAYS = bytes([_TERM_DAY]) * CHUNK_DAYS
_ALL_GUESSED = bytes([_TERM_DAY | GUESSED]) * CHUNK_DAYS
_SET_TERM_DAY = _byte_map(lambda f: f | _TERM_DAY)
_WEEKEND = _byte_map(lambda f: (f & ~SCHOOL_DAY) | WEEKEND)
_NO_SCHOOL = _byte_map(lambda f: f & ~SCHOOL_DAY)
_VACATION = _byte_map(lambda f: f & ~_TERM_DAY)
_ONLY_SCHOOL = _byte_map(lambda f: 1 if f & SCHOOL_DAY else 0)


def _read(ranges: Sequence[DateRange]) -> tuple[list[date], list[date]]:
    """First and last days of listed ranges, in listed order."""
    return list(map(_START, ranges)), list(map(_END, ranges))


def _overlapping(
    starts: list[date], ends: list[date], first: int, last: int
) -> list[tuple[int, int]]:
    """(first, last) ordinals of the listed ranges meeting the days ``first..last``.

    Every run looks through every listed range (a plan lists dozens) for the days it
    tables: with C-level maps rather than a sorted index, which would cost every run
    a sort of them all.
    """
    lo, hi = _day(first), _day(last)
    meets = map(and_, map(le, starts, repeat(hi)), map(ge, ends, repeat(lo)))
    hits = compress(zip(starts, ends, strict=True), meets)
    return [(a.toordinal(), b.toordinal()) for a, b in hits]


def _day(ordinal: int) -> date:
    return date.fromordinal(min(max(ordinal, _FIRST_DAY), _LAST_DAY))


def _change(flags: bytearray, lo: int, hi: int, change: bytes) -> None:
    """Apply the byte map ``change`` to ``flags[lo:hi]`` (clipped to the chunk)."""
    lo, hi = max(lo, 0), min(hi, len(flags))
    if lo < hi:
        flags[lo:hi] = flags[lo:hi].translate(change)


class SchoolDays:
    """Answers school-calendar questions for one plan's ``[school]`` table (or none).

    Nothing is read from the calendar until a question needs it, and then only the
    days asked about are tabled (``_chunk``): a run over a short range asks about a
    few hundred days of a calendar listing eighteen years.
    """

    def __init__(self, school: School | None) -> None:
        self.school = school if school is not None else School()
        self.has_terms = bool(self.school.terms)
        self._dismissal, self._start = self.school.dismissal, self.school.start
        self._listed: tuple[list[date], list[date], list[date], list[date]] | None = None
        self._term_span: tuple[int, int] = (0, 0)  # ordinals of coverage (read with _listed)
        self._known: tuple[tuple[date, date] | None] | None = None  # (known,) once asked
        self._chunks: dict[int, bytearray] = {}  # ordinal >> CHUNK_BITS -> day flags
        self._window: tuple[int, int, list, list] = (0, -1, [], [])  # see _near
        self._named: dict[str, list[tuple[date, date]]] = {}  # folded name -> break days
        self.assumed: date | None = None  # a watched day outside the listed terms was asked
        self.watch: tuple[int, int] = (_FIRST_DAY, _LAST_DAY)

    def _calendar(self) -> tuple[list[date], list[date], list[date], list[date]]:
        """(term starts, term ends, break starts, break ends) as listed, read once."""
        if self._listed is None:
            self._listed = (*_read(self.school.terms), *_read(self.school.breaks))
            if self.has_terms:
                first, last = min(self._listed[0]), max(self._listed[1])
                self._term_span = (first.toordinal(), last.toordinal())
        return self._listed

    @property
    def coverage(self) -> tuple[date, date] | None:
        """First and last day of the listed terms (None when no terms are listed)."""
        if not self.has_terms:
            return None
        self._calendar()
        return date.fromordinal(self._term_span[0]), date.fromordinal(self._term_span[1])

    @property
    def known(self) -> tuple[date, date] | None:
        """First and last day the listed terms and breaks describe (None: nothing listed).

        Outside these days the calendar is a guess; holidays found from it (a
        ``school_break`` date rule, a school snap) warn rather than vanish silently.
        """
        if self._known is None:
            term_starts, term_ends, break_starts, break_ends = self._calendar()
            if not term_starts and not break_starts:
                self._known = (None,)
            else:
                first = min(chain(term_starts, break_starts))
                self._known = ((first, max(chain(term_ends, break_ends))),)
        return self._known[0]

    def in_term(self, day: date) -> bool:
        """Inside a listed term (any day when none are listed) and not in a vacation.

        A short break (fewer than ``VACATION_WEEKDAYS`` weekdays) stays in term: it is a
        day off, not the end of the term. ``is_school_day`` answers the other question.
        """
        ordinal = day.toordinal()
        chunk = self._chunks.get(ordinal >> CHUNK_BITS) or self._chunk(ordinal)
        flags = chunk[ordinal & CHUNK_MASK]
        if flags & GUESSED and self.assumed is None:
            self._guessed(ordinal)
        return flags & IN_TERM != 0

    def is_school_day(self, day: date) -> bool:
        """A weekday in term that is not inside any listed break."""
        ordinal = day.toordinal()
        chunk = self._chunks.get(ordinal >> CHUNK_BITS) or self._chunk(ordinal)
        flags = chunk[ordinal & CHUNK_MASK]
        if flags & GUESSED and self.assumed is None and not flags & WEEKEND:
            self._guessed(ordinal)  # a weekend is no school day, guessed or not
        return flags & SCHOOL_DAY != 0

    def _guessed(self, ordinal: int) -> None:
        """A day outside the listed terms was asked about: note the first watched one."""
        if self.watch[0] <= ordinal <= self.watch[1]:
            self.assumed = date.fromordinal(ordinal)

    def _chunk(self, ordinal: int) -> bytearray:
        """The flags of the ``CHUNK_DAYS`` days around ``ordinal``, worked out at once.

        The engine asks about most days of its range (handover days, visit days, span
        edges), several times each: a table filled from the listed ranges near it
        answers each question with one lookup. Days in term start as school days;
        weekends, then breaks, take that away, and a run of touching breaks holding a
        school week takes its days out of term as well.
        """
        base = ordinal & ~CHUNK_MASK
        stop = base + CHUNK_DAYS
        terms, breaks = self._near(base)
        if not self.has_terms:
            flags = bytearray(_ALL_TERM_DAYS)
        else:
            flags = bytearray(CHUNK_DAYS)
            first, last = self._term_span
            before = min(max(first - base, 0), CHUNK_DAYS)  # days before the listed terms
            flags[:before] = _ALL_GUESSED[:before]
            after = min(max(last + 1 - base, 0), CHUNK_DAYS)  # days after them
            flags[after:] = _ALL_GUESSED[after:]
            for first, last in terms:
                if first < stop and last >= base:
                    _change(flags, first - base, last + 1 - base, _SET_TERM_DAY)
        monday = (base - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
        for weekend_day in (5, 6):
            offset = (weekend_day - monday) % 7
            flags[offset::7] = flags[offset::7].translate(_WEEKEND)
        for first, last in breaks:
            if first < stop and last >= base:
                change = _VACATION if _is_vacation(first, last) else _NO_SCHOOL
                _change(flags, first - base, last + 1 - base, change)
        self._chunks[ordinal >> CHUNK_BITS] = flags
        return flags

    def _near(self, base: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """The terms, and the runs of touching breaks, near the chunk starting at
        ``base``.

        Every listed range is looked through for the first chunk (a short run asks
        about one), then for a later chunk and the one on each side at once (a long run
        asks about neighbouring chunks: its range, its school snaps). A run of breaks
        reaching a week past a chunk holds a school week whatever lies beyond, so
        breaks further away cannot change a day in it.
        """
        lo, hi, terms, breaks = self._window
        if not (lo <= base - 7 and base + CHUNK_DAYS + 6 <= hi):
            reach = 7 if hi < lo else CHUNK_DAYS + 7  # a first chunk may be the only one
            lo, hi = base - reach, base + CHUNK_DAYS - 1 + reach
            term_starts, term_ends, break_starts, break_ends = self._calendar()
            terms = _overlapping(term_starts, term_ends, lo, hi)
            breaks = _joined(sorted(_overlapping(break_starts, break_ends, lo, hi)))
            self._window = (lo, hi, terms, breaks)
        return terms, breaks

    def dismissal(self, day: date) -> time:
        """The dismissal time on ``day`` (one bell schedule for now)."""
        return self._dismissal

    def start(self, day: date) -> time:
        """The time school starts on ``day``."""
        return self._start

    def last_school_day_before(self, day: date) -> date | None:
        """The last school day strictly before ``day`` (None if none within a year)."""
        ordinal = day.toordinal()
        return self._first_school_day(range(ordinal - 1, ordinal - SEARCH_LIMIT - 1, -1))

    def first_school_day_after(self, day: date) -> date | None:
        """The first school day strictly after ``day`` (None if none within a year)."""
        ordinal = day.toordinal()
        return self._first_school_day(range(ordinal + 1, ordinal + SEARCH_LIMIT + 1))

    def _first_school_day(self, ordinals: range) -> date | None:
        """The first of ``ordinals`` that is a school day (``is_school_day`` written
        out: a holiday's school snap walks back over a break day by day)."""
        chunks = self._chunks
        for candidate in ordinals:
            chunk = chunks.get(candidate >> CHUNK_BITS) or self._chunk(candidate)
            flags = chunk[candidate & CHUNK_MASK]
            if flags & GUESSED and self.assumed is None and not flags & WEEKEND:
                self._guessed(candidate)
            if flags & SCHOOL_DAY:
                return date.fromordinal(candidate)
        return None

    def school_day_near(self, ordinal: int, step: int, enough: int | None = None) -> int | None:
        """A school day among ``ordinal``, ``ordinal + step``... (``step`` is 1 or -1);
        None when none is found.

        A school snap walking from past ``ordinal`` stops at this day at the latest, so
        the days it can ask about are bounded (``span_edges.edge_window``) without
        walking. Asked about next year's holidays, whose days a run rarely needs
        otherwise, so no chunk is tabled for it and no guess is noted (the walk, when
        made, notes its own). The tabled days are read first, as far as they go: a
        day found there will do when it comes before ``enough`` (counted from
        ``ordinal``) or when every day before it is tabled. Otherwise the first school
        day among the ``NEAR_LOOK`` days from ``ordinal`` is worked out from the ranges
        listed near them. Without ``enough``, the first school day is looked for.
        """
        found = self._tabled_school_day(ordinal, step)
        if found is not None:
            if enough is not None and (found - enough) * step < 0:
                return found
            here, there = ordinal >> CHUNK_BITS, found >> CHUNK_BITS
            if here == there or here in self._chunks and abs(there - here) == 1:
                return found  # every day before it is tabled: the first school day
        days = range(ordinal, ordinal + step * NEAR_LOOK, step)
        lo, hi = min(days), max(days)
        if lo < _FIRST_DAY or hi > _LAST_DAY:
            return found
        # The ranges near a chunk holding all these days (see _near): one look through
        # the listed ranges serves next year's holidays together.
        terms, breaks = self._near((lo + 7) & ~CHUNK_MASK)
        first, last = self._term_span
        for day in days:
            if (day - 1) % 7 >= 5 or any(a <= day <= b for a, b in breaks):
                continue  # a weekend (ordinal 1 is a Monday) or a break day
            between_terms = self.has_terms and first <= day <= last
            if between_terms and not any(a <= day <= b for a, b in terms):
                continue  # inside the listed terms' span, in none of them
            return day
        return found

    def _tabled_school_day(self, ordinal: int, step: int) -> int | None:
        """The first school day of ``ordinal``, ``ordinal + step``... that the tabled
        chunks show (days not tabled are passed over), None when they show none."""
        here = ordinal >> CHUNK_BITS
        chunk = self._chunks.get(here)
        if chunk is not None:  # (mostly the chunk of the range: the first school day)
            school = chunk.translate(_ONLY_SCHOOL)
            at = (
                school.find(1, ordinal & CHUNK_MASK)
                if step > 0
                else school.rfind(1, 0, (ordinal & CHUNK_MASK) + 1)
            )
            if at >= 0:
                return (here << CHUNK_BITS) + at
        keys = sorted(k for k in self._chunks if (k - here) * step > 0)
        for key in keys if step > 0 else reversed(keys):
            school = self._chunks[key].translate(_ONLY_SCHOOL)
            at = school.find(1) if step > 0 else school.rfind(1)
            if at >= 0:
                return (key << CHUNK_BITS) + at
        return None

    def breaks(self) -> tuple[SchoolBreak, ...]:
        """The listed breaks, for date rules (``RuleContext.school_breaks``)."""
        return _school_breaks(self.school.breaks)

    def break_days(self, name: str) -> list[tuple[date, date]]:
        """(first, last) day of each listed break named ``name`` (case-insensitively),
        in listed order.

        The ``school_break`` date rule asks this rather than reading every ``breaks()``:
        a calendar lists dozens of breaks under a few names, and one name's days are
        found without making an object for each break.
        """
        key = name.strip().casefold()
        found = self._named.get(key)
        if found is None:
            listed = self.school.breaks
            names = list(map(_NAME, listed))
            wanted = {n for n in set(names) if n.strip().casefold() == key}
            chosen = list(compress(listed, map(wanted.__contains__, names)))
            found = self._named[key] = list(
                zip(map(_START, chosen), map(_END, chosen), strict=True)
            )
        return found


def _school_breaks(listed: Iterable[DateRange]) -> tuple[SchoolBreak, ...]:
    """``SchoolBreak``s of listed breaks, made without the frozen dataclass's
    ``__init__`` (a third of its cost; a run may make dozens)."""
    made = []
    for each in listed:
        school_break = _new(SchoolBreak)
        _set(school_break, "__dict__", {"name": each.name, "first": each.start, "last": each.end})
        made.append(school_break)
    return tuple(made)
