"""Whether both sides agree on an exchange's outcome: agreed, disputed or one-sided.

Each parent of the exchange has a position on its current outcome (the latest outcome
record), read from the records in order: reporting it (or the same thing) is agreeing;
an earlier report of something else is disagreeing until they say otherwise; a
confirmation agrees with what it confirms and a dispute disagrees with it, so either
counts for the current outcome only when it answers the same account (status, minutes,
who was at fault). A cancellation the parents agreed to (``agreed_by``) is agreed by
them. The coordinator's own records are findings, not a party's account: they need the
parents' confirmation to be "agreed". Pure functions over records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .chain import CONFIRM, DISPUTE, OUTCOME, Record

AGREED, DISPUTED, ONE_SIDED = "agreed", "disputed", "one-sided"
AGREEMENTS = (AGREED, DISPUTED, ONE_SIDED)


@dataclass(frozen=True)
class Agreement:
    """The current outcome of one exchange and where each parent stands on it."""

    current: Record
    state: str
    agree: tuple[str, ...] = ()
    disagree: tuple[str, ...] = ()
    responses: tuple[Record, ...] = field(default=())

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """Parents of the exchange who have not yet said whether they agree."""
        parties = (self.current.from_parent, self.current.to_parent)
        return tuple(p for p in parties if p not in self.agree and p not in self.disagree)


def account(record: Record) -> tuple[object, ...]:
    """What a record says happened, for comparing two parents' accounts."""
    return (record.status, record.minutes_late, record.at_fault or None)


def agreement(records: Iterable[Record]) -> Agreement | None:
    """Where the parents stand on the exchange's current outcome (records of one
    exchange, oldest first); None when no outcome was recorded."""
    ordered = list(records)
    outcomes = [r for r in ordered if r.kind == OUTCOME]
    if not outcomes:
        return None
    current = outcomes[-1]
    said = account(current)
    by_seq = {r.seq: r for r in ordered}
    position: dict[str, bool] = {}
    responses = []
    for record in ordered:
        if record.kind == OUTCOME:
            if record.reported_by in (record.from_parent, record.to_parent):
                position[record.reported_by] = account(record) == said
            for person in record.agreed_by:
                position[person] = account(record) == said
        elif record.kind in (CONFIRM, DISPUTE):
            target = by_seq.get(record.responds_to or 0)
            same = target is not None and account(target) == said
            if target is not None and target.seq == current.seq:
                responses.append(record)
            if same:
                position[record.reported_by] = record.kind == CONFIRM
            elif record.kind == CONFIRM:
                position[record.reported_by] = False  # agrees with a different account
    parties = (current.from_parent, current.to_parent)
    agree = tuple(p for p in parties if position.get(p) is True)
    disagree = tuple(p for p in parties if position.get(p) is False)
    if disagree:
        state = DISPUTED
    elif len(agree) == len(parties):
        state = AGREED
    else:
        state = ONE_SIDED
    return Agreement(current, state, agree, disagree, tuple(responses))


def agreements(records: Iterable[Record]) -> dict[str, Agreement]:
    """:func:`agreement` for every exchange the records mention, by exchange id."""
    by_exchange: dict[str, list[Record]] = {}
    for record in records:
        by_exchange.setdefault(record.exchange_id, []).append(record)
    found = {key: agreement(group) for key, group in by_exchange.items()}
    return {key: value for key, value in found.items() if value is not None}
