"""The lazy command group: a command's module is imported only when it is used.

``COMMANDS`` keeps each built-in command's module and short help so ``--help`` lists
them without importing any; the tests below keep that table equal to what the modules
really define, and check the group behaves as the eager one it replaced.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fake_dist import install_fake_dist

from pc_calendar import cli as cli_module
from pc_calendar import hookimpl, plugins
from pc_calendar.cli import COMMAND_MODULES, COMMANDS, LazyGroup
from pc_calendar.testing_cli import run_cli

PLAN = Path(__file__).resolve().parent.parent / "data" / "minimal.toml"
NONE = {plugins.ALLOW_ENV: "none"}


def _module_commands(module: str) -> dict[str, click.Command]:
    group = click.Group()
    importlib.import_module(f"pc_calendar.cli.{module}").register(group)
    return dict(group.commands)


def _groups() -> tuple[LazyGroup, click.Group]:
    """A fresh lazy group like ``cli`` and the eager group it stands for."""
    settings = dict(
        name="pc-calendar",
        help=cli_module.cli.help,
        params=cli_module.cli.params,
        context_settings=cli_module.cli.context_settings,
    )
    lazy, eager = LazyGroup(**settings), click.Group(**settings)
    for module in COMMAND_MODULES:
        for command in _module_commands(module).values():
            eager.add_command(command)
    plugins.get_command_manager().hook.pc_calendar_register_commands(cli=eager)
    return lazy, eager


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_the_table_lists_exactly_the_commands_each_module_defines(module):
    listed = {name for name, (owner, _) in COMMANDS.items() if owner == module}
    assert set(_module_commands(module)) == listed


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_short_help_is_the_commands_own(name):
    module, short_help = COMMANDS[name]
    command = _module_commands(module)[name]
    assert short_help == command.get_short_help_str(limit=10_000)
    assert not command.hidden  # the listing shows every table entry


@pytest.mark.parametrize("width", [50, 80, 120])
def test_help_listing_is_the_eager_groups(width):
    lazy, eager = _groups()
    texts = []
    for group in (lazy, eager):
        ctx = click.Context(group, info_name="pc-calendar", terminal_width=width)
        texts.append(group.get_help(ctx))
    assert texts[0] == texts[1]
    assert not set(lazy.commands) & set(COMMANDS)  # listed without importing any


def _run_fresh(args: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run the CLI in a new interpreter; which modules did it import?"""
    code = (
        "import json, sys\n"
        "from pc_calendar.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "mods = set(sys.modules)\n"
        "cmds = {m for m in mods if m.startswith('pc_calendar.cli.')}\n"
        # -v/-q and the quiet end on a closed pipe belong to the group: their small
        # modules are always there
        "group = {'pc_calendar.cli.verbosity', 'pc_calendar.cli.pipes'}\n"
        "json.dump({'commands': sorted(cmds - group),"
        " 'heavy': sorted(mods & {'pydantic', 'icalendar', 'rich', 'holidays'})},"
        " sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return json.loads(result.stderr.splitlines()[-1])


def test_help_imports_no_command_and_no_heavy_library():
    seen = _run_fresh(["--help"], NONE)
    assert seen == {"commands": [], "heavy": []}


def test_a_command_imports_only_its_own_module():
    seen = _run_fresh(["check", str(PLAN)])
    assert seen["commands"] == ["pc_calendar.cli.check", "pc_calendar.cli.common"]
    seen = _run_fresh(["report", "--help"], NONE)
    assert seen["commands"] == [
        "pc_calendar.cli.common",
        "pc_calendar.cli.evidence",  # the exchange group's verify/anchor/receipts
        "pc_calendar.cli.exchanges",
    ]


class Hello:
    """A plugin adding ``pc-calendar hello``; counts how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def pc_calendar_register_commands(self, cli):
        self.calls += 1

        @cli.command("hello")
        def hello() -> None:
            """Say hello from a plugin. More text here."""
            click.echo("hello")


def test_plugin_commands_are_asked_for_only_when_needed():
    plugin = Hello()
    assert run_cli(["check", str(PLAN)], plugins=[plugin], env=NONE).exit_code == 0
    assert plugin.calls == 0
    result = run_cli(["--help"], plugins=[plugin], env=NONE)
    assert "  hello      Say hello from a plugin.\n" in result.output
    assert "  check      Validate PLAN.toml" in result.output
    assert plugin.calls == 1
    assert run_cli(["hello"], plugins=[plugin], env=NONE).output == "hello\n"
    assert plugin.calls == 2  # a new run, a new plugin manager


def test_a_mistyped_command_is_matched_against_every_command():
    result = run_cli(["helo"], plugins=[Hello()], env=NONE)
    assert result.exit_code == 2
    assert "No such command 'helo'. Did you mean 'hello'?" in result.stderr
    result = run_cli(["exchang"], env=NONE)
    assert "(Did you mean one of: 'exchange', 'exchanges'?)" in result.stderr


def test_narrowed_command_modules_hide_the_other_commands(monkeypatch):
    monkeypatch.setattr(cli_module, "COMMAND_MODULES", ("show",))
    lazy, _ = _groups()
    runner = CliRunner()
    result = runner.invoke(lazy, ["check", str(PLAN)])
    assert result.exit_code == 2
    assert "No such command 'check'" in result.output
    listing = runner.invoke(lazy, ["--help"]).output
    assert "  show " in listing
    assert "  check " not in listing


class UsesPatterns:
    """A plugin command that needs the full plugin manager too."""

    @hookimpl
    def pc_calendar_register_commands(self, cli):
        @cli.command("count-patterns")
        def count_patterns() -> None:
            click.echo(len(plugins.patterns().names()))


def test_a_broken_plugin_is_reported_once_per_run(monkeypatch, tmp_path):
    install_fake_dist(
        monkeypatch,
        tmp_path / "site",
        "pc-calendar-broken",
        "0.1.0",
        {"broken": "broken_lazy_mod"},
        {"broken_lazy_mod": "import not_a_module_anywhere_xyz\n"},
    )
    env = {plugins.ALLOW_ENV: "broken"}
    result = run_cli(["count-patterns"], plugins=[UsesPatterns()], env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("warning: plugin 'broken': failed to import") == 1
    result = run_cli(["--help"], env=env)
    assert result.stderr.count("warning: plugin 'broken': failed to import") == 1


def test_racing_threads_share_one_plugin_manager():
    with plugins.extra_plugins():  # a fresh process-wide manager, dropped afterwards
        barrier = threading.Barrier(6)
        got = []

        def build() -> None:
            barrier.wait()
            got.append(plugins.get_plugin_manager())

        threads = [threading.Thread(target=build) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({id(pm) for pm in got}) == 1


def test_load_commands_loads_every_command():
    cli_module._load_commands()
    assert set(COMMANDS) <= set(cli_module.cli.commands)


class Shadow:
    """A plugin trying to take a built-in command's name."""

    @hookimpl
    def pc_calendar_register_commands(self, cli):
        @cli.command("check")
        def check() -> None:
            click.echo("not the real check")


def test_a_plugin_cannot_take_a_built_in_name():
    for argv in (["check", str(PLAN)], ["--help"]):
        result = run_cli(argv, plugins=[Shadow()], env=NONE)
        assert result.exit_code == 0
        assert "not the real check" not in result.output
    result = run_cli(["--help"], plugins=[Shadow()], env=NONE)
    assert "a plugin's command 'check' was not added" in result.stderr
    assert "  check      Validate PLAN.toml" in result.output
