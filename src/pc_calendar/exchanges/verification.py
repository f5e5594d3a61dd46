"""Checking a log against itself and against what lives outside it.

The hash chain alone shows edits made without re-hashing. Receipts the parents hold and
RFC 3161 anchors show the rest: a log truncated, emptied, cut short, given a forged
tail, reordered, or edited and re-hashed from the edit on no longer contains the hashes
that were handed out or time-stamped. Never creates or writes the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .anchors import Anchor, anchors_path, imprint_problem, read_anchors, signature_problem
from .chain import GENESIS, VerifyResult
from .receipts import Finding, Receipt, check_receipts, read_receipts
from .store import DamagedLog, ExchangeStore

# A record stamped this long before an anchor that does not cover it was backdated
# (the margin absorbs a record committed while the anchor was being requested, and
# clock differences between this machine and the TSA).
BACKDATE_MARGIN = timedelta(minutes=10)


@dataclass
class Verification:
    """What ``exchange verify`` found, and what reports state they stand on."""

    path: Path
    exists: bool
    chain: VerifyResult
    last_seq: int = 0
    damaged: str | None = None  # the file is not a whole log
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    receipts_checked: int = 0
    anchors_checked: int = 0
    tokens_checked: int = 0  # anchors whose time-stamp token itself was checked
    signatures_checked: bool = False
    last_anchor: tuple[str, int] | None = None  # (TSA time, records it covers)
    vouched_to: int = 0  # the highest record a matching receipt or anchor pins

    @property
    def ok(self) -> bool:
        return self.damaged is None and self.chain.ok and not self.findings

    @property
    def problems(self) -> list[str]:
        """Every reason the log cannot be trusted, most basic first."""
        out = [self.damaged] if self.damaged else []
        if self.chain.problem is not None:
            out.append(
                f"chain BROKEN at record {self.chain.problem.seq} ({self.chain.problem.kind}): "
                f"{self.chain.problem.message}"
            )
        return out + [f.message for f in self.findings]


def verify_log(
    path: Path,
    family: str,
    *,
    receipts: list[Path] | None = None,
    anchor_files: list[Path] | None = None,
    ca_file: Path | None = None,
    every_token: bool = True,
) -> Verification:
    """Verify the log at ``path`` (the anchors file beside it is always read).

    ``every_token=False`` (reports, every time they run) checks the time-stamp token of
    the strongest anchor (the one covering the most records, which pins all before it)
    and of any anchor the log contradicts; the others are compared with the log only.
    A daily anchor for years would otherwise cost two ``openssl`` runs each, per report.
    """
    anchors, anchor_problems = _load_anchors(path, anchor_files or [])
    found = read_receipts(receipts or [])
    result = Verification(path, path.exists(), VerifyResult(0, GENESIS))
    hashes: dict[int, str] = {}
    stamps: dict[int, str] = {}
    try:
        with ExchangeStore.open(path, family, create=False) as store:
            exported = list(store.iter_exported())
            for record in exported:
                hashes[record["seq"]] = record["hash"]
                stamps[record["seq"]] = record["recorded_at"]
            result.chain = store.verify(exported)
    except DamagedLog as exc:
        result.damaged = exc.message
    result.last_seq = max(hashes, default=0)
    result.findings += [Finding("anchors", 0, p) for p in anchor_problems]
    _check_receipts(result, family, hashes, found)
    _check_anchors(result, family, hashes, stamps, anchors, ca_file, every_token)
    if result.exists is False and (result.findings or result.vouched_to):
        result.damaged = f"{path}: there is no exchange log, but receipts or anchors show one"
    result.findings.sort(key=lambda f: f.seq)
    return result


def _load_anchors(path: Path, extra: list[Path]) -> tuple[list[Anchor], list[str]]:
    files = [anchors_path(path)] if anchors_path(path).exists() else []
    files += [f for f in extra if f.resolve() not in {x.resolve() for x in files}]
    anchors: dict[tuple[int, str, bytes], Anchor] = {}
    problems: list[str] = []
    for file in files:
        found, bad = read_anchors(file)
        problems += bad
        for anchor in found:
            anchors.setdefault((anchor.records, anchor.head_hash, anchor.token), anchor)
    return list(anchors.values()), problems


def _check_receipts(
    result: Verification, family: str, hashes: dict[int, str], receipts: list[Receipt]
) -> None:
    findings, notes = check_receipts(family, hashes, result.last_seq, receipts)
    result.findings += findings
    result.notes += notes
    result.receipts_checked = sum(r.family == family for r in receipts)
    bad = {f.seq for f in findings}
    good = [r.seq for r in receipts if r.family == family and r.seq not in bad]
    result.vouched_to = max([result.vouched_to, *good])


def _check_anchors(
    result: Verification,
    family: str,
    hashes: dict[int, str],
    stamps: dict[int, str],
    anchors: list[Anchor],
    ca_file: Path | None,
    every_token: bool,
) -> None:
    result.signatures_checked = ca_file is not None
    last = result.last_seq
    strongest = True
    for anchor in sorted(anchors, key=lambda a: -a.records):
        if anchor.family != family:
            result.notes.append(f"anchor {anchor.source} is for family {anchor.family!r}: ignored")
            continue
        result.anchors_checked += 1
        matches = anchor.records <= last and hashes.get(anchor.records) == anchor.head_hash
        if matches and not strongest and not every_token:
            result.vouched_to = max(result.vouched_to, anchor.records)
            continue  # pinned by the strongest anchor, whose token is checked
        strongest = False
        result.tokens_checked += 1
        when, problem = imprint_problem(anchor)  # the signed time, not the "time" field
        if problem is None and ca_file is not None:
            problem = signature_problem(anchor, ca_file)
            problem = problem and f"{problem}; checked against {ca_file}"
        if problem is not None or when is None:
            result.findings.append(
                Finding(
                    "forged-anchor",
                    anchor.records,
                    f"anchor {anchor.source} is not a valid time-stamp of its statement: {problem}",
                )
            )
            continue
        if anchor.records > last:
            result.findings.append(
                Finding(
                    "removed",
                    last + 1,
                    f"the log ends at record {last} but an anchor from {when} covers "
                    f"{anchor.records} records: the tail was removed",
                )
            )
            continue
        if anchor.records and not matches:
            result.findings.append(
                Finding(
                    "rewritten",
                    anchor.records,
                    f"record {anchor.records} differs from the anchor of {when} "
                    f"({anchor.source}): the log was rewritten at or before record "
                    f"{anchor.records}",
                )
            )
            continue
        result.vouched_to = max(result.vouched_to, anchor.records)
        if result.last_anchor is None or when > result.last_anchor[0]:
            result.last_anchor = (when, anchor.records)
        _check_backdated(result, anchor, when, stamps)


def _check_backdated(
    result: Verification, anchor: Anchor, when: str, stamps: dict[int, str]
) -> None:
    """A record after an anchor's head but stamped well before the anchor's time was
    added later with a false date."""
    limit = _parse(when) - BACKDATE_MARGIN
    for seq in sorted(s for s in stamps if s > anchor.records):
        if _parse(stamps[seq]) < limit:
            result.findings.append(
                Finding(
                    "backdated",
                    seq,
                    f"record {seq} says it was recorded at {stamps[seq]}, but the anchor of "
                    f"{when} covers only {anchor.records} records: it was added later "
                    f"with a false date",
                )
            )
            return


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def verified_before(n: int) -> str:
    """The line after "chain BROKEN ...": how much of the log still verifies."""
    if n == 0:
        return "no record before it verifies"
    if n == 1:
        return "the 1 record before it verifies"
    return f"the {n} records before it verify"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def describe(v: Verification) -> list[str]:
    """What the log stands on, in lines a coordinator can paste into a report."""
    lines = [f"DAMAGED: {v.damaged}"] if v.damaged else []
    if v.chain.problem is not None:
        lines += [v.problems[len(lines)], verified_before(v.chain.count)]
    lines += [f"DAMAGED: {f.message}" for f in v.findings]
    if v.chain.ok and v.damaged is None and v.findings:
        lines.append(
            f"the chain is consistent in itself ({_count(v.chain.count, 'record')}; head "
            f"{v.chain.head_hash}) but not with the evidence above: it was rewritten"
        )
    elif v.chain.ok and v.damaged is None and not v.exists:
        lines.append(f"no exchange log yet at {v.path}: no records")
    elif v.chain.ok and v.damaged is None:
        lines.append(f"chain valid: {_count(v.chain.count, 'record')}; head {v.chain.head_hash}")
    if v.receipts_checked:
        lines.append(f"receipts: {v.receipts_checked} checked")
    if v.anchors_checked:
        how = (
            "signatures verified against the TSA's CA"
            if v.signatures_checked
            else "signatures NOT checked (no TSA CA configured)"
        )
        line = f"anchors: {v.anchors_checked} checked, {how}"
        if v.tokens_checked < v.anchors_checked:
            line = (
                f"anchors: {v.anchors_checked} match the log; {v.tokens_checked} "
                f"time-stamp{'' if v.tokens_checked == 1 else 's'} checked, {how} "
                f"('exchange verify' checks every one)"
            )
        if v.last_anchor is not None:
            line += (
                f"; the last, of {v.last_anchor[0]}, covers {_count(v.last_anchor[1], 'record')}"
            )
        lines.append(line)
    else:
        lines.append("anchors: none (nothing outside the log time-stamps its head)")
    if v.vouched_to < v.last_seq and v.ok:
        first = v.vouched_to + 1
        if first == v.last_seq:
            lines.append(f"record {first}: no receipt or anchor checked here vouches for it yet")
        else:
            lines.append(
                f"records {first} to {v.last_seq}: no receipt or anchor checked here vouches "
                f"for them yet"
            )
    lines += [f"note: {n}" for n in v.notes]
    return lines


def as_json(v: Verification) -> dict[str, object]:
    problem = v.chain.problem
    return {
        "ok": v.ok,
        "records": v.chain.count,
        "last_seq": v.last_seq,
        "head_hash": v.chain.head_hash,
        "damaged": v.damaged,
        "problem": problem.__dict__ if problem else None,
        "findings": [f.__dict__ for f in v.findings],
        "receipts_checked": v.receipts_checked,
        "anchors_checked": v.anchors_checked,
        "tokens_checked": v.tokens_checked,
        "signatures_checked": v.signatures_checked,
        "last_anchor": (
            {"time": v.last_anchor[0], "records": v.last_anchor[1]} if v.last_anchor else None
        ),
        "vouched_to": v.vouched_to,
        "notes": v.notes,
    }
