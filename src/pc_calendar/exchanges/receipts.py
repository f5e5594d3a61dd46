"""Receipts: each record's number and hash, handed to both parents, outside the log.

A record's hash covers the record before it (``prev_hash``), so a receipt for record S
pins records 1..S exactly as they were when it was issued. Whoever can rewrite the log
file cannot rewrite the receipts the parents keep (in their calendar event, their
check-in page, a notification), and ``exchange verify --receipts`` names the first
receipt the log no longer matches. A receipt is one line a person can keep anywhere::

    pc-calendar-receipt rivera-chen 12 sha256:<64 hex digits>

or a JSON object ``{"format": "pc-calendar exchange receipt", "family", "seq", "hash",
...}``; files holding either (text, an e-mail, a JSON list, JSON lines) are read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError
from .chain import Record

RECEIPT_FORMAT = "pc-calendar exchange receipt"
_LINE = re.compile(r"pc-calendar-receipt\s+(\S+)\s+(\d+)\s+sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class Receipt:
    family: str
    seq: int
    hash: str
    holder: str  # who holds it (the file it came from, or its "holder" field)


def receipt_line(record: Record) -> str:
    """The one machine-readable line of a receipt."""
    return f"pc-calendar-receipt {record.family} {record.seq} sha256:{record.hash}"


def receipt_text(record: Record) -> str:
    """A receipt as people read it, for an event description, a check-in page or a
    notification. Pure: render code calls it with the record of an exchange."""
    what = record.kind if record.kind != "outcome" else record.status
    return (
        f"Exchange log receipt: record #{record.seq} ({what}, {record.exchange_id}), "
        f"recorded {record.recorded_at}.\n{receipt_line(record)}\n"
        f"Keep this line: it lets anyone check later that the log was not rewritten."
    )


def receipt_json(record: Record, holder: str | None = None) -> dict[str, Any]:
    """A receipt as a JSON object (what ``exchange receipts`` writes)."""
    data = {
        "format": RECEIPT_FORMAT,
        "family": record.family,
        "seq": record.seq,
        "hash": record.hash,
        "exchange_id": record.exchange_id,
        "recorded_at": record.recorded_at,
    }
    if holder:
        data["holder"] = holder
    return data


def read_receipts(paths: Iterable[Path]) -> list[Receipt]:
    """Every receipt in the files (folders are read file by file, sorted). A path that
    holds none is a mistake (the wrong folder would verify nothing), not an empty set."""
    found: list[Receipt] = []
    for path in paths:
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        here: list[Receipt] = []
        for file in files:
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise UserError(f"{file}: cannot read receipts ({exc.strerror})") from None
            here += _parse(text, file.stem)
        if not here:
            raise UserError(
                f"--receipts: {path} holds no pc-calendar receipt (a line "
                f"'pc-calendar-receipt FAMILY SEQ sha256:HASH' or a receipt JSON object)"
            )
        found += here
    return found


def _parse(text: str, holder: str) -> list[Receipt]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        items = data if isinstance(data, list) else [data]
        return [r for r in (_from_json(i, holder) for i in items) if r is not None]
    found = []
    for line in text.splitlines():
        try:
            found.append(_from_json(json.loads(line), holder))
        except ValueError:
            found += [Receipt(f, int(s), h, holder) for f, s, h in _LINE.findall(line)]
    return [r for r in found if r is not None]


def _from_json(item: Any, holder: str) -> Receipt | None:
    if not isinstance(item, Mapping) or item.get("format") != RECEIPT_FORMAT:
        return None
    seq, digest = item.get("seq"), item.get("hash")
    if not isinstance(seq, int) or not isinstance(digest, str):
        return None
    return Receipt(str(item.get("family")), seq, digest, str(item.get("holder") or holder))


@dataclass(frozen=True)
class Finding:
    """A receipt or anchor the log does not match. ``kind``: removed or rewritten."""

    kind: str
    seq: int
    message: str


def check_receipts(
    family: str, hashes: Mapping[int, str], count: int, receipts: Iterable[Receipt]
) -> tuple[list[Finding], list[str]]:
    """Compare receipts with the log (``hashes``: seq -> hash; ``count`` records).

    Returns what contradicts the log (per holder: the first receipt the log differs
    from, and the last one past its end) and notes on receipts that do not apply."""
    findings, notes = [], []
    beyond: dict[str, Receipt] = {}  # per holder, their last receipt past the log's end
    differ: set[str] = set()  # holders whose first contradicted receipt is reported
    for r in sorted(receipts, key=lambda r: r.seq):
        if r.family != family:
            notes.append(f"receipt {r.holder} #{r.seq} is for family {r.family!r}: ignored")
        elif r.seq not in hashes and r.seq > count:
            beyond[r.holder] = r
        elif hashes.get(r.seq) != r.hash and r.holder not in differ:
            differ.add(r.holder)
            findings.append(
                Finding(
                    "rewritten",
                    r.seq,
                    f"record {r.seq} differs from the receipt {r.holder} holds (receipt "
                    f"{r.hash[:16]}..., log {str(hashes.get(r.seq, 'missing'))[:16]}...): "
                    f"the log was rewritten at or before record {r.seq}",
                )
            )
    for r in beyond.values():
        findings.append(
            Finding(
                "removed",
                count + 1,
                f"the log ends at record {count} but the receipt {r.holder} holds is for "
                f"record {r.seq}: records after {count} were removed",
            )
        )
    return findings, notes
