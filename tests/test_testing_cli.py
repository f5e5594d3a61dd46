"""``pc_calendar.testing_cli.run_cli``: plugins in for one run, nothing leaks out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import pytest

from pc_calendar import cli as cli_module
from pc_calendar import hookimpl, plugins
from pc_calendar.testing_cli import Result, run_cli

PLAN = Path(__file__).parent / "data" / "minimal.toml"
NONE = {plugins.ALLOW_ENV: "none"}


class GreetCommand:
    """Adds ``pc-calendar greet``, which echoes stdin and an environment variable."""

    @hookimpl
    def pc_calendar_register_commands(self, cli):
        @cli.command("greet")
        def greet() -> None:
            name = sys.stdin.read().strip()
            click.echo(f"hello {name} from {os.environ.get('GREETING_PLACE', 'nowhere')}")


class BuggyCommand:
    @hookimpl
    def pc_calendar_register_commands(self, cli):
        @cli.command("buggy")
        def buggy() -> None:
            raise ZeroDivisionError("a bug keeps its traceback")


def test_plugin_command_runs_with_input_and_env():
    result = run_cli(
        ["greet"],
        plugins=[GreetCommand()],
        env={**NONE, "GREETING_PLACE": "the test"},
        input="Kim\n",
    )
    assert result == Result(0, "hello Kim from the test\n", "")


def test_nothing_leaks_after_the_run(monkeypatch):
    monkeypatch.delenv("GREETING_PLACE", raising=False)
    run_cli(["greet"], plugins=[GreetCommand()], env={**NONE, "GREETING_PLACE": "x"})
    assert "GREETING_PLACE" not in os.environ
    assert "greet" not in cli_module.cli.commands
    assert not any(isinstance(p, GreetCommand) for p in plugins.get_plugin_manager().get_plugins())
    result = run_cli(["greet"], env=NONE)
    assert result.exit_code == 2
    assert "No such command 'greet'" in result.stderr


def test_user_error_is_a_result_not_an_exception(tmp_path):
    result = run_cli(["check", str(tmp_path / "missing.toml")], env=NONE)
    assert result.exit_code == 2
    assert "missing.toml" in result.stderr
    assert result.output == ""


def test_bug_propagates_with_its_traceback():
    with pytest.raises(ZeroDivisionError, match="keeps its traceback"):
        run_cli(["buggy"], plugins=[BuggyCommand()], env=NONE)
    assert "buggy" not in cli_module.cli.commands


def test_stdout_and_stderr_are_kept_apart():
    result = run_cli(["check", str(PLAN)], env=NONE)
    assert result.exit_code == 0
    assert "OK (2 parents" in result.output
    assert result.stderr == ""
