"""The hash chain: canonical hashing, tamper classification, independent verification."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from exchange_fixtures import draft

from pc_calendar.exchanges.chain import (
    GENESIS,
    HASH_DESCRIPTION,
    compute_hash,
    verify_chain,
)
from pc_calendar.exchanges.export import export_text


def chain(count: int):
    records, prev = [], GENESIS
    for i in range(count):
        rec = replace(
            draft(f"2026-11-{i + 1:02d}T1800-alex-sam"),
            seq=i + 1,
            family="test-family",
            prev_hash=prev,
        )
        rec = replace(rec, hash=compute_hash(rec.content()))
        records.append(rec)
        prev = rec.hash
    return records


def test_hash_is_sha256_of_sorted_compact_json():
    rec = chain(1)[0]
    content = rec.content()
    assert "hash" not in content and content["prev_hash"] == GENESIS
    expected = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert rec.hash == expected


def test_non_ascii_note_hashes_as_utf8():
    rec = replace(draft(note="Übergabe verspätet – 10′"), seq=1, prev_hash=GENESIS)
    raw = json.dumps(
        rec.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert compute_hash(rec.content()) == hashlib.sha256(raw).hexdigest()


def test_intact_chain_verifies():
    records = chain(4)
    result = verify_chain(records)
    assert result.ok and result.count == 4 and result.head_hash == records[-1].hash


def test_empty_chain_verifies():
    result = verify_chain([])
    assert result.ok and result.count == 0 and result.head_hash == GENESIS


def test_altered_content_names_the_record():
    records = chain(4)
    records[2] = replace(records[2], status="missed")
    result = verify_chain(records)
    assert result.problem.kind == "altered" and result.problem.seq == 3
    assert result.count == 2


def test_altered_with_recomputed_hash_is_caught_by_the_next_link():
    records = chain(4)
    forged = replace(records[1], status="missed")
    records[1] = replace(forged, hash=compute_hash(forged.content()))
    result = verify_chain(records)
    assert result.problem.kind == "altered" and result.problem.seq == 2


def test_removed_record_names_the_gap():
    records = chain(5)
    del records[2]
    result = verify_chain(records)
    assert result.problem.kind == "removed" and result.problem.seq == 3
    assert result.problem.message == "record 3 removed: the log skips from record 2 to record 4"


def test_removed_first_records():
    records = chain(4)[2:]
    result = verify_chain(records)
    assert result.problem.kind == "removed" and result.problem.seq == 1
    assert result.problem.message == (
        "records 1 to 2 removed: the log skips from the start to record 3"
    )


def test_swapped_records_are_reordered():
    records = chain(4)
    # swap the stored order but keep each record's content and hash
    records[1], records[2] = records[2], records[1]
    result = verify_chain(records)
    assert result.problem.kind == "reordered" and result.problem.seq == 3


def test_added_field_counts_as_altered():
    rows = [r.to_json() for r in chain(2)]
    rows[1]["extra"] = 1
    assert verify_chain(rows).problem.kind == "altered"


def independent_verify(lines: list[str]) -> tuple[bool, int]:
    """A third party's verifier written from HASH_DESCRIPTION alone (no project code)."""
    header = json.loads(lines[0])
    prev = header["genesis_prev_hash"]
    count = 0
    for line in lines[1:]:
        rec = json.loads(line)
        claimed = rec.pop("hash")
        body = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if rec["prev_hash"] != prev or hashlib.sha256(body.encode()).hexdigest() != claimed:
            return False, count
        prev, count = claimed, count + 1
    return prev == header["head_hash"] and count == header["records"], count


def test_export_verifies_with_an_independent_verifier():
    records = chain(3)
    records[1] = replace(records[1], note="naïve café", hash="")
    records[1] = replace(records[1], hash=compute_hash(records[1].content()))
    records[2] = replace(records[2], prev_hash=records[1].hash, hash="")
    records[2] = replace(records[2], hash=compute_hash(records[2].content()))
    text = export_text("test-family", records, verify_chain(records))
    lines = text.splitlines()
    header = json.loads(lines[0])
    assert header["hash_algorithm"] == "sha256" and header["hash_description"] == HASH_DESCRIPTION
    assert independent_verify(lines) == (True, 3)
    tampered = lines[:2] + [lines[2].replace("café", "cafe")] + lines[3:]
    assert independent_verify(tampered) == (False, 1)


def test_json_export_holds_the_chain():
    records = chain(2)
    doc = json.loads(export_text("test-family", records, verify_chain(records), "json"))
    assert [r["hash"] for r in doc["chain"]] == [r.hash for r in records]
    assert doc["head_hash"] == records[-1].hash and doc["chain_valid_at_export"] is True


def test_first_record_moved_is_reordered():
    records = chain(3)
    swapped = [records[1], records[0], records[2]]
    result = verify_chain(swapped)
    assert result.problem.kind == "reordered" and result.problem.seq == 2
    renumbered = [replace(records[1], seq=1), replace(records[0], seq=2), records[2]]
    problem = verify_chain(renumbered).problem
    assert problem.kind == "reordered" and problem.seq == 1


def test_export_of_a_broken_chain_says_so():
    records = chain(3)
    records[1] = replace(records[1], note="edited")
    header = json.loads(export_text("test-family", records, verify_chain(records)).split("\n")[0])
    assert header["chain_valid_at_export"] is False
    assert header["records"] == 3 and header["head_hash"] == records[2].hash
