"""``pc-calendar sync FOLDER`` with the quick no-op, ics targets, through the whole CLI.

Each family is decided as a single plan's sync decides: quick when its own inputs and
calendars are unchanged, else its full sync. Every change below must defeat the quick
path for exactly the family concerned, and the calendars must then equal a first full
sync of the same inputs elsewhere; the output of a quick run must equal the full no-op's.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from caseload_helpers import write_family
from caseload_quick_helpers import QUICK, Folder, without_seconds
from quick_helpers import (
    _fresh_plugin_managers,  # noqa: F401 (autouse fixture)
    crash_ics_creates,
)
from test_quick_noop import DATA, EXCHANGE_AT_HALF_PAST_FIVE, EXCHANGE_AT_SIX

from pc_calendar.backends.ics_folder import IcsFolderBackend
from pc_calendar.cli import sync as sync_cli

FAMILIES = ("fam-a", "fam-b", "fam-c")


@pytest.fixture
def folder(tmp_path, capsys) -> Folder:
    made = Folder(tmp_path / "caseload", capsys)
    for name in FAMILIES:
        write_family(made.plans, name)
    return made


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_a_noop_caseload_is_quick_for_every_family_and_prints_the_full_noop(folder, jobs):
    push = folder.run("--jobs", jobs)
    assert push.code == 0 and push.full == set(FAMILIES), push.outcomes
    for flags in ([], ["--json"], ["-q"], ["-v"]):
        folder.forget_entries()
        full = folder.run("--jobs", jobs, *flags)
        assert full.code == 0 and full.full == set(FAMILIES), full.outcomes
        fast = folder.run("--jobs", jobs, *flags)
        assert fast.code == 0 and fast.quick == set(FAMILIES), fast.outcomes
        if "--json" in flags:
            assert without_seconds(fast.out) == without_seconds(full.out)
        else:
            assert fast.out == full.out
        assert fast.err == full.err
    assert "3 families, 6 calendars: 6 ok, 0 failed, 0 skipped" in fast.out


def test_jobs_1_and_4_give_the_same_results(tmp_path, capsys):
    runs = {}
    for jobs in ("1", "4"):
        made = Folder(tmp_path / f"jobs{jobs}", capsys)
        for name in FAMILIES:
            write_family(made.plans, name)
        push = made.run("--jobs", jobs, "--json")
        plan = made.plans / "fam-b.toml"
        plan.write_text(plan.read_text().replace(EXCHANGE_AT_SIX, EXCHANGE_AT_HALF_PAST_FIVE))
        edited = made.run("--jobs", jobs, "--json")
        again = made.run("--jobs", jobs, "--json")
        assert edited.full == {"fam-b"} and again.quick == set(FAMILIES)
        runs[jobs] = [_relative(without_seconds(r.out), made) for r in (push, edited, again)] + [
            made.calendars()
        ]
    assert runs["1"] == runs["4"]


def _relative(data: dict, made: Folder) -> str:
    import json

    return json.dumps(data).replace(str(made.root), "ROOT")


def test_a_failing_family_fails_each_run_and_the_others_stay_quick(folder):
    (folder.plans / "fam-broken.toml").write_text("[family\n")
    push = folder.run()
    assert push.code == 1
    again = folder.run()
    assert again.code == 1 and again.quick == set(FAMILIES)
    assert again.outcomes["fam-broken"] == "no entry"
    assert "fam-broken (" in again.out and "FAILED" in again.out
    folder.forget_entries()
    full = folder.run()
    assert full.out == again.out and full.code == 1


def test_a_plan_edit_defeats_the_quick_path_for_that_family_only(folder, tmp_path):
    folder.converge()
    plan = folder.plans / "fam-b.toml"
    plan.write_text(plan.read_text().replace(EXCHANGE_AT_SIX, EXCHANGE_AT_HALF_PAST_FIVE))
    edited = folder.run("--json")
    assert edited.full == {"fam-b"} and edited.outcomes["fam-b"] == "inputs changed"
    assert edited.quick == {"fam-a", "fam-c"}
    writes = {
        f["family"]: sum(c["created"] + c["updated"] + c["deleted"] for c in f["calendars"])
        for f in without_seconds(edited.out)["families"]
    }
    assert writes["fam-b"] > 0 and writes["fam-a"] == writes["fam-c"] == 0
    assert folder.calendars() == folder.fresh(tmp_path)
    assert folder.run().quick == set(FAMILIES)


def test_an_event_deleted_in_one_calendar_is_restored_for_that_family_only(folder, tmp_path):
    folder.converge()
    victim = sorted((folder.plans / "out" / "fam-c" / "sam" / "vdir").glob("*.ics"))[3]
    victim.unlink()
    seen = folder.run()
    assert seen.full == {"fam-c"} and seen.quick == {"fam-a", "fam-b"}
    assert victim.exists() and "fam-c: conflict:" in seen.out and "restored" in seen.out
    assert folder.calendars() == folder.fresh(tmp_path)
    after = folder.run()  # a run that met a conflict leaves no entry (as for one plan)
    assert after.full == {"fam-c"} and after.quick == {"fam-a", "fam-b"}
    assert folder.run().quick == set(FAMILIES)


def test_a_family_added_is_synced_in_full_and_the_others_stay_quick(folder, tmp_path):
    folder.converge()
    write_family(folder.plans, "fam-d")
    added = folder.run()
    assert added.full == {"fam-d"} and added.outcomes["fam-d"] == "no entry"
    assert added.quick == set(FAMILIES)
    assert "4 families, 8 calendars: 8 ok" in added.out
    assert folder.calendars() == folder.fresh(tmp_path)
    assert folder.run().quick == {*FAMILIES, "fam-d"}


def test_a_family_removed_is_not_run_and_the_others_stay_quick(folder, tmp_path, capsys):
    folder.converge()
    (folder.plans / "fam-b.toml").unlink()
    shutil.rmtree(folder.plans / "out" / "fam-b")  # its calendars went with the family
    removed = folder.run("--json")
    assert set(removed.outcomes) == {"fam-a", "fam-c"} and removed.quick == {"fam-a", "fam-c"}
    folder.forget_entries()
    full = folder.run("--json")
    assert without_seconds(removed.out) == without_seconds(full.out)
    assert folder.calendars() == folder.fresh(tmp_path)


def test_a_new_day_defeats_every_family_then_each_is_quick_again(folder, monkeypatch):
    today = [date(2026, 11, 20)]
    monkeypatch.setattr(sync_cli, "family_today", lambda zone: today[0])
    folder.window = ()  # the default range: from the first of last month, two years on
    folder.converge()
    assert folder.run().quick == set(FAMILIES)
    today[0] = date(2026, 11, 21)  # same range, another day: the day is part of the key
    next_day = folder.run()
    assert next_day.full == set(FAMILIES)
    assert {next_day.outcomes[f] for f in FAMILIES} == {"inputs changed"}
    assert folder.run().quick == set(FAMILIES)


def test_a_shared_calendars_file_defeats_every_family_that_reads_it(folder, tmp_path):
    folder.converge()
    shared = folder.plans / "calendars.toml"
    shared.write_text("# accounts for the whole folder: none yet\n")
    added = folder.run()
    assert added.full == set(FAMILIES) and added.code == 0
    assert folder.calendars() == folder.fresh(tmp_path)
    assert folder.run().quick == set(FAMILIES)
    shared.unlink()
    assert folder.run().full == set(FAMILIES)
    assert folder.run().quick == set(FAMILIES)


def test_a_shared_school_calendar_defeats_the_families_that_use_it(tmp_path, capsys):
    # the single plan's test range (with a shorter one, moving the break leaves the
    # calendars unlike a fresh sync's on the full path too: see the branch's report)
    made = Folder(tmp_path / "caseload", capsys, ("--from", "2026-11-01", "--to", "2027-03-01"))
    for name in FAMILIES:
        path = write_family(made.plans, name)
        if name != "fam-c":  # fam-c's plan names no school calendar
            text = path.read_text().replace(
                'location = "school"\nterms', 'location = "school"\nics = "district.ics"\nterms'
            )
            path.write_text(text)
    shutil.copy(DATA / "school.ics", made.plans / "district.ics")
    made.converge()
    ics = made.plans / "district.ics"
    winter = b"DTSTART;VALUE=DATE:20261221"
    ics.write_bytes(ics.read_bytes().replace(winter, b"DTSTART;VALUE=DATE:20261207"))
    edited = made.run()
    # fam-c may be quick or not (it may have read the file through a shared cache: see
    # sync.caseload_quick); the families that use the file never are
    assert {"fam-a", "fam-b"} <= edited.full
    assert made.calendars() == made.fresh(tmp_path)
    assert made.run().quick == set(FAMILIES)


def test_every_entry_names_the_files_read_through_shared_caches(folder):
    """Which family came first must not decide which files an entry names: each names
    the tz file and the other files read outside the plans, whoever read them first."""
    import json
    from zoneinfo import ZoneInfo

    ZoneInfo("America/Chicago"), ZoneInfo("America/Denver")  # cached before any recording
    folder.run("--jobs", "1")

    files = {}
    for plan, text in folder.sql("SELECT plan, entry FROM quick_noop"):
        entry = json.loads(text)
        files[plan] = {f for f in entry["files"] if not f.startswith(str(folder.plans))}
    assert len(files) == 3
    first, *others = files.values()
    assert all(other == first for other in others)
    # the family's zone and Sam's, whether or not this process had loaded them before
    for zone in ("America/Chicago", "America/Denver"):
        assert any(f.endswith(zone) for f in first), first


def test_a_caseload_that_crashed_midway_converges_on_the_next_run(folder, tmp_path, monkeypatch):
    folder.converge()
    for name in ("fam-b", "fam-c"):
        plan = folder.plans / f"{name}.toml"
        plan.write_text(plan.read_text().replace(EXCHANGE_AT_SIX, EXCHANGE_AT_HALF_PAST_FIVE))
    real = IcsFolderBackend.create
    crash_ics_creates(monkeypatch)
    crashed = folder.run("--jobs", "1")
    assert crashed.code != 0
    assert crashed.outcomes["fam-a"] == QUICK
    monkeypatch.setattr(IcsFolderBackend, "create", real)
    finished = folder.run("--jobs", "4")
    assert finished.code == 0 and finished.quick == {"fam-a"}
    assert folder.calendars() == folder.fresh(tmp_path)
    assert folder.run().quick == set(FAMILIES)


def test_a_dry_run_is_never_quick(folder):
    folder.converge()
    dry = folder.run("--dry-run")
    assert dry.code == 0 and dry.outcomes == {}
    assert "dry run" in dry.out


def test_a_calendar_another_sync_holds_is_skipped_by_that_familys_full_path(folder):
    from pc_calendar.sync.locking import calendar_lock, lock_dir_for

    folder.converge()
    [(key,)] = folder.sql("SELECT key FROM calendars WHERE key LIKE 'fam-b/alex/%'")
    identity = "fam-b/" + key.split("/", 2)[2]
    with calendar_lock(lock_dir_for(folder.state), identity, "test holds it"):
        busy = folder.run("--jobs", "4")
    assert busy.code == 1 and busy.quick == {"fam-a", "fam-c"}
    assert busy.outcomes["fam-b"].endswith(": busy")
    assert "fam-b: alex -> ics" in busy.out and "SKIPPED" in busy.out
    assert "3 families, 6 calendars: 5 ok, 0 failed, 1 skipped" in busy.out
    after = folder.run()  # a run that skipped a calendar leaves no entry (as for one plan)
    assert after.code == 0 and after.full == {"fam-b"} and after.outcomes["fam-b"] == "no entry"
    assert folder.run().quick == set(FAMILIES)


def test_the_caseload_quick_path_imports_no_plan_model():
    """What an all-quick caseload loads must not pull in pydantic, the engine or caldav."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, pc_calendar.cli.sync, pc_calendar.sync.caseload_quick\n"
        "import pc_calendar.sync.caseload_pool\n"
        "print(sorted(m for m in ('pydantic', 'caldav', 'pc_calendar.plan', "
        "'pc_calendar.schedule', 'pc_calendar.sync.runner') if m in sys.modules))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
