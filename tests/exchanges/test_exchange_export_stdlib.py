"""The export is checkable without pc-calendar: ``verify_export_stdlib.py``, written from
docs/exchange-log-format.md alone, runs in an isolated interpreter (standard library
only) against real exports holding old and new records, answers and an anchor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_exchange_evidence_cli import log_file, past, plan, record_three, run  # noqa: F401
from test_exchange_store import old_log

from pc_calendar.exchanges import service
from pc_calendar.plan.load import load_plan

SCRIPT = Path(__file__).with_name("verify_export_stdlib.py")

pytestmark = pytest.mark.usefixtures("cli_env")


def check(export: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(export)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=export.parent,
    )


def test_the_verifier_is_short_and_standard_library_only():
    text = SCRIPT.read_text()
    assert len(text.splitlines()) <= 30
    imports = {line.split()[1] for line in text.splitlines() if line.startswith(("import", "from"))}
    assert imports <= {"hashlib", "json", "sys", "pathlib"}


@pytest.fixture
def exported(capsys, tmp_path, plan, past):  # noqa: F811
    """A log migrated from an old build (hash version 1 records), then new records: a
    check-in with a non-ASCII note, the other parent's dispute, and an anchor."""
    old_log(log_file(tmp_path), 3, 2, "rivera-chen")
    record_three(capsys, plan, past)
    loaded, ex = load_plan(plan), past[-1]
    first = service.record_checkin(
        loaded, log_file(tmp_path), ex.id, ex.to_parent, "late", minutes_late=25,
        at_fault="handing_over", note="Übergabe verspätet – 25′", now=None,
    ).record  # fmt: skip
    service.respond(loaded, log_file(tmp_path), first.seq, ex.from_parent, "dispute")
    assert run(capsys, "exchange", "anchor", plan)[0] == 0
    files = {}
    for fmt in ("jsonl", "json"):
        files[fmt] = tmp_path / f"export.{fmt}"
        code, _, err = run(capsys, "exchange", "export", plan, "--format", fmt, "-o", files[fmt])
        assert code == 0, err
    return files


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_stdlib_verifier_accepts_a_real_export(exported, fmt):
    done = check(exported[fmt])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: 7 records, head ") and "1 anchors match" in done.stdout
    lines = exported["jsonl"].read_text().splitlines()
    versions = [json.loads(line).get("hash_version", 1) for line in lines[1:]]
    assert versions == [1, 1, 2, 2, 2, 2, 2], "old and new records in one chain"


def test_stdlib_verifier_rejects_an_edited_export(exported, tmp_path):
    lines = exported["jsonl"].read_text().splitlines()
    record = json.loads(lines[6])
    record["note"] = "on time, really"
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join([*lines[:6], json.dumps(record), *lines[7:]]) + "\n")
    done = check(edited)
    assert done.returncode == 1 and "BROKEN at record 6" in done.stderr


def test_stdlib_verifier_rejects_a_rewritten_export_against_its_anchor(exported, tmp_path):
    """Re-hashing everything after the edit passes the chain, not the anchor."""
    import hashlib

    lines = exported["jsonl"].read_text().splitlines()
    header, records, prev = json.loads(lines[0]), [json.loads(x) for x in lines[1:]], "0" * 64
    records[5]["note"] = "rewritten"
    for record in records:
        record["prev_hash"] = prev
        body = {k: v for k, v in record.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        prev = record["hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    header["head_hash"] = prev
    rewritten = tmp_path / "rewritten.jsonl"
    rewritten.write_text("\n".join(json.dumps(x) for x in [header, *records]) + "\n")
    done = check(rewritten)
    assert done.returncode == 1 and "does not hold the head anchored at" in done.stderr
