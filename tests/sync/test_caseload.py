"""The caseload engine: finding plans, a bounded pool, failures kept to their family."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from caseload_helpers import write_family

from pc_calendar.backends.memory import memory_factory, reset_memory_calendars
from pc_calendar.errors import TransientBackendError, UserError
from pc_calendar.sync.apply import RetryPolicy
from pc_calendar.sync.caseload import Caseload, discover_plans, run_caseload
from pc_calendar.sync.runner import SyncOptions, prepare_family
from pc_calendar.sync.state import StateStore
from pc_calendar.sync.targets import BackendContext

MEMORY = {p: f'{{ type = "memory", name = "{p}" }}' for p in ("alex", "sam")}


@pytest.fixture(autouse=True)
def fresh_memory():
    reset_memory_calendars()
    yield
    reset_memory_calendars()


def options(plan=None, **changes):
    retry = RetryPolicy(attempts=2, base=0.0, sleep=lambda s: None)
    values = dict(start=date(2026, 11, 1), end=date(2027, 1, 1), retry=retry)
    values.update(changes)
    return SyncOptions(**values)


def memory_calendar(family: str, parent: str):
    """The process-wide memory calendar the plan's target will use."""
    return memory_factory({"name": parent}, BackendContext(family, parent, None, "test"))


def caseload(tmp_path, jobs=4, **changes):
    return Caseload(options_for=options, state=tmp_path / "state.sqlite", jobs=jobs, **changes)


# -- discovery ------------------------------------------------------------------------


def test_discover_folder_skips_calendars_hidden_and_subfolders(tmp_path):
    a = write_family(tmp_path, "fam-a")
    b = write_family(tmp_path, "fam-b")
    (tmp_path / "calendars.toml").write_text("")
    (tmp_path / ".draft.toml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    nested = write_family(tmp_path / "more", "fam-c")
    assert discover_plans([tmp_path]) == [a, b]
    assert discover_plans([tmp_path], recursive=True) == [a, b, nested]
    # a file named twice (directly and through its folder) is synced once
    assert discover_plans([b, tmp_path]) == [b, a]


def test_discover_refuses_missing_paths_and_empty_folders(tmp_path):
    with pytest.raises(UserError, match="no such plan file or folder"):
        discover_plans([tmp_path / "nope.toml"])
    (tmp_path / "calendars.toml").write_text("")
    with pytest.raises(UserError, match="no plans found"):
        discover_plans([tmp_path])


# -- running --------------------------------------------------------------------------


def test_families_sync_concurrently_within_the_pool_bound(tmp_path):
    plans = [write_family(tmp_path, f"fam-{i}", MEMORY) for i in range(6)]
    lock = threading.Lock()
    active, peak = [0], [0]

    def slow_list(op, href):
        if op != "list":
            return
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1

    for i in range(6):
        for parent in ("alex", "sam"):
            memory_calendar(f"fam-{i}", parent).fault = slow_list
    results = run_caseload(plans, caseload(tmp_path, jobs=3))
    assert [r.family for r in results] == [f"fam-{i}" for i in range(6)]
    assert all(r.ok for r in results), [r.error for r in results]
    assert peak[0] == 3
    for i in range(6):
        assert len(memory_calendar(f"fam-{i}", "alex").objects) == results[i].calendars[0].created


def test_one_pool_worker_runs_families_one_at_a_time(tmp_path):
    plans = [write_family(tmp_path, f"fam-{i}", MEMORY) for i in range(3)]
    lock, active, peak = threading.Lock(), [0], [0]

    def count(op, href):
        if op != "list":
            return
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1

    for i in range(3):
        for parent in ("alex", "sam"):
            memory_calendar(f"fam-{i}", parent).fault = count
    results = run_caseload(plans, caseload(tmp_path, jobs=1))
    assert all(r.ok for r in results) and peak[0] == 1


def test_failures_stay_with_their_family(tmp_path):
    good = write_family(tmp_path, "fam-good", MEMORY)
    invalid = tmp_path / "fam-invalid.toml"
    invalid.write_text('[family]\nid = "Not An Id"\n')
    down = write_family(tmp_path, "fam-down", MEMORY)
    buggy = write_family(tmp_path, "fam-buggy", MEMORY)

    def server_down(op, href):
        raise TransientBackendError("connection refused (injected)", target="memory")

    def bug(op, href):
        raise RuntimeError("a bug in a backend")

    memory_calendar("fam-down", "sam").fault = server_down
    memory_calendar("fam-buggy", "alex").fault = bug
    results = {
        r.plan_path.stem: r
        for r in run_caseload([invalid, down, buggy, good], caseload(tmp_path, jobs=2))
    }
    assert results["fam-good"].ok and results["fam-good"].status == "ok"
    assert memory_calendar("fam-good", "sam").objects
    bad = results["fam-invalid"]
    assert bad.status == "failed" and "fam-invalid.toml" in bad.error and not bad.calendars
    alex, sam = results["fam-down"].calendars
    assert alex.ok and alex.created > 0
    assert sam.status == "failed" and "connection refused" in sam.error
    assert results["fam-down"].status == "failed"
    crashed = results["fam-buggy"]
    assert crashed.error.startswith("internal error: RuntimeError: a bug in a backend")
    assert "Traceback" in crashed.trace


def test_each_attempt_is_recorded_in_the_state(tmp_path):
    plan = write_family(tmp_path, "fam-a", MEMORY)
    work = prepare_family(plan, options())
    keys = {t.parent_id: work.key(t) for t in work.targets}
    now = ["2026-11-20T08:00:00Z"]
    load = caseload(tmp_path, clock=lambda: now[0])
    run_caseload([plan], load)
    now[0] = "2026-11-21T08:00:00Z"
    memory_calendar("fam-a", "sam").fault = lambda op, href: (_ for _ in ()).throw(
        TransientBackendError("503 (injected)", target="memory")
    )
    run_caseload([plan], load)
    with StateStore(tmp_path / "state.sqlite", readonly=True) as store:
        alex, sam = store.last_run(keys["alex"]), store.last_run(keys["sam"])
    assert alex.last_success is not None and alex.last_error is None and not alex.failing
    assert sam.last_success == "2026-11-20T08:00:00Z" and sam.failing
    assert sam.last_error_at == sam.last_attempt == "2026-11-21T08:00:00Z"
    assert "503" in sam.last_error and alex.last_success == "2026-11-21T08:00:00Z"


def test_dry_run_records_nothing_and_writes_nothing(tmp_path):
    plan = write_family(tmp_path, "fam-a", MEMORY)
    load = Caseload(options_for=lambda p: options(dry_run=True), state=tmp_path / "state.sqlite")
    [result] = run_caseload([plan], load)
    assert result.ok and result.calendars[0].created > 0
    assert not memory_calendar("fam-a", "alex").objects
    assert not (tmp_path / "state.sqlite").exists()


def test_a_fix_in_the_same_second_as_the_failure_is_not_failing(tmp_path):
    at = "2026-11-25T16:52:52Z"  # run times have whole seconds
    with StateStore(tmp_path / "state.sqlite") as store:
        store.record_run("k", "caldav (sam)", at, "authentication failed")
        assert store.last_run("k").failing
        store.record_run("k", "caldav (sam)", at, None)
        run = store.last_run("k")
        assert not run.failing and run.last_error == "authentication failed"
        store.record_run("k", "caldav (sam)", at, "server error")
        assert store.last_run("k").failing


def test_run_history_from_before_last_failed_is_read(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE runs (key TEXT PRIMARY KEY, target TEXT, last_attempt TEXT, "
        "last_success TEXT, last_error TEXT, last_error_at TEXT)"
    )
    db.execute("INSERT INTO runs VALUES ('k', 't', '2026-01-02', '2026-01-01', 'e', '2026-01-02')")
    db.commit()
    db.close()
    with StateStore(path, readonly=True) as store:  # read as it is: times compared
        assert store.last_run("k").failing
    with StateStore(path) as store:  # migrated: the column is added, history kept
        assert store.last_run("k").failing
        store.record_run("k", "t", "2026-01-03", None)
        assert not store.last_run("k").failing
