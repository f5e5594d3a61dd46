"""Overnights and hours from hand-built timelines, with counts worked out by hand."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from timeline_factory import EXAMPLE, child_timeline, run_cli, timeline, utc

from pc_calendar.cli.stats import decimal
from pc_calendar.schedule.stats import NightConvention, compute_stats, hours, timeline_range

CHICAGO = ZoneInfo("America/Chicago")
H = timedelta(hours=1)


def one_child(start, end, first, changes, zone=CHICAGO, **kw):
    t_start, t_end = timeline_range(start, end)
    return timeline(
        zone, t_start, t_end, [child_timeline("maya", zone, t_start, t_end, first, changes, **kw)]
    )


def test_spring_forward_fortnight_counts_by_hand():
    # alex until Fri 6 Mar 18:00, sam for a week (over the 8 March DST change), then alex.
    tl = one_child(
        date(2026, 3, 1),
        date(2026, 3, 15),
        "alex",
        [(datetime(2026, 3, 6, 18), "sam"), (datetime(2026, 3, 13, 18), "alex")],
    )
    stats = compute_stats(tl, date(2026, 3, 1), date(2026, 3, 15), parents=["alex", "sam"])
    maya = stats.children[0]
    assert maya.nights == maya.range_nights == 14
    assert maya.shares["alex"].overnights == 5 + 2  # nights of 1-5 and 13-14 March
    assert maya.shares["sam"].overnights == 7  # nights of 6-12 March
    assert maya.shares["sam"].time == 7 * 24 * H - H  # the week lost an hour to DST
    assert maya.shares["alex"].time == (5 * 24 + 18) * H + 30 * H
    assert maya.time == maya.range_time == 14 * 24 * H - H
    assert maya.night_fraction("sam") == Fraction(1, 2)
    assert not maya.partial
    assert stats.family is None  # one child: no family row


def test_fall_back_day_has_25_hours():
    tl = one_child(
        date(2026, 11, 1), date(2026, 11, 2), "alex", [(datetime(2026, 11, 1, 12), "sam")]
    )
    maya = compute_stats(tl, date(2026, 11, 1), date(2026, 11, 2)).children[0]
    assert maya.range_time == 25 * H
    assert maya.shares["alex"].time == 13 * H  # 00:00-12:00 includes the repeated 01:00 hour
    assert maya.shares["sam"].time == 12 * H
    assert maya.shares["sam"].overnights == 1 and maya.shares["alex"].overnights == 0
    assert hours(maya.shares["alex"].time) == 13


def test_whole_year_adds_up_and_percent_is_exact():
    # alex until Sat 3 July 2027 18:00: nights of 1 Jan .. 2 Jul = 183 of 365.
    tl = one_child(date(2027, 1, 1), date(2028, 1, 1), "alex", [(datetime(2027, 7, 3, 18), "sam")])
    maya = compute_stats(tl, date(2027, 1, 1), date(2028, 1, 1)).children[0]
    assert maya.nights == 365
    assert maya.shares["alex"].overnights == 183
    assert maya.shares["sam"].overnights == 182
    assert maya.night_fraction("alex") == Fraction(183, 365)
    assert maya.night_fraction("alex") * 100 == Fraction(3660, 73)
    assert hours(maya.time) == 8760  # 2027: DST changes cancel out
    assert maya.time_fraction("alex") + maya.time_fraction("sam") == 1


@pytest.mark.parametrize(
    ("exchange", "check", "alex_nights"),
    [
        (datetime(2026, 6, 6, 1), time(0), 1),  # home at 01:00: alex had her at midnight
        (datetime(2026, 6, 6, 1), time(3), 0),  # ... but sam at 03:00
        (datetime(2026, 6, 5, 22), time(21), 1),  # at alex's at 21:00 bedtime
        (datetime(2026, 6, 5, 22), time(0), 0),
    ],
)
def test_check_time_conventions(exchange, check, alex_nights):
    tl = one_child(date(2026, 6, 5), date(2026, 6, 6), "alex", [(exchange, "sam")])
    stats = compute_stats(tl, date(2026, 6, 5), date(2026, 6, 6), convention=NightConvention(check))
    assert stats.children[0].shares["alex"].overnights == alex_nights
    assert stats.children[0].shares["sam"].overnights == 1 - alex_nights


def test_convention_is_stated():
    assert "midnight (00:00)" in NightConvention().describe()
    assert "03:00 the morning after" in NightConvention(time(3)).describe()
    assert "21:00 that evening" in NightConvention(time(21)).describe()


def test_child_born_mid_year_counts_only_nights_in_timeline():
    tl = one_child(
        date(2027, 1, 1),
        date(2028, 1, 1),
        "alex",
        [(datetime(2027, 9, 10, 18), "sam")],
        born=datetime(2027, 3, 2, 10),
    )
    maya = compute_stats(tl, date(2027, 1, 1), date(2028, 1, 1)).children[0]
    assert maya.range_nights == 365
    assert maya.nights == 365 - 60  # nights of 1 Jan .. 1 Mar are before the birth
    assert maya.first_night == date(2027, 3, 2) and maya.last_night == date(2027, 12, 31)
    assert maya.partial
    assert maya.shares["alex"].overnights + maya.shares["sam"].overnights == maya.nights
    born = datetime(2027, 3, 2, 10, tzinfo=CHICAGO).astimezone(UTC)
    new_year = datetime(2028, 1, 1, tzinfo=CHICAGO).astimezone(UTC)
    assert maya.time == new_year - born == (304 * 24 + 14) * H  # both DST changes inside


def test_child_leaving_at_midnight_keeps_the_night_before():
    # Timeline ends at 00:00 on the 18th birthday (10 June): the night of 9 June is the
    # child's last, spent with the parent who had them then.
    start, end = timeline_range(date(2027, 6, 1), date(2027, 6, 15))
    tl = timeline(
        CHICAGO,
        start,
        end,
        [
            child_timeline(
                "leo",
                CHICAGO,
                start,
                date(2027, 6, 10),
                "alex",
                [(datetime(2027, 6, 5, 18), "sam")],
            )
        ],
    )
    leo = compute_stats(tl, date(2027, 6, 1), date(2027, 6, 15)).children[0]
    assert leo.nights == 9 and leo.range_nights == 14
    assert leo.shares["alex"].overnights == 4  # nights of 1-4 June
    assert leo.shares["sam"].overnights == 5  # nights of 5-9 June
    assert leo.last_night == date(2027, 6, 9)
    assert leo.time == 9 * 24 * H


def test_born_late_evening_with_an_evening_check():
    tl = one_child(date(2027, 3, 1), date(2027, 3, 4), "sam", [], born=datetime(2027, 3, 2, 22))
    child = compute_stats(
        tl, date(2027, 3, 1), date(2027, 3, 4), convention=NightConvention(time(21))
    ).children[0]
    assert child.first_night == date(2027, 3, 2)  # born after the 21:00 check, still counts
    assert child.nights == 2 and child.shares["sam"].overnights == 2


def test_family_sums_child_nights_and_keeps_zero_parents():
    start, end = timeline_range(date(2026, 12, 1), date(2027, 1, 1))
    tl = timeline(
        CHICAGO,
        start,
        end,
        [
            child_timeline(
                "maya", CHICAGO, start, end, "alex", [(datetime(2026, 12, 4, 18), "sam")]
            ),
            child_timeline("leo", CHICAGO, start, end, "sam", []),
        ],
    )
    stats = compute_stats(
        tl, date(2026, 12, 1), date(2027, 1, 1), parents=["alex", "sam", "grandma"]
    )
    assert [c.child for c in stats.children] == ["maya", "leo"]
    fam = stats.family
    assert fam.nights == 62
    assert fam.shares["alex"].overnights == 3
    assert fam.shares["sam"].overnights == 28 + 31
    assert fam.shares["grandma"].overnights == 0
    assert fam.night_fraction("alex") == Fraction(3, 62)
    only_leo = compute_stats(tl, date(2026, 12, 1), date(2027, 1, 1), children=["leo"])
    assert only_leo.family is None
    assert only_leo.children[0].shares["sam"].overnights == 31


def test_timeline_too_short_is_a_bug_not_a_silent_undercount():
    tl = timeline(
        CHICAGO,
        date(2026, 1, 1),
        date(2026, 2, 1),
        [child_timeline("maya", CHICAGO, date(2026, 1, 1), date(2026, 2, 1), "alex", [])],
    )
    with pytest.raises(ValueError, match="does not cover"):
        compute_stats(tl, date(2026, 1, 1), date(2026, 2, 1))
    assert compute_stats(tl, date(2026, 1, 1), date(2026, 1, 31)).children[0].nights == 30


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(["America/Chicago", "Europe/London", "Australia/Lord_Howe", "UTC"]),
    start=st.dates(date(2025, 1, 1), date(2028, 12, 1)),
    days=st.integers(1, 120),
    minutes=st.lists(st.integers(1, 120 * 24 * 60 - 1), max_size=12, unique=True),
    check=st.sampled_from([time(0), time(3), time(21)]),
)
def test_overnights_and_hours_always_add_up(zone, start, days, minutes, check):
    zone = ZoneInfo(zone)
    end = start + timedelta(days=days)
    base = datetime.combine(start, time(0))
    changes = [
        (base + timedelta(minutes=m), ("alex", "sam")[i % 2 == 0])
        for i, m in enumerate(sorted(m for m in minutes if m < days * 1440))
    ]
    # keep only wall times whose UTC instants are increasing (DST may reorder them)
    kept, last = [], utc(base, zone)
    for change in changes:
        if utc(change[0], zone) > last:
            kept.append(change)
            last = utc(change[0], zone)
    tl = one_child(start, end, "alex", kept, zone=zone)
    child = compute_stats(tl, start, end, convention=NightConvention(check)).children[0]
    assert sum(s.overnights for s in child.shares.values()) == child.nights == days
    assert sum((s.time for s in child.shares.values()), timedelta(0)) == child.range_time
    real = utc(datetime.combine(end, time(0)), zone) - utc(base, zone)
    assert child.range_time == real


# --- the CLI on the shipped example plan ---------------------------------------------


def test_cli_year_json_is_exact_and_adds_up(monkeypatch, capsys):
    from pc_calendar.plan.load import load_plan
    from pc_calendar.schedule.engine import compute_timeline

    code, out, err = run_cli(monkeypatch, capsys, "stats", EXAMPLE, "--year", "2027", "--json")
    assert code == 0
    # The example's school calendar covers 2027, so nothing is guessed; warnings, when
    # there are any, go to stderr so stdout stays valid JSON.
    assert err == ""
    data = json.loads(out)
    assert data["convention"]["check_time"] == "00:00"
    assert "midnight" in data["convention"]["description"]
    tl = compute_timeline(load_plan(EXAMPLE), date(2027, 1, 1), date(2028, 1, 2))
    for child in data["children"]:
        assert child["nights"] == child["range_nights"] == 365 and not child["partial"]
        rows = {r["parent"]: r for r in child["parents"]}
        assert sum(r["overnights"] for r in rows.values()) == 365
        assert sum(r["seconds"] for r in rows.values()) == 8760 * 3600  # 2027: 8760 hours
        # independent count: scan the engine's blocks at every midnight of 2027
        blocks = tl.children[child["child"]].blocks
        for parent, row in rows.items():
            nights = sum(
                1
                for n in range(365)
                for b in blocks
                if b.parent == parent
                and b.start <= utc(datetime(2027, 1, 2) + timedelta(days=n), CHICAGO) < b.end
            )
            assert row["overnights"] == nights
            assert Fraction(row["fraction"]) == Fraction(nights, 365)
            assert Fraction(row["percent_exact"]) == Fraction(nights * 100, 365)
            assert row["percent"] == decimal(Fraction(nights * 100, 365), 12)
    totals = data["totals"]
    assert totals["nights"] == 730 and "summed" in totals["basis"]
    assert sum(r["overnights"] for r in totals["parents"]) == 730


def test_cli_table_states_convention_and_rounds_to_two_places(monkeypatch, capsys):
    code, out, _ = run_cli(
        monkeypatch, capsys, "stats", EXAMPLE, "--year", "2027", "--child", "maya"
    )
    assert code == 0
    assert "Convention: An overnight counts for the parent who has the child at midnight" in out
    assert "Family" not in out  # one child: no family table
    code, js, _ = run_cli(
        monkeypatch, capsys, "stats", EXAMPLE, "--year", "2027", "--child", "maya", "--json"
    )
    for row in json.loads(js)["children"][0]["parents"]:
        shown = decimal(Fraction(row["percent_exact"]), 2)
        assert re.search(rf"│\s+{row['overnights']} │\s+{re.escape(shown)}% │", out)
    code, out, _ = run_cli(
        monkeypatch, capsys, "stats", EXAMPLE, "--year", "2027", "--overnight-at", "03:00"
    )
    assert code == 0 and "at 03:00 the morning after" in out


def test_cli_child_born_mid_year(monkeypatch, capsys, tmp_path):
    plan = tmp_path / "plan.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    plan.write_text(text.replace("birth_date = 2019-09-03", "birth_date = 2027-03-02"))
    code, out, _ = run_cli(monkeypatch, capsys, "stats", plan, "--year", "2027", "--json")
    assert code == 0
    leo = next(c for c in json.loads(out)["children"] if c["child"] == "leo")
    assert (leo["nights"], leo["range_nights"], leo["partial"]) == (305, 365, True)
    assert leo["first_night"] == "2027-03-02"
    assert leo["note"].startswith("Leo: born 2027-03-02; only the 305 nights")
    assert sum(r["overnights"] for r in leo["parents"]) == 305
    code, out, _ = run_cli(monkeypatch, capsys, "stats", plan, "--year", "2027")
    assert "note: Leo: born 2027-03-02" in out


def test_cli_help_and_errors(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "stats", "--help")
    assert code == 0 and "midnight (00:00)" in out and "--overnight-at" in out
    code, out, err = run_cli(monkeypatch, capsys, "stats", EXAMPLE, "--overnight-at", "24:00")
    assert code == 2 and "--overnight-at" in err and "Traceback" not in err
    code, out, err = run_cli(monkeypatch, capsys, "stats", EXAMPLE, "--year", "12")
    assert code == 2 and "--year" in err


def test_decimal_rounds_half_up_exactly():
    assert decimal(Fraction(1, 8), 2) == "0.13"
    assert decimal(Fraction(18300, 365), 2) == "50.14"
    assert decimal(Fraction(2, 3), 0) == "1"
    assert decimal(Fraction(-1, 8), 2) == "-0.12"
