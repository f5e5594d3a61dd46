"""compare_plans on hand-worked changes: overnights, hours, exchanges, holidays, calendars."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from diff_plans import FEBRUARY_WEEKEND, JANUARY_WEEKEND, REGISTER, plan_text

from pc_calendar.compare.plan_diff import compare_plans
from pc_calendar.plan.load import parse_plan_text
from pc_calendar.schedule.stats import NightConvention

CHICAGO = ZoneInfo("America/Chicago")
H = timedelta(hours=1)


@pytest.fixture(autouse=True)
def no_plugins(monkeypatch):
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")


def plan(tmp_path, **parts):
    return parse_plan_text(plan_text(**parts), tmp_path / "plan.toml").plan


def local(ex):
    return ex.at.astimezone(CHICAGO).replace(tzinfo=None)


def test_swap_weekend_moved_to_february(tmp_path):
    old = plan(tmp_path, overrides=JANUARY_WEEKEND)
    new = plan(tmp_path, overrides=FEBRUARY_WEEKEND)
    diff = compare_plans(old, new, date(2026, 1, 1), date(2026, 3, 1))
    assert not diff.same
    [group] = diff.shares
    assert group.children == ("ivy",)
    january, february, total = group.periods
    # January: Dana has the nights of 5-11 and 19-25; the swap gave Marcus 23 and 24.
    assert january.before.shares["dana"].overnights == 12
    assert january.after.shares["dana"].overnights == 14
    assert january.before.shares["marcus"].overnights == 19
    assert january.delta_nights("dana") == 2 and january.delta_nights("marcus") == -2
    assert january.delta_time("dana") == 48 * H
    # February: Dana's nights 2-8 and 16-22 (14), now without 6 and 7.
    assert february.before.shares["dana"].overnights == 14
    assert february.after.shares["dana"].overnights == 12
    assert february.delta_nights("marcus") == 2 and february.delta_time("marcus") == 48 * H
    assert total.delta_nights("dana") == 0 and not total.changed
    assert [p.period.label for p in group.changed_periods] == ["2026-01", "2026-02"]
    changes = [
        (c.change, local(c.before or c.after), (c.before or c.after).to_parent)
        for c in diff.exchanges
    ]
    assert changes == [
        ("removed", datetime(2026, 1, 23, 18), "marcus"),
        ("removed", datetime(2026, 1, 25, 18), "dana"),
        ("added", datetime(2026, 2, 6, 18), "marcus"),
        ("added", datetime(2026, 2, 8, 18), "dana"),
    ]
    assert diff.holidays == []


def test_sync_counts_per_calendar(tmp_path):
    old = plan(tmp_path, overrides=JANUARY_WEEKEND)
    new = plan(tmp_path, overrides=FEBRUARY_WEEKEND)
    diff = compare_plans(old, new, date(2026, 1, 1), date(2026, 3, 1))
    dana, marcus = diff.calendars
    assert (dana.parent, dana.target, marcus.target) == ("dana", "ics", None)
    # Dana: her runs from 19 Jan and 2 Feb end elsewhere (update); the run from 25 Jan
    # and the two January exchanges go; the run from 8 Feb and two exchanges come.
    assert (dana.count("create"), dana.count("update"), dana.count("delete")) == (3, 2, 3)
    updated = [e.summary for e in dana.events if e.change == "update"]
    assert updated == ["Ivy with Dana", "Ivy with Dana"]
    # Marcus sees only his own time: one run and two exchanges go, one run and two come.
    assert (marcus.count("create"), marcus.count("update"), marcus.count("delete")) == (3, 0, 3)
    kinds = sorted(e.kind for e in marcus.events if e.change == "create")
    assert kinds == ["exchanges", "exchanges", "own_custody"]


def test_monday_handovers_an_hour_earlier_at_the_library_are_moved(tmp_path):
    old = plan(tmp_path)
    new = plan(
        tmp_path, exchange='weekdays = { monday = { time = 17:00:00, location = "library" } }'
    )
    diff = compare_plans(old, new, date(2026, 2, 1), date(2026, 2, 9))
    [moved] = diff.exchanges
    assert moved.change == "moved"
    assert local(moved.before) == datetime(2026, 2, 2, 18)
    assert local(moved.after) == datetime(2026, 2, 2, 17)
    assert (moved.before.location, moved.after.location) == ("home", "library")
    [period, _total] = diff.shares[0].periods
    assert period.delta_time("dana") == H and period.delta_time("marcus") == -H
    assert period.delta_nights("dana") == 0


def test_place_change_alone_is_a_move_without_a_change_of_time(tmp_path):
    old = plan(tmp_path)
    new = plan(tmp_path, exchange='weekdays = { monday = { location = "library" } }')
    diff = compare_plans(old, new, date(2026, 2, 1), date(2026, 3, 1))
    assert [c.change for c in diff.exchanges] == ["moved"] * 4
    assert all(c.before.at == c.after.at for c in diff.exchanges)
    assert not any(p.changed for p in diff.shares[0].periods)
    assert not diff.same  # the exchange events change place in both calendars
    assert [c.count("update") for c in diff.calendars] == [4, 4]  # both attend each


def test_holiday_changing_hands(tmp_path):
    old = plan(tmp_path)
    new = plan(tmp_path, even="marcus", odd="dana")
    diff = compare_plans(old, new, date(2026, 7, 1), date(2026, 8, 1))
    [holiday] = diff.holidays
    assert (holiday.name, holiday.first) == ("Independence Day", date(2026, 7, 4))
    assert [lb.parent for lb in holiday.before] == ["dana"]
    assert [lb.parent for lb in holiday.after] == ["marcus"]
    # 4 July 2026 falls in Marcus's week: Dana's 09:00-21:00 visit and its two
    # handovers are gone; no night changes hands (both are back with Marcus by midnight).
    assert [(c.change, local(c.before).hour) for c in diff.exchanges] == [
        ("removed", 9),
        ("removed", 21),
    ]
    july = diff.shares[0].periods[0]
    assert july.delta_time("dana") == -12 * H and july.delta_nights("dana") == 0


def test_identical_plans_are_the_same(tmp_path):
    old = plan(tmp_path, overrides=JANUARY_WEEKEND)
    diff = compare_plans(old, old, date(2026, 1, 1), date(2027, 1, 1))
    assert diff.same
    assert diff.exchanges == [] and diff.holidays == []
    assert all(not c.events for c in diff.calendars)


def test_overnight_convention_is_the_stats_one(tmp_path):
    # A swap from Saturday 10:00 to Sunday 02:00 holds one midnight but no 03:00 check.
    short = JANUARY_WEEKEND.replace("2026-01-23T18:00:00", "2026-01-24T10:00:00")
    short = short.replace("2026-01-25T18:00:00", "2026-01-25T02:00:00")
    old, new = plan(tmp_path), plan(tmp_path, overrides=short)
    at_midnight = compare_plans(old, new, date(2026, 1, 1), date(2026, 2, 1))
    at_three = compare_plans(
        old,
        new,
        date(2026, 1, 1),
        date(2026, 2, 1),
        convention=NightConvention(datetime(2026, 1, 1, 3).time()),
    )
    assert at_midnight.shares[0].periods[0].delta_nights("marcus") == 1
    assert at_three.shares[0].periods[0].delta_nights("marcus") == 0
    assert at_three.shares[0].periods[0].delta_time("marcus") == 16 * H


def test_a_child_only_in_the_new_plan_is_named_and_not_compared(tmp_path):
    old = plan(tmp_path)
    text = plan_text().replace(
        "[locations.home]",
        '[[children]]\nid = "noor"\nname = "Noor"\nbirth_date = 2025-06-01\n\n[locations.home]',
    )
    new = parse_plan_text(text, tmp_path / "plan.toml").plan
    diff = compare_plans(old, new, date(2026, 1, 1), date(2026, 2, 1))
    assert diff.children_only_new == ["noor"] and diff.children_only_old == []
    assert [g.children for g in diff.shares] == [("ivy",)]
    assert not diff.same
    # Noor moves with Ivy, so the exchanges now carry both children: new events.
    assert all(c.change in ("added", "removed") for c in diff.exchanges)


def test_an_amendment_changes_nothing_before_it_takes_effect(tmp_path):
    amendment = REGISTER[REGISTER.index("[[amendments]]") :]
    old, new = plan(tmp_path), plan(tmp_path, overrides=amendment)
    diff = compare_plans(old, new, date(2026, 2, 1), date(2026, 4, 1))
    moved = [local(c.before) for c in diff.exchanges]
    assert {c.change for c in diff.exchanges} == {"moved"}
    assert moved == [datetime(2026, 3, d, 18) for d in (2, 9, 16, 23, 30)]
    assert not any(p.changed for p in diff.shares[0].periods)


def test_children_whose_time_differs_are_shown_apart(tmp_path):
    def with_noor(text):
        return text.replace(
            "[locations.home]",
            '[[children]]\nid = "noor"\nname = "Noor"\nbirth_date = 2019-06-01\n\n[locations.home]',
        )

    swap_ivy = JANUARY_WEEKEND.replace('parent = "marcus"', 'parent = "marcus"\nchildren = ["ivy"]')
    old = parse_plan_text(with_noor(plan_text(overrides=swap_ivy)), tmp_path / "p.toml").plan
    new = parse_plan_text(with_noor(plan_text()), tmp_path / "p.toml").plan
    diff = compare_plans(old, new, date(2026, 1, 1), date(2026, 2, 1))
    ivy, noor = diff.shares
    assert (ivy.children, noor.children) == (("ivy",), ("noor",))
    assert ivy.periods[0].delta_nights("dana") == 2
    assert not any(p.changed for p in noor.periods)
    # Ivy went alone; without the swap both children are handed over together.
    assert [(c.change, (c.before or c.after).children) for c in diff.exchanges] == [
        ("removed", ("ivy",)),
        ("removed", ("ivy",)),
    ]
