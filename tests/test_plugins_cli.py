"""``pc-calendar plugins`` and bad plugins met through the CLI.

Entry-point plugins come from a throw-away distribution on ``sys.path`` (see
``fake_dist``), so these tests see exactly what a pip-installed plugin would give,
and ``PC_CALENDAR_PLUGINS`` keeps whatever else is installed out of the way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_dist import install_fake_dist

from pc_calendar import __version__, hookimpl
from pc_calendar.plugins import ALLOW_ENV
from pc_calendar.testing_cli import run_cli

PLAN = Path(__file__).parent / "data" / "minimal.toml"

GOOD_MODULE = """
from pc_calendar import hookimpl

__version__ = "ignored: the distribution's version wins"

@hookimpl
def pc_calendar_register_templates(register):
    register("fake-template", "A template from an installed plugin", "# fake\\n")

@hookimpl
def pc_calendar_sync_failed(family, target, error):
    pass
"""


@pytest.fixture
def good_dist(monkeypatch, tmp_path):
    install_fake_dist(
        monkeypatch,
        tmp_path / "site",
        "pc-calendar-fake",
        "1.2.3",
        {"fake": "fake_plugin_mod"},
        {"fake_plugin_mod": GOOD_MODULE},
    )
    monkeypatch.setenv(ALLOW_ENV, "fake")


class ExtraNotifier:
    @hookimpl
    def pc_calendar_exchange_missed(self, family, exchange, record):
        pass


def test_lists_builtins_with_the_core_version_and_their_registrations():
    result = run_cli(["plugins"], env={ALLOW_ENV: "none"})
    assert result.exit_code == 0, result.stderr
    lines = result.output.splitlines()
    assert f"pc_calendar.schedule.patterns {__version__} (built-in)" in lines
    patterns = lines[lines.index(f"pc_calendar.schedule.patterns {__version__} (built-in)") + 1]
    assert patterns.startswith("  pc_calendar_register_patterns: alternating_weeks, 2-2-3")
    assert "  pc_calendar_register_backends: memory" in lines


def test_entry_point_plugin_shows_its_distribution_version_and_hooks(good_dist):
    result = run_cli(["plugins", "--json"])
    assert result.exit_code == 0, result.stderr
    infos = {i["name"]: i for i in json.loads(result.output)}
    fake = infos["fake"]
    assert fake["kind"] == "entry point"
    assert fake["version"] == "1.2.3"
    assert fake["distribution"] == "pc-calendar-fake"
    assert fake["hooks"] == ["pc_calendar_register_templates", "pc_calendar_sync_failed"]
    assert fake["registers"] == {"templates": ["fake-template"]}
    assert infos["pc_calendar.templates"]["version"] == __version__
    kinds = [i["kind"] for i in json.loads(result.output)]
    assert kinds == sorted(kinds, key=["built-in", "entry point", "extra"].index)


def test_text_listing_names_the_distribution(good_dist):
    result = run_cli(["plugins"])
    assert "fake 1.2.3 (pc-calendar-fake)" in result.output.splitlines()
    assert "  pc_calendar_sync_failed" in result.output.splitlines()


def test_extra_plugin_from_run_cli_is_listed_by_class_name():
    result = run_cli(["plugins", "--json"], plugins=[ExtraNotifier()], env={ALLOW_ENV: "none"})
    infos = {i["name"]: i for i in json.loads(result.output)}
    assert infos["ExtraNotifier"]["kind"] == "extra"
    assert infos["ExtraNotifier"]["hooks"] == ["pc_calendar_exchange_missed"]


def test_allow_list_none_hides_entry_point_plugins(good_dist, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, "none")
    result = run_cli(["plugins", "--json"])
    assert "fake" not in {i["name"] for i in json.loads(result.output)}


# --- bad plugins: a clear message naming the plugin; the rest keeps working -------------


@pytest.fixture
def broken_dist(monkeypatch, tmp_path):
    install_fake_dist(
        monkeypatch,
        tmp_path / "site",
        "pc-calendar-broken",
        "0.1.0",
        {"broken": "broken_plugin_mod"},
        {"broken_plugin_mod": "import not_a_module_anywhere_xyz\n"},
    )


def test_plugin_that_fails_to_import_is_named_and_skipped(broken_dist, monkeypatch):
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    result = run_cli(["check", str(PLAN)])
    assert result.exit_code == 0  # the rest of the tool keeps working
    assert "warning: plugin 'broken': failed to import" in result.stderr
    assert "not_a_module_anywhere_xyz" in result.stderr
    assert f"{ALLOW_ENV}=" in result.stderr  # the hint
    assert "Traceback" not in result.stderr


def test_plugins_lists_the_broken_plugin_with_its_problem(broken_dist, monkeypatch):
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    result = run_cli(["plugins"])
    assert result.exit_code == 0
    assert "broken 0.1.0 (pc-calendar-broken)" in result.output
    assert "problem: plugin 'broken': failed to import" in result.output


def test_rest_works_when_the_broken_plugin_is_skipped(broken_dist, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, "none")
    assert run_cli(["check", str(PLAN)]).exit_code == 0


class TakenPattern:
    @hookimpl
    def pc_calendar_register_patterns(self, register):
        register("alternating_weeks", object())


class WrongTypeBackend:
    @hookimpl
    def pc_calendar_register_backends(self, register):
        register("carrier-pigeon", "not a factory")


class WrongTypeRule:
    @hookimpl
    def pc_calendar_register_date_rules(self, register):
        register("moon", 42)


class RaisingTemplates:
    @hookimpl
    def pc_calendar_register_templates(self, register):
        raise RuntimeError("template folder missing")


def test_taken_name_is_refused_naming_both_plugins():
    result = run_cli(["check", str(PLAN)], plugins=[TakenPattern()], env={ALLOW_ENV: "none"})
    assert result.exit_code == 1
    assert "plugin 'TakenPattern'" in result.stderr
    assert "'alternating_weeks', already registered by 'pc_calendar.schedule.patterns'" in (
        result.stderr
    )


def test_wrong_type_date_rule_is_named():
    result = run_cli(["check", str(PLAN)], plugins=[WrongTypeRule()], env={ALLOW_ENV: "none"})
    assert result.exit_code == 1
    assert "plugin 'WrongTypeRule': date rule 'moon': is missing occurrences, validate" in (
        result.stderr
    )


def test_wrong_type_backend_leaves_plan_commands_working():
    plugin = WrongTypeBackend()
    assert run_cli(["check", str(PLAN)], plugins=[plugin], env={ALLOW_ENV: "none"}).exit_code == 0
    result = run_cli(["plugins"], plugins=[plugin], env={ALLOW_ENV: "none"})
    assert result.exit_code == 0
    assert "  pc_calendar_register_backends: carrier-pigeon" in result.output.splitlines()


def test_raising_registration_is_shown_by_plugins_and_named_by_init():
    plugin = RaisingTemplates()
    listing = run_cli(["plugins"], plugins=[plugin], env={ALLOW_ENV: "none"})
    assert listing.exit_code == 0
    assert (
        "  problem: pc_calendar_register_templates raised RuntimeError: template folder missing"
        in listing.output.splitlines()
    )
    init = run_cli(["init", "--list"], plugins=[plugin], env={ALLOW_ENV: "none"})
    assert init.exit_code == 1
    assert "plugin 'RaisingTemplates'" in init.stderr
    assert "template folder missing" in init.stderr


class MisspeltHook:
    @hookimpl
    def pc_calendar_sync_faild(self, family, target, error):  # "failed" misspelt
        pass


def test_misspelt_hook_is_named_through_the_cli():
    result = run_cli(["check", str(PLAN)], plugins=[MisspeltHook()], env={ALLOW_ENV: "none"})
    assert result.exit_code == 1
    assert "plugin 'MisspeltHook': unknown hook 'pc_calendar_sync_faild'" in result.stderr


def test_entry_point_template_is_offered_by_init(good_dist):
    result = run_cli(["init", "--list"])
    assert result.exit_code == 0, result.stderr
    assert any(
        line.split()[0] == "fake-template" and "A template from an installed plugin" in line
        for line in result.output.splitlines()
        if line.strip()
    )
