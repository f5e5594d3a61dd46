"""Checks a pc-calendar exchange log export, written from docs/exchange-log-format.md
alone with only the standard library. Usage: verify_export_stdlib.py EXPORT"""

import hashlib
import json
import sys
from pathlib import Path

text = Path(sys.argv[1]).read_text(encoding="utf-8")
try:  # --format json: one object whose "chain" lists the records
    header = json.loads(text)
    records = header.pop("chain", [])
except json.JSONDecodeError:  # --format jsonl: a header line, then one record per line
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    header, records = lines[0], lines[1:]
prev, by_seq = "0" * 64, {}
for number, record in enumerate(records, 1):
    body = {k: v for k, v in record.items() if k != "hash"}
    digest = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    if record["seq"] != number or record["prev_hash"] != prev or digest != record["hash"]:
        sys.exit(f"BROKEN at record {number}")
    prev = by_seq[number] = record["hash"]
if header["records"] != len(records) or header["head_hash"] != prev:
    sys.exit("BROKEN: the header's records or head_hash do not match the records")
for anchor in header.get("anchors", []):
    if by_seq.get(anchor["records"]) != anchor["head_hash"]:
        sys.exit(f"BROKEN: the log does not hold the head anchored at {anchor['time']}")
print(f"OK: {len(records)} records, head {prev}, {len(header.get('anchors', []))} anchors match")
