"""``check`` finds what ``sync`` would reject in the targets; no password leaks or lingers.

Issue 13: ``check`` passed a target of type ``cladav`` and a ``password`` key that sync
then refused; a password inside a target URL was printed by sync and status and kept in
the sync state. Now ``check`` runs sync's own target checks, with file and line, and a
URL with a password is refused wherever a target is read.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pc_calendar.cli import main
from pc_calendar.errors import UserError
from pc_calendar.plan.load import load_plan
from pc_calendar.sync.secrets import redact_url, redact_urls
from pc_calendar.sync.state import StateStore
from pc_calendar.sync.targets import load_targets

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
ALEX_ICS = 'calendar = { type = "ics", folder = "out/alex" }'
URL_WITH_PASSWORD = "https://alex:hunter2-secret@cal.example.org/dav/"


def plan_copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = EXAMPLE.read_text()
    if old:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_check_reports_an_unknown_target_type_with_its_line(tmp_path, capsys):
    path = plan_copy(tmp_path, ALEX_ICS, 'calendar = { type = "cladav", url = "https://x.org/" }')
    code, out, err = run(capsys, "check", path)
    assert code == 2
    line = line_of(path, '"cladav"')
    assert f"{path}:{line}: parents.alex.calendar.type: expected one of" in err
    assert "got 'cladav' (did you mean 'caldav'?)" in err


def test_check_reports_a_password_key_and_says_where_secrets_go(tmp_path, capsys):
    path = plan_copy(
        tmp_path, ALEX_ICS, 'calendar = { type = "ics", folder = "out/alex", password = "x" }'
    )
    code, out, err = run(capsys, "check", path, "--json")
    assert code == 2
    [problem] = json.loads(out)["problems"]
    assert problem["key"] == "parents.alex.calendar.password"
    assert problem["line"] == line_of(path, 'password = "x"')
    assert "password_env" in problem["message"]


def test_check_reads_calendars_toml_with_its_own_lines(tmp_path, capsys):
    path = plan_copy(tmp_path)
    beside = tmp_path / "calendars.toml"
    beside.write_text(
        '[sam]\ntype = "ics"\nfolder = "out/sam2"\n\n[robin]\ntype = "ics"\nfolder = "x"\n'
        f'\n[alex]\ntype = "caldav"\nurl = "{URL_WITH_PASSWORD}"\n'
    )
    code, out, err = run(capsys, "check", path)
    assert code == 2
    assert f"{beside}:5: robin: no parent 'robin' in the plan" in err
    assert f"{beside}:11: alex.url: the URL holds a password" in err
    assert "hunter2" not in out + err
    assert "https://alex:***@cal.example.org/dav/" in err


def test_a_broken_calendars_toml_is_a_problem_with_its_line(tmp_path, capsys):
    path = plan_copy(tmp_path)
    (tmp_path / "calendars.toml").write_text('[sam]\ntype = "ics"\nfolder = \n')
    code, out, err = run(capsys, "check", path)
    assert code == 2
    assert f"{tmp_path / 'calendars.toml'}:3: not valid TOML" in err


def test_two_parents_in_one_calendar_fail_check_as_they_fail_sync(tmp_path, capsys):
    path = plan_copy(tmp_path, 'folder = "out/sam"', 'folder = "out/alex"')
    code, out, err = run(capsys, "check", path)
    assert code == 2
    assert "parents.sam.calendar: the same calendar as" in err
    with pytest.raises(UserError, match="the same calendar as"):
        load_targets(load_plan(path), path)


def test_sync_refuses_a_url_with_a_password_without_printing_it(tmp_path, capsys):
    path = plan_copy(
        tmp_path, ALEX_ICS, f'calendar = {{ type = "caldav", url = "{URL_WITH_PASSWORD}" }}'
    )
    with pytest.raises(UserError) as info:
        load_targets(load_plan(path), path)
    assert "hunter2" not in info.value.render()
    assert "parents.alex.calendar: url: the URL holds a password" in info.value.render()
    code, out, err = run(capsys, "sync", path, "--dry-run", "--state", tmp_path / "s.sqlite")
    assert code == 2 and "hunter2" not in out + err


def test_a_clean_plan_still_checks_ok(tmp_path, capsys):
    code, out, err = run(capsys, "check", plan_copy(tmp_path))
    assert code == 0, err


def test_redaction_keeps_the_user_and_drops_the_password():
    assert redact_url(URL_WITH_PASSWORD) == "https://alex:***@cal.example.org/dav/"
    text = f'caldav (alex) {URL_WITH_PASSWORD} custody; {{"url": "{URL_WITH_PASSWORD}"}}'
    assert "hunter2" not in redact_urls(text)
    assert redact_urls("https://alex@cal.example.org/") == "https://alex@cal.example.org/"


def test_an_old_state_file_loses_the_passwords_it_stored(tmp_path):
    """A state written when such URLs were accepted is scrubbed on its next open."""
    path = tmp_path / "state.sqlite"
    StateStore(path).close()
    key = f'fam/alex/caldav:{{"url": "{URL_WITH_PASSWORD}"}}'
    db = sqlite3.connect(path)
    with db:
        db.execute("INSERT INTO calendars (key, token) VALUES (?, 't')", (key,))
        db.execute("INSERT INTO events (calendar, uid) VALUES (?, 'u1')", (key,))
        db.execute(
            "INSERT INTO runs (key, target, last_error) VALUES (?, ?, ?)",
            (key, f"caldav (alex) {URL_WITH_PASSWORD}", f"caldav {URL_WITH_PASSWORD}: 401"),
        )
    db.close()
    StateStore(path).close()
    dump = "\n".join(sqlite3.connect(path).iterdump())
    assert "hunter2" not in dump
    assert "alex:***@cal.example.org" in dump


def test_check_runs_the_backends_own_settings_checks_without_secrets(tmp_path, capsys):
    """A key the CalDAV reader does not know fails check as it fails sync; a password
    variable that is not set here does not (check runs where passwords are not)."""
    caldav = 'calendar = { type = "caldav", url = "https://cal.example.org/", '
    path = plan_copy(tmp_path, ALEX_ICS, caldav + 'password_env = "UNSET_PW", colour = "red" }')
    code, out, err = run(capsys, "check", path)
    assert code == 2
    line = line_of(path, 'colour = "red"')
    assert f"{path}:{line}: parents.alex.calendar: unknown key 'colour'" in err
    path.write_text(path.read_text().replace(', colour = "red"', ""))
    code, out, err = run(capsys, "check", path)
    assert code == 0, err
    path.write_text(path.read_text().replace('folder = "out/sam"', 'folder = "out/sam", x = 1'))
    code, out, err = run(capsys, "check", path)
    assert "parents.sam.calendar: unknown key 'x' for an ics target" in err
