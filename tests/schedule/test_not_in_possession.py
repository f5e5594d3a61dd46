"""``assign = { not_in_possession = true }``: the parent who would not have the children
when the span starts (Tex. Fam. Code 153.314(4), a child's birthday 18:00-20:00)."""

from __future__ import annotations

from datetime import date, time

import pytest
from engine_helpers import changes, holder, local, make_plan, rule_at
from pydantic import ValidationError

from pc_calendar.schedule.engine import compute_timeline, holiday_spans

BIRTHDAY = {
    "name": "Maya's birthday",
    "date": {"rule": "birthday", "of": "maya"},
    "start": {"days": 0, "time": time(18, 0)},
    "end": {"time": time(20, 0)},
    "assign": {"not_in_possession": True},
}


def test_birthday_evening_goes_to_the_parent_without_the_child():
    plan = make_plan(holidays=[BIRTHDAY])
    # Maya turns 10 on Sunday 12 April 2026, in Sam's week (6 April, 13 weeks after the
    # anchor): Alex has her 18:00-20:00.
    tl = compute_timeline(plan, date(2026, 4, 12), date(2026, 4, 13)).children["maya"]
    assert changes(tl) == [("2026-04-12 18:00", "sam", "alex"), ("2026-04-12 20:00", "alex", "sam")]
    assert rule_at(tl, local(2026, 4, 12, 19)) == "holidays[0]"
    # Monday 12 April 2027 is the day Alex's week starts at 18:00: at the span's start
    # Alex is entitled, so Sam gets the evening, and Alex takes over at 20:00.
    tl = compute_timeline(plan, date(2027, 4, 12), date(2027, 4, 13)).children["maya"]
    assert changes(tl) == [("2027-04-12 20:00", "sam", "alex")]
    assert holder(tl, local(2027, 4, 12, 19)) == "sam"


def test_lower_layers_decide_but_overrides_do_not():
    visit = {
        "parent": "alex",
        "weekday": "sunday",
        "start": time(17, 0),
        "end": time(21, 0),
        "location": "library",
    }
    swap = {
        "name": "swap",
        "start": "2026-04-12T17:00:00",
        "end": "2026-04-12T21:00:00",
        "parent": "sam",
        "agreed_by": ["alex", "sam"],
        "decided_on": date(2026, 3, 1),
    }
    # With Alex's Sunday visit, Alex holds at 18:00 on 12 April 2026: Sam gets 18-20.
    plan = make_plan(holidays=[BIRTHDAY], visits=[visit])
    tl = compute_timeline(plan, date(2026, 4, 12), date(2026, 4, 13)).children["maya"]
    assert [holder(tl, local(2026, 4, 12, h)) for h in (17, 18, 19, 20)] == [
        "alex",
        "sam",
        "sam",
        "alex",
    ]
    # An override is not a lower layer: it wins over the holiday, which still resolves
    # against the rotation (Sam's week, so Alex), and the label says so.
    plan = make_plan(holidays=[BIRTHDAY], overrides=[swap])
    timeline = compute_timeline(plan, date(2026, 4, 12), date(2026, 4, 13))
    assert holder(timeline.children["maya"], local(2026, 4, 12, 19)) == "sam"
    assert [(h.first, h.parent) for h in timeline.holidays] == [(date(2026, 4, 12), "alex")]


def test_a_higher_priority_holiday_resolves_after_a_lower_one():
    easter_sunday = {
        "name": "Easter Sunday",
        "date": {"rule": "fixed", "month": 4, "day": 12},
        "start": {"days": 0, "time": time(9, 0)},
        "end": {"time": time(21, 0)},
        "assign": {"parent": "alex"},
    }
    birthday = {**BIRTHDAY, "priority": 1}
    plan = make_plan(holidays=[birthday, easter_sunday])
    tl = compute_timeline(plan, date(2026, 4, 12), date(2026, 4, 13)).children["maya"]
    # Alex holds at 18:00 under the (lower-priority) Sunday holiday: Sam gets 18-20.
    assert changes(tl) == [
        ("2026-04-12 09:00", "sam", "alex"),
        ("2026-04-12 18:00", "alex", "sam"),
        ("2026-04-12 20:00", "sam", "alex"),
        ("2026-04-12 21:00", "alex", "sam"),
    ]


def test_span_api_leaves_the_parent_open():
    spans = holiday_spans(
        make_plan(holidays=[BIRTHDAY]), "default", date(2026, 1, 1), date(2027, 1, 1)
    )
    assert [(s.start, s.parent, s.not_in_possession, s.occurrence) for s in spans] == [
        (local(2026, 4, 12, 18), None, True, date(2026, 4, 12))
    ]


@pytest.mark.parametrize(
    ("assign", "split"),
    [
        ({"not_in_possession": True, "parent": "sam"}, None),
        ({"not_in_possession": True, "even_years": "sam", "odd_years": "alex"}, None),
        ({"not_in_possession": True}, {"time": time(19, 0), "days": 0}),
    ],
)
def test_not_in_possession_is_its_own_form(assign, split):
    holiday = {**BIRTHDAY, "assign": assign}
    if split is not None:
        holiday["split"] = split
    with pytest.raises(ValidationError):
        make_plan(holidays=[holiday])


def test_seasons_cannot_use_not_in_possession():
    season = {"name": "Summer", "start": "07-01", "end": "07-31"}
    with pytest.raises(ValidationError, match="not_in_possession is for holidays"):
        make_plan(seasons=[{**season, "assign": {"not_in_possession": True}}])


def test_a_span_starting_before_the_range_resolves_the_same_way():
    # A birthday week from Monday 6 April 2026 17:00: Sam's week starts at 18:00 that
    # day, so at 17:00 Alex has Maya and the week goes to Sam, whatever range is asked
    # for; a range starting on 8 April (when Sam would hold anyway) must agree.
    week = {**BIRTHDAY, "start": {"days": -6, "time": time(17, 0)}}
    week["end"] = {"days": 0, "time": time(18, 0)}
    plan = make_plan(holidays=[week])
    whole = compute_timeline(plan, date(2026, 4, 6), date(2026, 4, 14))
    late = compute_timeline(plan, date(2026, 4, 8), date(2026, 4, 14))
    for timeline in (whole, late):
        maya = timeline.children["maya"]
        assert holder(maya, local(2026, 4, 9, 12)) == "sam"
        assert rule_at(maya, local(2026, 4, 9, 12)) == "holidays[0]"
        assert [(h.first, h.parent) for h in timeline.holidays] == [(date(2026, 4, 12), "sam")]
    assert changes(whole.children["maya"]) == [
        ("2026-04-06 17:00", "alex", "sam"),
        ("2026-04-13 18:00", "sam", "alex"),  # the span ends in Sam's rotation week
    ]
    assert changes(late.children["maya"]) == [("2026-04-13 18:00", "sam", "alex")]
    assert late.warnings == whole.warnings == []
