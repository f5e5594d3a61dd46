"""A mistake in a calendar target's own settings is the user's: exit 2, nothing written.

A CalDAV (or ics, or Google) target whose keys the backend refuses used to fail only
that parent's calendar when sync built it: exit 1, the other parent's calendar synced,
the state file made, and ``doctor`` reporting a failed step (exit 1). Now ``sync`` and
``doctor`` run the backends' own settings checks (as ``check`` does) before opening the
state or touching any calendar, and refuse with the file, the key and what is expected.
The calendar is a real Radicale one, so "nothing written" is the server's word.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from servers import CalendarRef

from pc_calendar.testing_cli import run_cli

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
RANGE = ["--from", "2026-11-01", "--to", "2027-03-01"]

#: (settings that spoil alex's good CalDAV target, what the message must say)
MISTAKES = {
    "unknown key": ({"conections": "one"}, ["unknown key 'conections'", "expected one of"]),
    "wrong type": ({"timeout": "fast"}, ["key 'timeout'", "positive number of seconds"]),
    "bad url": ({"url": "ftp://cal.example.org/"}, ["key 'url'", "http(s) URL", "ftp://"]),
    "bad connections": ({"connections": "two"}, ["key 'connections'", '"per-worker"', "'two'"]),
    "too many in flight": ({"max_in_flight": 0}, ["key 'max_in_flight'", "from 1 to 16"]),
    "quick_check not a bool": ({"quick_check": "yes"}, ["key 'quick_check'", "true or false"]),
    "two password sources": (
        {"password_file": "alex.pw"},
        ["give only one of password_env and password_file"],
    ),
    # checked for its shape, never run: the script would leave a file if it were
    "password_command as a string": (
        {"password_env": None, "password_command": "./leave-a-mark.sh"},
        ["key 'password_command'", "list of strings"],
    ),
}


@pytest.fixture
def family(tmp_path: Path) -> Path:
    plan = tmp_path / "rivera-chen.toml"
    plan.write_text(EXAMPLE.read_text())
    script = tmp_path / "leave-a-mark.sh"
    script.write_text("#!/bin/sh\ntouch ran\necho pw\n")
    script.chmod(0o700)
    return plan


def write_target(plan: Path, table: dict) -> Path:
    """``calendars.toml`` beside the plan with alex's table (None values left out)."""
    lines = ["[alex]"] + [f"{k} = {json.dumps(v)}" for k, v in table.items() if v is not None]
    path = plan.parent / "calendars.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def good_target(calendar: CalendarRef) -> dict:
    return calendar.config()  # type, url, calendar, username, password_env


def objects_in(calendar: CalendarRef) -> int:
    """How many objects the calendar holds, as the server lists them."""
    status, _, body = calendar.server.http("PROPFIND", calendar.path, b"", {"Depth": "1"})
    assert status == 207
    return body.count(b".ics</")


def assert_nothing_written(plan: Path, calendar: CalendarRef) -> None:
    folder = plan.parent
    assert objects_in(calendar) == 0
    assert not (folder / "out").exists()  # sam's ics folder: not synced either
    assert not (folder / "state.sqlite").exists() and not (folder / "locks").exists()
    assert not (folder / "ran").exists()  # no password command was run


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_sync_refuses_with_the_file_key_and_what_is_expected(family, radicale_server, mistake):
    calendar = radicale_server.new_calendar()
    spoil, said = MISTAKES[mistake]
    calendars = write_target(family, good_target(calendar) | spoil)
    state = family.parent / "state.sqlite"
    result = run_cli(["sync", str(family), "--state", str(state), *RANGE])
    assert result.exit_code == 2, result.output + result.stderr
    assert f"error: {calendars}: [alex]: " in result.stderr
    for words in said:
        assert words in result.stderr
    assert "Traceback" not in result.stderr and result.output == ""
    assert_nothing_written(family, calendar)


@pytest.mark.parametrize("mistake", ["unknown key", "bad connections"])
def test_doctor_refuses_as_sync_does_in_text_and_json(family, radicale_server, mistake):
    calendar = radicale_server.new_calendar()
    spoil, said = MISTAKES[mistake]
    calendars = write_target(family, good_target(calendar) | spoil)
    state = family.parent / "state.sqlite"
    for json_flag in ([], ["--json"]):
        result = run_cli(["doctor", str(family), "--state", str(state), *json_flag])
        assert result.exit_code == 2, result.output + result.stderr
        assert f"error: {calendars}: [alex]: " in result.stderr
        assert all(words in result.stderr for words in said)
        assert "Traceback" not in result.stderr and result.output == ""
    assert_nothing_written(family, calendar)


def test_check_names_the_line_and_the_good_target_passes_everywhere(family, radicale_server):
    calendar = radicale_server.new_calendar()
    calendars = write_target(family, good_target(calendar) | {"connections": "two"})
    result = run_cli(["check", str(family)])
    assert result.exit_code == 2
    assert f"{calendars}:1: alex: key 'connections' must be" in result.stderr

    write_target(family, good_target(calendar))
    assert run_cli(["check", str(family)]).exit_code == 0
    state = family.parent / "state.sqlite"
    synced = run_cli(["sync", str(family), "--state", str(state), *RANGE])
    assert synced.exit_code == 0, synced.output + synced.stderr
    assert objects_in(calendar) > 0


def test_a_mistake_made_after_a_converged_sync_is_caught_before_the_quick_path(
    family, radicale_server
):
    """The quick no-op reads calendars.toml's bytes: a typo added later takes the full
    path, which refuses it and leaves the state and the calendars as they were."""
    calendar = radicale_server.new_calendar()
    calendars = write_target(family, good_target(calendar))
    state = family.parent / "state.sqlite"
    args = ["sync", str(family), "--state", str(state), *RANGE]
    for _ in range(2):
        assert run_cli(args).exit_code == 0
    held, saved = objects_in(calendar), state.read_bytes()
    write_target(family, good_target(calendar) | {"timeout": -1})
    result = run_cli(args)
    assert result.exit_code == 2 and f"{calendars}: [alex]: key 'timeout'" in result.stderr
    assert objects_in(calendar) == held and state.read_bytes() == saved


def test_a_google_target_mistake_is_refused_the_same_way(family):
    calendars = family.parent / "calendars.toml"
    calendars.write_text('[alex]\ntype = "google"\ncalendar = "primary"\n')
    state = family.parent / "state.sqlite"
    result = run_cli(["sync", str(family), "--state", str(state), *RANGE])
    assert result.exit_code == 2
    assert f"error: {calendars}: [alex]: unknown key 'calendar'; expected one of" in (result.stderr)
    assert "calendar_id" in result.stderr
    assert not state.exists() and not (family.parent / "out").exists()
    check = run_cli(["check", str(family)])
    assert check.exit_code == 2 and "alex: unknown key 'calendar'" in check.stderr
