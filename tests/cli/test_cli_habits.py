"""CLI habits every command shares: -v/-q, exit statuses in help, --json, completion.

-v and -q are added in one place (``LazyGroup.add_command``), so these tests walk every
built-in command and subcommand, and check a plugin's command gets them too.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from pc_calendar import cli as cli_module
from pc_calendar import hookimpl
from pc_calendar.cli import COMMANDS, verbosity
from pc_calendar.testing_cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "rivera-chen.toml"
MINIMAL = ROOT / "tests" / "data" / "minimal.toml"
NOW = "2026-11-25T12:00:00+00:00"


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PC_CALENDAR_NOW", NOW)
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")
    monkeypatch.delenv("PC_CALENDAR_STATE", raising=False)


def _built_in_paths() -> list[tuple[str, ...]]:
    """Every built-in command and subcommand, as the words that name it."""
    cli_module._load_commands()
    found: list[tuple[str, ...]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                walk(sub, (*path, name))

    for name in sorted(COMMANDS):
        walk(cli_module.cli.commands[name], (name,))
    return found


@pytest.mark.parametrize("path", [(), *_built_in_paths()], ids=lambda p: " ".join(p) or "group")
def test_every_command_states_its_exit_status_and_takes_v_and_q(path):
    result = run_cli([*path, "--help"])
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.output.split())
    assert "Exit status" in text, f"pc-calendar {' '.join(path)} --help: no Exit status"
    assert "-v, --verbose" in text and "-q, --quiet" in text


def test_quiet_before_or_after_the_command_drops_the_confirmation():
    loud = run_cli(["check", str(MINIMAL)])
    assert loud.exit_code == 0 and ": OK (" in loud.output
    for argv in (["-q", "check", str(MINIMAL)], ["check", "--quiet", str(MINIMAL)]):
        result = run_cli(argv)
        assert (result.exit_code, result.output, result.stderr) == (0, "", "")


def test_verbose_adds_detail_on_stderr_only():
    result = run_cli(["check", "-v", str(MINIMAL)])
    assert result.exit_code == 0
    assert result.output == run_cli(["check", str(MINIMAL)]).output
    assert "timeline computed for" in result.stderr


def test_verbose_and_quiet_together_are_a_usage_mistake():
    for argv in (["-v", "check", "-q", str(MINIMAL)], ["check", "-q", "-v", str(MINIMAL)]):
        result = run_cli(argv)
        assert result.exit_code == 2
        assert "-v/--verbose and -q/--quiet cannot be used together" in result.stderr


class Loud:
    """A plugin command that reports the level it sees and logs at DEBUG."""

    @hookimpl
    def pc_calendar_register_commands(self, cli):
        @cli.command("level")
        def level() -> None:
            """Print the verbosity level."""
            logger = logging.getLogger("pc_calendar.plugin_test")
            logger.debug("debug detail")
            click.echo(verbosity.level())
            click.echo(logging.getLevelName(logger.getEffectiveLevel()), err=True)


def test_a_plugin_command_gets_v_and_q():
    cases = {(): "0", ("-q",): "-1", ("-v",): "1", ("-vv",): "2", ("-v", "-v", "-v"): "2"}
    for flags, want in cases.items():
        result = run_cli(["level", *flags], plugins=[Loud()])
        assert result.exit_code == 0, result.stderr
        assert result.output.strip() == want
    assert "--verbose" in run_cli(["level", "--help"], plugins=[Loud()]).output


class OwnOptions:
    """A plugin group whose subcommand already has its own -v (for --version)."""

    @hookimpl
    def pc_calendar_register_commands(self, cli):
        @cli.group("tool")
        def tool() -> None:
            """A plugin's group."""

        @tool.command("about")
        @click.option("-v", "--version", "show_version", is_flag=True)
        def about(show_version: bool) -> None:
            """Print the level, or the version with -v."""
            click.echo("1.0" if show_version else verbosity.level())


def test_a_plugin_subcommand_keeps_its_own_v_and_gets_q():
    assert run_cli(["tool", "about", "-v"], plugins=[OwnOptions()]).output == "1.0\n"
    assert run_cli(["tool", "about", "-q"], plugins=[OwnOptions()]).output == "-1\n"
    assert run_cli(["tool", "-q", "about"], plugins=[OwnOptions()]).output == "-1\n"
    assert run_cli(["-v", "tool", "about"], plugins=[OwnOptions()]).output == "1\n"


def test_quiet_drops_pc_calendar_log_records_below_warning_for_the_run():
    logger = logging.getLogger("pc_calendar")
    before = (logger.level, logger.propagate, list(logger.handlers))
    result = run_cli(["level", "-q"], plugins=[Loud()])
    assert result.stderr.strip() == "WARNING"  # serve's access log is INFO
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


def test_vv_logs_pc_calendar_at_debug_and_no_http_library():
    logger = logging.getLogger("pc_calendar")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    others = ("caldav", "niquests", "urllib3", "urllib3_future", "googleapiclient")
    before = {name: logging.getLogger(name).getEffectiveLevel() for name in others}
    assert "debug detail" not in run_cli(["level", "-v"], plugins=[Loud()]).stderr
    result = run_cli(["-vv", "level"], plugins=[Loud()])
    assert "DEBUG pc_calendar.plugin_test: debug detail" in result.stderr
    assert result.stderr.count("debug detail") == 1
    # the HTTP libraries' loggers (which could carry Authorization headers) stay put
    assert {name: logging.getLogger(name).getEffectiveLevel() for name in others} == before
    assert all(level > logging.DEBUG for level in before.values())
    assert (logger.level, logger.propagate, list(logger.handlers)) == saved  # restored


def test_sync_quiet_prints_only_what_changed(tmp_path):
    plan = tmp_path / "family.toml"
    shutil.copy(EXAMPLE, plan)
    first = run_cli(["sync", "-q", str(plan)])
    assert first.exit_code == 0, first.stderr
    lines = first.output.splitlines()
    assert len(lines) == 2 and all(": created " in line for line in lines)
    again = run_cli(["sync", "-q", str(plan)])
    assert (again.exit_code, again.output) == (0, "")
    verbose = run_cli(["-v", "sync", str(plan)])
    assert verbose.output.count("unchanged (") == 2
    assert verbose.stderr.count(f"1 request; target set in {plan}: parents.") == 2
    caseload = run_cli(["sync", "-q", str(tmp_path)])
    assert (caseload.exit_code, caseload.output) == (0, "")


def test_export_json_says_what_was_written(tmp_path):
    out = tmp_path / "out"
    args = ["export", str(EXAMPLE), "-o", f"{out}/", "--from", "2026-01-01", "--to", "2026-03-01"]
    result = run_cli([*args, "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.output)
    assert (data["from"], data["to"]) == ("2026-01-01", "2026-03-01")
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert set(files) == {"rivera-chen-alex.ics", "rivera-chen-sam.ics", "rivera-chen.ics"}
    assert files["rivera-chen.ics"]["parent"] is None
    assert files["rivera-chen-alex.ics"]["parent"] == "alex"
    for name, record in files.items():
        text = (out / name).read_bytes()
        assert record["events"] == text.count(b"BEGIN:VEVENT") > 0
        assert sum(record["kinds"].values()) == record["events"]
    quiet = run_cli([*args, "-q"])
    assert (quiet.exit_code, quiet.output) == (0, "")


def test_init_list_json_lists_every_template():
    plain = run_cli(["init", "--list"]).output.splitlines()
    result = run_cli(["init", "--list", "--json"])
    rows = json.loads(result.output)
    assert [row["name"] for row in rows] == [line.split()[0] for line in plain]
    assert all(row["description"] for row in rows)
    assert run_cli(["init", "--json", "-t", rows[0]["name"], "x.toml"]).exit_code == 2


def test_exchange_record_json_is_the_record_written():
    result = run_cli(
        ["exchange", "record", str(EXAMPLE), "2026-11-23", "--status", "on-time", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.output)
    record = data["record"]
    assert record["seq"] == 1 and record["status"] == "on-time"
    assert record["exchange_id"].startswith("2026-11-23")
    assert data["receipt"] == f"pc-calendar-receipt rivera-chen 1 sha256:{record['hash']}"
    quiet = run_cli(["exchange", "record", "-q", str(EXAMPLE), "2026-11-23", "--status", "late",
                     "--minutes-late", "5"])  # fmt: skip
    assert quiet.output.splitlines() == [quiet.output.strip()]
    assert quiet.output.startswith("receipt: pc-calendar-receipt rivera-chen 2 sha256:")


def test_feed_list_json_never_shows_the_url(tmp_path):
    db = str(tmp_path / "feeds.sqlite3")
    issued = run_cli(["feed", "issue", "-q", str(EXAMPLE), "alex", "--db", db])
    assert issued.exit_code == 0 and issued.stderr == ""
    token = issued.output.strip().removeprefix("/feeds/").removesuffix(".ics")
    result = run_cli(["feed", "list", str(EXAMPLE), "--db", db, "--json"])
    rows = json.loads(result.output)
    assert [(r["family"], r["recipient"], r["active"]) for r in rows] == [
        ("rivera-chen", "alex", True)
    ]
    assert token not in result.output


def test_checkin_list_json_never_shows_the_link(tmp_path):
    folder = str(tmp_path / "links")
    issued = run_cli(["checkin", "issue", "-q", str(EXAMPLE), "sam", "--data-dir", folder])
    assert issued.exit_code == 0 and issued.stderr == ""
    link = issued.output.strip()
    result = run_cli(["checkin", "list", str(EXAMPLE), "--data-dir", folder, "--json"])
    rows = json.loads(result.output)
    assert [(r["parent"], r["active"]) for r in rows] == [("sam", True)]
    assert link.rsplit("/", 1)[-1] not in result.output


def test_status_quiet_prints_only_what_needs_attention(tmp_path):
    plan = tmp_path / "family.toml"
    shutil.copy(EXAMPLE, plan)
    assert run_cli(["sync", "-q", str(plan)]).exit_code == 0
    loud = run_cli(["status", "--offline", str(plan)])
    quiet = run_cli(["status", "--offline", "-q", str(plan)])
    assert loud.exit_code == quiet.exit_code == 0
    assert "families" in loud.output and "families" not in quiet.output
    attention = [line for line in loud.output.splitlines() if "OVERDUE" in line]
    assert attention and quiet.output.splitlines() == attention


def _complete(words: str, cwd: Path, shell: str = "bash") -> list[str]:
    """What the shell would be offered for ``words`` (the last one is being typed)."""
    env = {
        **os.environ,
        "_PC_CALENDAR_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    code = "from pc_calendar.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_is_produced(shell):
    env = {**os.environ, "_PC_CALENDAR_COMPLETE": f"{shell}_source"}
    code = "from pc_calendar.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "_PC_CALENDAR_COMPLETE" in done.stdout and "pc-calendar" in done.stdout


def test_completion_offers_lazy_commands_options_and_plan_files(tmp_path):
    assert _complete("pc-calendar ex", tmp_path) == [
        "plain,exchange",
        "plain,exchanges",
        "plain,export",
    ]
    assert "plain,record" in _complete("pc-calendar exchange re", tmp_path)
    assert "plain,--quiet" in _complete("pc-calendar sync --", tmp_path)
    (tmp_path / "family.toml").write_text("")
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("")
    assert _complete("pc-calendar check ", tmp_path) == ["plain,family.toml", "plain,folder/"]
    assert _complete("pc-calendar sync f", tmp_path) == ["plain,family.toml", "plain,folder/"]
    assert _complete("pc-calendar check n", tmp_path) == ["file,n"]  # the shell's own
