"""Per-calendar locks: in one process, across threads, and between real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from caseload_helpers import RANGE, by_family, run_process, write_family

from pc_calendar.sync.locking import (
    LOCK_DIR_ENV,
    CalendarBusy,
    calendar_lock,
    lock_dir_for,
    lock_path,
)
from pc_calendar.sync.runner import SyncOptions, prepare_family

HOLDER = """
import sys, time
from pathlib import Path
from pc_calendar.sync.locking import calendar_lock
with calendar_lock(Path(sys.argv[1]), sys.argv[2], "held"):
    print("locked", flush=True)
    sys.stdin.read()  # hold until the test closes our stdin (or kills us)
"""


def acquire(folder, identity, label="ics a", wait=0.0):
    """Take the lock and let go at once (raises CalendarBusy if it is held)."""
    with calendar_lock(folder, identity, label, wait):
        pass


@pytest.fixture
def holder():
    """Start a separate process holding a calendar's lock; yields a starter."""
    procs = []

    def start(folder, identity):
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(folder), identity],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_second_holder_in_one_process_is_turned_away(tmp_path):
    with calendar_lock(tmp_path, "fam/ics:a", "ics a") as path:
        assert path == lock_path(tmp_path, "fam/ics:a")
        assert path.read_text().splitlines() == [str(os.getpid()), "fam/ics:a"]
        with pytest.raises(CalendarBusy) as busy:
            acquire(tmp_path, "fam/ics:a")
        assert busy.value.pid == os.getpid()
        assert "another family in this run" in str(busy.value)
        with calendar_lock(tmp_path, "fam/ics:b", "ics b"):  # another calendar: free
            pass
    assert path.read_text() == ""  # released, and no stale pid left behind
    with calendar_lock(tmp_path, "fam/ics:a", "ics a"):
        pass


def test_wait_gets_the_lock_when_the_holder_lets_go(tmp_path):
    taken, release = threading.Event(), threading.Event()

    def hold():
        with calendar_lock(tmp_path, "id", "cal"):
            taken.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait(5)
    began = time.monotonic()
    with pytest.raises(CalendarBusy):
        acquire(tmp_path, "id", wait=0.2)
    assert 0.2 <= time.monotonic() - began < 2
    threading.Timer(0.2, release.set).start()
    with calendar_lock(tmp_path, "id", "cal", wait=5):
        assert release.is_set()
    thread.join()


def test_another_process_holds_it_until_it_dies(tmp_path, holder):
    proc = holder(tmp_path, "fam/caldav:x")
    with pytest.raises(CalendarBusy) as busy:
        acquire(tmp_path, "fam/caldav:x", "caldav x")
    assert busy.value.pid == proc.pid
    assert str(busy.value) == (
        f"calendar caldav x is being synced by another process (pid {proc.pid}); skipped"
    )
    proc.send_signal(signal.SIGKILL)  # a crashed sync leaves no stale lock
    proc.wait(timeout=10)
    with calendar_lock(tmp_path, "fam/caldav:x", "caldav x", wait=5):
        pass


def test_lock_dir_beside_the_state_or_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(LOCK_DIR_ENV, raising=False)
    assert lock_dir_for(tmp_path / "s.sqlite") == tmp_path / "locks"
    monkeypatch.setenv(LOCK_DIR_ENV, str(tmp_path / "elsewhere"))
    assert lock_dir_for(tmp_path / "s.sqlite") == tmp_path / "elsewhere"


def _identities(plan):
    options = SyncOptions(start=date(2026, 11, 1), end=date(2027, 1, 1))
    work = prepare_family(plan, options)
    return {t.parent_id: work.lock_identity(t) for t in work.targets}


def test_sync_skips_the_calendar_another_process_is_syncing(tmp_path, holder):
    plan = write_family(tmp_path / "plans", "fam-a")
    state = tmp_path / "state.sqlite"
    proc = holder(tmp_path / "locks", _identities(plan)["alex"])
    code, out, err = run_process("sync", str(plan), "--state", str(state), *RANGE)
    assert code == 1, err
    assert f"being synced by another process (pid {proc.pid}); skipped" in out
    assert "sam -> ics" in out and "created" in out
    assert not (plan.parent / "out" / "fam-a" / "alex").exists()
    assert (plan.parent / "out" / "fam-a" / "sam" / "fam-a-sam.ics").exists()
    # --wait: the holder finishes in a moment, and this run then does alex's calendar
    threading.Timer(0.5, proc.stdin.close).start()
    code, out, err = run_process(
        "sync", str(plan), "--state", str(state), "--wait", "20", "--json", *RANGE
    )
    assert code == 0, out + err
    alex, sam = by_family(out)["fam-a"]["calendars"]
    assert alex["created"] > 10 and alex["status"] == "ok"
    assert sam["created"] == 0 and sam["unchanged"] > 10


def test_two_overlapping_syncs_never_duplicate(tmp_path):
    """Two real processes sync one caseload at once; both finish, every event once."""
    folder = tmp_path / "plans"
    for name in ("fam-a", "fam-b"):
        write_family(folder, name)
    state = tmp_path / "state.sqlite"
    args = [
        sys.executable, "-c", "from pc_calendar.cli import main; main()",
        "sync", str(folder), "--state", str(state), "--wait", "60", "--json", *RANGE,
    ]  # fmt: skip
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    created = [
        sum(c["created"] for f in by_family(out).values() for c in f["calendars"]) for out in outs
    ]
    on_disk = 0
    for name in ("fam-a", "fam-b"):
        for parent in ("alex", "sam"):
            uids = [p.stem for p in (folder / "out" / name / parent / "vdir").glob("*.ics")]
            assert len(uids) == len(set(uids)) > 10
            on_disk += len(uids)
    # whoever got each calendar first created its events; the other found them there
    assert sum(created) == on_disk
    code, out, _ = run_process("sync", str(folder), "--state", str(state), "--json", *RANGE)
    calendars = [c for f in by_family(out).values() for c in f["calendars"]]
    assert code == 0 and len(calendars) == 4
    assert all(c["created"] + c["updated"] + c["deleted"] == 0 for c in calendars)
