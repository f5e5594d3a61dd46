"""A caseload's quick no-op with CalDAV calendars (Radicale and Xandikos), whole CLI.

Each family's alex has a calendar on the server, sam an ics folder. A no-op caseload
must be answered per family with one probe per calendar and print what the full no-op
prints; an edit on the server in one family's calendar must send that family, and only
it, through the full path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from caseload_helpers import run_cli, write_family
from caseload_quick_helpers import Folder, without_seconds
from quick_helpers import (
    HASH,
    _fresh_plugin_managers,  # noqa: F401 (autouse fixture)
)
from servers import CalendarRef
from test_caseload_caldav import toml_table

FAMILIES = ("fam-a", "fam-b", "fam-c")
MONTH = ("--from", "2026-12-01", "--to", "2027-01-01")  # a month: Radicale PUTs are slow


@pytest.fixture
def folder(tmp_path, capsys, caldav_server) -> tuple[Folder, dict[str, CalendarRef]]:
    """Each family in its own subfolder (its own calendars.toml), synced with -r."""
    made = Folder(tmp_path / "caseload", capsys, MONTH + ("-r",))
    refs = {}
    for name in FAMILIES:
        refs[name] = caldav_server.new_calendar()
        write_family(made.plans / name, name)
        config = toml_table(refs[name].config(timeout=10))
        (made.plans / name / "calendars.toml").write_text(f"alex = {config}\n")
    return made, refs


def test_a_noop_caseload_probes_once_per_calendar_and_prints_the_full_noop(folder):
    made, _ = folder
    assert made.run("--jobs", "4").code == 0
    for flags in (["--jobs", "1"], ["--jobs", "4", "--json"]):
        made.forget_entries()
        full = made.run(*flags)
        fast = made.run(*flags)
        assert full.full == set(FAMILIES) and fast.quick == set(FAMILIES), fast.outcomes
        if "--json" in flags:
            data = without_seconds(fast.out)
            assert data == without_seconds(full.out)
            for family in data["families"]:
                for calendar in family["calendars"]:
                    assert calendar["unchanged"] > 5 and calendar["requests"] in (1, 2)
        else:
            assert fast.out == full.out and "3 families, 6 calendars: 6 ok" in fast.out
    old = "2000-01-01T00:00:00Z"
    made.sql("UPDATE runs SET last_attempt = ?, last_success = ?", old, old)
    assert made.run().quick == set(FAMILIES)
    runs = made.sql("SELECT last_attempt, last_success, last_failed FROM runs")
    assert len(runs) == 6 and all(r[0] > old and r[1] == r[0] and not r[2] for r in runs)
    code, out, err = run_cli(made.capsys, "status", str(made.plans), "-r", "--json",
                             "--state", str(made.state), *MONTH)  # fmt: skip
    assert code == 0, err
    for family in json.loads(out)["families"]:
        for calendar in family["calendars"]:
            assert calendar["last_success"] > old and not calendar["failing"]


def test_an_edit_on_the_server_defeats_that_family_only(folder):
    made, refs = folder
    made.converge()
    [(href,)] = made.sql(
        "SELECT href FROM events WHERE calendar LIKE '%fam-b/alex/caldav:%' ORDER BY uid LIMIT 1"
    )
    status, body = refs["fam-b"].get(href)
    assert status == 200
    edited = body.replace(b"SUMMARY:", b"SUMMARY:Edited by Alex - ")
    assert refs["fam-b"].put(href.rsplit("/", 1)[1], edited) in (200, 201, 204)
    seen = made.run("--jobs", "4")
    assert seen.full == {"fam-b"} and seen.quick == {"fam-a", "fam-c"}, seen.outcomes
    assert "fam-b: conflict:" in seen.out and "restored" in seen.out
    restored = refs["fam-b"].get(href)[1]
    assert b"Edited by Alex" not in restored and HASH.search(restored)[1] == HASH.search(body)[1]
    assert made.run().quick == {"fam-a", "fam-c"}  # a run with a conflict leaves no entry
    assert made.run().quick == set(FAMILIES)


SCRIPT = """
import atexit, sys
HEAVY = ("pydantic", "caldav", "niquests", "icalendar", "pc_calendar.plan.model")
atexit.register(lambda: sys.stderr.write(
    "LOADED:" + ",".join(m for m in HEAVY if m in sys.modules) + "\\n"))
from pc_calendar.cli import main
main(sys.argv[1:])
"""


def test_as_a_process_an_all_quick_caseload_imports_no_engine_nor_caldav(folder):
    made, _ = folder
    made.converge()
    args = ["sync", str(made.plans), "--state", str(made.state), *made.window]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    def run() -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", SCRIPT, *args],
                              env=env, capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout, done.stderr.rsplit("LOADED:", 1)[1].strip()

    run()  # the entries as this interpreter's code identity has them
    quick_out, loaded = run()
    assert loaded == ""
    made.forget_entries()
    full_out, loaded = run()
    assert "pydantic" in loaded and "caldav" in loaded
    assert quick_out == full_out and "3 families, 6 calendars: 6 ok" in quick_out
    plan = made.plans / "fam-a" / "fam-a.toml"
    plan.write_text(plan.read_text() + "\n# a note\n")
    _, loaded = run()  # one family needs the full path: only then the engine loads
    assert "pydantic" in loaded
    assert made.sql("SELECT count(*) FROM quick_noop") == [(3,)]


def test_no_secret_read_by_one_family_is_digested_into_the_state(tmp_path, capsys, caldav_server):
    """Families synced in one process share the files each one reads (time zones...);
    a password file is not among them: no entry names it or holds its digest."""
    import hashlib

    made = Folder(tmp_path / "caseload", capsys, MONTH + ("-r",))
    secrets = []
    for name in FAMILIES:
        write_family(made.plans / name, name)
        config = caldav_server.new_calendar().config(timeout=10)
        named = config.pop("password_env", None)  # (a server without logins takes any)
        password = os.environ[named] if named else f"secret-of-{name}"
        config.setdefault("username", "alex")
        secret = made.plans / name / "alex.password"
        secret.write_text(password + "\n")
        secret.chmod(0o600)
        config["password_file"] = "alex.password"
        (made.plans / name / "calendars.toml").write_text(f"alex = {toml_table(config)}\n")
        secrets.append((secret, password))
    made.converge()
    assert made.run("--jobs", "4").quick == set(FAMILIES)
    entries = repr(made.sql("SELECT * FROM quick_noop")).encode()
    stored = made.state.read_bytes() + b"".join(
        p.read_bytes() for p in made.state.parent.glob(made.state.name + "-*")
    )
    for secret, password in secrets:
        assert str(secret).encode() not in entries
        for text in (password + "\n", password):
            assert hashlib.sha256(text.encode()).hexdigest().encode() not in stored
