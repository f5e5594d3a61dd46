"""The export a third party checks without pc-calendar: a header line, then the records.

The format and the hash method are specified in docs/exchange-log-format.md; a verifier
written from that page alone is run by the tests against a real export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .anchors import Anchor
from .chain import GENESIS, HASH_DESCRIPTION, Record, VerifyResult

EXPORT_FORMAT = "pc-calendar exchange log export"
EXPORT_VERSION = 2  # 2: records of hash version 2, and the anchors in the header


def export_header(
    family: str, records: list[Record], result: VerifyResult, anchors: Iterable[Anchor] = ()
) -> dict[str, Any]:
    """What a third party needs besides the records: the algorithm, the chain head and
    the anchors (RFC 3161 time-stamps of earlier heads).

    ``head_hash`` is the last record's hash: kept elsewhere (printed, mailed), it also
    shows later whether records were cut off the end or the log was rewritten.
    """
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "family": family,
        "hash_algorithm": "sha256",
        "hash_description": HASH_DESCRIPTION,
        "genesis_prev_hash": GENESIS,
        "records": len(records),
        "head_hash": records[-1].hash if records else GENESIS,
        "chain_valid_at_export": result.ok,
        "specification": "docs/exchange-log-format.md",
        "anchors": [a.to_json() for a in anchors],
    }


def export_text(
    family: str,
    records: list[Record],
    result: VerifyResult,
    fmt: str = "jsonl",
    anchors: Iterable[Anchor] = (),
) -> str:
    """JSON lines (header line, then one record per line) or one JSON document."""
    header = export_header(family, records, result, anchors)
    rows = [r.to_json() for r in records]
    if fmt == "json":
        return json.dumps({**header, "chain": rows}, indent=2, ensure_ascii=False) + "\n"
    lines = [json.dumps(header, ensure_ascii=False)]
    lines.extend(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows)
    return "\n".join(lines) + "\n"
