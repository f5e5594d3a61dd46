"""The step-up template, worked by hand: Ines's schedule at birth, 18 months, 3 and 5.

Ines is born on Saturday 14 June 2025; the cycle of the first two stages counts from
Monday 16 June 2025, so every Monday is day 0 of the week string. Expected handovers
were counted on a printed calendar.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

TEMPLATE = Path(__file__).parents[2] / "src/pc_calendar/templates/step-up-young-children.toml"
ZONE = ZoneInfo("America/Phoenix")


@cache
def timeline():
    return compute_timeline(load_plan(TEMPLATE), date(2026, 1, 1), date(2031, 1, 1))


def handovers(first: str, last: str) -> list[str]:
    out = []
    for ex in timeline().children["ines"].exchanges:
        local = ex.at.astimezone(ZONE)
        if first <= f"{local:%Y-%m-%d}" <= last:
            out.append(f"{local:%m-%d %H:%M} {ex.from_parent}->{ex.to_parent} {ex.location}")
    return out


def test_from_birth_three_times_a_week_one_overnight():
    # Tuesday and Thursday 16-19, Saturday 10:00 to Sunday 10:00; Father's Day
    # (Sunday 21 June) keeps Ines with Tomás until 17:00.
    assert handovers("2026-06-15", "2026-06-21") == [
        "06-16 16:00 priya->tomas priya-home",
        "06-16 19:00 tomas->priya priya-home",
        "06-18 16:00 priya->tomas priya-home",
        "06-18 19:00 tomas->priya priya-home",
        "06-20 10:00 priya->tomas priya-home",
        "06-21 17:00 tomas->priya priya-home",
    ]


def test_at_18_months_two_non_consecutive_overnights():
    # From Monday 14 December 2026: Wednesday 17:00 to Thursday 17:00 and Saturday
    # 10:00 to Sunday 10:00; the Thursday evening visit has ended.
    assert handovers("2026-12-14", "2026-12-20") == [
        "12-15 16:00 priya->tomas priya-home",
        "12-15 19:00 tomas->priya priya-home",
        "12-16 17:00 priya->tomas priya-home",
        "12-17 17:00 tomas->priya priya-home",
        "12-19 10:00 priya->tomas priya-home",
        "12-20 10:00 tomas->priya priya-home",
    ]
    # The week before keeps the first stage (Thursday evening still there).
    assert "12-10 16:00 priya->tomas priya-home" in handovers("2026-12-07", "2026-12-13")


def test_at_3_two_two_three_from_the_first_handover_after_the_birthday():
    # Wednesday 14 June 2028 17:00 is the first handover after the third birthday began
    # (a Wednesday overnight); 2-2-3 from then with Tomás first: Wed-Thu Tomás, Fri-Sat
    # Priya, Sun-Tue Tomás (from 10:00 on Sunday 18th, Father's Day), Wed-Thu Priya,
    # Fri-Sat Tomás, Sun-Tue Priya.
    assert handovers("2028-06-13", "2028-06-28") == [
        "06-13 16:00 priya->tomas priya-home",
        "06-13 19:00 tomas->priya priya-home",
        "06-14 17:00 priya->tomas priya-home",
        "06-16 17:00 tomas->priya priya-home",
        "06-18 10:00 priya->tomas priya-home",
        "06-21 17:00 tomas->priya priya-home",
        "06-23 17:00 priya->tomas priya-home",
        "06-25 17:00 tomas->priya priya-home",
        "06-28 17:00 priya->tomas priya-home",
    ]


def test_at_5_two_two_five_five_from_the_school_year_with_the_block_finished():
    # School starts Monday 5 August 2030, in Priya's 2-2-3 stretch (Sun 4th to Wed 7th);
    # switch = "end_of_block": it finishes at 17:00 on Wednesday at Priya's home, then
    # 2-2-5-5 counted from the 5th (Mon-Tue Priya, Wed-Thu Tomás, Fri-Tue Priya,
    # Wed-Sun Tomás) with school-day handovers at dismissal at school.
    assert handovers("2030-08-02", "2030-08-19") == [
        "08-02 17:00 priya->tomas priya-home",
        "08-04 17:00 tomas->priya priya-home",
        "08-07 17:00 priya->tomas priya-home",
        "08-09 14:40 tomas->priya school",
        "08-14 14:40 priya->tomas school",
        "08-19 14:40 tomas->priya school",
    ]
    (switch,) = [s for s in timeline().switchovers if s.title.endswith("'Step-up at 5'")]
    assert (switch.reading, switch.chosen) == ("end_of_block", True)


def test_christmas_grows_with_her():
    tl = timeline().children["ines"]
    spans = [
        (f"{b.start.astimezone(ZONE):%Y-%m-%d %H:%M}", f"{b.end.astimezone(ZONE):%H:%M}", b.parent)
        for b in tl.blocks
        if b.rule.layer == "holiday" and b.rule.name == "Christmas Day"
    ]
    assert spans[0] == ("2026-12-25 10:00", "16:00", "tomas")
    assert ("2030-12-24 18:00", "18:00", "tomas") in spans


def test_every_step_cites_its_source():
    plan = load_plan(TEMPLATE)
    assert all(a.cites for a in plan.amendments)
    assert plan.rotation.citation and all(v.citation for v in plan.visits)
