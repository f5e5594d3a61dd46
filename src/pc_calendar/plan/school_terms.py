"""School years from a district calendar's "First Day of School" / "Last Day" events.

Without terms the engine takes every weekday outside a break as a school day in term,
summers included, so a plan that imports only a district's ICS would give term-time
visits in June and August. Districts do publish the first and last day of school, under
a handful of titles; each first day and the last day that follows it make one term.

Pairing rules (documented in the plan reference):
- titles match a phrase case-insensitively, as whole words, with apostrophes and
  spacing ignored ("Students' Last Day" = "students last day");
- events for teachers or staff (a teachers' first day a week early) are not boundaries,
  nor are days inside the year ("First Day of School After Winter Break": titles
  saying before or after);
- first days within ``STAGGER_DAYS`` of each other (grade-level or pre-K starts) open one
  term on the earliest; last days that close to each other (seniors leave early) close
  it on the latest;
- a first day with no last day after it, or a last day with no first day before it, makes
  no term (the calendar is cut there), nor does a pair more than ``MAX_TERM_DAYS`` apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .ics_occurrences import DayEvent

FIRST_DAY_TITLES = (
    "First Day of School",
    "First Day for Students",
    "First Day of Classes",
    "First Day of Instruction",
    "Students' First Day",
    "First Student Day",
    "First Day of the School Year",
)
LAST_DAY_TITLES = (
    "Last Day of School",
    "Last Day for Students",
    "Last Day of Classes",
    "Last Day of Instruction",
    "Students' Last Day",
    "Last Student Day",
    "Last Day of the School Year",
)
STAFF_ONLY = re.compile(r"\b(teachers?|staff|employees?|faculty)\b", re.IGNORECASE)
# "First Day of School After Winter Break": a day inside the school year. (Semester
# names are no sign: "First Day of Fall Semester" may well open the year.)
MID_YEAR = re.compile(r"\b(before|after)\b", re.IGNORECASE)
STAGGER_DAYS = 60
MAX_TERM_DAYS = 400


def normalise(title: str) -> str:
    """Lower case, apostrophes dropped, runs of spaces and dashes as one space."""
    text = re.sub(r"[\u2019\u2018'`\u00b4]", "", title.casefold())
    return " ".join(re.sub(r"[\s\u2013\u2014]+", " ", text).split())


def matcher(phrases: Iterable[str]) -> re.Pattern[str]:
    """A regex finding any of ``phrases`` as whole words in a normalised title."""
    options = sorted({normalise(p) for p in phrases if normalise(p)}, key=len, reverse=True)
    if not options:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(o) for o in options) + r")(?!\w)")


@dataclass(frozen=True)
class TermBoundaries:
    """Terms found in a calendar, and the boundary events that made none."""

    terms: list[tuple[date, date]]
    unpaired: list[tuple[str, date, str]]  # ("first" or "last", day, title)


def is_boundary(title: str, first: re.Pattern[str], last: re.Pattern[str]) -> bool:
    """Whether a title is a first- or last-day event (so never a break)."""
    if STAFF_ONLY.search(title) or MID_YEAR.search(title):
        return False
    text = normalise(title)
    return bool(first.search(text) or last.search(text))


def find_terms(
    events: Sequence[DayEvent],
    first_titles: Iterable[str] = FIRST_DAY_TITLES,
    last_titles: Iterable[str] = LAST_DAY_TITLES,
) -> TermBoundaries:
    """School years from first- and last-day events (see the module docstring)."""
    first_re, last_re = matcher(first_titles), matcher(last_titles)
    marks: list[tuple[date, int, str]] = []
    for event in events:
        if not is_boundary(event.summary, first_re, last_re):
            continue
        text = normalise(event.summary)
        if first_re.search(text):
            marks.append((event.first, 0, event.summary))
        elif last_re.search(text):
            marks.append((event.last, 1, event.summary))
    return _pair(sorted(marks))


def _pair(marks: list[tuple[date, int, str]]) -> TermBoundaries:
    terms: list[tuple[date, date]] = []
    unpaired: list[tuple[str, date, str]] = []
    start: tuple[date, str] | None = None
    end: date | None = None

    def close() -> None:
        nonlocal start, end
        if start is not None and end is not None:
            if (end - start[0]).days <= MAX_TERM_DAYS:
                terms.append((start[0], end))
            else:
                unpaired.append(("first", start[0], start[1]))
        elif start is not None:
            unpaired.append(("first", start[0], start[1]))
        start, end = None, None

    for day, kind, title in marks:
        if kind == 0:
            if start is not None and end is None and (day - start[0]).days <= STAGGER_DAYS:
                continue  # a staggered start of the same school year
            close()
            start = (day, title)
        elif start is None:
            unpaired.append(("last", day, title))
        elif end is not None and (day - end).days > STAGGER_DAYS:
            close()  # the next school year's first day is missing
            unpaired.append(("last", day, title))
        else:
            end = day if end is None else max(end, day)
    close()
    return TermBoundaries(terms, unpaired)


def school_year_name(first: date, last: date) -> str:
    """ "2026-27 school year", or "2026 school year" where it is a calendar year."""
    if first.year == last.year:
        return f"{first.year} school year"
    return f"{first.year}-{last.year % 100:02d} school year"
