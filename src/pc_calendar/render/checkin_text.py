"""Words for exchange-log records, shared by parents' calendar events and check-in pages.

Pure. A parent's exchange event carries their check-in link and, after the next sync,
what the other parent (or the coordinator) reported about that exchange, with its
receipt, so both sides are heard in the calendar too (:class:`CheckinNotes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..exchanges.chain import CONFIRM, DISPUTE, OUTCOME, Record
from ..plan.model import Plan
from . import text

PAST = {CONFIRM: "confirmed", DISPUTE: "disputed"}
CHANNELS = {"checkin": "check-in link", "cli": "coordinator's entry", "import": "imported"}


@dataclass(frozen=True)
class CheckinNotes:
    """One parent's check-in link and the records of their exchanges, by exchange id."""

    url: str | None
    records: Mapping[str, tuple[Record, ...]] = field(default_factory=dict)

    def key(self) -> str:
        """What the notes depend on, for a sync's inputs fingerprint."""
        hashes = ",".join(r.hash for rs in self.records.values() for r in rs)
        return f"{self.url or ''}|{hashes}"


def who(plan: Plan, person: str) -> str:
    return "the coordinator" if person == "coordinator" else text.full_name(plan, person)


def channel(record: Record) -> str:
    return CHANNELS.get(record.channel or "", record.channel or "")


def describe(plan: Plan, record: Record) -> str:
    """A record in a few words: what, about whom."""
    if record.kind in (CONFIRM, DISPUTE):
        verb = "confirmed" if record.kind == CONFIRM else "disputed"
        return f"{verb} record #{record.responds_to}"
    late_one = record.to_parent if record.at_fault == "receiving" else record.from_parent
    status = record.status
    if status == "on-time":
        return "on time"
    if status == "late":
        minutes = f" {record.minutes_late} min" if record.minutes_late is not None else ""
        return f"{text.full_name(plan, late_one)} late{minutes}"
    if status == "missed":
        return f"{text.full_name(plan, late_one)} did not come"
    if status == "interference":
        return f"interference by {text.full_name(plan, late_one)}"
    if status == "cancelled":
        return "cancelled by agreement"
    return status


def exchange_lines(plan: Plan, reader: str, notes: CheckinNotes, exchange_id: str) -> list[str]:
    """Description lines for one of the reader's exchange events: others' reports with
    their receipts and whether the reader answered them, then the check-in link."""
    records = notes.records.get(exchange_id, ())
    answered = {
        r.responds_to: r.kind for r in records if r.kind != OUTCOME and r.reported_by == reader
    }
    lines = []
    for record in records:
        if record.kind != OUTCOME or record.reported_by == reader:
            continue
        how = channel(record)
        line = (
            f"Reported by {who(plan, record.reported_by)}{f' ({how})' if how else ''} at "
            f"{record.recorded_at}: {describe(plan, record)}"
        )
        if record.note:
            line += f' "{record.note}"'
        line += f" - receipt #{record.seq} sha256:{record.hash[:16]}"
        if record.seq in answered:
            line += f"; you {PAST[answered[record.seq]]} it"
        elif notes.url:
            line += "; confirm or dispute it on your check-in page"
        lines.append(line)
    if notes.url:
        lines.append(f"Check in (I'm here, handed over, running late): {notes.url}")
    return lines
