"""Regressions from the QA walkthrough (D1-D3, U4, U7), with hand-written dates.

D1: a range past the school calendar must never lose a school holiday silently.
D2: a child who has left the schedule no longer moves a sibling on their birthday.
D3: a split holiday is labelled with both halves, never as one parent's.
"""

from __future__ import annotations

import io
from datetime import date, time

from engine_helpers import changes, holder, local, make_plan
from rich.console import Console

from pc_calendar.plan.lint import lint_plan
from pc_calendar.render import render_calendar
from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.views.days import ViewContext
from pc_calendar.views.html_calendar import render_html
from pc_calendar.views.month_grid import month_table

# One school year, 2026-27: the calendar's last listed day is 2027-05-27.
SCHOOL = {
    "dismissal": time(15, 0),
    "terms": [{"name": "2026-27", "start": date(2026, 8, 17), "end": date(2027, 5, 27)}],
    "breaks": [
        {"name": "Thanksgiving Break", "start": date(2026, 11, 23), "end": date(2026, 11, 27)},
        {"name": "Winter Break", "start": date(2026, 12, 21), "end": date(2027, 1, 1)},
        {"name": "Spring Break", "start": date(2027, 3, 15), "end": date(2027, 3, 19)},
    ],
}
WINTER = {
    "name": "Christmas vacation",
    "date": {"rule": "school_break", "name": "Winter Break"},
    "start": {"school": "last_school_day_before", "time": time(18, 0)},
    "split": {"month_day": "12-28", "time": time(12, 0)},
    "end": {"school": "day_before_school_resumes", "time": time(18, 0)},
    "assign": {"even_years": "sam", "odd_years": "alex"},
}
THANKSGIVING = {
    "name": "Thanksgiving",
    "date": {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
    "start": {"school": "last_school_day_before", "time": time(18, 0)},
    "end": {"weekday": "sunday", "time": time(18, 0)},
    "assign": {"parent": "sam"},
}
THURSDAYS = {
    "name": "Thursday dinner",
    "parent": "sam",
    "weekday": "thursday",
    "start": time(17, 0),
    "end": time(19, 0),
    "during": "school_term",
}


# --- D1: past the school calendar ------------------------------------------------------


def test_school_break_holiday_past_the_calendar_warns_with_key_and_year():
    plan = make_plan(school=SCHOOL, holidays=[WINTER])
    tl = compute_timeline(plan, date(2027, 12, 1), date(2028, 1, 1))
    assert (
        "holidays[0] 'Christmas vacation': no school break named 'Winter Break' in 2027; "
        "the school calendar in the plan ends 2027-05-27 -- add the 2027-28 school year"
    ) in tl.warnings
    assert tl.holidays == []  # nothing is invented for the unknown break


def test_school_break_inside_the_calendar_does_not_warn():
    plan = make_plan(school=SCHOOL, holidays=[WINTER])
    tl = compute_timeline(plan, date(2026, 12, 1), date(2027, 1, 10))
    assert not any("no school break named" in w for w in tl.warnings)
    [label] = tl.holidays
    assert (label.first, label.last) == (date(2026, 12, 21), date(2027, 1, 1))


def test_a_range_far_from_the_missing_break_does_not_warn_about_it():
    # March 2028: Winter Break 2027 would end around 2 January, well before the range.
    plan = make_plan(school=SCHOOL, holidays=[WINTER])
    tl = compute_timeline(plan, date(2028, 3, 1), date(2028, 4, 1))
    assert not any("Winter Break" in w for w in tl.warnings)


def test_school_snap_past_the_calendar_warns():
    plan = make_plan(school=SCHOOL, holidays=[THANKSGIVING])
    tl = compute_timeline(plan, date(2027, 11, 1), date(2027, 12, 1))
    # Guessed: Wednesday 24 Nov is taken as the last school day before Thanksgiving.
    assert holder(tl.children["maya"], local(2027, 11, 24, 18, 30)) == "sam"
    assert (
        "holidays[0].start ('Thanksgiving' for 2027-11-25): last_school_day_before from "
        "2027-11-25 is past the school calendar in the plan, which ends 2027-05-27; every "
        "weekday not in a listed break was taken as a school day -- add the 2027-28 "
        "school year"
    ) in tl.warnings


def test_term_only_visits_go_on_past_the_calendar_and_say_so():
    # Documented choice: an unknown school year is mostly term, so Thursday visits are
    # kept past the calendar; the warning says that they are guessed.
    plan = make_plan(school=SCHOOL, visits=[THURSDAYS])
    tl = compute_timeline(plan, date(2027, 9, 1), date(2027, 9, 10))
    # The week of 30 Aug 2027 is Alex's, so Sam's Thursday dinner on 2 Sep shows.
    assert changes(tl.children["maya"])[:2] == [
        ("2027-09-02 17:00", "alex", "sam"),
        ("2027-09-02 19:00", "sam", "alex"),
    ]
    [warning] = [w for w in tl.warnings if w.startswith("school:")]
    assert "term-only visits go on" in warning
    assert warning.endswith("add the 2027-28 school year")


def test_check_warns_when_the_school_calendar_ends_before_the_years_checked():
    plan = make_plan(school=SCHOOL, holidays=[WINTER])
    [warning] = lint_plan(plan, years=[2026, 2027])
    assert (warning.code, warning.key) == ("school-calendar-ends", "school")
    assert warning.message.startswith(
        "the school calendar ends on 2027-05-27 (its last listed day), before 2027-12-31"
    )
    assert "holidays[0] (Christmas vacation)" in warning.message
    assert "add the 2027-28 school year" in warning.message
    assert lint_plan(plan, years=[2026]) == []


def test_check_is_quiet_when_no_holiday_depends_on_the_school_calendar():
    fixed = {"name": "New Year", "date": {"rule": "fixed", "month": 1, "day": 1}}
    plan = make_plan(school=SCHOOL, holidays=[fixed])
    assert [w.code for w in lint_plan(plan, years=[2026, 2027, 2028])] == []


# --- D2: birthdays of a child who has left the schedule ---------------------------------

SIBLINGS = [
    {"id": "ava", "name": "Ava", "birth_date": date(2014, 2, 11)},
    {"id": "eli", "name": "Eli", "birth_date": date(2018, 6, 27)},
]
AVAS_BIRTHDAY = {
    "name": "Ava's birthday",
    "date": {"rule": "birthday", "of": "ava"},
    "start": {"days": 0, "time": time(18, 0)},
    "end": {"time": time(20, 0)},
    "assign": {"not_in_possession": True},
    "priority": 1,
}


def test_birthday_of_a_child_who_left_moves_no_sibling():
    plan = make_plan(children=SIBLINGS, holidays=[AVAS_BIRTHDAY])
    # 2031: Ava is 17; the week of 10 Feb 2031 is Alex's, so Eli goes to Sam 18-20.
    tl = compute_timeline(plan, date(2031, 2, 1), date(2031, 3, 1))
    assert [h.first for h in tl.holidays] == [date(2031, 2, 11)]
    assert holder(tl.children["eli"], local(2031, 2, 11, 19)) == "sam"
    # Ava turns 18 on 2032-02-11 and leaves: no birthday that day or later.
    for year in (2032, 2033):
        tl = compute_timeline(plan, date(year, 2, 1), date(year, 3, 1))
        assert tl.holidays == [], year
        assert all(b.rule.layer != "holiday" for b in tl.children["eli"].blocks), year


def test_birthday_ends_at_a_per_child_until_age():
    children = [{**SIBLINGS[0], "until_age": 12}, SIBLINGS[1]]
    plan = make_plan(children=children, holidays=[AVAS_BIRTHDAY])
    assert [
        h.first for h in compute_timeline(plan, date(2025, 2, 1), date(2025, 3, 1)).holidays
    ] == [date(2025, 2, 11)]
    assert compute_timeline(plan, date(2026, 2, 1), date(2026, 3, 1)).holidays == []
    assert compute_timeline(plan, date(2028, 2, 1), date(2028, 3, 1)).holidays == []


# --- D3: split holidays name both halves ------------------------------------------------

CHRISTMAS_FIXED = {
    "name": "Christmas",
    "date": {"rule": "fixed", "month": 12, "day": 25},
    "start": {"month_day": "12-19", "time": time(18, 0)},
    "split": {"month_day": "12-28", "time": time(12, 0)},
    "end": {"month_day": "01-03", "time": time(18, 0)},
    "assign": {"even_years": "sam", "odd_years": "alex"},
}


def test_split_holiday_label_has_both_halves():
    plan = make_plan(holidays=[CHRISTMAS_FIXED])
    tl = compute_timeline(plan, date(2026, 12, 1), date(2027, 1, 1))
    [label] = tl.holidays
    assert (label.parent, label.second_parent) == ("sam", "alex")
    assert label.split_at == local(2026, 12, 28, 12)


def test_split_holiday_in_ics_description_grid_legend_and_html():
    plan = make_plan(holidays=[CHRISTMAS_FIXED])
    tl = compute_timeline(plan, date(2026, 12, 1), date(2027, 1, 1))
    ics = render_calendar(plan, tl, "alex").replace(b"\r\n ", b"").decode()
    assert (
        "Split by the plan: first half to Sam until Mon 28 Dec 2026 12:00\\, second half "
        "to Alex" in ics
    )
    assert "Assigned by the plan to Sam" not in ics
    ctx = ViewContext.from_plan(plan)
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(month_table(tl, 2026, 12, ctx, None))
    assert "25 Dec Christmas (sam until 28 Dec 12:00, then alex)" in console.file.getvalue()
    html = render_html(tl, [(2026, 12)], ctx, None)
    assert "Christmas (Sam until 28 Dec 12:00, then Alex)" in html


# --- U4: a yearly season wrapping most of the year --------------------------------------


def _season(start: str, end: str) -> dict:
    return {"name": "Summer", "start": start, "end": end, "assign": {"parent": "sam"}}


def test_season_wrapping_most_of_the_year_warns():
    plan = make_plan(seasons=[_season("07-01", "06-30")])
    found = [w for w in lint_plan(plan, years=[2026]) if w.code == "season-wraps-year"]
    [warning] = found
    assert warning.key == "seasons[0]"
    assert "'Summer' runs from 07-01 to 06-30 of the next year, 364 days" in warning.message


def test_short_winter_season_wrap_is_fine():
    plan = make_plan(seasons=[_season("12-20", "01-05"), _season("06-15", "08-15")])
    assert [w for w in lint_plan(plan, years=[2026]) if w.code == "season-wraps-year"] == []


def test_not_in_possession_holiday_names_the_parent_it_went_to():
    # The week of 10 Feb 2031 is Alex's, so the birthday evening is Sam's.
    plan = make_plan(children=SIBLINGS, holidays=[AVAS_BIRTHDAY])
    tl = compute_timeline(plan, date(2031, 2, 1), date(2031, 3, 1))
    ics = render_calendar(plan, tl, None).replace(b"\r\n ", b"").decode()
    assert "A label only" not in ics
    assert "Assigned by the plan to Sam\\;" in ics
