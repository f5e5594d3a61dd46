"""A parent's button press turned into an exchange-log record, stamped by the server.

The buttons map onto the log's outcomes (the record names the parent, the channel
``checkin`` and whose side a lateness or absence is counted against):

* "I'm here": on time, or if pressed after the exchange time, late by the minutes
  since, on the reporter's side (the server's clock says when they arrived);
* "Handed over": on time;
* "The other parent did not come": missed, on the other parent's side; not before the
  exchange time;
* "Running late (minutes)": late by those minutes, on the reporter's side. It may be
  pressed before the exchange: it is a live report, unlike a coordinator's outcome
  entered afterwards, which is why these records are drafted here rather than through
  the coordinator's ``record_outcome`` (that refuses outcomes "not yet happened").

Right after the commit, before the page answers, every record's receipt goes to the
``pc_calendar_exchange_recorded`` plugins and a missed exchange to
``pc_calendar_exchange_missed`` ones.
Confirmations and disputes go through :func:`pc_calendar.exchanges.service.respond`.
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..exchanges.chain import Record
from ..exchanges.store import ExchangeStore
from ..plan.model import Plan
from ..schedule.timeline import Exchange
from .checkin_page import MINUTES_MAX, NOTE_MAX, REPORTS

ACTIONS = tuple(action for action, _ in REPORTS)
HANDING_OVER, RECEIVING = "handing_over", "receiving"


class Refused(UserError):
    """A report the parent can fix (shown to them as it is: it names no file or path)."""


@dataclass
class Reported:
    record: Record
    warnings: list[str] = field(default_factory=list)


def clean_note(value: str | None) -> str | None:
    """A note as stored: trimmed, control characters refused, at most NOTE_MAX long."""
    note = (value or "").strip()
    if not note:
        return None
    if len(note) > NOTE_MAX:
        raise Refused(f"The note is too long ({len(note)} characters; at most {NOTE_MAX}).")
    if any(ord(c) < 32 for c in note):
        raise Refused("The note must be one line of text.")
    return note


def parse_minutes(value: str | None) -> int:
    text = (value or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= MINUTES_MAX:
        raise Refused(f"Running late: enter the minutes, from 1 to {MINUTES_MAX}.")
    return int(text)


def _side(exchange: Exchange, parent: str) -> str:
    return HANDING_OVER if parent == exchange.from_parent else RECEIVING


def _other_side(exchange: Exchange, parent: str) -> str:
    return RECEIVING if parent == exchange.from_parent else HANDING_OVER


def outcome_for(
    action: str, exchange: Exchange, parent: str, minutes: str | None, now: datetime
) -> tuple[str, int | None, str | None]:
    """(status, minutes late, at_fault side) for a button, or UserError."""
    if action == "here":
        late = math.ceil((now - exchange.at).total_seconds() / 60)
        if late > 0:
            return "late", late, _side(exchange, parent)
        return "on-time", None, None
    if action == "handed":
        return "on-time", None, None
    if action == "absent":
        if now < exchange.at:
            raise Refused("It is not the exchange time yet: report this once it has passed.")
        return "missed", None, _other_side(exchange, parent)
    if action == "late":
        return "late", parse_minutes(minutes), _side(exchange, parent)
    raise Refused("Unknown button.")


def report(
    plan: Plan,
    store: ExchangeStore,
    exchange: Exchange,
    parent: str,
    action: str,
    *,
    minutes: str | None,
    note: str | None,
    now: datetime,
    pm: Any,
    lock: AbstractContextManager[Any] | None = None,
) -> Reported:
    """Append the parent's report on their own exchange to the family's open ``store``
    (the server keeps one per thread: closing a WAL database checkpoints it, which would
    cost more than the write); then tell plugins."""
    from ..exchanges.recording import draft_record, notify_missed, notify_recorded
    from ..exchanges.service import zone_of
    from ..exchanges.status import ALARMING, Status

    if parent not in (exchange.from_parent, exchange.to_parent):
        raise Refused("This is not one of your exchanges.")
    status, late, fault = outcome_for(action, exchange, parent, minutes, now)
    draft = draft_record(
        exchange,
        zone_of(plan),
        family=plan.family.id,
        status=status,
        minutes_late=late,
        reported_by=parent,
        agreed_by=[],
        recorded_at=now,
        note=clean_note(note),
        at_fault=fault,
        channel="checkin",
    )
    with lock or nullcontext():  # held for the write only, never while plugins run
        stored = store.append(draft)
    warnings = notify_recorded(pm, plan.family, stored)
    if Status(status) in ALARMING:
        warnings += notify_missed(pm, plan.family, exchange, stored)
    return Reported(stored, warnings)


def answer(
    plan: Plan,
    db: Path,
    record: Record,
    parent: str,
    response: str,
    *,
    note: str | None,
    now: datetime,
    pm: Any,
    on_warning: Any = None,
) -> Record:
    """The parent's confirmation or dispute of ``record`` (a record they were shown)."""
    from ..exchanges.recording import respond

    if response not in ("confirm", "dispute"):
        raise Refused("Unknown button.")
    return respond(
        plan,
        db,
        record.seq,
        parent,
        response,
        note=clean_note(note),
        expected_hash=record.hash,
        channel="checkin",
        now=now,
        pm=pm,
        on_warning=on_warning,
    )
