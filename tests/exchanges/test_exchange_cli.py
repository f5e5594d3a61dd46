"""Every exchange command end to end on the shipped example plan, with the real engine.

Expected exchange ids are taken from the engine's own output for the range, so these
tests check the exchange log's behaviour, not the engine's choice of dates.
"""

from __future__ import annotations

import hashlib
import html
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from test_amendments_cli import COURT_ORDER

from pc_calendar.cli import main
from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

EXAMPLE = Path(__file__).parents[2] / "examples" / "rivera-chen.toml"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
NOV = ("--from", "2026-11-01", "--to", "2026-12-01")


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("PC_CALENDAR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PC_CALENDAR_NOW", NOW.isoformat())
    monkeypatch.setenv("PC_CALENDAR_PLUGINS", "none")


@pytest.fixture(scope="module")
def past():
    """The example's November exchanges that are already in the past at NOW."""
    plan = load_plan(EXAMPLE)
    timeline = compute_timeline(plan, date(2026, 11, 1), date(2026, 12, 1))
    found = [e for e in timeline.merged_exchanges() if e.at < NOW]
    assert len(found) >= 4, "the example should have several exchanges in November"
    return found


@pytest.fixture(scope="module")
def empty_day(past):
    """A past November day on which the example schedules no exchange."""
    taken = {e.local_at.date() for e in past}
    return next(
        (date(2026, 11, 1) + timedelta(d)).isoformat()
        for d in range(24)
        if date(2026, 11, 1) + timedelta(d) not in taken
    )


def run(capsys, *args):
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def db_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "exchanges" / "rivera-chen.sqlite3"


def test_record_history_and_listing(capsys, tmp_path, past):
    days = [e.local_at.date() for e in past]
    first = next(e for e in past if days.count(e.local_at.date()) == 1)  # alone on its day
    second = next(e for e in past if e is not first)
    code, out, _ = run(
        capsys,
        "exchange",
        "record",
        EXAMPLE,
        first.id,
        "--status",
        "late",
        "--minutes-late",
        "15",
        "--by",
        "sam",
        "--note",
        "traffic",
    )
    assert code == 0 and out.splitlines()[0] == f"recorded #1: {first.id} late"
    assert out.splitlines()[1].startswith("receipt: pc-calendar-receipt rivera-chen 1 sha256:")
    day = first.local_at.date().isoformat()
    code, out, _ = run(
        capsys, "exchange", "record", EXAMPLE, day, "--status", "on-time", "--by", "alex"
    )
    assert code == 0
    assert out.splitlines()[0] == f"recorded #2: {first.id} on-time (supersedes record 1)"
    code, out, _ = run(capsys, "exchange", "history", EXAMPLE, first.id)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(first.id)
    assert "#1" in lines[1] and "late" in lines[1] and "15 min" in lines[1]
    assert "(superseded)" in lines[1] and "(current)" in lines[2]
    code, out, _ = run(capsys, "exchanges", EXAMPLE, *NOV, "--json")
    rows = {r["exchange_id"]: r for r in json.loads(out)}
    assert rows[first.id]["state"] == "on-time" and rows[first.id]["records"] == 2
    assert rows[second.id]["overdue"] is True and rows[second.id]["state"] == "overdue"
    assert all(r["in_plan"] for r in rows.values())
    code, out, _ = run(capsys, "exchanges", EXAMPLE, *NOV)
    assert code == 0 and f"{len(past) - 1} overdue" in out.splitlines()[-1]
    assert db_file(tmp_path).exists()


def test_missed_report_and_overnights(capsys, past):
    missed = past[-1]
    assert (
        run(
            capsys,
            "exchange",
            "record",
            EXAMPLE,
            missed.id,
            "--status",
            "missed",
            "--by",
            missed.to_parent,
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "report", EXAMPLE, *NOV, "--format", "json")
    data = json.loads(out)
    parents = {p["parent"]: p for p in data["parents"]}
    assert parents[missed.from_parent]["missed"] == 1
    receiver = parents[missed.to_parent]
    assert receiver["overnights_lost"] >= 1
    assert (
        receiver["overnights_exercised"]
        == receiver["overnights_planned"] - receiver["overnights_lost"]
    )
    total = sum(p["overnights_planned"] for p in parents.values())
    assert total == 30  # every November night belongs to exactly one parent


def test_report_formats_and_output_file(capsys, tmp_path, past):
    run(capsys, "exchange", "record", EXAMPLE, past[0].id, "--status", "on-time")
    out_file = tmp_path / "report.html"
    code, out, _ = run(capsys, "report", EXAMPLE, *NOV, "--format", "html", "-o", out_file)
    assert code == 0 and out == ""
    html = out_file.read_text()
    assert "<svg" in html and "Rivera-Chen family" in html
    code, out, _ = run(capsys, "report", EXAMPLE, *NOV, "--format", "csv")
    assert out.splitlines()[0].startswith("parent,scheduled,on_time")
    code, out, _ = run(capsys, "report", EXAMPLE, *NOV)
    assert code == 0 and "overnights planned" in out
    code, _, err = run(capsys, "report", EXAMPLE, "--from", "2026-12-01", "--to", "2026-11-01")
    assert code == 2 and "must be after" in err


def test_refusals_exit_2_and_write_nothing(capsys, tmp_path, past, empty_day):
    cases = [
        (empty_day, "--status", "on-time"),  # no exchange that day in the example
        (past[0].id, "--status", "weird"),
        (past[0].id, "--status", "late", "--minutes-late", "-3"),
        (past[0].id, "--status", "late"),
        (past[0].id, "--status", "cancelled"),
        (past[0].id, "--status", "missed", "--by", "neighbour"),
        ("2026-12-16", "--status", "missed"),  # in the future at NOW
    ]
    for case in cases:
        code, out, err = run(capsys, "exchange", "record", EXAMPLE, *case)
        assert code == 2, case
        assert err.startswith("error: ") and "Traceback" not in err
    assert not db_file(tmp_path).exists()


def test_no_exchange_names_the_nearest(capsys, past, empty_day):
    code, _, err = run(capsys, "exchange", "record", EXAMPLE, empty_day, "--status", "missed")
    assert code == 2 and "nearest" in err
    assert sum(e.id in err for e in past) >= 1


def test_cancel_ahead_with_agreement(capsys):
    plan = load_plan(EXAMPLE)
    later = [
        e
        for e in compute_timeline(plan, date(2026, 12, 1), date(2027, 1, 1)).merged_exchanges()
        if e.at > NOW
    ]
    code, out, _ = run(
        capsys,
        "exchange",
        "record",
        EXAMPLE,
        later[0].id,
        "--status",
        "cancelled",
        "--agreed-by",
        "alex,sam",
        "--note",
        "snow day",
    )
    assert code == 0
    code, out, _ = run(capsys, "exchange", "history", EXAMPLE, later[0].id, "--json")
    data = json.loads(out)
    assert data["records"][0]["agreed_by"] == ["alex", "sam"]
    assert data["records"][0]["note"] == "snow day"


def test_verify_detects_tampering_and_export_verifies_independently(capsys, tmp_path, past):
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 0 and out.startswith("no exchange log yet")
    for ex in past[:3]:
        assert run(capsys, "exchange", "record", EXAMPLE, ex.id, "--status", "on-time")[0] == 0
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 0 and out.startswith("chain valid: 3 records")
    export = tmp_path / "log.jsonl"
    assert run(capsys, "exchange", "export", EXAMPLE, "-o", export)[0] == 0
    lines = export.read_text().splitlines()
    header, prev = json.loads(lines[0]), "0" * 64
    for line in lines[1:]:  # verified from the description alone
        rec = json.loads(line)
        claimed = rec.pop("hash")
        body = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert rec["prev_hash"] == prev
        assert hashlib.sha256(body.encode()).hexdigest() == claimed
        prev = claimed
    assert prev == header["head_hash"] and header["records"] == 3
    conn = sqlite3.connect(db_file(tmp_path))
    conn.execute("DROP TRIGGER records_append_only_u")
    conn.execute("UPDATE records SET reported_by = 'alex' WHERE seq = 2")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE, "--json")
    data = json.loads(out)
    assert code == 1 and data["problem"]["seq"] == 2 and data["problem"]["kind"] == "altered"
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 1 and "record 2" in out


def test_db_option_and_bad_databases(capsys, tmp_path, past):
    custom = tmp_path / "elsewhere" / "family.db"
    code, _, _ = run(
        capsys, "exchange", "record", EXAMPLE, past[0].id, "--status", "on-time", "--db", custom
    )
    assert code == 0 and custom.exists() and not db_file(tmp_path).exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 200)
    code, _, err = run(
        capsys, "exchange", "record", EXAMPLE, past[0].id, "--status", "on-time", "--db", junk
    )
    assert code == 2 and "not a pc-calendar exchange log" in err
    assert junk.read_bytes() == b"\x00garbage" * 200
    sqlite3.connect(custom).execute("PRAGMA user_version = 99")
    code, _, err = run(capsys, "exchange", "history", EXAMPLE, past[0].id, "--db", custom)
    assert code == 2 and "newer pc-calendar" in err


def test_plan_change_shows_no_longer_in_plan(capsys, tmp_path, past):
    target = next(e for e in past if e.local_at.hour == 18)
    changed = tmp_path / "plan.toml"
    text = EXAMPLE.read_text()
    assert 'time = 18:00:00\nlocation = "alex-home"' in text
    changed.write_text(
        text.replace(
            'time = 18:00:00\nlocation = "alex-home"', 'time = 17:30:00\nlocation = "alex-home"'
        )
    )
    ids = {
        e.id
        for e in compute_timeline(
            load_plan(changed), date(2026, 11, 1), date(2026, 12, 1)
        ).merged_exchanges()
    }
    assert target.id not in ids
    assert run(capsys, "exchange", "record", EXAMPLE, target.id, "--status", "missed")[0] == 0
    code, out, _ = run(capsys, "exchanges", changed, *NOV)
    line = next(ln for ln in out.splitlines() if target.id in ln)
    assert "missed" in line and "no longer in plan" in line
    code, out, _ = run(capsys, "exchange", "history", changed, target.id)
    assert code == 0 and "(no longer in plan)" in out.splitlines()[0]


def test_notify_overdue_once(capsys, past):
    code, out, err = run(capsys, "exchanges", EXAMPLE, *NOV, "--notify", "--json")
    overdue = [r for r in json.loads(out) if r["overdue"]]
    assert code == 0 and f"notified plugins of {len(overdue)} overdue exchanges" in err
    code, _, err = run(capsys, "exchanges", EXAMPLE, *NOV, "--notify")
    assert code == 0 and "notified plugins of 0 overdue exchanges" in err


@pytest.mark.parametrize(
    ("args", "first", "last"),
    [
        ((), "2026-11-11", "2026-12-09"),  # 14 days either side of NOW
        (("--from", "2026-11-01"), "2026-11-01", "2026-11-29"),
        (("--to", "2026-11-29"), "2026-11-01", "2026-11-29"),
    ],
)
def test_exchanges_default_range(capsys, args, first, last):
    code, out, _ = run(capsys, "exchanges", EXAMPLE, *args, "--json")
    days = [r["local_time"][:10] for r in json.loads(out)]
    assert code == 0 and days
    assert all(first <= d < last for d in days)


def test_output_to_a_missing_folder_is_refused_and_writes_nothing(capsys, tmp_path, past):
    assert run(capsys, "exchange", "record", EXAMPLE, past[0].id, "--status", "on-time")[0] == 0
    missing = tmp_path / "no-such-folder"
    for args in (
        ("exchange", "export", EXAMPLE, "-o", missing / "log.jsonl"),
        ("report", EXAMPLE, *NOV, "-o", missing / "r.txt"),
    ):
        code, out, err = run(capsys, *args)
        assert code == 2, args
        assert err.startswith("error: ") and f"the folder {missing} does not exist" in err
        assert out == "" and "Traceback" not in err
    assert not missing.exists()


def test_output_file_says_what_was_written_on_stderr(capsys, tmp_path, past):
    for ex in past[:2]:
        assert run(capsys, "exchange", "record", EXAMPLE, ex.id, "--status", "on-time")[0] == 0
    target = tmp_path / "log.json"
    code, out, err = run(capsys, "exchange", "export", EXAMPLE, "--format", "json", "-o", target)
    assert code == 0 and out == ""
    assert err == f"wrote {target} (2 records)\n"
    assert json.loads(target.read_text())["records"] == 2
    report = tmp_path / "r.csv"
    code, out, err = run(capsys, "report", EXAMPLE, *NOV, "--format", "csv", "-o", report)
    count = len(json.loads(run(capsys, "exchanges", EXAMPLE, *NOV, "--json")[1]))
    assert code == 0 and out == "" and err == f"wrote {report} ({count} exchanges)\n"
    code, out, err = run(capsys, "exchange", "export", EXAMPLE)  # stdout: the data only
    assert code == 0 and err == "" and json.loads(out.splitlines()[0])["records"] == 2


def tamper(tmp_path: Path, seq: int) -> None:
    conn = sqlite3.connect(db_file(tmp_path))
    conn.execute("DROP TRIGGER IF EXISTS records_append_only_u")
    conn.execute(f"UPDATE records SET note = 'edited' WHERE seq = {seq}")
    conn.commit()
    conn.close()


def test_verify_messages_use_singular_and_plural(capsys, tmp_path, past):
    assert run(capsys, "exchange", "record", EXAMPLE, past[0].id, "--status", "on-time")[0] == 0
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 0 and out.startswith("chain valid: 1 record; head ")
    assert run(capsys, "exchange", "record", EXAMPLE, past[1].id, "--status", "on-time")[0] == 0
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 0 and out.startswith("chain valid: 2 records; head ")
    assert run(capsys, "exchange", "record", EXAMPLE, past[2].id, "--status", "on-time")[0] == 0
    tamper(tmp_path, 3)
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 1 and out.splitlines()[1] == "the 2 records before it verify"
    tamper(tmp_path, 2)
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 1 and out.splitlines()[1] == "the 1 record before it verifies"
    tamper(tmp_path, 1)
    code, out, _ = run(capsys, "exchange", "verify", EXAMPLE)
    assert code == 1 and out.splitlines()[1] == "no record before it verifies"


def test_listings_show_location_names(capsys, tmp_path, past):
    plan = load_plan(EXAMPLE)
    names = {key: loc.name for key, loc in plan.locations.items()}
    target = next(e for e in past if e.location in names)
    name = names[target.location]
    assert name != target.location
    code, out, _ = run(capsys, "exchanges", EXAMPLE, *NOV, "--json")
    row = next(r for r in json.loads(out) if r["exchange_id"] == target.id)
    assert (row["location"], row["location_id"]) == (name, target.location)
    code, out, _ = run(capsys, "exchanges", EXAMPLE, *NOV)
    line = next(ln for ln in out.splitlines() if target.id in ln)
    assert f"@ {name}" in line and f"@ {target.location} " not in line + " "
    assert run(capsys, "exchange", "record", EXAMPLE, target.id, "--status", "on-time")[0] == 0
    code, out, _ = run(capsys, "exchange", "history", EXAMPLE, target.id)
    assert code == 0 and f"at {name})" in out.splitlines()[0]
    code, out, _ = run(capsys, "exchange", "history", EXAMPLE, target.id, "--json")
    data = json.loads(out)
    assert (data["location"], data["location_id"]) == (name, target.location)
    code, out, _ = run(capsys, "report", EXAMPLE, *NOV, "--format", "json")
    row = next(r for r in json.loads(out)["exchanges"] if r["exchange_id"] == target.id)
    assert (row["location"], row["location_id"]) == (name, target.location)
    code, out, _ = run(capsys, "report", EXAMPLE, *NOV, "--format", "html")
    assert f"<td>{html.escape(name)}</td>" in out
    assert f"<td>{target.location}</td>" not in out


def test_record_suggestions_name_the_place(capsys, past, empty_day):
    names = {key: loc.name for key, loc in load_plan(EXAMPLE).locations.items()}
    code, _, err = run(capsys, "exchange", "record", EXAMPLE, empty_day, "--status", "missed")
    suggested = [ln for ln in err.splitlines() if ln.startswith("  ") and " at " in ln]
    assert code == 2 and suggested
    for line in suggested:
        assert any(line.endswith(f" at {n})") for n in names.values()), line


def test_a_retroactive_amendment_keeps_records_of_what_happened(capsys, tmp_path):
    """A court order effective in the past moves an exchange that was recorded: the
    record keeps the exchange as it was (time, parents, place), shown as no longer in
    the plan, never re-attached or lost."""
    before = compute_timeline(load_plan(EXAMPLE), date(2026, 11, 1), date(2026, 12, 1))
    target = next(e for e in before.merged_exchanges() if e.at < NOW)
    code, _, err = run(capsys, "exchange", "record", EXAMPLE, target.id, "--status", "on-time")
    assert code == 0, err
    amended = tmp_path / "plan.toml"
    amended.write_text(EXAMPLE.read_text() + COURT_ORDER)
    after = compute_timeline(load_plan(amended), date(2026, 11, 1), date(2026, 12, 1))
    assert target.id not in {e.id for e in after.merged_exchanges()}
    code, out, _ = run(capsys, "exchanges", amended, "--from", "2026-11-01", "--to", "2026-12-01")
    line = next(ln for ln in out.splitlines() if target.id in ln)
    assert "no longer in plan" in line
    code, out, _ = run(capsys, "exchange", "history", amended, target.id)
    assert code == 0 and "(no longer in plan)" in out.splitlines()[0]


def test_receiving_parent_at_fault_and_the_other_side_answers(capsys, past):
    ex = past[-1]
    code, out, _ = run(
        capsys,
        "exchange",
        "record",
        EXAMPLE,
        ex.id,
        "--status",
        "missed",
        "--by",
        ex.from_parent,
        "--at-fault",
        "receiving",
    )
    assert code == 0, out
    code, out, err = run(capsys, "exchange", "respond", EXAMPLE, "1", "--by", ex.to_parent)
    assert code == 2 and "--confirm or --dispute" in err
    code, out, _ = run(
        capsys,
        "exchange",
        "respond",
        EXAMPLE,
        "1",
        "--by",
        ex.to_parent,
        "--dispute",
        "--note",
        "I waited 40 minutes",
    )
    assert code == 0 and f"{ex.to_parent} disputes record 1" in out.splitlines()[0]
    code, out, _ = run(capsys, "exchange", "history", EXAMPLE, ex.id, "--json")
    records = json.loads(out)["records"]
    assert [(r["kind"], r["at_fault"], r["reported_by"]) for r in records] == [
        ("outcome", "receiving", ex.from_parent),
        ("dispute", "receiving", ex.to_parent),
    ]
    assert records[1]["responds_to"] == 1 and records[1]["channel"] == "cli"
    code, out, err = run(
        capsys, "exchange", "respond", EXAMPLE, "1", "--by", ex.to_parent, "--confirm", "--json"
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    answer = data["record"]
    assert (answer["seq"], answer["kind"], answer["responds_to"]) == (3, "confirm", 1)
    assert data["receipt"] == f"pc-calendar-receipt rivera-chen 3 sha256:{answer['hash']}"
    assert data["warnings"] == []
