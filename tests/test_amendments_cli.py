"""Amendments through the commands: check, show --explain, stats, export, sync."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest

from pc_calendar.cli import main

EXAMPLE = Path(__file__).parents[1] / "examples" / "rivera-chen.toml"
COURT_ORDER = """
[[amendments]]
name = "Court order: weeks swapped"
effective = 2026-10-01T18:00:00
kind = "court_order"
decided_by = "Travis County District Court"
decided_on = 2026-12-01
reason = "Order on the motion to modify, retroactive to the filing."
cites = "Order of 1 December 2026, para. 3"
switch = "at_effective"
rotation = { parents = ["sam", "alex"] }
"""
LIBRARY = """
[[amendments]]
name = "Library handovers"
effective = 2027-02-01
kind = "decision"
decided_by = "coordinator"
decided_on = 2027-01-15
reason = "Calmer handovers."
review_on = 2027-04-01
fees = { alex = 50, sam = 50 }
exchange = { location = "library" }
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "family" / "rivera-chen.toml"
    path.parent.mkdir()
    path.write_text(EXAMPLE.read_text() + COURT_ORDER + LIBRARY)
    return path


def test_check_lists_the_past_days_a_retroactive_order_moves(capsys, plan):
    code, out, _ = run(capsys, "check", "--json", "--today", "2026-12-05", str(plan))
    assert code == 0
    warnings = json.loads(out)["warnings"]
    (retro,) = [w for w in warnings if w["code"] == "retroactive"]
    assert retro["key"] == "amendments[0].effective"
    assert (
        retro["line"] == plan.read_text().splitlines().index("effective = 2026-10-01T18:00:00") + 1
    )
    assert "decided on 2026-12-01 but takes effect 2026-10-01" in retro["message"]
    assert "before 2026-12-05" in retro["message"] and "maya" in retro["message"]
    # Once the order is no longer in the past, there is no such warning... the check is
    # about the past: with today before the effective date nothing is listed.
    code, out, _ = run(capsys, "check", "--json", "--today", "2026-09-01", str(plan))
    assert not [w for w in json.loads(out)["warnings"] if w["code"] == "retroactive"]


def test_explain_names_the_amendments(capsys, plan):
    code, out, _ = run(capsys, "show", "--month", "2027-02", "--json", str(plan))
    assert code == 0
    data = json.loads(out)
    (switch,) = data["switchovers"]
    assert switch["amendment"] == "amendments[1] 'Library handovers'"
    assert switch["reading"] is None and switch["effective"].startswith("2027-02-01T00:00")
    late = [e for e in data["exchanges"] if e["local_at"] >= "2027-02-01"]
    assert late  # (they are school-day handovers at dismissal: still at school)
    assert all(e["amendment"] == "amendments[1] 'Library handovers'" for e in late)
    code, out, _ = run(capsys, "show", "--month", "2027-02", "--explain", str(plan))
    assert "Amendments taking effect (1)" in out
    assert "plan as amended by amendments[1] 'Library handovers'" in out


def test_stats_split_at_amendments(capsys, plan):
    code, out, _ = run(
        capsys, "stats", "--year", "2027", "--split-at-amendments", "--json", str(plan)
    )
    assert code == 0
    periods = json.loads(out)["periods"]
    assert [(p["period_start"], p["period_end"], p["amendments"]) for p in periods] == [
        ("2027-01-01", "2027-02-01", []),
        ("2027-02-01", "2028-01-01", ["amendments[1] 'Library handovers'"]),
    ]
    assert sum(p["children"][0]["nights"] for p in periods) == 365


def test_export_descriptions_cite_the_amendment(capsys, plan, tmp_path):
    target = tmp_path / "out.ics"
    code, _, err = run(
        capsys, "export", str(plan), "--from", "2027-02-01", "--to", "2027-03-01", "-o", str(target)
    )
    assert code == 0, err
    text = icalendar.Calendar.from_ical(target.read_bytes())
    descriptions = [str(e.get("description")) for e in text.walk("VEVENT")]
    assert any("Plan as amended by amendments[1] 'Library handovers'." in d for d in descriptions)
    assert any("ordered by Travis County District Court on 2026-12-01" in d for d in descriptions)


def test_sync_reports_a_retroactive_order_and_keeps_the_past(capsys, plan):
    state = plan.parent.parent / "state.sqlite"
    base = plan.read_text()
    plan.write_text(EXAMPLE.read_text())
    window = ["--from", "2026-09-01", "--to", "2027-01-01"]
    code, _, err = run(capsys, "sync", str(plan), "--state", str(state), *window)
    assert code == 0, err
    vdir = plan.parent / "out" / "alex" / "vdir"
    before = {p.name: p.read_bytes() for p in vdir.glob("*.ics")}
    plan.write_text(base)  # the order arrives on 1 December, effective 1 October
    window = ["--from", "2026-12-01", "--to", "2027-01-01"]
    code, out, err = run(capsys, "sync", str(plan), "--state", str(state), *window, "--yes")
    assert code == 0, err
    assert "is retroactive" in out + err
    assert "maya, leo 2026-10-01 to 2026-10-02 (sam -> alex)" in out
    assert "Sync leaves every event before 2026-12-01 as it is" in out + err
    after = {p.name: p.read_bytes() for p in vdir.glob("*.ics")}
    untouched = 0
    for name, content in before.items():
        event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
        end = event.decoded("dtend")  # exclusive
        if isinstance(end, datetime):
            before_window = end <= datetime(2026, 12, 1, tzinfo=end.tzinfo)
        else:
            before_window = end <= date(2026, 12, 1)
        # wholly before the window: untouched (an event reaching into it is the
        # window's, and may be replaced whole, never clipped)
        if before_window:
            assert after.get(name) == content, name
            untouched += 1
    assert untouched > 20


SUNDAYS = """
[family]
id = "sundays"
name = "Sunday handovers"
timezone = "America/Chicago"

[parents.alex]
name = "Alex"

[parents.sam]
name = "Sam"

[[children]]
id = "mia"
name = "Mia"
birth_date = 2022-03-10

[rotation]
pattern = "alternating_weeks"
anchor = 2026-01-04            # a Sunday: every handover is on a Sunday

[[amendments]]
effective = 2026-06-01
kind = "decision"
decided_by = "coordinator"
decided_on = 2026-05-01
reason = "Night shifts."
exchange = { time = 02:30:00 }
"""


def test_check_warns_about_a_dst_time_an_amendment_sets(capsys, tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(SUNDAYS)
    code, out, _ = run(capsys, "check", "--json", "--today", "2026-05-02", str(path))
    assert code == 0
    (dst,) = json.loads(out)["warnings"]
    assert dst["code"] == "dst" and dst["key"] == "amendments[0].exchange"
    assert dst["message"].startswith("rotation handover: 2027-03-14 02:30 does not exist")
    assert dst["message"].endswith("(and 2 more like it)")  # 2028 and 2029
    assert dst["line"] == SUNDAYS.splitlines().index("exchange = { time = 02:30:00 }") + 1


CHRISTMAS_EVE = """
[[holidays]]
name = "Christmas"
date = { rule = "fixed", month = 12, day = 25 }
assign = { parent = "sam" }

[[amendments]]
effective = 2026-06-01
kind = "agreement"
agreed_by = ["alex", "sam"]
decided_on = 2026-05-01
reason = "Christmas Eve with Alex."

[[amendments.holidays]]
name = "Christmas Eve"
date = { rule = "fixed", month = 12, day = 24 }
end = { days = 1, time = 12:00:00 }
assign = { parent = "alex" }
"""


def test_check_lints_the_holidays_an_amendment_adds(capsys, tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(SUNDAYS.split("[[amendments]]")[0] + CHRISTMAS_EVE)
    code, out, _ = run(capsys, "check", "--json", "--today", "2026-05-02", str(path))
    assert code == 0, out
    (overlap,) = json.loads(out)["warnings"]
    assert (overlap["code"], overlap["key"]) == ("holiday-overlap", "amendments[0].holidays[0]")
    assert "'Christmas Eve' and 'Christmas' (holidays[0])" in overlap["message"]
    assert "2026-12-24 18:00 to 2026-12-25 12:00" in overlap["message"]
