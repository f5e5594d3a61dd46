"""What one reader's events say, with every part that repeats written once.

Over 18 years a calendar has thousands of events built from a few dozen names, places,
rules and the same instants seen from two or three zones: a run's end is the next run's
start and an exchange's time. :class:`Words` keeps those parts for one rendering, so
each event only joins them; the sentences are the ones :mod:`.text` defines (names,
times, rule explanations), and tests/test_render_golden.py pins every byte of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..plan.model import Plan
from ..schedule.timeline import Exchange, HolidayLabel, Rule
from . import text
from .checkin_text import CheckinNotes, exchange_lines
from .vevent import Reminder, VEvent

CUSTODY_CATEGORIES = ("Custody",)
EXCHANGE_CATEGORIES = ("Exchange",)
HOLIDAY_CATEGORIES = ("Holiday",)
#: instants kept in words at a time: events come in time order, so an instant repeats
#: within a few events (a run's end, the next run's start, the exchange between them)
_INSTANTS = 512


class Words:
    """Sentences for the events of one reader (a parent, or None: the coordinator).

    Built once per rendering; ``outcomes`` (exchange id -> label) is the coordinator's,
    ``checkin`` a parent's check-in link and the others' reports.
    """

    __slots__ = (
        "_clocks",
        "_custody",
        "_exchange",
        "_instants",
        "_why",
        "checkin",
        "coordinator",
        "elsewhere",
        "footer",
        "outcomes",
        "plan",
        "recipient",
        "reminder",
        "shown_zone",
        "zone",
        "zone_note",
    )

    def __init__(
        self,
        plan: Plan,
        zone: ZoneInfo,
        recipient: str | None,
        outcomes: Mapping[str, str],
        checkin: CheckinNotes | None = None,
    ) -> None:
        self.plan, self.zone, self.recipient = plan, zone, recipient
        self.outcomes, self.checkin = outcomes, checkin
        self.coordinator = recipient is None
        self.zone_note = f" ({zone.key})."
        self.footer = "\n" + text.footer(plan)
        self.elsewhere = self._elsewhere()
        self.shown_zone: ZoneInfo | None = None  # the reader's clock, found when needed
        minutes = plan.parents[recipient].reminder_minutes if recipient in plan.parents else None
        self.reminder = timedelta(minutes=minutes) if minutes else None
        self._why: dict[Rule, str] = {}
        self._custody: dict[tuple, tuple[str, str]] = {}
        self._exchange: dict[tuple, tuple[str, str, str, str | None]] = {}
        self._instants: dict[ZoneInfo, dict[datetime, str]] = {}
        self._clocks: dict[tuple, str] = {}

    def _elsewhere(self) -> list[tuple[ZoneInfo, str]]:
        """(zone, "...local time (zone): ") of each reader living in another zone
        (:func:`.text.local_time_lines`): the parent's own, or every parent's."""
        plan, recipient = self.plan, self.recipient
        found = []
        for pid in [recipient] if recipient is not None else list(plan.parents):
            zone = text.parent_zone(plan, pid)
            if zone is not None:
                who = "Your" if recipient is not None else f"{text.full_name(plan, pid)}'s"
                found.append((zone, f"\n{who} local time ({zone.key}): "))
        return found

    def when(self, moment: datetime, zone: ZoneInfo) -> str:
        """:func:`.text.when` of ``moment`` seen in ``zone``."""
        if moment.tzinfo is not UTC:  # the engine's instants are UTC; keys must be:
            moment = moment.astimezone(UTC)  # a shared tzinfo compares by wall time
        seen = self._instants.get(zone)
        if seen is None:
            seen = self._instants[zone] = {}
        found = seen.get(moment)
        if found is None:
            if len(seen) >= _INSTANTS:
                seen.clear()
            found = seen[moment] = text.when(moment.astimezone(zone))
        return found

    def why(self, rule: Rule) -> str:
        found = self._why.get(rule)
        if found is None:
            found = self._why[rule] = text.explain_rule(
                self.plan, rule, coordinator=self.coordinator
            )
        return found

    def _local_times(self, parts: list[str], start: datetime, end: datetime | None) -> None:
        for zone, head in self.elsewhere:
            parts += (head, self.when(start, zone))
            if end is not None:
                parts += (" to ", self.when(end, zone))

    def custody(self, run: Any, dtstart: datetime, dtend: datetime) -> VEvent:
        """A custody run (:class:`.events.CustodyRun`): who has which children, from
        when to when, and which rule holds each part of the run."""
        head = self._custody.get((run.children, run.parent))
        if head is None:
            head = self._custody[(run.children, run.parent)] = self._custody_head(run)
        summary, opening = head
        zone, when = self.zone, self.when
        parts = [opening, when(run.start, zone), " to ", when(run.end, zone), self.zone_note]
        self._local_times(parts, run.start, run.end)
        parts.append("\nWhy:")
        for seg_start, seg_end, rule in run.segments:
            parts += ("\n- ", when(seg_start, zone), " to ", when(seg_end, zone), ": ")
            parts.append(self.why(rule))
        parts.append(self.footer)
        # days with the children are not "busy" time
        return VEvent(summary, dtstart, dtend, "".join(parts), CUSTODY_CATEGORIES, None, True)

    def _custody_head(self, run: Any) -> tuple[str, str]:
        plan = self.plan
        names = text.child_names(plan, run.children)
        summary = f"{text.join_names(names)} with {text.short_name(plan, run.parent)}"
        opening = f"{text.join_names(names, ' and ')} with {text.full_name(plan, run.parent)} from "
        return summary, opening

    def exchange(self, ex: Exchange, dtstart: datetime, dtend: datetime) -> VEvent:
        """A handover: who, where, when on the reader's clock, why, and for the
        coordinator the exchange log's latest word, for a parent their check-in notes."""
        key = (ex.children, ex.from_parent, ex.to_parent, ex.location)
        head = self._exchange.get(key)
        if head is None:
            head = self._exchange[key] = self._exchange_head(ex)
        tail, opening, place, address = head
        exchange_id = ex.id
        outcome = self.outcomes.get(exchange_id) if self.outcomes else None
        # The reader's clock, named: a parent one zone west sees "14:00 MST" where their
        # calendar shows the event, not the family's "15:00".
        summary = f"Exchange {self._clock(ex.at)}{tail}"
        if outcome and self.coordinator:
            summary += f" - {outcome}"
        parts = [opening, self.when(ex.at, self.zone), self.zone_note, place]
        self._local_times(parts, ex.at, None)
        parts += ("\nWhy: ", self.why(ex.rule), " begins; ends: ", self.why(ex.ending_rule))
        parts.append(".")
        if ex.amendment:
            parts.append(f"\nPlan as amended by {ex.amendment}.")
        parts.append(f"\nExchange id: {exchange_id}")
        if outcome and self.coordinator:
            parts.append(f"\nRecorded outcome: {outcome}")
        if self.checkin and self.recipient:
            for line in exchange_lines(self.plan, self.recipient, self.checkin, exchange_id):
                parts += ("\n", line)
        parts.append(self.footer)
        reminder = Reminder(summary, self.reminder) if self.reminder else None
        return VEvent(
            summary,
            dtstart,
            dtend,
            "".join(parts),
            EXCHANGE_CATEGORIES,
            address or None,
            False,
            reminder,
        )

    def _clock(self, moment: datetime) -> str:
        """:func:`.text.clock_and_zone` of ``moment`` on the reader's clock."""
        zone = self.shown_zone
        if zone is None:
            zone = self.shown_zone = text.reader_zone(self.plan, self.recipient, self.zone)
        local = moment.astimezone(zone)
        key = (local.hour, local.minute, local.tzname())  # all the words depend on
        found = self._clocks.get(key)
        if found is None:
            found = self._clocks[key] = text.clock_and_zone(local)
        return found

    def _exchange_head(self, ex: Exchange) -> tuple[str, str, str, str | None]:
        """What an exchange says that depends on who, which children and where only:
        the summary after its time, the description's opening, its Place line, and
        the LOCATION (name and address)."""
        plan = self.plan
        names = text.child_names(plan, ex.children)
        tail = (
            f": {text.short_name(plan, ex.from_parent)} → "
            f"{text.short_name(plan, ex.to_parent)} ({', '.join(names)})"
        )
        place = text.location_name(plan, ex.location)
        if place:
            tail += f" at {place}"
        opening = (
            f"{text.join_names(names, ' and ')} go from {text.full_name(plan, ex.from_parent)} "
            f"to {text.full_name(plan, ex.to_parent)} on "
        )
        address = text.location_text(plan, ex.location)
        return tail, opening, f"\nPlace: {address}" if address else "", address

    def holiday(self, labels: list[HolidayLabel]) -> VEvent:
        """A holiday: which rules name it and whom the plan gives it to, if anyone."""
        plan, label = self.plan, labels[0]
        lines = [f"Why: {why}" for why in dict.fromkeys(self.why(lb.rule) for lb in labels)]
        who = text.holiday_assignment(plan, labels, self.zone)
        if who is not None:
            lines.append(
                (
                    "Split by the plan: "
                    if any(lb.split_at for lb in labels)
                    else "Assigned by the plan to "
                )
                + f"{who}; the custody and exchange events show the exact times."
            )
        else:
            lines.append("A label only: it does not change who has the children.")
        return VEvent(
            label.name,
            label.first,
            label.last + timedelta(days=1),  # DTEND of a VALUE=DATE is exclusive
            "\n".join(lines) + self.footer,
            HOLIDAY_CATEGORIES,
            None,
            True,
        )
