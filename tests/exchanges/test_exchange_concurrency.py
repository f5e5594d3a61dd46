"""A parent's check-in and the coordinator's record at the same moment both land in
one valid chain; a writer killed at any point loses nothing it acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from exchange_fixtures import release

from pc_calendar.exchanges.store import ExchangeStore

TESTS = str(Path(__file__).parent)

# A check-in (alex, through the service the web page calls) or the coordinator's CLI
# path (record_outcome), released together by a "go" file and kept in lockstep, so the
# appends of each round overlap (see exchange_fixtures.Lockstep).
REPORTER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from exchange_fixtures import Lockstep, compute, make_plan, utc
    from pc_calendar.exchanges import service
    from pc_calendar.plugins import build_plugin_manager
    db, who, count, sync = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    plan, pm = make_plan(), build_plugin_manager()
    turns = Lockstep(sync, who, "cli" if who == "checkin" else "checkin")
    turns.start()
    for i in range(count):
        turns.round(i)
        day = f"2026-11-{{6 + 7 * (i % 3):02d}}"  # Fridays, alex hands over to sam
        if who == "checkin":
            service.record_checkin(plan, db, day, "sam", "late", minutes_late=i,
                                   at_fault="handing_over", now=utc(2026, 11, 25),
                                   compute=compute, pm=pm)
        else:
            service.record_outcome(plan, db, day, "on-time", note=f"coordinator {{i}}",
                                   now=utc(2026, 11, 25), compute=compute, pm=pm)
        turns.done(i)
""")


def test_checkin_and_coordinator_at_the_same_moment_both_land(tmp_path):
    db, sync = tmp_path / "log.sqlite3", tmp_path / "sync"
    sync.mkdir()
    code = REPORTER.format(tests=TESTS)
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(db), who, "25", str(sync)])
        for who in ("checkin", "cli")
    ]
    release(sync, ["checkin", "cli"])  # neither has created the log yet: creation races too
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with ExchangeStore.open(db, "test-family", create=False) as store:
        records, result = store.records(), store.verify()
    assert result.ok and result.count == 50
    assert [r.seq for r in records] == list(range(1, 51))
    assert sum(r.channel == "checkin" for r in records) == 25
    assert sum(r.channel == "cli" for r in records) == 25
    rounds = [{r.channel for r in records[i : i + 2]} for i in range(0, 50, 2)]
    assert all(pair == {"checkin", "cli"} for pair in rounds), "each round holds both writers'"


# Appends as fast as it can and acknowledges each record once append() has returned
# (committed); the test kills it at an arbitrary moment.
ACKER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from exchange_fixtures import draft
    from pc_calendar.exchanges.store import ExchangeStore
    with ExchangeStore.open(sys.argv[1], "test-family") as store:
        for i in range(100000):
            rec = store.append(draft(f"2026-11-{{i % 28 + 1:02d}}T1800-alex-sam", note=str(i)))
            print(rec.seq, rec.hash, flush=True)
""")


def test_a_writer_killed_mid_write_loses_nothing_acknowledged(tmp_path):
    db = tmp_path / "log.sqlite3"
    code = ACKER.format(tests=TESTS)
    acked: dict[int, str] = {}
    for kill_after in (1, 17, 60):
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        for _ in range(kill_after):
            seq, digest = proc.stdout.readline().split()
            acked[int(seq)] = digest
        os.kill(proc.pid, signal.SIGKILL)  # somewhere in the next append
        proc.wait(timeout=60)
        proc.stdout.close()
        with ExchangeStore.open(db, "test-family") as store:
            stored = {r.seq: r.hash for r in store.records()}
            assert store.verify().ok, "no partial record"
        assert all(stored.get(seq) == digest for seq, digest in acked.items())
    assert len(acked) == 78
