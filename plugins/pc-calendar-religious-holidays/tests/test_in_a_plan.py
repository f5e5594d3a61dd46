"""The rules as a coordinator meets them: in a plan, through ``pc-calendar``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pc_calendar.plan.load import load_plan
from pc_calendar.plugins import build_plugin_manager
from pc_calendar.schedule.engine import compute_timeline
from pc_calendar.testing_cli import run_cli

import pc_calendar_religious_holidays as plugin

CHICAGO = ZoneInfo("America/Chicago")
ONLY_THIS = {"PC_CALENDAR_PLUGINS": "none"}  # the plugin is passed in; nothing else loads

PLAN = """
[family]
id = "haddad-levi"
name = "Haddad-Levi family"
timezone = "America/Chicago"

[parents.noor]
name = "Noor Haddad"

[parents.ari]
name = "Ari Levi"

[[children]]
id = "mira"
name = "Mira"
birth_date = 2017-03-02

[rotation]
pattern = "alternating_weeks"
anchor = 2026-01-12
parents = ["noor", "ari"]

[exchange]
time = 18:00:00

# Eid al-Fitr with Noor: 18:00 the evening before to 18:00 on the day.
[[holidays]]
name = "Eid al-Fitr"
date = { rule = "eid_al_fitr" }
assign = { parent = "noor" }

# Both days of Rosh Hashanah with Ari, from sundown (18:00) the evening before.
[[holidays]]
name = "Rosh Hashanah"
date = { rule = "rosh_hashanah", days = 2 }
end = { time = 18:00:00 }
assign = { parent = "ari" }
"""


@pytest.fixture
def plan_path(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def holder(timeline, child: str, when: datetime) -> str:
    instant = when.replace(tzinfo=CHICAGO).astimezone(UTC)
    for block in timeline.children[child].blocks:
        if block.start <= instant < block.end:
            return block.parent
    raise AssertionError(f"{when} outside the timeline")


def test_plan_using_the_rules_passes_check(plan_path):
    result = run_cli(["check", str(plan_path)], plugins=[plugin], env=ONLY_THIS)
    assert result.exit_code == 0, result.stderr
    assert "OK" in result.output


def test_without_the_plugin_the_rule_is_unknown(plan_path):
    result = run_cli(["check", str(plan_path)], env=ONLY_THIS)
    assert result.exit_code == 2
    assert "eid_al_fitr" in result.stderr


def test_custody_follows_the_holidays_in_2026(plan_path):
    pm = build_plugin_manager(extra=[plugin])
    plan = load_plan(plan_path, pm)
    timeline = compute_timeline(plan, date(2026, 1, 1), date(2027, 1, 1), pm)
    # Eid al-Fitr 2026 is Friday 20 March, in Ari's rotation week (16-22 March; the
    # anchor Monday 12 January starts Noor's week and weeks alternate).
    assert holder(timeline, "mira", datetime(2026, 3, 19, 17, 0)) == "ari"
    assert holder(timeline, "mira", datetime(2026, 3, 19, 19, 0)) == "noor"
    assert holder(timeline, "mira", datetime(2026, 3, 20, 17, 0)) == "noor"
    assert holder(timeline, "mira", datetime(2026, 3, 20, 19, 0)) == "ari"
    # Rosh Hashanah 2026 is 12-13 September, in Noor's week (7-13 September).
    assert holder(timeline, "mira", datetime(2026, 9, 11, 17, 0)) == "noor"
    assert holder(timeline, "mira", datetime(2026, 9, 11, 19, 0)) == "ari"
    assert holder(timeline, "mira", datetime(2026, 9, 13, 17, 0)) == "ari"
    assert holder(timeline, "mira", datetime(2026, 9, 13, 19, 0)) == "noor"
    labels = {(h.name, h.first) for h in timeline.holidays}
    assert ("Eid al-Fitr", date(2026, 3, 20)) in labels
    assert ("Rosh Hashanah", date(2026, 9, 12)) in labels


def test_bad_option_is_reported_with_the_key(plan_path):
    plan_path.write_text(
        PLAN.replace('rule = "eid_al_fitr"', 'rule = "eid_al_fitr", adjust = 5'), encoding="utf-8"
    )
    result = run_cli(["check", str(plan_path)], plugins=[plugin], env=ONLY_THIS)
    assert result.exit_code == 2
    assert "adjust: expected -2..2, got 5" in result.stderr
    assert "Traceback" not in result.stderr


def test_installed_plugin_is_listed_with_its_version():
    result = run_cli(["plugins", "--json"], env={"PC_CALENDAR_PLUGINS": "religious_holidays"})
    assert result.exit_code == 0, result.stderr
    info = {i["name"]: i for i in json.loads(result.output)}["religious_holidays"]
    assert info["version"] == plugin.__version__
    assert info["distribution"] == "pc-calendar-religious-holidays"
    assert set(info["registers"]["date_rules"]) == set(plugin.RULES)
