"""Exchange-log records and the hash chain that makes tampering evident.

Each record's ``hash`` is SHA-256 over a canonical JSON of the record (every field but
``hash``, ``prev_hash`` included), so changing, removing or reordering a record breaks
the chain. The canonical form is deliberately simple so a third party can re-check an
export in a few lines of any language (see ``HASH_DESCRIPTION`` and
docs/exchange-log-format.md).

The hashed field set is versioned by ``hash_version``: version 1 records (written before
records said how they were reported, who was at fault and whether they answer another
record) hash exactly their original fields, so old logs keep verifying; version 2 records
hash every field, ``hash_version`` included. Either way the rule a verifier applies is
the same: every field the record carries except ``hash``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

GENESIS = "0" * 64

HASH_DESCRIPTION = (
    "Records are in chain order (seq ascending). For each record, take every field it "
    "carries except 'hash' (including 'prev_hash'; records without 'hash_version' are "
    "version 1 and carry fewer fields), serialise it as JSON with keys sorted, separators ',' "
    "and ':' and non-ASCII characters written as UTF-8 (Python: json.dumps(record, "
    "sort_keys=True, separators=(',', ':'), ensure_ascii=False)), encode as UTF-8 and take "
    "the lowercase hex SHA-256. It must equal 'hash'. The first record's 'prev_hash' is 64 "
    "zeros; every later record's 'prev_hash' equals the 'hash' of the record before it, and 'seq' "
    "counts up from 1 without gaps."
)


@dataclass(frozen=True)
class Record:
    """One outcome of one exchange, with a snapshot of the exchange as scheduled.

    The snapshot (time, parents, place, children, rule) keeps the record meaningful
    after the plan changes and the exchange no longer exists.
    """

    seq: int
    family: str
    exchange_id: str
    scheduled_at: str  # UTC, ISO 8601 with Z
    scheduled_local: str  # family zone, ISO 8601 with offset
    from_parent: str
    to_parent: str
    location: str | None
    children: list[str]
    rule: str
    status: str
    minutes_late: int | None
    reported_by: str
    agreed_by: list[str]
    recorded_at: str  # UTC, ISO 8601 with Z
    note: str | None
    supersedes: int | None
    prev_hash: str
    # Hash version 2 (see the module docstring); version 1 records hold the defaults.
    channel: str | None = None  # how it reached the log: "cli", "checkin", ...
    at_fault: str | None = None  # late/missed/interference: "handing_over" or "receiving"
    kind: str = "outcome"  # "outcome", or "confirm" / "dispute" of record ``responds_to``
    responds_to: int | None = None
    responds_to_hash: str | None = None
    hash_version: int = 2
    hash: str = field(default="")

    def content(self) -> dict[str, Any]:
        """Every hashed field (all but ``hash``) as plain JSON values."""
        data = self.to_json()
        del data["hash"]
        return data

    def to_json(self) -> dict[str, Any]:
        """The record as exported: its version's fields plus ``hash`` (lists copied;
        cheaper than asdict's deep copy)."""
        names = V1_FIELDS if self.hash_version == 1 else FIELDS
        data = {name: getattr(self, name) for name in names}
        data["children"] = list(self.children)
        data["agreed_by"] = list(self.agreed_by)
        return data

    @property
    def is_response(self) -> bool:
        return self.kind != OUTCOME

    @property
    def at_fault_parent(self) -> str | None:
        """The parent id the lateness, absence or interference is counted against.

        Version 1 records could only say the handing-over parent was late or absent."""
        if self.kind != OUTCOME or self.status not in FAULT_STATUSES:
            return None
        return self.to_parent if self.at_fault == RECEIVING else self.from_parent


OUTCOME, CONFIRM, DISPUTE = "outcome", "confirm", "dispute"
KINDS = (OUTCOME, CONFIRM, DISPUTE)
HANDING_OVER, RECEIVING = "handing_over", "receiving"
FAULT_SIDES = (HANDING_OVER, RECEIVING)
FAULT_STATUSES = frozenset({"late", "missed", "interference"})
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Record))
V2_ONLY = ("channel", "at_fault", "kind", "responds_to", "responds_to_hash", "hash_version")
V1_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in V2_ONLY)
HASHED_FIELDS = {1: frozenset(V1_FIELDS) - {"hash"}, 2: frozenset(FIELDS) - {"hash"}}
CURRENT_HASH_VERSION = 2


# json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False), made once
# (verify hashes 100,000 records in a row).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(content: Mapping[str, Any]) -> bytes:
    """The exact bytes that are hashed (documented in ``HASH_DESCRIPTION``)."""
    return _CANONICAL.encode(content).encode("utf-8")


def compute_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 hex of the canonical content; ``content`` must not contain ``hash``."""
    return hashlib.sha256(canonical(content)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not hold.

    ``kind`` is altered, removed or reordered; ``seq`` the record where it shows.
    """

    kind: str
    seq: int
    message: str


@dataclass(frozen=True)
class VerifyResult:
    count: int
    head_hash: str
    problem: ChainProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _as_mapping(item: Record | Mapping[str, Any]) -> Mapping[str, Any]:
    return item.to_json() if isinstance(item, Record) else item


def verify_chain(items: Iterable[Record | Mapping[str, Any]]) -> VerifyResult:
    """Re-compute the chain over records in seq order; report the first break.

    A record whose ``prev_hash`` names a record that appears later means reordering; a
    gap in ``seq`` where the link breaks means removal; a record whose content no longer
    hashes to its ``hash`` (or whose successor chained to a different hash) was altered.
    """
    rows = [_as_mapping(i) for i in items]
    position = {row.get("hash"): i for i, row in enumerate(rows)}
    prev_hash, prev_seq = GENESIS, 0
    for i, row in enumerate(rows):
        seq = row.get("seq")
        if not isinstance(seq, int):
            return VerifyResult(
                i,
                prev_hash,
                ChainProblem("altered", prev_seq + 1, f"record {i + 1} has no valid seq"),
            )
        if row.get("prev_hash") != prev_hash:
            problem = _classify_break(rows, i, position, prev_seq)
            return VerifyResult(i, prev_hash, problem)
        content = dict(row)
        content.pop("hash", None)
        version = content.get("hash_version", 1)
        expected = HASHED_FIELDS.get(version) if type(version) is int else None
        if content.keys() != expected or compute_hash(content) != row.get("hash"):
            return VerifyResult(
                i,
                prev_hash,
                ChainProblem(
                    "altered",
                    seq,
                    f"record {seq} was altered: its content no longer matches its hash",
                ),
            )
        if seq != prev_seq + 1:  # chained to the head after records were cut off the end
            return VerifyResult(i, prev_hash, _gap(prev_seq, seq))
        prev_hash, prev_seq = row["hash"], seq
    return VerifyResult(len(rows), prev_hash)


def _classify_break(
    rows: list[dict[str, Any]], i: int, position: dict[Any, int], prev_seq: int
) -> ChainProblem:
    row = rows[i]
    seq = row["seq"]
    follows = position.get(row.get("prev_hash"))
    if row.get("prev_hash") == GENESIS and i > 0:
        return ChainProblem(
            "reordered", seq, f"record {seq} is out of order: it was the first record written"
        )
    if follows is not None and follows > i:
        return ChainProblem(
            "reordered",
            seq,
            f"record {seq} is out of order: it was written right after record "
            f"{rows[follows]['seq']}, which now comes later",
        )
    if seq > prev_seq + 1:
        return _gap(prev_seq, seq)
    if i == 0:
        return ChainProblem(
            "altered", seq, f"record {seq} was altered: its prev_hash is not the start of the chain"
        )
    return ChainProblem(
        "altered",
        prev_seq,
        f"record {prev_seq} was altered: record {seq} chained to a different hash",
    )


def _gap(prev_seq: int, seq: int) -> ChainProblem:
    missing = (
        f"record {prev_seq + 1}" if seq == prev_seq + 2 else f"records {prev_seq + 1} to {seq - 1}"
    )
    return ChainProblem(
        "removed",
        prev_seq + 1,
        f"{missing} removed: the log skips from "
        f"{f'record {prev_seq}' if prev_seq else 'the start'} to record {seq}",
    )
