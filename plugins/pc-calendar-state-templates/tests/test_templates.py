"""Each template installs, lists, passes ``pc-calendar check`` and cites its sources."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from pc_calendar.testing_cli import run_cli

import pc_calendar_state_templates as plugin

NAMES = ["arizona-plan-13", "arizona-plan-14", "indiana-ptg"]
ONLY_THIS = {"PC_CALENDAR_PLUGINS": "none"}  # the plugin is passed in; nothing else loads


def test_the_expected_templates_ship():
    assert list(plugin.state_templates()) == NAMES


def test_init_lists_them_with_their_descriptions():
    result = run_cli(["init", "--list"], plugins=[plugin], env=ONLY_THIS)
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert "Indiana Parenting Time Guidelines" in lines["indiana-ptg"]
    assert "Example Plan 13 (5-2-2-5)" in lines["arizona-plan-13"]
    assert "Example Plan 14: alternating weeks" in lines["arizona-plan-14"]


@pytest.mark.parametrize("name", NAMES)
def test_template_written_by_init_passes_check(name, tmp_path: Path):
    target = tmp_path / f"{name}.toml"
    written = run_cli(["init", "--template", name, str(target)], plugins=[plugin], env=ONLY_THIS)
    assert written.exit_code == 0, written.stderr
    assert target.read_text(encoding="utf-8") == plugin.state_templates()[name]
    checked = run_cli(["check", str(target)], plugins=[plugin], env=ONLY_THIS)
    assert checked.exit_code == 0, checked.stderr
    assert "0 warnings" in checked.output


@pytest.mark.parametrize("name", NAMES)
def test_every_rule_cites_its_source(name):
    plan = tomllib.loads(plugin.state_templates()[name])
    rules = [("rotation", plan["rotation"])]
    rules += [
        (f"{kind}[{i}]", rule)
        for kind in ("visits", "seasons", "holidays")
        for i, rule in enumerate(plan.get(kind, []))
    ]
    uncited = [key for key, rule in rules if not str(rule.get("citation", "")).strip()]
    assert uncited == []


def test_installed_plugin_is_listed_and_its_templates_used():
    env = {"PC_CALENDAR_PLUGINS": "state_templates"}
    listing = run_cli(["plugins", "--json"], env=env)
    info = {i["name"]: i for i in json.loads(listing.output)}["state_templates"]
    assert info["version"] == plugin.__version__
    assert info["distribution"] == "pc-calendar-state-templates"
    assert info["registers"] == {"templates": NAMES}
