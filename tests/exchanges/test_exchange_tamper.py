"""Tampering by someone with full write access to the log file, who re-hashes every
record after the change by the documented method and resets the sequence: each case is
detected against the parents' receipts and against RFC 3161 anchors from a local TSA,
and named precisely."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from exchange_fixtures import draft, fill

from pc_calendar.exchanges import store as store_mod
from pc_calendar.exchanges.anchors import anchors_path, append_anchor, request_anchor
from pc_calendar.exchanges.chain import GENESIS, compute_hash
from pc_calendar.exchanges.receipts import receipt_json, receipt_text
from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.exchanges.verification import describe, verify_log

FAMILY = "test-family"


@pytest.fixture
def evidence(db_path, tsa, tmp_path):
    """Six records, an anchor of their head, and both parents' receipts: alex keeps the
    JSON file, sam the text of the notifications (one receipt per record)."""
    records = fill(db_path, 6)
    anchor = request_anchor(FAMILY, 6, records[-1].hash, tsa.url, tsa.ca)
    append_anchor(anchors_path(db_path), anchor)
    kept = tmp_path / "coordinator-copy.anchors.jsonl"
    shutil.copy(anchors_path(db_path), kept)
    folder = tmp_path / "receipts"
    folder.mkdir()
    (folder / "alex.json").write_text(json.dumps([receipt_json(r) for r in records]))
    (folder / "sam.txt").write_text("\n\n".join(receipt_text(r) for r in records))
    return {"records": records, "anchors": kept, "receipts": folder}


def rewrite(db_path: Path, change, family: str = FAMILY) -> None:
    """Replace the log's records with ``change(records)``, re-chained from the start and
    with the sequence reset: everything verify_chain alone could ask for."""
    with ExchangeStore.open(db_path, family) as store:
        records = change(store.records())
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER records_append_only_u")
    conn.execute("DROP TRIGGER records_append_only_d")
    conn.execute("DELETE FROM records")
    prev = GENESIS
    for seq, record in enumerate(records, 1):
        record = replace(record, seq=seq, prev_hash=prev, hash="")
        record = replace(record, hash=compute_hash(record.content()))
        conn.execute(store_mod._INSERT, store_mod._record_to_row(record))
        prev = record.hash
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'records'", (len(records),))
    conn.close()


def truncate(db_path: Path) -> None:
    db_path.write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


TAMPERING = {
    "truncate": truncate,
    "drop_tail": lambda p: rewrite(p, lambda rs: rs[:4]),
    "forge_tail": lambda p: rewrite(
        p, lambda rs: rs[:4] + [replace(r, status="missed", note="forged") for r in rs[4:]]
    ),
    "rehash_after_edit": lambda p: rewrite(
        p, lambda rs: [replace(r, note="edited") if r.seq == 3 else r for r in rs]
    ),
    "reorder": lambda p: rewrite(p, lambda rs: [rs[0], rs[2], rs[1], *rs[3:]]),
}
# What each is named, against receipts and against anchors (the first finding).
AGAINST_RECEIPTS = {
    "truncate": "the log ends at record 0 but the receipt alex holds is for record 6",
    "drop_tail": "the log ends at record 4 but the receipt alex holds is for record 6",
    "forge_tail": "record 5 differs from the receipt alex holds",
    "rehash_after_edit": "record 3 differs from the receipt alex holds",
    "reorder": "record 2 differs from the receipt alex holds",
}
AGAINST_ANCHORS = {
    "truncate": "the log ends at record 0 but an anchor from {t} covers 6 records: the tail "
    "was removed",
    "drop_tail": "the log ends at record 4 but an anchor from {t} covers 6 records: the tail "
    "was removed",
    "forge_tail": "record 6 differs from the anchor of {t}",
    "rehash_after_edit": "record 6 differs from the anchor of {t}",
    "reorder": "record 6 differs from the anchor of {t}",
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_untampered_log_verifies_against_both(db_path, evidence, tsa, case):
    found = verify_log(
        db_path, FAMILY, receipts=[evidence["receipts"]], anchor_files=[evidence["anchors"]],
        ca_file=tsa.ca,
    )  # fmt: skip
    assert found.ok and found.vouched_to == 6 and found.receipts_checked == 12
    assert found.anchors_checked == 1 and found.last_anchor[1] == 6


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_passes_the_chain_alone(db_path, evidence, case):
    """The attack this is about: the chain by itself cannot tell (truncate aside, which
    the log's own creation rule catches)."""
    TAMPERING[case](db_path)
    anchors_path(db_path).unlink()  # full write access: the copy beside the log goes too
    found = verify_log(db_path, FAMILY)
    assert found.ok == (case != "truncate"), describe(found)


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_is_detected_against_receipts(db_path, evidence, case):
    TAMPERING[case](db_path)
    anchors_path(db_path).unlink()
    found = verify_log(db_path, FAMILY, receipts=[evidence["receipts"]])
    assert not found.ok
    messages = [f.message for f in found.findings]
    assert any(m.startswith(AGAINST_RECEIPTS[case]) for m in messages), messages
    assert any("sam holds" in m for m in messages), "sam's notifications vouch too"


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_is_detected_against_anchors(db_path, evidence, tsa, case):
    TAMPERING[case](db_path)
    anchors_path(db_path).unlink()
    found = verify_log(db_path, FAMILY, anchor_files=[evidence["anchors"]], ca_file=tsa.ca)
    assert not found.ok
    when = found.findings[0].message.split("anchor")[1].split()[1]
    assert found.findings[0].message.startswith(AGAINST_ANCHORS[case].format(t=when))
    assert when.startswith("20") and when.endswith("Z")


def test_truncated_log_is_damaged_even_without_evidence(db_path, evidence):
    truncate(db_path)
    anchors_path(db_path).unlink()
    found = verify_log(db_path, FAMILY)
    assert not found.ok and "the file is empty (0 bytes" in found.damaged
    assert db_path.stat().st_size == 0, "verify never re-creates the log"


def test_removed_log_with_known_anchors_is_damaged(db_path, evidence, tsa):
    db_path.unlink()
    found = verify_log(db_path, FAMILY, anchor_files=[evidence["anchors"]], ca_file=tsa.ca)
    assert not found.ok and "there is no exchange log" in found.damaged
    assert not db_path.exists(), "verify never creates the log"


def test_backdated_record_after_an_anchor(db_path, evidence):
    rewrite(
        db_path,
        lambda rs: [*rs, replace(draft(note="slipped in"), recorded_at="2026-11-20T09:00:00Z")],
    )
    found = verify_log(db_path, FAMILY)
    assert [f.kind for f in found.findings] == ["backdated"]
    assert found.findings[0].message.startswith(
        "record 7 says it was recorded at 2026-11-20T09:00:00Z, but the anchor of "
    )


def test_a_later_record_is_not_vouched_for_yet(db_path, evidence):
    with ExchangeStore.open(db_path, FAMILY) as store:
        store.append(draft(recorded_at="2099-01-01T00:00:00Z"))
    found = verify_log(db_path, FAMILY)
    assert found.ok and found.vouched_to == 6 and found.last_seq == 7
    assert "record 7: no receipt or anchor checked here vouches for it yet" in describe(found)


def test_edited_anchor_does_not_verify(db_path, evidence, tsa):
    """Rewriting the log and then the anchor's head to match: the TSA's token still
    stamps the old head."""
    TAMPERING["rehash_after_edit"](db_path)
    with ExchangeStore.open(db_path, FAMILY) as store:
        head = store.records()[-1].hash
    path = anchors_path(db_path)
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "head_hash": head}) + "\n")
    for ca in (tsa.ca, None):
        found = verify_log(db_path, FAMILY, ca_file=ca)
        assert [f.kind for f in found.findings] == ["forged-anchor"], describe(found)
        assert "time-stamps a different head" in found.findings[0].message


def test_anchor_from_another_authority_is_refused(db_path, evidence, tmp_path):
    from local_tsa import make_authority

    make_authority(tmp_path / "other", "Other TSA")
    found = verify_log(db_path, FAMILY, ca_file=tmp_path / "other" / "ca.pem")
    assert [f.kind for f in found.findings] == ["forged-anchor"]


def test_reports_check_the_strongest_token_and_any_contradicted(db_path, evidence, tsa):
    """Three anchors: a report checks the token of the one covering the most records
    (it pins all before it), and of any anchor the log contradicts."""
    with ExchangeStore.open(db_path, FAMILY) as store:
        for i in range(2):
            head = store.append(draft(note=f"later {i}", recorded_at="2099-01-01T00:00:00Z"))
            append_anchor(
                anchors_path(db_path), request_anchor(FAMILY, head.seq, head.hash, tsa.url, tsa.ca)
            )
    quick = verify_log(db_path, FAMILY, ca_file=tsa.ca, every_token=False)
    assert quick.ok and (quick.anchors_checked, quick.tokens_checked) == (3, 1)
    assert quick.last_anchor[1] == 8 and quick.vouched_to == 8
    assert "3 match the log; 1 time-stamp checked" in "\n".join(describe(quick))
    full = verify_log(db_path, FAMILY, ca_file=tsa.ca)
    assert full.ok and full.tokens_checked == 3
    lines = anchors_path(db_path).read_text().splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({**first, "head_hash": "f" * 64})  # edited, and now contradicted
    anchors_path(db_path).write_text("\n".join(lines) + "\n")
    quick = verify_log(db_path, FAMILY, ca_file=tsa.ca, every_token=False)
    assert [f.kind for f in quick.findings] == ["forged-anchor"] and quick.tokens_checked == 2
    TAMPERING["rehash_after_edit"](db_path)
    quick = verify_log(db_path, FAMILY, ca_file=tsa.ca, every_token=False)
    assert "record 8 differs from the anchor of " in [f.message for f in quick.findings][-1]
