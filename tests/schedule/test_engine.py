"""Worked examples for the engine, checked against dates written out by hand.

All plans use an invented family in America/Chicago. The rotation anchor is Monday
2026-01-05; for alternating weeks the week starting on a Monday N weeks after the
anchor is Alex's when N is even, Sam's when odd (exchanges Monday 18:00).
"""

from __future__ import annotations

from datetime import date, time

from engine_helpers import changes, holder, local, make_plan, rule_at

from pc_calendar.schedule.engine import compute_timeline

TERM_2026 = {
    "dismissal": time(15, 0),
    "start": time(8, 0),
    "terms": [
        {"name": "Spring 2026", "start": date(2026, 1, 5), "end": date(2026, 5, 29)},
        {"name": "Fall 2026", "start": date(2026, 8, 17), "end": date(2026, 12, 18)},
        {"name": "Spring 2027", "start": date(2027, 1, 5), "end": date(2027, 5, 27)},
    ],
    "breaks": [
        {"name": "MLK Day", "start": date(2026, 1, 19), "end": date(2026, 1, 19)},
        {"name": "Spring Break", "start": date(2026, 3, 16), "end": date(2026, 3, 20)},
    ],
}


def test_2255_from_anchor():
    plan = make_plan(rotation={"pattern": "2-2-5-5", "anchor": date(2026, 1, 5)})
    tl = compute_timeline(plan, date(2026, 1, 5), date(2026, 1, 26)).children["maya"]
    # AABBAAAAABBBBB from Mon 5 Jan: Mon-Tue Alex, Wed-Thu Sam, Fri-Tue Alex, Wed-Sun Sam.
    # At the range start (Mon 00:00) the previous day's slot holds: Sunday 4 Jan = B.
    assert changes(tl) == [
        ("2026-01-05 18:00", "sam", "alex"),
        ("2026-01-07 18:00", "alex", "sam"),
        ("2026-01-09 18:00", "sam", "alex"),
        ("2026-01-14 18:00", "alex", "sam"),
        ("2026-01-19 18:00", "sam", "alex"),
        ("2026-01-21 18:00", "alex", "sam"),
        ("2026-01-23 18:00", "sam", "alex"),
    ]
    assert tl.blocks[0].start == local(2026, 1, 5)
    assert tl.blocks[-1].end == local(2026, 1, 26)
    assert all(b.rule.source == "rotation" and b.rule.layer == "rotation" for b in tl.blocks)
    assert {ex.location for ex in tl.exchanges} == {"curb"}


def test_exchange_time_precedence_weekday_then_school_day_then_default():
    plan = make_plan(
        school=TERM_2026,
        exchange={
            "time": time(18, 0),
            "location": "curb",
            "school_day": {"time": "dismissal", "location": "school"},
            "weekdays": {"monday": {"location": "cafe"}},
        },
    )
    tl = compute_timeline(plan, date(2026, 1, 4), date(2026, 1, 27)).children["maya"]
    # Mondays 5 and 12 Jan are school days: dismissal 15:00 (school_day), place "cafe"
    # (monday entry). Monday 19 Jan is MLK Day: default 18:00, still "cafe".
    assert changes(tl) == [
        ("2026-01-05 15:00", "sam", "alex"),
        ("2026-01-12 15:00", "alex", "sam"),
        ("2026-01-19 18:00", "sam", "alex"),
        ("2026-01-26 15:00", "alex", "sam"),
    ]
    assert [ex.location for ex in tl.exchanges] == ["cafe"] * 4


def test_school_day_location_used_when_no_weekday_entry():
    plan = make_plan(
        school=TERM_2026,
        exchange={
            "time": time(18, 0),
            "location": "curb",
            "school_day": {"time": "dismissal", "location": "school"},
            "non_school_day": {"location": "library"},
        },
    )
    tl = compute_timeline(plan, date(2026, 1, 10), date(2026, 1, 21)).children["maya"]
    assert [(c, ex.location) for c, ex in zip(changes(tl), tl.exchanges, strict=True)] == [
        (("2026-01-12 15:00", "alex", "sam"), "school"),
        (("2026-01-19 18:00", "sam", "alex"), "library"),
    ]


THANKSGIVING = {
    "name": "Thanksgiving",
    "date": {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
    "start": {"days": -1, "time": time(18, 0)},
    "end": {"days": 3, "time": time(18, 0)},
    "assign": {"parent": "sam"},
    "location": "grandma",
    "citation": "Order 4.2",
}


def test_holiday_beats_rotation():
    plan = make_plan(holidays=[THANKSGIVING])
    tl = compute_timeline(plan, date(2026, 11, 20), date(2026, 12, 3)).children["maya"]
    # Week of Mon 23 Nov is Alex's (46 weeks after the anchor); Thanksgiving is Thu 26 Nov:
    # Sam from Wed 25 Nov 18:00 to Sun 29 Nov 18:00.
    assert changes(tl) == [
        ("2026-11-23 18:00", "sam", "alex"),
        ("2026-11-25 18:00", "alex", "sam"),
        ("2026-11-29 18:00", "sam", "alex"),
        ("2026-11-30 18:00", "alex", "sam"),
    ]
    start, back = tl.exchanges[1], tl.exchanges[2]
    assert start.rule.source == "holidays[0]" and start.rule.citation == "Order 4.2"
    assert start.ending_rule.source == "rotation"
    assert back.rule.source == "rotation" and back.ending_rule.source == "holidays[0]"
    # The holiday's place for both of its edges; the rotation's for the Monday exchange.
    assert [ex.location for ex in tl.exchanges] == ["curb", "grandma", "grandma", "curb"]
    assert rule_at(tl, local(2026, 11, 27, 12)) == "holidays[0]"


CHRISTMAS = {
    "name": "Christmas",
    "date": {"rule": "fixed", "month": 12, "day": 25},
    "start": {"month_day": "12-19", "time": time(18, 0)},
    "split": {"month_day": "12-28", "time": time(12, 0)},
    "end": {"month_day": "01-03", "time": time(18, 0)},
    "assign": {"even_years": "sam", "odd_years": "alex"},
}


def test_split_christmas_crosses_new_year():
    plan = make_plan(holidays=[CHRISTMAS])
    tl = compute_timeline(plan, date(2026, 12, 15), date(2027, 1, 10)).children["maya"]
    # Week of 14 Dec is Sam's (49 weeks), 21 Dec Alex's, 28 Dec Sam's, 4 Jan 2027 Alex's.
    # 2026 is even: Sam 19 Dec 18:00 - 28 Dec 12:00, Alex 28 Dec 12:00 - 3 Jan 18:00.
    assert changes(tl) == [
        ("2026-12-28 12:00", "sam", "alex"),
        ("2027-01-03 18:00", "alex", "sam"),
        ("2027-01-04 18:00", "sam", "alex"),
    ]
    spans = [(b.start, b.end, b.parent, b.rule.source) for b in tl.blocks]
    assert spans == [
        (local(2026, 12, 15), local(2026, 12, 19, 18), "sam", "rotation"),
        (local(2026, 12, 19, 18), local(2026, 12, 28, 12), "sam", "holidays[0]"),
        (local(2026, 12, 28, 12), local(2027, 1, 3, 18), "alex", "holidays[0]"),
        (local(2027, 1, 3, 18), local(2027, 1, 4, 18), "sam", "rotation"),
        (local(2027, 1, 4, 18), local(2027, 1, 10), "alex", "rotation"),
    ]


def test_split_christmas_odd_year_gives_first_half_to_alex():
    plan = make_plan(holidays=[CHRISTMAS])
    tl = compute_timeline(plan, date(2027, 12, 1), date(2028, 1, 31)).children["maya"]
    assert holder(tl, local(2027, 12, 24, 12)) == "alex"
    assert holder(tl, local(2027, 12, 30, 12)) == "sam"
    assert holder(tl, local(2028, 1, 3, 17, 59)) == "sam"


def test_override_beats_holiday():
    override = {
        "name": "Funeral trip",
        "kind": "decision",
        "decided_by": "coordinator",
        "decided_on": date(2026, 12, 1),
        "parent": "alex",
        "start": "2026-12-22T10:00:00",
        "end": "2026-12-23T10:00:00",
    }
    plan = make_plan(holidays=[CHRISTMAS], overrides=[override])
    tl = compute_timeline(plan, date(2026, 12, 20), date(2026, 12, 27)).children["maya"]
    assert changes(tl) == [
        ("2026-12-22 10:00", "sam", "alex"),
        ("2026-12-23 10:00", "alex", "sam"),
    ]
    assert tl.exchanges[0].rule.source == "overrides[0]"
    assert tl.exchanges[0].ending_rule.source == "holidays[0]"
    assert tl.exchanges[1].rule.source == "holidays[0]"
    assert tl.exchanges[1].location == "curb"  # neither rule names a place


def test_override_only_for_named_children():
    plan = make_plan(
        children=[
            {"id": "maya", "name": "Maya", "birth_date": date(2016, 4, 12)},
            {"id": "leo", "name": "Leo", "birth_date": date(2019, 9, 3)},
        ],
        overrides=[
            {
                "name": "Leo's camp",
                "parent": "sam",
                "children": ["leo"],
                "agreed_by": ["alex", "sam"],
                "decided_on": date(2026, 1, 2),
                "start": "2026-01-06T09:00:00",
                "end": "2026-01-08T09:00:00",
                "location": "camp",
            }
        ],
    )
    timeline = compute_timeline(plan, date(2026, 1, 5), date(2026, 1, 12))
    maya, leo = timeline.children["maya"], timeline.children["leo"]
    assert changes(maya) == [("2026-01-05 18:00", "sam", "alex")]
    assert changes(leo) == [
        ("2026-01-05 18:00", "sam", "alex"),
        ("2026-01-06 09:00", "alex", "sam"),
        ("2026-01-08 09:00", "sam", "alex"),
    ]
    assert [ex.location for ex in leo.exchanges] == ["curb", "camp", "camp"]
    merged = timeline.merged_exchanges()
    assert merged[0].children == ("leo", "maya")
    assert len(merged) == 3


def test_midweek_visit_in_term_only():
    plan = make_plan(
        school=TERM_2026,
        visits=[
            {
                "name": "Wednesday dinner",
                "parent": "sam",
                "weekday": "wednesday",
                "start": time(17, 0),
                "end": time(19, 30),
                "during": "school_term",
                "location": "library",
            }
        ],
    )
    tl = compute_timeline(plan, date(2026, 3, 2), date(2026, 3, 30)).children["maya"]
    # Weeks of 2 Mar (8 weeks) and 16 Mar (10) are Alex's; 18 Mar is spring break.
    assert changes(tl) == [
        ("2026-03-02 18:00", "sam", "alex"),
        ("2026-03-04 17:00", "alex", "sam"),
        ("2026-03-04 19:30", "sam", "alex"),
        ("2026-03-09 18:00", "alex", "sam"),
        ("2026-03-16 18:00", "sam", "alex"),
        ("2026-03-23 18:00", "alex", "sam"),
    ]
    visit_start, visit_end = tl.exchanges[1], tl.exchanges[2]
    assert (visit_start.rule.layer, visit_start.rule.source) == ("visit", "visits[0]")
    assert visit_start.location == visit_end.location == "library"
    assert visit_end.rule.source == "rotation" and visit_end.ending_rule.source == "visits[0]"


def test_visit_outside_term_and_partial_overlap_with_own_time():
    plan = make_plan(
        school=TERM_2026,
        visits=[
            {
                "parent": "sam",
                "weekday": "monday",
                "start": time(17, 0),
                "end": time(19, 0),
                "during": "outside_school_term",
            }
        ],
    )
    tl = compute_timeline(plan, date(2026, 1, 18), date(2026, 1, 27)).children["maya"]
    # MLK Day (Mon 19 Jan) is a one-day break: a day off inside the term, not outside
    # it, so no visit that week or the next.
    assert changes(tl) == [("2026-01-19 18:00", "sam", "alex"), ("2026-01-26 18:00", "alex", "sam")]
    tl = compute_timeline(plan, date(2026, 3, 15), date(2026, 3, 24)).children["maya"]
    # Only spring break (Mon 16 Mar, a week-long break) counts. Sam holds until 18:00
    # under the rotation, so the visit adds only 18:00-19:00 and no exchange at 17:00.
    assert changes(tl) == [
        ("2026-03-16 19:00", "sam", "alex"),
        ("2026-03-23 18:00", "alex", "sam"),
    ]
    assert rule_at(tl, local(2026, 3, 16, 17, 30)) == "rotation"
    assert rule_at(tl, local(2026, 3, 16, 18, 30)) == "visits[0]"


def test_summer_block_and_summer_rotation():
    plan = make_plan(
        seasons=[
            {
                "name": "Summer with Alex",
                "start": "06-15",
                "end": "06-30",
                "assign": {"parent": "alex"},
            },
            {
                "name": "July days",
                "start": date(2026, 7, 1),
                "end": date(2026, 7, 5),
                "rotation": {
                    "pattern": "days",
                    "options": {"days": "AB"},
                    "anchor": date(2026, 7, 1),
                },
            },
        ]
    )
    tl = compute_timeline(plan, date(2026, 6, 10), date(2026, 7, 10)).children["maya"]
    # Week of 8 Jun is Alex's, so the block starting 15 Jun 18:00 needs no exchange;
    # weeks of 29 Jun and 6 Jul: Sam, Alex.
    assert changes(tl) == [
        ("2026-06-30 18:00", "alex", "sam"),
        ("2026-07-01 18:00", "sam", "alex"),
        ("2026-07-02 18:00", "alex", "sam"),
        ("2026-07-03 18:00", "sam", "alex"),
        ("2026-07-04 18:00", "alex", "sam"),
        ("2026-07-06 18:00", "sam", "alex"),
    ]
    assert rule_at(tl, local(2026, 6, 15, 17)) == "rotation"
    assert rule_at(tl, local(2026, 6, 15, 19)) == "seasons[0]"
    assert rule_at(tl, local(2026, 7, 2, 19)) == "seasons[1]"
    assert rule_at(tl, local(2026, 7, 5, 19)) == "rotation"


def test_child_turning_18_and_child_born_mid_range():
    plan = make_plan(
        children=[
            {"id": "teo", "name": "Teo", "birth_date": date(2008, 9, 3)},
            {"id": "ada", "name": "Ada", "birth_date": date(2026, 9, 15)},
        ]
    )
    timeline = compute_timeline(plan, date(2026, 8, 1), date(2026, 10, 1))
    teo, ada = timeline.children["teo"], timeline.children["ada"]
    assert teo.blocks[0].start == local(2026, 8, 1)
    assert teo.blocks[-1].end == local(2026, 9, 3)  # the 18th birthday, local midnight
    assert all(ex.at < local(2026, 9, 3) for ex in teo.exchanges)
    assert ada.blocks[0].start == local(2026, 9, 15)
    assert ada.blocks[-1].end == local(2026, 10, 1)
    # Mon 14 Sep week is Alex's (36 weeks); Ada is born Tue 15 Sep into Alex's care.
    assert ada.blocks[0].parent == "alex"
    before = compute_timeline(plan, date(2026, 1, 1), date(2026, 2, 1))
    assert before.children["ada"].blocks == [] and before.children["ada"].exchanges == []


def test_per_child_schedules():
    plan = make_plan(
        children=[
            {"id": "maya", "name": "Maya", "birth_date": date(2016, 4, 12)},
            {"id": "teen", "name": "Teen", "birth_date": date(2011, 2, 1), "schedule": "teen"},
        ],
        schedules={
            "teen": {
                "rotation": {
                    "pattern": "every_other_weekend",
                    "anchor": date(2026, 1, 5),
                    "parents": ["alex", "sam"],
                },
                "exchange": {"time": time(19, 0), "location": "teen-cafe"},
                "holidays": [{**THANKSGIVING, "assign": {"parent": "alex"}}],
            }
        },
    )
    timeline = compute_timeline(plan, date(2026, 1, 5), date(2026, 1, 26))
    teen = timeline.children["teen"]
    # Sam has the weekends of the anchor week and every second week after it.
    assert changes(teen) == [
        ("2026-01-09 19:00", "alex", "sam"),
        ("2026-01-11 19:00", "sam", "alex"),
        ("2026-01-23 19:00", "alex", "sam"),
        ("2026-01-25 19:00", "sam", "alex"),
    ]
    assert {b.rule.source for b in teen.blocks} == {"schedules.teen.rotation"}
    assert {ex.location for ex in teen.exchanges} == {"teen-cafe"}
    assert changes(timeline.children["maya"])[0] == ("2026-01-05 18:00", "sam", "alex")
    november = compute_timeline(plan, date(2026, 11, 23), date(2026, 11, 30))
    assert rule_at(november.children["teen"], local(2026, 11, 27)) == "schedules.teen.holidays[0]"
    assert [h.rule.source for h in november.holidays] == ["schedules.teen.holidays[0]"]


def test_holiday_labels_list_every_occurrence_in_range():
    birthday = {"name": "Maya's birthday", "date": {"rule": "birthday", "of": "maya"}}
    plan = make_plan(holidays=[THANKSGIVING, birthday])
    timeline = compute_timeline(plan, date(2026, 1, 1), date(2028, 1, 1))
    assert [(h.name, h.first, h.parent) for h in timeline.holidays] == [
        ("Maya's birthday", date(2026, 4, 12), None),
        ("Thanksgiving", date(2026, 11, 26), "sam"),
        ("Maya's birthday", date(2027, 4, 12), None),
        ("Thanksgiving", date(2027, 11, 25), "sam"),
    ]
    # A label-only holiday paints nothing.
    maya = timeline.children["maya"]
    assert rule_at(maya, local(2026, 4, 12, 12)) == "rotation"


def test_holidays_listed_even_when_no_child_is_in_range():
    birthday = {"name": "Maya's birthday", "date": {"rule": "birthday", "of": "maya"}}
    plan = make_plan(
        holidays=[THANKSGIVING, birthday],
        children=[{"id": "maya", "name": "Maya", "birth_date": date(2030, 4, 12)}],
    )
    timeline = compute_timeline(plan, date(2026, 11, 1), date(2026, 12, 1))
    assert timeline.children["maya"].blocks == []
    assert [(h.name, h.first) for h in timeline.holidays] == [("Thanksgiving", date(2026, 11, 26))]
