"""The quick no-op through the whole CLI with a CalDAV calendar (Radicale and Xandikos).

Alex's calendar is on the server (``calendars.toml``), Sam's an ics folder. The quick
path must answer a true no-op as the full path does (text, ``--json``, requests, the
stored token), and step aside when the server holds a change or says no.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from quick_helpers import (
    HASH,
    Family,
    _fresh_plugin_managers,  # noqa: F401 (autouse fixture)
    new_family,
)
from servers import CalendarRef
from sync_helpers import edited_body
from test_caseload_caldav import toml_table

from pc_calendar.backends.caldav_stamp import DavToken

#: a month: writes to Radicale are slow
MONTH = ("--from", "2026-12-01", "--to", "2027-01-01")


def caldav_family(tmp_path, capsys, ref: CalendarRef, **settings: object) -> Family:
    family = new_family(tmp_path / "family", capsys)
    family.window = MONTH
    config = ref.config(timeout=10, **settings)
    (family.folder / "calendars.toml").write_text(f"alex = {toml_table(config)}\n")
    return family


@pytest.fixture
def family(tmp_path, capsys, caldav_calendar: CalendarRef) -> Family:
    return caldav_family(tmp_path, capsys, caldav_calendar)


def alex_token(family: Family) -> DavToken:
    [(token,)] = family.sql("SELECT token FROM calendars WHERE key LIKE '%/alex/caldav:%'")
    return DavToken.decode(token)


def test_a_true_noop_is_quick_with_the_full_noops_output_and_requests(family):
    push = family.run()
    assert push.code == 0 and "alex -> caldav" in push.out and "created" in push.out
    for flags in ([], ["--json"]):
        family.forget_entries()
        full = family.run(*flags)
        fast = family.run(*flags)
        assert not full.quick and fast.quick, fast.outcome
        if flags:
            full_data, fast_data = json.loads(full.out), json.loads(fast.out)
            for data in (full_data, fast_data):
                data["families"][0].pop("seconds")
            assert fast_data == full_data
            [alex] = [c for c in fast_data["calendars"] if c["parent"] == "alex"]
            assert alex["requests"] in (1, 2) and alex["unchanged"] > 10
        else:
            assert fast.out == full.out and "alex -> caldav" in fast.out
    assert alex_token(family).authority is not None


def test_an_edit_on_the_server_is_restored_by_the_full_path(family, caldav_calendar):
    family.converge()
    assert family.run().quick
    status, body = caldav_calendar.get(_one_of_ours(family, caldav_calendar))
    assert status == 200
    edited = body.replace(b"SUMMARY:", b"SUMMARY:Edited by Alex - ")
    href = _one_of_ours(family, caldav_calendar)
    assert caldav_calendar.put(href.rsplit("/", 1)[1], edited) in (200, 201, 204)
    seen = family.run()
    assert not seen.quick and "restored" in seen.out
    restored = caldav_calendar.get(href)[1]
    assert b"Edited by Alex" not in restored and HASH.search(restored)[1] == HASH.search(body)[1]
    assert not family.run().quick  # a run with a conflict stores no fingerprint
    assert family.run().quick


def test_a_parents_own_new_event_takes_the_full_path_once(family, caldav_calendar):
    family.converge()
    theirs = edited_body(_any_event(), "Dentist")
    assert caldav_calendar.put("dentist.ics", theirs) in (200, 201, 204)
    seen = family.run()
    assert not seen.quick and "alex -> caldav" in seen.out and "unchanged (" in seen.out
    assert family.run().quick
    assert caldav_calendar.get("dentist.ics")[0] == 200  # never ours to touch


def test_a_wrong_password_is_reported_by_the_full_path(
    tmp_path, capsys, radicale_server, monkeypatch
):
    family = caldav_family(tmp_path, capsys, radicale_server.new_calendar())
    family.converge()
    monkeypatch.setenv(radicale_server.password_env, "not the password")
    failed = family.run()
    assert not failed.quick and failed.code == 1
    assert "authentication failed" in failed.out


def test_a_calendar_named_by_display_name_never_gets_an_entry(tmp_path, capsys, caldav_server):
    calendar = caldav_server.new_calendar(display_name="Kids quick test")
    family = caldav_family(tmp_path, capsys, calendar, calendar="Kids quick test")
    family.converge()
    assert family.run().outcome == "no entry"


def test_as_a_process_the_quick_noop_never_imports_caldav(family):
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('CALDAV:%s\\n' % ('caldav' in sys.modules)))\n"
        "from pc_calendar.cli import main\nmain(sys.argv[1:])\n"
    )
    args = ["sync", str(family.plan), "--state", str(family.state), *MONTH]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    runs = []
    for index in range(3):
        if index == 1:
            family.forget_entries()  # the second run is the full no-op
        runs.append(
            subprocess.run(
                [sys.executable, "-c", script, *args],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )  # fmt: skip
        )
    assert [r.stderr.strip().rsplit(":", 1)[1] for r in runs] == ["True", "True", "False"]
    assert runs[2].stdout == runs[1].stdout and "alex -> caldav" in runs[2].stdout


def _any_event() -> object:
    from sync_helpers import exchanges

    return exchanges([5])[0]


def _one_of_ours(family: Family, calendar: CalendarRef) -> str:
    [(href,)] = family.sql(
        "SELECT href FROM events WHERE calendar LIKE '%/alex/caldav:%' ORDER BY uid LIMIT 1"
    )
    return href


def test_no_secret_is_digested_into_the_state(tmp_path, capsys, caldav_calendar):
    """A password file read while loading the targets is not one of the quick path's
    inputs: neither its path nor its bytes' digest lands in the state file, and the
    no-op is quick all the same (the probe reads whatever password is current)."""
    import hashlib

    family = new_family(tmp_path / "family", capsys)
    family.window = MONTH
    secret = family.folder / "alex.password"
    config = caldav_calendar.config(timeout=10)
    named = config.pop("password_env", None)  # (a server without logins takes any)
    password = os.environ[named] if named else "hunter22"
    config.setdefault("username", "alex")
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    config["password_file"] = "alex.password"
    (family.folder / "calendars.toml").write_text(f"alex = {toml_table(config)}\n")
    family.converge()
    assert family.run().quick
    stored = family.state.read_bytes()
    for wal in family.folder.glob("state.sqlite-*"):
        stored += wal.read_bytes()
    for text in (password + "\n", password):
        assert hashlib.sha256(text.encode()).hexdigest().encode() not in stored
    entries = family.sql("SELECT * FROM quick_noop")
    assert entries and str(secret).encode() not in repr(entries).encode()
    assert str(family.plan).encode() in repr(entries).encode()  # the plan is an input
