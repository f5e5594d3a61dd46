"""Pairing first and last days of school into terms (hand-written event lists)."""

from __future__ import annotations

from datetime import date

from pc_calendar.plan.ics_occurrences import DayEvent
from pc_calendar.plan.school_terms import find_terms, normalise, school_year_name


def day(title: str, when: date) -> DayEvent:
    return DayEvent(title, when, when, True)


def test_titles_match_ignoring_case_apostrophes_and_spacing():
    events = [
        day("STUDENTS\u2019  FIRST DAY", date(2026, 8, 12)),
        day("students last day", date(2027, 5, 27)),
    ]
    assert find_terms(events).terms == [(date(2026, 8, 12), date(2027, 5, 27))]
    assert normalise("Students\u2019 Last\u2013Day") == "students last day"


def test_whole_words_only():
    events = [
        day("First Day of Schoolhouse Tours", date(2026, 8, 1)),
        day("Last Day of School", date(2027, 5, 27)),
    ]
    found = find_terms(events)
    assert found.terms == []
    assert found.unpaired == [("last", date(2027, 5, 27), "Last Day of School")]


def test_staff_days_are_not_boundaries_and_staggered_starts_open_one_term():
    events = [
        day("First Day of School for Teachers", date(2026, 8, 3)),
        day("First Day of School - Grades 6 and 9", date(2026, 8, 11)),
        day("First Day of School", date(2026, 8, 12)),
        day("Last Day for Seniors", date(2027, 5, 20)),
        day("Last Day of School", date(2027, 5, 27)),
        day("Last Day of School - Staff", date(2027, 5, 28)),
    ]
    assert find_terms(events).terms == [(date(2026, 8, 11), date(2027, 5, 27))]


def test_a_missing_last_day_makes_no_term_across_the_summer():
    # 2025-26 has no last day: it must not run on to May 2027 through summer 2026.
    events = [
        day("First Day of School", date(2025, 8, 13)),
        day("First Day of School", date(2026, 8, 12)),
        day("Last Day of School", date(2027, 5, 27)),
    ]
    found = find_terms(events)
    assert found.terms == [(date(2026, 8, 12), date(2027, 5, 27))]
    assert found.unpaired == [("first", date(2025, 8, 13), "First Day of School")]


def test_a_missing_first_day_makes_no_term_either():
    events = [
        day("First Day of School", date(2025, 8, 13)),
        day("Last Day of School", date(2026, 5, 21)),
        day("Last Day of School", date(2027, 5, 27)),
    ]
    found = find_terms(events)
    assert found.terms == [(date(2025, 8, 13), date(2026, 5, 21))]
    assert found.unpaired == [("last", date(2027, 5, 27), "Last Day of School")]


def test_a_multi_day_last_day_event_ends_on_its_last_day():
    events = [
        day("First Day of Classes", date(2027, 1, 27)),  # a calendar-year school year
        DayEvent("Last Day of Classes", date(2027, 12, 9), date(2027, 12, 10), True),
    ]
    found = find_terms(events)
    assert found.terms == [(date(2027, 1, 27), date(2027, 12, 10))]
    assert school_year_name(*found.terms[0]) == "2027 school year"
    assert school_year_name(date(2026, 8, 12), date(2027, 5, 27)) == "2026-27 school year"


def test_custom_titles_replace_the_defaults():
    events = [
        day("Students Report", date(2026, 8, 12)),
        day("Final Day for Students", date(2027, 5, 27)),
        day("First Day of School", date(2026, 8, 20)),
    ]
    found = find_terms(events, ["Students Report"], ["final day for students"])
    assert found.terms == [(date(2026, 8, 12), date(2027, 5, 27))]


def test_days_inside_the_school_year_are_not_boundaries():
    events = [
        day("First Day of School", date(2026, 8, 12)),
        day("Last Day of School Before Winter Break", date(2026, 12, 18)),
        day("First Day of School After Winter Break", date(2027, 1, 5)),
        day("Last Day of First Semester", date(2026, 12, 18)),
        day("First Day of Second Semester", date(2027, 1, 5)),
        day("Last Day of School", date(2027, 5, 27)),
    ]
    found = find_terms(events)
    assert found.terms == [(date(2026, 8, 12), date(2027, 5, 27))]
    assert found.unpaired == []
