"""SchoolDays answers from a table of day flags; a plain reading of the rules agrees.

The table (filled from merged intervals, a chunk of days at a time) is there for speed
(issue 15). ``Reference`` below answers the same questions the slow, obvious way, one
list scan per question, straight from the conventions in ``school.py``'s docstring,
and notes the first watched day outside the listed terms asked about (``assumed``,
which names the day in the engine's warning). Random calendars, random questions in a
random order: every answer, and ``assumed`` after each, must match.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pc_calendar.plan.model import School
from pc_calendar.schedule.school import (
    CHUNK_BITS,
    CHUNK_MASK,
    NEAR_LOOK,
    VACATION_WEEKDAYS,
    SchoolDays,
    _joined,
)

FIRST = date(2025, 1, 1)
SPAN_DAYS = 1500


class Reference:
    """The school-calendar rules read literally (no merging, no memo, no table)."""

    def __init__(self, school: School, watch: tuple[int, int]) -> None:
        self.terms = [(t.start, t.end) for t in school.terms]
        self.breaks = [(b.start, b.end) for b in school.breaks]
        self.watch = watch
        self.assumed: date | None = None

    def _covered(self, day: date) -> bool:
        return min(a for a, _ in self.terms) <= day <= max(b for _, b in self.terms)

    def _vacation(self, day: date) -> bool:
        """Inside a run of overlapping or touching breaks holding a school week."""
        days = {d for a, b in self.breaks for d in _days(a, b)}
        if day not in days:
            return False
        lo = hi = day
        while lo - timedelta(days=1) in days:
            lo -= timedelta(days=1)
        while hi + timedelta(days=1) in days:
            hi += timedelta(days=1)
        return sum(d.weekday() < 5 for d in _days(lo, hi)) >= VACATION_WEEKDAYS

    def in_term(self, day: date) -> bool:
        if not self.terms:
            return not self._vacation(day)
        outside = not self._covered(day)
        watched = self.watch[0] <= day.toordinal() <= self.watch[1]
        if outside and watched and self.assumed is None:
            self.assumed = day
        in_a_term = any(a <= day <= b for a, b in self.terms)
        return not self._vacation(day) and (outside or in_a_term)

    def is_school_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and self.in_term(day)
            and not any(a <= day <= b for a, b in self.breaks)
        )

    def last_school_day_before(self, day: date) -> date | None:
        return next(
            (d for k in range(1, 367) if self.is_school_day(d := day - timedelta(days=k))), None
        )

    def first_school_day_after(self, day: date) -> date | None:
        return next(
            (d for k in range(1, 367) if self.is_school_day(d := day + timedelta(days=k))), None
        )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _range(offset: int, length: int) -> dict[str, date]:
    start = FIRST + timedelta(days=offset)
    return {"start": start, "end": start + timedelta(days=length)}


ranges = st.builds(_range, st.integers(0, SPAN_DAYS), st.integers(0, 12))
terms = st.builds(_range, st.integers(0, SPAN_DAYS), st.integers(0, 300))
days = st.builds(lambda k: FIRST + timedelta(days=k), st.integers(-400, SPAN_DAYS + 400))
QUESTIONS = ["in_term", "is_school_day", "last_school_day_before", "first_school_day_after"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(terms, max_size=4),
    st.lists(ranges, max_size=12),
    st.lists(st.tuples(st.sampled_from(QUESTIONS), days), min_size=1, max_size=40),
    st.tuples(st.integers(-400, SPAN_DAYS + 400), st.integers(0, 2000)),
    st.booleans(),
)
def test_the_table_answers_like_the_rules(term_list, break_list, questions, watch_window, in_order):
    if in_order:  # listed by date, as most calendars are
        term_list, break_list = (
            sorted(x, key=lambda r: r["start"]) for x in (term_list, break_list)
        )
    school = School(terms=term_list, breaks=break_list)
    watch = (FIRST.toordinal() + watch_window[0], FIRST.toordinal() + sum(watch_window))
    table, reference = SchoolDays(school), Reference(school, watch)
    table.watch = watch
    for question, day in questions:
        assert getattr(table, question)(day) == getattr(reference, question)(day), (question, day)
        assert table.assumed == reference.assumed, (question, day)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 9)), max_size=10), st.booleans())
def test_joined_merges_overlapping_and_touching_ranges(spans, by_both):
    """The joined intervals cover exactly the listed days, each run of days once, however
    ranges starting on the same day are ordered."""
    pairs = [(FIRST.toordinal() + a, FIRST.toordinal() + a + n) for a, n in spans]
    runs = _joined(sorted(pairs) if by_both else sorted(pairs, key=lambda p: p[0]))
    days = {FIRST.toordinal() + a + k for a, n in spans for k in range(n + 1)}
    expected: list[tuple[int, int]] = []
    for day in sorted(days):
        if expected and day == expected[-1][1] + 1:
            expected[-1] = (expected[-1][0], day)
        else:
            expected.append((day, day))
    assert runs == expected


@pytest.mark.parametrize("offset", [-40, -12, -8, -7, -6, -3, 0, 3, 6, 7, 8, 30])
@pytest.mark.parametrize("piece", [1, 2, 3])
@pytest.mark.parametrize("first_asked", [None, -1040, -530, -520, 520, 1030, 1040])
def test_a_run_of_short_breaks_across_a_chunk_edge_is_a_vacation(offset, piece, first_asked):
    """Touching breaks of a day or three make a vacation together, even when the run
    starts or ends far beyond the chunk a day is tabled in, or beyond the days whose
    breaks were looked through with it (``first_asked``: a day asked about first, days
    from the run, which decides those days)."""
    edge = (date(2026, 6, 1).toordinal() | CHUNK_MASK) + 1  # the first day of a chunk
    first = date.fromordinal(edge + offset)
    run = [
        (first + timedelta(days=k), first + timedelta(days=k + piece - 1))
        for k in range(0, 21, piece)
    ]
    school = School(
        terms=[{"start": date(2024, 8, 17), "end": date(2028, 5, 28)}],
        breaks=[{"start": a, "end": b} for a, b in run],
    )
    table, reference = SchoolDays(school), Reference(school, (0, 0))
    if first_asked is not None:
        table.is_school_day(date.fromordinal(edge + first_asked))
    for k in range(-30, 60):
        day = date.fromordinal(edge + k)
        assert table.in_term(day) == reference.in_term(day), day
        assert table.is_school_day(day) == reference.is_school_day(day), day


def test_no_school_table_means_weekdays_outside_breaks():
    table = SchoolDays(School(breaks=[{"start": date(2026, 3, 16), "end": date(2026, 3, 20)}]))
    assert table.is_school_day(date(2026, 3, 13)) and not table.is_school_day(date(2026, 3, 14))
    assert not table.is_school_day(date(2026, 3, 16)) and not table.in_term(date(2026, 3, 16))
    assert table.in_term(date(2026, 3, 14)) and table.assumed is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(terms, max_size=4),
    st.lists(ranges, max_size=12),
    st.lists(days, max_size=3),
    days,
    st.sampled_from([1, -1]),
    st.one_of(st.none(), st.integers(-30, 30)),
)
def test_a_school_day_near_is_a_school_day_and_leaves_no_trace(
    term_list, break_list, tabled, day, step, enough
):
    """``school_day_near`` (bounding a school snap's walk for ``out_of_sight``) names a
    school day in its direction: with no ``enough``, the first one when there is one
    within ``NEAR_LOOK`` days or every day up to it is tabled (else any school day the
    tabled chunks show). Whatever chunks were tabled before, it tables none and
    notes no guessed day (the walk it stands in for, if made, notes its own)."""
    school = School(terms=term_list, breaks=break_list)
    table, reference = SchoolDays(school), Reference(school, (0, 0))
    table.watch = (date.min.toordinal(), date.max.toordinal())
    for asked in tabled:
        table.in_term(asked)
    assumed, chunks = table.assumed, set(table._chunks)
    ordinal = day.toordinal()
    limit = None if enough is None else ordinal + step * enough
    found = table.school_day_near(ordinal, step, limit)
    assert table.assumed == assumed and set(table._chunks) == chunks

    def first_from(count: int) -> int | None:
        near = [ordinal + step * k for k in range(count)]
        return next((d for d in near if reference.is_school_day(date.fromordinal(d))), None)

    if found is not None:
        assert (found - ordinal) * step >= 0
        assert reference.is_school_day(date.fromordinal(found))
        # The first school day, unless short of the limit (a nearer one not tabled may
        # then go unnoticed: any school day bounds the walk).
        here, there = ordinal >> CHUNK_BITS, found >> CHUNK_BITS
        tabled_to_it = here == there or here in chunks and abs(there - here) == 1
        exact = abs(found - ordinal) < NEAR_LOOK or tabled_to_it
        if exact and (limit is None or (found - limit) * step >= 0):
            assert found == first_from(abs(found - ordinal) + 1)
    elif limit is None:
        assert first_from(NEAR_LOOK) is None
