"""The SQLite store: append-only, chained, migrated, refusing foreign or newer files,
surviving concurrent writers and crashes, and noticing tampering done with sqlite3."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from exchange_fixtures import draft, fill, release

import pc_calendar.exchanges as exchanges_pkg
from pc_calendar.errors import UserError
from pc_calendar.exchanges import store as store_mod
from pc_calendar.exchanges.chain import GENESIS, compute_hash
from pc_calendar.exchanges.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    ExchangeStore,
    default_db_path,
)

FAMILY = "test-family"


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, the way someone tampering outside the tool would."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS records_append_only_u")
    conn.execute("DROP TRIGGER IF EXISTS records_append_only_d")
    return conn


def test_append_chains_and_supersedes(db_path):
    with ExchangeStore.open(db_path, FAMILY) as store:
        first = store.append(draft(status="late", minutes_late=10))
        other = store.append(draft("2026-11-13T1800-sam-alex"))
        fix = store.append(draft(status="on-time"))
        assert (first.seq, other.seq, fix.seq) == (1, 2, 3)
        assert first.prev_hash == GENESIS and other.prev_hash == first.hash
        assert fix.prev_hash == other.hash
        assert first.supersedes is None and fix.supersedes == 1
        assert [r.seq for r in store.records("2026-11-06T1800-alex-sam")] == [1, 3]
        assert store.records() == [first, other, fix]
        latest = store.latest_between("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
        assert latest["2026-11-06T1800-alex-sam"].status == "on-time"
        assert store.verify().ok


def test_database_is_wal_and_tagged(db_path):
    fill(db_path, 1)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_triggers_refuse_update_and_delete(db_path):
    fill(db_path, 2)
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE records SET status = 'missed' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM records WHERE seq = 1")


def test_reading_a_missing_log_does_not_create_it(db_path):
    with ExchangeStore.open(db_path, FAMILY, create=False) as store:
        assert store.records() == [] and store.verify().ok
    assert not db_path.exists()


def test_default_location_honours_data_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path))
    assert default_db_path("fam") == tmp_path / "exchanges" / "fam.sqlite3"


def old_log(path: Path, schema: int, count: int, family: str = FAMILY) -> list:
    """A log as an older build wrote it: schema ``schema``, hash version 1 records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    store_mod._migrate(conn, path, family, target=schema)
    records, prev = [], GENESIS
    for i in range(count):
        rec = replace(draft(note=f"old {i}"), seq=i + 1, family=family, prev_hash=prev)
        rec = replace(rec, hash_version=1, supersedes=i or None)
        rec = replace(rec, hash=compute_hash(rec.content()))
        row = rec.to_json()
        row["children"], row["agreed_by"] = json.dumps(rec.children), json.dumps([])
        conn.execute(
            f"INSERT INTO records ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
        records.append(rec)
        prev = rec.hash
    conn.close()
    return records


@pytest.mark.parametrize("schema", [1, 3])
def test_old_database_is_migrated_keeping_records(db_path, schema):
    old = old_log(db_path, schema, 2)
    assert sqlite3.connect(db_path).execute("PRAGMA user_version").fetchone()[0] == schema
    with ExchangeStore.open(db_path, FAMILY) as store:  # old -> current, then append
        assert store.records() == old
        assert store.verify().ok, "hash version 1 records still verify"
        new = store.append(draft())
        assert new.supersedes == 2 and new.hash_version == 2 and new.prev_hash == old[-1].hash
        assert store.verify().ok and store.verify().count == 3
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"records_exchange", "records_append_only_u", "notices", "records_responds"} <= names


def test_v1_record_exports_only_its_own_fields(db_path):
    old_log(db_path, 3, 1)
    with ExchangeStore.open(db_path, FAMILY) as store:
        store.append(draft())
        first, second = store.records()
    assert "hash_version" not in first.to_json() and "channel" not in first.to_json()
    assert second.to_json()["hash_version"] == 2 and "at_fault" in second.to_json()


def test_unusable_location_is_a_user_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UserError, match="cannot create the folder"):
        ExchangeStore.open(blocker / "sub" / "log.sqlite3", FAMILY)
    with pytest.raises(UserError, match="is a directory"):
        ExchangeStore.open(tmp_path, FAMILY)


def test_newer_schema_is_refused_and_untouched(db_path):
    fill(db_path, 1)
    sqlite3.connect(db_path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = db_path.read_bytes()
    with pytest.raises(UserError, match="newer pc-calendar") as err:
        ExchangeStore.open(db_path, FAMILY)
    assert err.value.exit_code == 2
    assert db_path.read_bytes() == before


def test_foreign_sqlite_database_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(UserError, match="not a pc-calendar exchange log"):
        ExchangeStore.open(db_path, FAMILY)
    assert db_path.read_bytes() == before


def test_corrupt_file_is_refused(db_path):
    db_path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(UserError, match="not a SQLite database or is damaged"):
        ExchangeStore.open(db_path, FAMILY)
    assert db_path.read_bytes() == b"this is not a database at all" * 100


def test_other_familys_log_is_refused(db_path):
    fill(db_path, 1, family="other-family")
    with pytest.raises(UserError, match="belongs to 'other-family'"):
        ExchangeStore.open(db_path, FAMILY)


def test_tamper_edit_is_reported(db_path):
    fill(db_path, 4)
    raw(db_path).execute("UPDATE records SET status = 'missed' WHERE seq = 2")
    with ExchangeStore.open(db_path, FAMILY) as store:
        problem = store.verify().problem
    assert (problem.kind, problem.seq) == ("altered", 2)


def test_tamper_edit_of_json_column_is_reported(db_path):
    fill(db_path, 3)
    raw(db_path).execute("UPDATE records SET children = 'not json' WHERE seq = 3")
    with ExchangeStore.open(db_path, FAMILY) as store:
        assert store.verify().problem.seq == 3


def test_tamper_delete_is_reported(db_path):
    fill(db_path, 4)
    raw(db_path).execute("DELETE FROM records WHERE seq = 2")
    with ExchangeStore.open(db_path, FAMILY) as store:
        problem = store.verify().problem
    assert (problem.kind, problem.seq) == ("removed", 2)


def test_tamper_delete_of_last_record_is_reported(db_path):
    fill(db_path, 3)
    raw(db_path).execute("DELETE FROM records WHERE seq = 3")
    with ExchangeStore.open(db_path, FAMILY) as store:
        problem = store.verify().problem
    assert (problem.kind, problem.seq) == ("removed", 3)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (1, "record 1 removed: the log once held 1 record and now is empty"),
        (3, "record 3 removed: the log once held 3 records and now ends at record 2"),
    ],
)
def test_removed_from_the_end_message_reads_well(db_path, written, expected):
    fill(db_path, written)
    raw(db_path).execute(f"DELETE FROM records WHERE seq = {written}")
    with ExchangeStore.open(db_path, FAMILY) as store:
        assert store.verify().problem.message == expected


def test_last_record_removed_then_appended_after_stays_visible(db_path):
    fill(db_path, 3)
    raw(db_path).execute("DELETE FROM records WHERE seq = 3")
    with ExchangeStore.open(db_path, FAMILY) as store:
        assert store.append(draft()).seq == 4
        problem = store.verify().problem
    assert (problem.kind, problem.seq) == ("removed", 3)


def test_tamper_reorder_is_reported(db_path):
    fill(db_path, 4)
    conn = raw(db_path)
    conn.execute("UPDATE records SET seq = 100 WHERE seq = 2")
    conn.execute("UPDATE records SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE records SET seq = 3 WHERE seq = 100")
    with ExchangeStore.open(db_path, FAMILY) as store:
        problem = store.verify().problem
    assert (problem.kind, problem.seq) == ("reordered", 2)


def test_no_update_or_delete_in_the_code_path():
    sources = [Path(exchanges_pkg.__file__).parent.glob("*.py")]
    statement = re.compile(
        r"\b(UPDATE\s+\w+\s+SET|DELETE\s+FROM|REPLACE\s+INTO|"
        r"INSERT\s+OR\s+REPLACE|DROP\s+TABLE)\b",
        re.IGNORECASE,
    )
    checked = 0
    for path in (p for group in sources for p in group):
        text = path.read_text()
        checked += 1
        assert not statement.search(text), f"{path.name} contains a rewriting SQL statement"
    assert checked >= 5


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from exchange_fixtures import Lockstep, draft
    from pc_calendar.exchanges.store import ExchangeStore
    path, tag, count, sync = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    turns = Lockstep(sync, tag, "sam-alex" if tag == "alex-sam" else "alex-sam")
    turns.start()  # start together, then in lockstep: the appends must really overlap
    with ExchangeStore.open(path, "test-family") as store:
        began = time.time()
        for i in range(count):
            turns.round(i)
            store.append(draft(f"2026-11-{{i % 28 + 1:02d}}T1800-{{tag}}", note=tag))
            turns.done(i)
        (sync / f"span-{{tag}}").write_text(f"{{began}} {{time.time()}}")
""")


def race(db_path: Path, count: int) -> list[tuple[float, float]]:
    """Two writer processes appending ``count`` records each, released at the same time."""
    sync = db_path.parent / "sync"
    sync.mkdir()
    code = WRITER.format(tests=str(Path(__file__).parent))
    tags = ("alex-sam", "sam-alex")
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(db_path), tag, str(count), sync])
        for tag in tags
    ]
    release(sync, list(tags))
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    return [tuple(map(float, (sync / f"span-{t}").read_text().split())) for t in tags]


def test_two_processes_recording_at_once_both_succeed(db_path):
    fill(db_path, 1)  # created up front; the concurrent part is the appends
    (a_start, a_end), (b_start, b_end) = race(db_path, 60)
    assert a_start < b_end and b_start < a_end, "the writers did not overlap"
    with ExchangeStore.open(db_path, FAMILY) as store:
        records = store.records()
        result = store.verify()
    assert result.ok and result.count == 121
    assert [r.note for r in records[1:]].count("alex-sam") == 60
    assert [r.seq for r in records] == list(range(1, 122))
    rounds = [{r.note for r in records[i : i + 2]} for i in range(1, 121, 2)]
    assert all(pair == {"alex-sam", "sam-alex"} for pair in rounds), "records interleave"


def test_first_open_by_two_processes_at_once(db_path):
    race(db_path, 5)
    with ExchangeStore.open(db_path, FAMILY) as store:
        assert store.verify().ok and store.verify().count == 10


CRASHER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {tests!r})
    from exchange_fixtures import draft
    from pc_calendar.exchanges.store import ExchangeStore
    store = ExchangeStore.open(sys.argv[1], "test-family")
    store.before_commit = lambda: os._exit(9)  # the process dies after INSERT, before COMMIT
    store.append(draft("2026-11-20T1800-alex-sam", note="never committed"))
""")


def test_crash_mid_write_leaves_no_partial_record(db_path):
    fill(db_path, 2)
    code = CRASHER.format(tests=str(Path(__file__).parent))
    assert subprocess.run([sys.executable, "-c", code, str(db_path)], timeout=60).returncode == 9
    with ExchangeStore.open(db_path, FAMILY) as store:
        assert [r.note for r in store.records()] == ["n0", "n1"]
        assert store.verify().ok
        assert store.append(draft()).seq == 3


def test_exception_mid_write_rolls_back(db_path):
    fill(db_path, 1)
    with ExchangeStore.open(db_path, FAMILY) as store:
        store.before_commit = lambda: (_ for _ in ()).throw(RuntimeError("boom"))
        with pytest.raises(RuntimeError):
            store.append(draft())
        store.before_commit = None
        assert len(store.records()) == 1
        assert store.append(draft()).seq == 2


def test_new_log_without_hard_links_is_renamed_into_place(db_path, monkeypatch):
    """Some filesystems (FUSE, SMB) refuse hard links: the finished log is moved instead."""
    import errno
    import os

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    fill(db_path, 2)
    with ExchangeStore.open(db_path, FAMILY) as store:
        assert store.verify().ok and store.verify().count == 2
    assert [p.name for p in db_path.parent.iterdir() if ".creating" in p.name] == []


def test_new_log_is_created_whole_and_0600(db_path):
    fill(db_path, 1)
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in db_path.parent.iterdir() if ".creating" in p.name] == []


def test_emptied_log_is_refused_by_writers_too(db_path):
    fill(db_path, 2)
    db_path.write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(store_mod.DamagedLog, match="the file is empty"):
        ExchangeStore.open(db_path, FAMILY)
    assert db_path.stat().st_size == 0
