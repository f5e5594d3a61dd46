"""The words of each notification: short, factual, readable on a phone lock screen.

Pure functions of what the hooks receive, so they are tested without a network. The
hook arguments are typed loosely in the hook contract; only documented attributes are
read, each with a fallback, so a record from an older log still gives a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def _family(family: Any) -> str:
    return getattr(family, "name", None) or getattr(family, "id", None) or str(family)


def _when(exchange: Any) -> str:
    local = getattr(exchange, "local_at", None) or exchange.at
    return f"{local:%a %d %b %Y %H:%M}"


def exchange_missed(family: Any, exchange: Any, record: Any) -> Message:
    """A missed exchange (``record`` set) or an overdue one with no outcome (None)."""
    where = f" at {exchange.location}" if getattr(exchange, "location", None) else ""
    what = (
        f"The exchange on {_when(exchange)}{where} from {exchange.from_parent} to "
        f"{exchange.to_parent}"
    )
    status = getattr(record, "status", "missed")
    if record is None:
        body = f"{what} is overdue: no outcome has been recorded."
    else:
        reporter = getattr(record, "reported_by", None) or "someone"
        body = f"{what} was recorded as {status} by {reporter}."
        if blamed := getattr(record, "at_fault_parent", None):
            body += f" {'Interfering' if status == 'interference' else 'Absent'}: {blamed}."
        if note := getattr(record, "note", None):
            body += f" Note: {note}"
    kind = "interference at an exchange" if status == "interference" else "missed exchange"
    return Message(f"{_family(family)}: {kind}", body)


def receipt(family: Any, record: Any, text: str) -> Message:
    """A record's receipt, to keep: it proves later that the log was not rewritten."""
    return Message(f"{_family(family)}: exchange log receipt #{record.seq}", text)


def sync_failed(
    family: Any, target: str, error: BaseException, parent: str | None = None
) -> Message:
    """One calendar target could not be synced; the others carried on."""
    detail = getattr(error, "message", None) or str(error) or error.__class__.__name__
    whose = f"{parent}'s calendar, {target}," if parent else target
    return Message(
        f"{_family(family)}: calendar sync failed",
        f"Syncing {whose} failed: {detail}. The other calendars were synced; run "
        "`pc-calendar sync` again once this is fixed.",
    )
