"""Amendments, step-ups and bounded rules, worked by hand on the calendar.

Every expected date below was counted on a calendar, not produced by the engine: the
base plan is alternating weeks from Monday 5 January 2026 (Alex's week first, so the
weeks starting on an even number of weeks from then are Alex's), handovers at 18:00.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from engine_helpers import changes, holder, local, make_plan, rule_at

from pc_calendar.schedule.engine import compute_timeline

DECISION = {"kind": "decision", "decided_by": "coordinator", "decided_on": date(2026, 1, 2)}


def amendment(effective: Any, **changes: Any) -> dict[str, Any]:
    return {"effective": effective, "reason": "hand-worked test", **DECISION, **changes}


def between(timeline, first: str, last: str) -> list[tuple[str, str, str]]:
    """Exchanges on local days ``first`` to ``last`` (both included)."""
    return [c for c in changes(timeline) if first <= c[0][:10] <= last]


def test_step_ups_at_3_and_5_for_the_younger_child_only():
    children = [
        {"id": "maya", "name": "Maya", "birth_date": date(2016, 4, 12)},
        {"id": "mia", "name": "Mia", "birth_date": date(2024, 3, 10)},
    ]
    at3 = amendment(
        {"child": "mia", "age": "3y", "at": "first_exchange_after"},
        name="Step-up at 3",
        children=["mia"],
        rotation={"pattern": "2-2-5-5", "anchor": "effective", "parents": ["alex", "sam"]},
    )
    at5 = amendment(
        {"child": "mia", "age": "5y"},
        name="Step-up at 5",
        children=["mia"],
        rotation={"pattern": "alternating_weeks", "anchor": date(2026, 1, 5)},
    )
    plan = make_plan(children=children, amendments=[at3, at5])
    timeline = compute_timeline(plan, date(2027, 3, 1), date(2029, 4, 1))
    maya, mia = timeline.children["maya"], timeline.children["mia"]
    # Mia turns 3 on Wednesday 10 March 2027; the first handover after that is Monday
    # 15 March 18:00 (Sam -> Alex, week 62 from the anchor is Alex's). From then on
    # 2-2-5-5 counted from 15 March: Mon-Tue Alex, Wed-Thu Sam, Fri-Tue Alex, Wed-Sun Sam.
    assert between(mia, "2027-03-01", "2027-03-31") == [
        ("2027-03-01 18:00", "sam", "alex"),
        ("2027-03-08 18:00", "alex", "sam"),
        ("2027-03-15 18:00", "sam", "alex"),
        ("2027-03-17 18:00", "alex", "sam"),
        ("2027-03-19 18:00", "sam", "alex"),
        ("2027-03-24 18:00", "alex", "sam"),
        ("2027-03-29 18:00", "sam", "alex"),
        ("2027-03-31 18:00", "alex", "sam"),
    ]
    # Maya keeps alternating weeks throughout.
    assert between(maya, "2027-03-01", "2027-03-31") == [
        ("2027-03-01 18:00", "sam", "alex"),
        ("2027-03-08 18:00", "alex", "sam"),
        ("2027-03-15 18:00", "sam", "alex"),
        ("2027-03-22 18:00", "alex", "sam"),
        ("2027-03-29 18:00", "sam", "alex"),
    ]
    # Mia turns 5 on Saturday 10 March 2029, in Sam's time under both schedules (day 12
    # of the 2-2-5-5 cycle; week 165, Sam's), so the switch moves no handover: Sam until
    # Monday 12 March, then alternating weeks again, in step with Maya.
    assert between(mia, "2029-03-01", "2029-03-31") == [
        ("2029-03-02 18:00", "sam", "alex"),
        ("2029-03-07 18:00", "alex", "sam"),
        ("2029-03-12 18:00", "sam", "alex"),
        ("2029-03-19 18:00", "alex", "sam"),
        ("2029-03-26 18:00", "sam", "alex"),
    ]
    assert between(maya, "2029-03-12", "2029-03-31") == between(mia, "2029-03-12", "2029-03-31")
    # Each block names the step-up that produced it.
    block = next(b for b in mia.blocks if b.start == local(2027, 3, 19, 18))
    assert block.rule.source == "amendments[0].rotation"
    assert block.amendment == "amendments[0] 'Step-up at 3'"
    late = next(b for b in mia.blocks if b.start == local(2029, 3, 12, 18))
    assert late.rule.source == "amendments[1].rotation"
    assert all(b.amendment is None for b in maya.blocks)
    records = [(s.title, s.children, s.reading) for s in timeline.switchovers]
    assert records == [
        ("amendments[0] 'Step-up at 3'", ("mia",), None),
        ("amendments[1] 'Step-up at 5'", ("mia",), None),
    ]
    assert timeline.warnings == []


def test_rotation_change_mid_year_with_a_new_anchor():
    change = amendment(
        date(2026, 6, 1),
        rotation={"pattern": "2-2-5-5", "anchor": "effective", "parents": ["sam", "alex"]},
    )
    plan = make_plan(amendments=[change])
    tl = compute_timeline(plan, date(2026, 5, 1), date(2026, 7, 1)).children["maya"]
    # Alex's week from 25 May runs into 1 June; 2-2-5-5 from 1 June with Sam in slot A:
    # the slot of 31 May (the cycle's last day) is Alex's, so no handover at midnight.
    assert between(tl, "2026-05-25", "2026-06-16") == [
        ("2026-05-25 18:00", "sam", "alex"),
        ("2026-06-01 18:00", "alex", "sam"),
        ("2026-06-03 18:00", "sam", "alex"),
        ("2026-06-05 18:00", "alex", "sam"),
        ("2026-06-10 18:00", "sam", "alex"),
        ("2026-06-15 18:00", "alex", "sam"),
    ]
    without = compute_timeline(make_plan(), date(2026, 5, 1), date(2026, 7, 1)).children["maya"]
    cut = local(2026, 6, 1)
    assert [(b.start, min(b.end, cut), b.parent) for b in tl.blocks if b.start < cut] == [
        (b.start, min(b.end, cut), b.parent) for b in without.blocks if b.start < cut
    ]


def test_exchange_place_changed_by_a_decision_then_reversed():
    library = amendment(
        date(2026, 3, 1),
        name="Library",
        exchange={"location": "library"},
        review_on=date(2026, 4, 1),
    )
    back = amendment(date(2026, 4, 1), name="Back to curbside", exchange={"location": "curb"})
    plan = make_plan(amendments=[library, back])
    tl = compute_timeline(plan, date(2026, 2, 1), date(2026, 5, 1)).children["maya"]
    places = [
        (f"{e.at.astimezone(local(2026, 1, 1).tzinfo):%m-%d}", e.location) for e in tl.exchanges
    ]
    found = {(f"{e.local_at:%m-%d %H:%M}", e.location, e.amendment) for e in tl.exchanges}
    assert found == {
        ("02-02 18:00", "curb", None),
        ("02-09 18:00", "curb", None),
        ("02-16 18:00", "curb", None),
        ("02-23 18:00", "curb", None),
        ("03-02 18:00", "library", "amendments[0] 'Library'"),
        ("03-09 18:00", "library", "amendments[0] 'Library'"),
        ("03-16 18:00", "library", "amendments[0] 'Library'"),
        ("03-23 18:00", "library", "amendments[0] 'Library'"),
        ("03-30 18:00", "library", "amendments[0] 'Library'"),
        ("04-06 18:00", "curb", "amendments[1] 'Back to curbside'"),
        ("04-13 18:00", "curb", "amendments[1] 'Back to curbside'"),
        ("04-20 18:00", "curb", "amendments[1] 'Back to curbside'"),
        ("04-27 18:00", "curb", "amendments[1] 'Back to curbside'"),
    }
    assert len(places) == 13
    # Nobody's time changed: the blocks run on unbroken across both switch-overs.
    plain = compute_timeline(make_plan(), date(2026, 2, 1), date(2026, 5, 1)).children["maya"]
    assert [(b.start, b.end, b.parent) for b in tl.blocks] == [
        (b.start, b.end, b.parent) for b in plain.blocks
    ]


def test_a_bounded_midweek_visit():
    visit = {
        "name": "Wednesday dinner",
        "parent": "sam",
        "weekday": "wednesday",
        "start": time(16, 0),
        "end": time(19, 0),
        "from": date(2026, 1, 15),
        "until": date(2026, 3, 1),
    }
    plan = make_plan(visits=[visit])
    tl = compute_timeline(plan, date(2026, 1, 5), date(2026, 3, 10)).children["maya"]
    # Alex's weeks start 5 Jan, 19 Jan, 2 Feb, 16 Feb, 2 Mar. The visit falls in them on
    # 21 Jan, 4 Feb and 18 Feb; 7 Jan is before `from`, 4 Mar after `until`.
    visits = [c for c in changes(tl) if c[0].endswith("16:00")]
    assert visits == [
        ("2026-01-21 16:00", "alex", "sam"),
        ("2026-02-04 16:00", "alex", "sam"),
        ("2026-02-18 16:00", "alex", "sam"),
    ]
    assert holder(tl, local(2026, 3, 4, 17)) == "alex"
    assert holder(tl, local(2026, 1, 7, 17)) == "alex"


def test_a_step_up_replaces_a_bounded_visit_without_a_lone_handover():
    """The issue's case: the visit must end with the step-up, not paint over it."""
    visit = {
        "name": "Wednesday dinner",
        "parent": "sam",
        "weekday": "wednesday",
        "start": time(16, 0),
        "end": time(19, 0),
    }
    step_up = amendment(
        date(2026, 6, 1),
        rotation={"pattern": "2-2-5-5", "anchor": "effective", "parents": ["sam", "alex"]},
        remove={"visits": ["Wednesday dinner"]},
    )
    plan = make_plan(visits=[visit], amendments=[step_up])
    tl = compute_timeline(plan, date(2026, 5, 1), date(2026, 9, 1)).children["maya"]
    late = [c for c in changes(tl) if c[0] >= "2026-06-01"]
    assert late and all(c[0].endswith("18:00") for c in late)
    early = [c for c in changes(tl) if c[0] < "2026-06-01" and c[0].endswith("16:00")]
    # Alex's weeks in May start on the 11th and 25th (weeks 18 and 20 from the anchor).
    assert early == [("2026-05-13 16:00", "alex", "sam"), ("2026-05-27 16:00", "alex", "sam")]


def _mid_block(**extra: Any):
    # Alex's week runs from Monday 2 March 18:00; the amendment swaps who has which week
    # from Saturday 7 March, in the middle of it.
    change = amendment(date(2026, 3, 7), rotation={"parents": ["sam", "alex"]}, **extra)
    plan = make_plan(amendments=[change])
    return compute_timeline(plan, date(2026, 2, 20), date(2026, 4, 1))


def test_mid_block_end_of_block_reading_is_the_default_for_a_date():
    timeline = _mid_block()
    tl = timeline.children["maya"]
    # The week in progress runs to its end (Monday 9 March 18:00). The new rotation
    # gives Alex the week of 9 March, so that handover does not happen; the next one
    # is Monday 16 March (Sam's week under the new order).
    assert between(tl, "2026-03-01", "2026-03-31") == [
        ("2026-03-02 18:00", "sam", "alex"),
        ("2026-03-16 18:00", "alex", "sam"),
        ("2026-03-23 18:00", "sam", "alex"),
        ("2026-03-30 18:00", "alex", "sam"),
    ]
    (warning,) = timeline.warnings
    assert warning.startswith("amendments[0].effective: amendments[0] takes effect Sat 2026-03-07")
    assert "end_of_block" in warning and 'switch = "at_effective"' in warning
    assert "that handover does not happen" in warning
    (switch,) = timeline.switchovers
    assert (switch.reading, switch.chosen, switch.before, switch.after) == (
        "end_of_block",
        False,
        "alex",
        "sam",
    )
    assert switch.at == local(2026, 3, 9, 18)


def test_mid_block_at_effective_reading_hands_over_at_the_effective_instant():
    timeline = _mid_block(switch="at_effective")
    tl = timeline.children["maya"]
    assert between(tl, "2026-03-01", "2026-03-31") == [
        ("2026-03-02 18:00", "sam", "alex"),
        ("2026-03-07 00:00", "alex", "sam"),
        ("2026-03-09 18:00", "sam", "alex"),
        ("2026-03-16 18:00", "alex", "sam"),
        ("2026-03-23 18:00", "sam", "alex"),
        ("2026-03-30 18:00", "alex", "sam"),
    ]
    assert timeline.warnings == []  # the plan chose the reading


def test_a_date_time_effective_hands_over_at_that_time_and_says_so():
    change = amendment(datetime(2026, 3, 7, 10, 0), rotation={"parents": ["sam", "alex"]})
    timeline = compute_timeline(make_plan(amendments=[change]), date(2026, 3, 1), date(2026, 3, 12))
    assert ("2026-03-07 10:00", "alex", "sam") in changes(timeline.children["maya"])
    (warning,) = timeline.warnings
    assert "at_effective" in warning and 'switch = "end_of_block"' in warning


def test_seasons_and_holidays_across_an_amendment_boundary():
    season = {
        "name": "July with Alex",
        "start": "07-01",
        "end": "07-31",
        "assign": {"parent": "alex"},
    }
    christmas = {
        "name": "Christmas",
        "date": {"rule": "fixed", "month": 12, "day": 25},
        "assign": {"parent": "sam"},
    }
    mid_season = amendment(date(2026, 7, 15), rotation={"parents": ["sam", "alex"]})
    on_christmas = amendment(
        date(2026, 12, 25), holidays=[{**christmas, "assign": {"parent": "alex"}}]
    )
    plan = make_plan(seasons=[season], holidays=[christmas], amendments=[mid_season, on_christmas])
    timeline = compute_timeline(plan, date(2026, 6, 1), date(2028, 1, 1))
    tl = timeline.children["maya"]
    # The season is unchanged by the rotation amendment: one block, 1 July 18:00 to
    # 31 July 18:00, under its own rule.
    (july,) = [b for b in tl.blocks if b.rule.source == "seasons[0]" and b.start.year == 2026]
    assert (july.start, july.end, july.parent) == (
        local(2026, 7, 1, 18),
        local(2026, 7, 31, 18),
        "alex",
    )
    # Christmas 2026 (24 Dec 18:00 to 25 Dec 18:00) was Sam's when the change took
    # effect at midnight: Sam's time runs to its end (end_of_block). Since 15 July Sam
    # has the even weeks, so the week of 21 December is Sam's too and Sam's time ends
    # at the next handover, Monday 28 December 18:00. Christmas 2027 is Alex's.
    assert holder(tl, local(2026, 12, 25, 12)) == "sam"
    assert holder(tl, local(2026, 12, 28, 17)) == "sam"
    assert holder(tl, local(2026, 12, 28, 19)) == "alex"
    assert rule_at(tl, local(2026, 12, 25, 12)) == "holidays[0]"
    assert holder(tl, local(2027, 12, 25, 12)) == "alex"
    assert rule_at(tl, local(2027, 12, 25, 12)) == "amendments[1].holidays[0]"
    second = [s for s in timeline.switchovers if s.amendment == 1]
    assert second[0].reading == "end_of_block" and second[0].at == local(2026, 12, 28, 18)
    labels = [(h.first.year, h.parent) for h in timeline.holidays if h.name == "Christmas"]
    assert labels == [(2026, "sam"), (2027, "alex")]


def test_a_future_amendment_leaves_the_past_alone():
    plain = compute_timeline(make_plan(), date(2026, 1, 1), date(2027, 1, 1)).children["maya"]
    change = amendment(date(2026, 9, 2), rotation={"pattern": "2-2-3", "anchor": "effective"})
    tl = compute_timeline(make_plan(amendments=[change]), date(2026, 1, 1), date(2027, 1, 1))
    cut = local(2026, 9, 2)
    before = [b for b in tl.children["maya"].blocks if b.start < cut]
    assert [(b.start, min(b.end, cut), b.parent) for b in before] == [
        (b.start, min(b.end, cut), b.parent) for b in plain.blocks if b.start < cut
    ]
    assert [e for e in tl.children["maya"].exchanges if e.at < cut] == [
        e for e in plain.exchanges if e.at < cut
    ]


def test_an_amendment_to_a_per_child_schedule_leaves_the_other_schedule_alone():
    children = [
        {"id": "maya", "name": "Maya", "birth_date": date(2016, 4, 12), "schedule": "teen"},
        {"id": "leo", "name": "Leo", "birth_date": date(2019, 9, 3)},
    ]
    teen = {"rotation": {"pattern": "alternating_weeks", "anchor": date(2026, 1, 5)}}
    later = amendment(
        date(2026, 3, 2), schedule="teen", exchange={"time": time(19, 0), "location": "library"}
    )
    plan = make_plan(children=children, schedules={"teen": teen}, amendments=[later])
    timeline = compute_timeline(plan, date(2026, 2, 1), date(2026, 4, 1))
    # Monday handovers: 18:00 until March, then 19:00 at the library, for Maya only.
    maya = [(f"{e.local_at:%m-%d %H:%M}", e.location) for e in timeline.children["maya"].exchanges]
    leo = [(f"{e.local_at:%m-%d %H:%M}", e.location) for e in timeline.children["leo"].exchanges]
    assert maya[:4] == [
        ("02-02 18:00", None),
        ("02-09 18:00", None),
        ("02-16 18:00", None),
        ("02-23 18:00", None),
    ]
    assert maya[4:] == [
        ("03-02 19:00", "library"),
        ("03-09 19:00", "library"),
        ("03-16 19:00", "library"),
        ("03-23 19:00", "library"),
        ("03-30 19:00", "library"),
    ]
    assert all(when.endswith("18:00") and place == "curb" for when, place in leo)


def test_a_holiday_begun_under_the_previous_version_keeps_its_label():
    school = {
        "terms": [{"start": date(2026, 8, 17), "end": date(2027, 5, 28)}],
        "breaks": [{"name": "Winter", "start": date(2026, 12, 21), "end": date(2027, 1, 4)}],
    }
    winter = {
        "name": "Winter break",
        "date": {"rule": "school_break", "name": "Winter"},
        "assign": {"parent": "sam"},
    }
    change = amendment(date(2026, 12, 28), exchange={"time": time(17, 0)})
    plan = make_plan(school=school, holidays=[winter], amendments=[change])
    # The range starts after the amendment; the break began before it, under the
    # version before: its label is still there, and so is Sam's time.
    timeline = compute_timeline(plan, date(2027, 1, 1), date(2027, 1, 10))
    assert [(h.name, h.first, h.last, h.parent) for h in timeline.holidays] == [
        ("Winter break", date(2026, 12, 21), date(2027, 1, 4), "sam")
    ]
    assert holder(timeline.children["maya"], local(2027, 1, 2, 12)) == "sam"


def test_a_retroactive_order_lists_the_past_days_that_change_hands():
    from pc_calendar.plan.lint_amendments import retroactive

    order = {
        "effective": date(2026, 3, 7),
        "kind": "court_order",
        "decided_by": "District Court",
        "decided_on": date(2026, 3, 20),
        "reason": "retroactive to the filing",
        "switch": "at_effective",
        "rotation": {"parents": ["sam", "alex"]},
    }
    plan = make_plan(amendments=[order])
    (found,) = retroactive(plan, None, date(2026, 3, 25))
    # Before: Alex 2-9 March, Sam 9-16, Alex 16-23, Sam from 23 (Mondays 18:00). After
    # the order, from Saturday 7 March 00:00: Sam to the 9th, Alex 9-16, Sam 16-23,
    # Alex from 23. Every day from the 7th to the 24th (today is the 25th) changes; a
    # Monday counts with the run it starts in.
    assert [(c.child, str(c.first), str(c.last), c.before, c.after) for c in found.changes] == [
        ("maya", "2026-03-07", "2026-03-09", "alex", "sam"),
        ("maya", "2026-03-10", "2026-03-16", "sam", "alex"),
        ("maya", "2026-03-17", "2026-03-23", "alex", "sam"),
        ("maya", "2026-03-24", "2026-03-24", "sam", "alex"),
    ]
    # Not retroactive: decided before it takes effect, or not yet in the past.
    assert retroactive(plan, None, date(2026, 3, 7)) == []
    timely = make_plan(amendments=[{**order, "decided_on": date(2026, 3, 1)}])
    assert retroactive(timely, None, date(2026, 3, 25)) == []
