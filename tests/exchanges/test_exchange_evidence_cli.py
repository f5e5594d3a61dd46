"""``exchange anchor``, ``exchange receipts`` and ``exchange verify --receipts/--anchors``
end to end: the example plan pointed at a local RFC 3161 TSA on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from servers import refused_port
from test_exchange_cli import EXAMPLE, NOW, db_file, run

from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def plan(tmp_path, tsa):
    """The example plan with ``[evidence]`` naming the local TSA and its CA (relative)."""
    folder = tmp_path / "plans"
    (folder / "certs").mkdir(parents=True)
    shutil.copy(tsa.ca, folder / "certs" / "tsa-ca.pem")
    path = folder / "rivera-chen.toml"
    path.write_text(
        EXAMPLE.read_text() + f'\n[evidence]\ntsa_url = "{tsa.url}"\ntsa_ca = "certs/tsa-ca.pem"\n'
    )
    return path


@pytest.fixture
def past():
    timeline = compute_timeline(load_plan(EXAMPLE), date(2026, 11, 1), date(2026, 12, 1))
    return [e for e in timeline.merged_exchanges() if e.at < NOW]


def log_file(tmp_path: Path) -> Path:
    return db_file(tmp_path)


def record_three(capsys, plan, past):
    for ex in past[:3]:
        code, out, err = run(capsys, "exchange", "record", plan, ex.id, "--status", "on-time")
        assert code == 0, err


def test_anchor_receipts_and_verify(capsys, tmp_path, plan, past, tsa):
    record_three(capsys, plan, past)
    before = tsa.requests
    code, out, err = run(capsys, "exchange", "anchor", plan)
    assert code == 0, err
    assert out.startswith("anchored 3 records, head ") and tsa.url in out
    assert tsa.requests == before + 1
    anchors = log_file(tmp_path).with_name("rivera-chen.sqlite3.anchors.jsonl")
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    assert json.loads(anchors.read_text())["records"] == 3
    receipts = tmp_path / "alex-receipts.json"
    code, _, err = run(capsys, "exchange", "receipts", plan, "--parent", "alex", "-o", receipts)
    assert code == 0 and "3 receipts" in err
    assert [r["seq"] for r in json.loads(receipts.read_text())] == [1, 2, 3]
    code, out, _ = run(capsys, "exchange", "verify", plan, "--receipts", receipts)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("chain valid: 3 records; head ")
    assert lines[1] == "receipts: 3 checked"
    assert lines[2].startswith("anchors: 1 checked, signatures verified against the TSA's CA; ")
    assert lines[2].endswith("covers 3 records")


def test_anchor_json_is_the_line_written(capsys, tmp_path, plan, past, tsa):
    record_three(capsys, plan, past)
    code, out, err = run(capsys, "exchange", "anchor", plan, "--json", "-q")
    assert (code, err) == (0, "")
    data = json.loads(out)
    anchors = log_file(tmp_path).with_name("rivera-chen.sqlite3.anchors.jsonl")
    assert data["anchors_file"] == str(anchors)
    assert data["anchor"] == json.loads(anchors.read_text())  # the line added, whole
    anchor = data["anchor"]
    assert (anchor["family"], anchor["records"], anchor["tsa_url"]) == ("rivera-chen", 3, tsa.url)
    code, out, _ = run(capsys, "exchange", "verify", plan, "--json")
    assert code == 0 and json.loads(out)["head_hash"] == anchor["head_hash"]


def test_truncated_log_is_damaged_and_not_recreated(capsys, tmp_path, plan, past):
    record_three(capsys, plan, past)
    assert run(capsys, "exchange", "anchor", plan)[0] == 0
    kept = tmp_path / "anchors-copy.jsonl"
    shutil.copy(log_file(tmp_path).with_name("rivera-chen.sqlite3.anchors.jsonl"), kept)
    log_file(tmp_path).write_bytes(b"")
    for extra in ((), ("--anchors", kept)):
        code, out, _ = run(capsys, "exchange", "verify", plan, *extra)
        assert code == 1 and out.startswith("DAMAGED: ") and "file is empty (0 bytes" in out
        assert "an anchor from " in out and "covers 3 records: the tail was removed" in out
        assert "chain valid" not in out
        assert log_file(tmp_path).stat().st_size == 0
    code, out, err = run(capsys, "exchanges", plan)
    assert code == 1 and "damaged" in err, "other commands refuse it too"
    code, _, err = run(capsys, "exchange", "record", plan, past[3].id, "--status", "on-time")
    assert code == 1 and "damaged" in err and log_file(tmp_path).stat().st_size == 0


def test_missing_log_with_an_anchor_copy_is_damaged(capsys, tmp_path, plan, past):
    record_three(capsys, plan, past)
    assert run(capsys, "exchange", "anchor", plan)[0] == 0
    kept = tmp_path / "anchors-copy.jsonl"
    shutil.copy(log_file(tmp_path).with_name("rivera-chen.sqlite3.anchors.jsonl"), kept)
    other = tmp_path / "elsewhere" / "log.sqlite3"
    code, out, _ = run(capsys, "exchange", "verify", plan, "--db", other, "--anchors", kept)
    assert code == 1 and "there is no exchange log" in out
    assert not other.exists() and not other.parent.exists()
    code, out, _ = run(capsys, "exchange", "verify", plan, "--db", other, "--json")
    assert code == 0 and json.loads(out)["records"] == 0 and not other.exists()


def test_anchor_refusals(capsys, tmp_path, plan, past):
    code, _, err = run(capsys, "exchange", "anchor", EXAMPLE)
    assert code == 2 and "no time-stamping authority configured" in err and "hint:" in err
    code, _, err = run(capsys, "exchange", "anchor", plan)
    assert code == 2 and "holds no records yet" in err
    record_three(capsys, plan, past)
    with refused_port() as port:  # held: nobody can start listening on it meanwhile
        tsa = f"http://127.0.0.1:{port}/"
        code, _, err = run(capsys, "exchange", "anchor", plan, "--tsa", tsa)
    assert code == 2 and "cannot reach the time-stamping authority" in err
    code, _, err = run(capsys, "exchange", "anchor", plan, "--tsa-ca", tmp_path / "nope.pem")
    assert code == 2 and "is not a file" in err
    assert not log_file(tmp_path).with_name("rivera-chen.sqlite3.anchors.jsonl").exists()


def rehash_after_edit(tmp_path: Path) -> None:
    from dataclasses import replace

    from test_exchange_tamper import rewrite

    rewrite(
        log_file(tmp_path),
        lambda rs: [replace(r, note="edited") if r.seq == 2 else r for r in rs],
        "rivera-chen",
    )


NOV = ("--from", "2026-11-01", "--to", "2026-12-01")


def test_report_and_history_state_what_they_stand_on(capsys, tmp_path, plan, past):
    record_three(capsys, plan, past)
    assert run(capsys, "exchange", "anchor", plan)[0] == 0
    code, out, _ = run(capsys, "exchange", "verify", plan)
    head = out.splitlines()[0].split("head ")[1]
    code, out, _ = run(capsys, "report", plan, *NOV)
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == f"chain valid: 3 records; head {head}"
    assert lines[2].startswith("anchors: 1 checked, signatures verified against the TSA's CA")
    assert lines[2].endswith("covers 3 records")
    code, out, _ = run(capsys, "report", plan, *NOV, "--format", "html")
    assert code == 0 and "What this report stands on" in out and head in out
    assert 'class="alarm"' not in out
    code, out, _ = run(capsys, "report", plan, *NOV, "--format", "json")
    assert json.loads(out)["verification"]["head_hash"] == head
    code, out, _ = run(capsys, "exchange", "history", plan, past[0].id)
    assert code == 0 and f"chain valid: 3 records; head {head}" in out


def test_report_and_history_refuse_a_rewritten_log(capsys, tmp_path, plan, past):
    record_three(capsys, plan, past)
    assert run(capsys, "exchange", "anchor", plan)[0] == 0
    rehash_after_edit(tmp_path)
    for command in (("report", plan, *NOV), ("exchange", "history", plan, past[0].id)):
        code, out, err = run(capsys, *command)
        assert code == 1 and out == ""
        assert "WARNING: record 3 differs from the anchor of " in err
        assert "--even-if-broken" in err
        code, out, err = run(capsys, *command, "--even-if-broken")
        assert code == 0 and "DAMAGED: record 3 differs from the anchor" in out
    code, out, _ = run(capsys, "report", plan, *NOV, "--format", "html", "--even-if-broken")
    assert 'class="alarm"' in out and "FAILED verification" in out
    code, out, _ = run(capsys, "exchange", "verify", plan)
    assert code == 1 and out.startswith("DAMAGED: record 3 differs from the anchor of ")


def test_listing_and_report_show_both_sides(capsys, tmp_path, plan, past):
    from pc_calendar.exchanges import service

    loaded = load_plan(plan)
    ex = past[-1]
    db = log_file(tmp_path)
    first = service.record_checkin(
        loaded, db, ex.id, ex.from_parent, "missed", at_fault="receiving", now=NOW
    ).record
    code, out, _ = run(capsys, "exchanges", plan, *NOV)
    line = next(line for line in out.splitlines() if ex.id in line)
    assert line.endswith(f"missed by {ex.to_parent}  [one-sided ({ex.from_parent})]")
    service.respond(loaded, db, first.seq, ex.to_parent, "dispute", now=NOW)
    code, out, _ = run(capsys, "exchanges", plan, *NOV, "--json")
    row = next(r for r in json.loads(out) if r["exchange_id"] == ex.id)
    assert (row["agreement"], row["disputed_by"], row["at_fault"]) == (
        "disputed",
        [ex.to_parent],
        ex.to_parent,
    )
    code, out, _ = run(capsys, "report", plan, *NOV, "--format", "json")
    data = json.loads(out)
    assert data["agreement"] == {"agreed": 0, "disputed": 1, "one-sided": 0}
    held = next(p for p in data["parents"] if p["parent"] == ex.to_parent)
    assert (held["missed"], held["faults_disputed"]) == (1, 1)
    code, out, _ = run(capsys, "exchange", "history", plan, ex.id)
    assert "disputes #1 (missed)" in out and f"agreement: disputed; agrees: {ex.from_parent}" in out


def test_anchor_refuses_a_rewritten_log_and_receipts_must_be_found(capsys, tmp_path, plan, past):
    record_three(capsys, plan, past)
    assert run(capsys, "exchange", "anchor", plan)[0] == 0
    rehash_after_edit(tmp_path)
    code, _, err = run(capsys, "exchange", "anchor", plan)
    assert code == 2 and "fails verification (record 3 differs from the anchor" in err
    lines = log_file(tmp_path).with_name("rivera-chen.sqlite3.anchors.jsonl").read_text()
    assert len(lines.splitlines()) == 1, "the rewritten head was not anchored"
    empty = tmp_path / "not-receipts"
    empty.mkdir()
    (empty / "notes.txt").write_text("nothing here\n")
    code, _, err = run(capsys, "exchange", "verify", plan, "--receipts", empty)
    assert code == 2 and "holds no pc-calendar receipt" in err


def test_report_without_a_log_says_there_is_none(capsys, tmp_path, plan):
    code, out, _ = run(capsys, "report", plan, *NOV)
    assert code == 0 and out.splitlines()[1].startswith("no exchange log yet at ")
    assert "chain valid" not in out and not log_file(tmp_path).exists()
