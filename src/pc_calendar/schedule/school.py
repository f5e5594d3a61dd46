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

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import date, time
from itertools import compress
from operator import attrgetter, le, sub

from ..plan.model import DateRange, School
from .api import SchoolBreak

_new = object.__new__
_set = object.__setattr__
assert [f.name for f in fields(SchoolBreak)] == ["name", "first", "last"]  # as built below

_START, _END, _NAME = attrgetter("start"), attrgetter("end"), attrgetter("name")
_ordinal = date.toordinal
_SEARCH_LIMIT = 366  # days to look for the next/previous school day
VACATION_WEEKDAYS = 5  # a break covering a school week or more takes its days out of term


def _merge(ranges: Sequence[DateRange]) -> tuple[list[int], list[int]]:
    """Sorted, merged [first, last] ordinal intervals as two parallel lists.

    Every run reads the whole calendar once (dozens of terms and breaks), so the usual
    listing -- in order, each range ending at least a day before the next starts -- is
    recognised and read with C-level maps; only an unordered or touching list is
    sorted and merged in a loop.
    """
    starts = list(map(_ordinal, map(_START, ranges)))
    ends = list(map(_ordinal, map(_END, ranges)))
    if min(map(sub, starts[1:], ends), default=2) > 1 and all(map(le, starts, ends)):
        return starts, ends
    merged_starts: list[int] = []
    merged_ends: list[int] = []
    reach = None  # the last day of the interval being merged into
    for first, last in sorted(zip(starts, ends, strict=True)):
        if reach is not None and first <= reach + 1:
            if last > reach:
                reach = merged_ends[-1] = last
        else:
            merged_starts.append(first)
            merged_ends.append(last)
            reach = last
    return merged_starts, merged_ends


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
_SET_TERM_DAY = _byte_map(lambda f: f | _TERM_DAY)
_WEEKEND = _byte_map(lambda f: (f & ~SCHOOL_DAY) | WEEKEND)
_NO_SCHOOL = _byte_map(lambda f: f & ~SCHOOL_DAY)
_VACATION = _byte_map(lambda f: f & ~_TERM_DAY)


def _fill(
    flags: bytearray,
    base: int,
    starts: list[int],
    ends: list[int],
    change: bytes,
    vacation: bytes | None = None,
) -> None:
    """Apply ``change`` to the days of ``flags`` (ordinals from ``base``) in the intervals;
    ``vacation`` instead to an interval that holds a school week, when given."""
    i = bisect_left(ends, base)  # the first interval not over before the chunk
    stop = base + len(flags)
    while i < len(starts) and starts[i] < stop:
        first, last = starts[i], ends[i]
        lo, hi = max(first - base, 0), min(last + 1 - base, len(flags))
        by = vacation if vacation is not None and _is_vacation(first, last) else change
        flags[lo:hi] = flags[lo:hi].translate(by)
        i += 1


class SchoolDays:
    """Answers school-calendar questions for one plan's ``[school]`` table (or none).

    Nothing is read from the calendar until a question needs it, and then only the
    days asked about are tabled (``_chunk``): a run over a short range asks about a
    few hundred days of a calendar listing eighteen years.
    """

    def __init__(self, school: School | None) -> None:
        self.school = school if school is not None else School()
        self._has_terms = bool(self.school.terms)
        self._dismissal, self._start = self.school.dismissal, self.school.start
        self._merged: tuple[list[int], list[int], list[int], list[int]] | None = None
        self._chunks: dict[int, bytearray] = {}  # ordinal >> CHUNK_BITS -> day flags
        self._named: dict[str, tuple[SchoolBreak, ...]] = {}  # folded name -> its breaks
        self.assumed: date | None = None  # a watched day outside the listed terms was asked
        self.watch: tuple[int, int] = (_FIRST_DAY, _LAST_DAY)

    def _intervals(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Merged (term starts, term ends, break starts, break ends), read once."""
        if self._merged is None:
            self._merged = (*_merge(self.school.terms), *_merge(self.school.breaks))
        return self._merged

    @property
    def coverage(self) -> tuple[date, date] | None:
        """First and last day of the listed terms (None when no terms are listed)."""
        if not self._has_terms:
            return None
        term_starts, term_ends, _, _ = self._intervals()
        return date.fromordinal(term_starts[0]), date.fromordinal(term_ends[-1])

    @property
    def known(self) -> tuple[date, date] | None:
        """First and last day the listed terms and breaks describe (None: nothing listed).

        Outside these days the calendar is a guess; holidays found from it (a
        ``school_break`` date rule, a school snap) warn rather than vanish silently.
        """
        term_starts, term_ends, break_starts, break_ends = self._intervals()
        starts = term_starts[:1] + break_starts[:1]
        if not starts:
            return None
        ends = term_ends[-1:] + break_ends[-1:]
        return date.fromordinal(min(starts)), date.fromordinal(max(ends))

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
        edges), several times each: a table filled from the merged intervals answers
        each question with one lookup instead of bisecting the terms and breaks. Days
        in term start as school days; weekends, then breaks, take that away (and a
        break holding a school week takes the days out of term as well).
        """
        base = ordinal & ~CHUNK_MASK
        term_starts, term_ends, break_starts, break_ends = self._intervals()
        if not self._has_terms:
            flags = bytearray(bytes([_TERM_DAY]) * CHUNK_DAYS)
        else:
            flags = bytearray(CHUNK_DAYS)
            first, last = term_starts[0], term_ends[-1]
            before = min(max(first - base, 0), CHUNK_DAYS)  # days before the listed terms
            flags[:before] = bytes([_TERM_DAY | GUESSED]) * before
            after = min(max(last + 1 - base, 0), CHUNK_DAYS)  # days after them
            flags[after:] = bytes([_TERM_DAY | GUESSED]) * (CHUNK_DAYS - after)
            _fill(flags, base, term_starts, term_ends, _SET_TERM_DAY)
        monday = (base - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
        for weekend_day in (5, 6):
            offset = (weekend_day - monday) % 7
            flags[offset::7] = flags[offset::7].translate(_WEEKEND)
        _fill(flags, base, break_starts, break_ends, _NO_SCHOOL, _VACATION)
        self._chunks[ordinal >> CHUNK_BITS] = flags
        return flags

    def dismissal(self, day: date) -> time:
        """The dismissal time on ``day`` (one bell schedule for now)."""
        return self._dismissal

    def start(self, day: date) -> time:
        """The time school starts on ``day``."""
        return self._start

    def last_school_day_before(self, day: date) -> date | None:
        """The last school day strictly before ``day`` (None if none within a year)."""
        ordinal = day.toordinal()
        return self._first_school_day(range(ordinal - 1, ordinal - _SEARCH_LIMIT - 1, -1))

    def first_school_day_after(self, day: date) -> date | None:
        """The first school day strictly after ``day`` (None if none within a year)."""
        ordinal = day.toordinal()
        return self._first_school_day(range(ordinal + 1, ordinal + _SEARCH_LIMIT + 1))

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

    def breaks(self) -> tuple[SchoolBreak, ...]:
        """The listed breaks, for date rules (``RuleContext.school_breaks``)."""
        return _school_breaks(self.school.breaks)

    def breaks_named(self, name: str) -> tuple[SchoolBreak, ...]:
        """The listed breaks whose name matches ``name`` case-insensitively, in order.

        The ``school_break`` date rule asks this rather than reading every ``breaks()``:
        a calendar lists dozens of breaks under a few names, and a run then makes the
        objects of the one name a holiday asks for.
        """
        key = name.strip().casefold()
        found = self._named.get(key)
        if found is None:
            listed = self.school.breaks
            names = list(map(_NAME, listed))
            wanted = {n for n in set(names) if n.strip().casefold() == key}
            chosen = compress(listed, map(wanted.__contains__, names))
            found = self._named[key] = _school_breaks(chosen)
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


def school_year(day: date) -> str:
    """The school year a day belongs to, as "2028-29" (a year runs from July to June)."""
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def where_to_add(school: School | None) -> str:
    """Where a missing school year goes: with an imported ICS, the district's file."""
    if school is not None and school.ics:
        return f" to {school.ics} (save the district's newer calendar there) or under [school]"
    return ""
