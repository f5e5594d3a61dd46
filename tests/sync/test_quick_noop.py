"""The quick no-op on ics folders: taken when nothing changed, never when anything did.

Every test syncs the example plan through the whole CLI, in-process (``quick_helpers``);
a run says whether the quick path answered. Where the quick path must step aside, the
result is compared with a fresh sync of the changed inputs elsewhere: the full path ran
and converged to exactly what the inputs say.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from quick_helpers import (
    EXAMPLE,
    Family,
    _fresh_plugin_managers,  # noqa: F401 (autouse fixture)
    calendars,
    crash_ics_creates,
    fresh_calendars,
    new_family,
)

from pc_calendar.backends.ics_folder import IcsFolderBackend
from pc_calendar.cli import sync as sync_cli
from pc_calendar.sync.locking import calendar_lock, lock_dir_for

DATA = Path(__file__).parents[1] / "data"
EXCHANGE_AT_SIX = "time = 18:00:00\nlocation"
EXCHANGE_AT_HALF_PAST_FIVE = "time = 17:30:00\nlocation"


@pytest.fixture
def family(tmp_path, capsys) -> Family:
    return new_family(tmp_path / "family", capsys)


def test_a_true_noop_is_quick_and_prints_what_the_full_noop_prints(family):
    push = family.run()
    assert push.code == 0 and "created" in push.out and not push.quick
    for flags in ([], ["-v"], ["-q"], ["--json"], ["--parent", "Sam", "--json"]):
        family.forget_entries()
        full = family.run(*flags)
        fast = family.run(*flags)
        assert not full.quick and fast.quick, flags
        assert (fast.code, fast.err) == (full.code, full.err)
        assert fast.code == 0 and ("request; target set in" in fast.err) == ("-v" in flags)
        if "--json" in flags:
            full_data, fast_data = json.loads(full.out), json.loads(fast.out)
            for data in (full_data, fast_data):
                assert data["families"][0].pop("seconds") >= 0
            assert fast_data == full_data
            assert all(c["requests"] == 1 for c in fast_data["calendars"])
        else:
            assert fast.out == full.out
    assert "unchanged (" in fast.out or "--json" in flags


def test_the_quick_noop_records_the_run_and_takes_the_calendars_lock(family):
    family.converge()
    family.sql("UPDATE runs SET last_attempt = '2000-01-01T00:00:00Z', last_success = NULL")
    assert family.run().quick
    rows = family.sql("SELECT last_attempt, last_success, last_failed FROM runs")
    assert len(rows) == 2
    assert all(a > "2020" and a == s and not failed for a, s, failed in rows)
    # a calendar another sync holds: the full path runs and skips it, as it always did
    [key, lock] = family.sql("SELECT key, key FROM calendars WHERE key LIKE '%/alex/%'")[0]
    identity = "rivera-chen/" + key.split("/", 2)[2]
    with calendar_lock(lock_dir_for(family.state), identity, "test holds it"):
        busy = family.run()
    assert not busy.quick and busy.code == 1
    assert "alex -> ics" in busy.out and "SKIPPED" in busy.out and "sam -> ics" in busy.out


def test_editing_the_plan_takes_the_full_path(family, tmp_path):
    family.converge()
    text = family.plan.read_text()
    family.plan.write_text(text.replace(EXCHANGE_AT_SIX, EXCHANGE_AT_HALF_PAST_FIVE))
    edited = family.run()
    assert not edited.quick and "created 7, updated 0, deleted 4" in edited.out
    assert calendars(family) == fresh_calendars(family, tmp_path)
    assert family.run().quick  # converged again


def test_a_calendars_file_added_or_edited_takes_the_full_path(family, tmp_path):
    family.converge()
    beside = family.folder / "calendars.toml"
    beside.write_text('[alex]\ntype = "ics"\nfolder = "out/alex2"\n')
    moved = family.run()
    assert not moved.quick and "/out/alex2: created 88" in moved.out
    assert family.run().quick
    beside.write_text('[alex]\ntype = "ics"\nfolder = "out/alex3"\n')
    again = family.run()
    assert not again.quick and "/out/alex3: created 88" in again.out


def test_an_edited_school_calendar_takes_the_full_path(tmp_path, capsys):
    text = EXAMPLE.read_text().replace(
        'location = "school"\nterms', 'location = "school"\nics = "district.ics"\nterms'
    )
    family = new_family(tmp_path / "family", capsys, text)
    shutil.copy(DATA / "school.ics", family.folder / "district.ics")
    family.converge()
    assert family.run().quick
    before = calendars(family)
    ics = family.folder / "district.ics"
    winter = b"DTSTART;VALUE=DATE:20261221"
    ics.write_bytes(ics.read_bytes().replace(winter, b"DTSTART;VALUE=DATE:20261207"))
    edited = family.run()
    assert not edited.quick
    assert calendars(family) != before  # the earlier break drops Tuesday visits
    assert calendars(family) == fresh_calendars(family, tmp_path)


def test_an_event_deleted_in_the_folder_is_restored_by_the_full_path(family, tmp_path):
    family.converge()
    victim = sorted((family.folder / "out" / "sam" / "vdir").glob("*.ics"))[3]
    victim.unlink()
    restored = family.run()
    assert not restored.quick and "parent deleted it; restored" in restored.out
    assert victim.exists()
    assert not family.run().quick  # a run with a conflict stores no fingerprint
    assert family.run().quick


def test_a_missing_feed_is_written_by_the_full_path(family):
    family.converge()
    feed = family.folder / "out" / "alex" / "rivera-chen-alex.ics"
    feed.unlink()
    again = family.run()
    assert not again.quick and feed.exists()


def test_a_new_day_or_month_takes_the_full_path(family, tmp_path, monkeypatch):
    today = [date(2026, 11, 20)]
    monkeypatch.setattr(sync_cli, "family_today", lambda zone: today[0])
    family.converge(default_range=True)
    assert family.run(default_range=True).quick
    today[0] = date(2026, 11, 21)  # same range, another day: the day is part of the key
    assert not family.run(default_range=True).quick
    assert family.run(default_range=True).quick
    today[0] = date(2026, 12, 1)  # the window moves a month on
    moved = family.run(default_range=True)
    assert not moved.quick and "created" in moved.out
    data = json.loads(family.run("--json", default_range=True).out)
    assert (data["from"], data["to"]) == ("2026-11-01", "2028-12-01")


def test_pending_writes_take_the_full_path(family):
    family.converge()
    family.sql("UPDATE events SET pending = 1 WHERE rowid = (SELECT min(rowid) FROM events)")
    assert family.run().outcome.endswith("not the converged state")


def test_a_push_that_crashed_midway_is_finished_by_the_full_path(family, tmp_path, monkeypatch):
    """A crash leaves pending writes and no fingerprint; with the plan put back as it was
    (the entry's digest matches again), the full path still runs and converges."""
    family.converge()
    original = family.plan.read_text()
    family.plan.write_text(original.replace(EXCHANGE_AT_SIX, EXCHANGE_AT_HALF_PAST_FIVE))
    real = IcsFolderBackend.create
    crash_ics_creates(monkeypatch)
    assert family.run().code == 1
    assert family.sql("SELECT count(*) FROM events WHERE pending = 1") == [(2,)]
    monkeypatch.setattr(IcsFolderBackend, "create", real)
    family.plan.write_text(original)
    finished = family.run()
    assert finished.outcome.endswith("not the converged state")
    assert "deleted 2" in finished.out
    assert calendars(family) == fresh_calendars(family, tmp_path)


def test_a_dry_run_is_never_quick(family):
    family.converge()
    dry = family.run("--dry-run")
    assert not dry.quick and "(dry run)" in dry.out


def test_a_plan_with_check_in_links_always_takes_the_full_path(tmp_path, capsys):
    """Its events quote the exchange log, which the quick path's key does not cover."""
    text = EXAMPLE.read_text() + '\n[checkin]\nurl = "https://checkin.example.org/"\n'
    family = new_family(tmp_path / "family", capsys, text)
    family.converge()
    assert family.run().outcome == "no entry"
