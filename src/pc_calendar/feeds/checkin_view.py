"""What a parent's check-in page shows: their own exchanges around now, and the log.

Pure: a plan, a Timeline, the family's records and the time go in; cards come out. A
parent sees only exchanges they hand over or receive, from ``respond_days`` back until
the next one ahead; they may report on one from ``before_minutes`` before it until
``after_minutes`` after it, and answer another person's report on it (confirm or
dispute) until ``respond_days`` after it, once each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..exchanges.chain import CONFIRM, DISPUTE, OUTCOME, Record
from ..plan.model import Plan
from ..schedule.timeline import Exchange, Timeline


@dataclass(frozen=True)
class Window:
    before: timedelta
    after: timedelta
    respond: timedelta

    @classmethod
    def of(cls, plan: Plan) -> Window:
        c = plan.checkin
        return cls(
            timedelta(minutes=c.before_minutes),
            timedelta(minutes=c.after_minutes),
            timedelta(days=c.respond_days),
        )

    def open_for_report(self, exchange: Exchange, now: datetime) -> bool:
        return exchange.at - self.before <= now <= exchange.at + self.after

    def open_for_answer(self, exchange: Exchange, now: datetime) -> bool:
        return exchange.at - self.before <= now <= exchange.at + max(self.after, self.respond)


@dataclass
class Card:
    """One exchange on the page, with its records (oldest first)."""

    exchange: Exchange
    records: list[Record] = field(default_factory=list)
    can_report: bool = False
    answerable: list[Record] = field(default_factory=list)  # others' reports to answer


def to_answer(records: list[Record], parent: str) -> list[Record]:
    """Outcomes someone else recorded that this parent has not confirmed or disputed.

    Every such report is shown with its buttons, not only the current outcome: a parent
    who reported something else must still be able to confirm (or dispute) the other
    side's account explicitly.
    """
    answered = {
        r.responds_to for r in records if r.kind in (CONFIRM, DISPUTE) and r.reported_by == parent
    }
    return [
        r
        for r in records
        if r.kind == OUTCOME and r.reported_by != parent and r.seq not in answered
    ]


def cards_for(
    plan: Plan, timeline: Timeline, parent: str, records: list[Record], now: datetime
) -> list[Card]:
    """The parent's exchanges from the answer window back to the next one ahead."""
    window = Window.of(plan)
    by_exchange: dict[str, list[Record]] = {}
    for record in records:
        by_exchange.setdefault(record.exchange_id, []).append(record)
    mine = [ex for ex in timeline.merged_exchanges() if parent in (ex.from_parent, ex.to_parent)]
    cards: list[Card] = []
    for ex in mine:
        if ex.at + max(window.after, window.respond) < now:
            continue
        if ex.at - window.before > now:
            cards.append(Card(ex, by_exchange.get(ex.id, [])))  # the next one, not open yet
            break
        found = by_exchange.get(ex.id, [])
        card = Card(ex, found, can_report=window.open_for_report(ex, now))
        if not found and not card.can_report:
            continue  # past, nothing recorded: nothing to show
        if window.open_for_answer(ex, now):
            card.answerable = to_answer(found, parent)
        cards.append(card)
    return cards


def find_exchange(timeline: Timeline, parent: str, exchange_id: str) -> Exchange | None:
    """The parent's own exchange with this id, or None (someone else's is not found)."""
    for ex in timeline.merged_exchanges():
        if ex.id == exchange_id and parent in (ex.from_parent, ex.to_parent):
            return ex
    return None
