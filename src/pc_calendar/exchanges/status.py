"""Outcomes of an exchange, the rules for recording one, and overdue detection.

Validation happens before the log is opened, so a refused outcome writes nothing. "Now"
is always passed in (``PC_CALENDAR_NOW`` for the CLI) so tests are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ..clock import NOW_ENV, current_time  # noqa: F401  (where callers look for them)
from ..errors import UserError
from ..schedule.timeline import Exchange
from .agreement import Agreement, agreement
from .chain import FAULT_SIDES, HANDING_OVER, OUTCOME, RECEIVING, Record

COORDINATOR = "coordinator"
MAX_MINUTES_LATE = 7 * 24 * 60  # later than a week is a missed exchange, not a late one


class Status(StrEnum):
    on_time = "on-time"
    late = "late"
    missed = "missed"
    cancelled = "cancelled"
    # One parent kept the other from the exchange or their time (e.g. withheld the
    # children, took them early); ``at_fault`` names who interfered.
    interference = "interference"


STATUSES = tuple(s.value for s in Status)
ALARMING = frozenset({Status.missed, Status.interference})  # notifier plugins hear at once
CHANNELS = ("cli", "checkin", "import")


def utc_text(moment: datetime) -> str:
    """The log's UTC timestamp format: sortable text, second precision."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def fault_side(value: str | None, exchange: Exchange, status: Status) -> str | None:
    """``at_fault`` as stored: the side (``handing_over`` / ``receiving``) from a side or
    a parent id. Lateness and absence default to the handing-over parent (what every
    record meant before the receiving parent could be named); interference needs a name.
    """
    if status not in (Status.late, Status.missed, Status.interference):
        if value is not None:
            raise UserError(f"--at-fault: only for late, missed or interference, not {status}")
        return None
    if value is None:
        if status is Status.interference:
            raise UserError(
                "--at-fault: interference needs who interfered: handing-over, receiving, "
                f"{exchange.from_parent} or {exchange.to_parent}"
            )
        return HANDING_OVER
    side = value.replace("-", "_")
    if side in FAULT_SIDES:
        return side
    if value == exchange.from_parent:
        return HANDING_OVER
    if value == exchange.to_parent:
        return RECEIVING
    raise UserError(
        f"--at-fault: {value!r} is neither side of exchange {exchange.id}; expected "
        f"handing-over ({exchange.from_parent}), receiving ({exchange.to_parent}) or one "
        f"of those parent ids"
    )


def validate_outcome(
    exchange: Exchange,
    status: str,
    *,
    minutes_late: int | None,
    reported_by: str,
    agreed_by: Iterable[str],
    parents: Iterable[str],
    now: datetime,
) -> Status:
    """Check an outcome against the rules of issue 5; raise UserError naming the problem."""
    try:
        outcome = Status(status)
    except ValueError:
        raise UserError(
            f"--status: unknown status {status!r}; expected one of {', '.join(STATUSES)}"
        ) from None
    people = set(parents) | {COORDINATOR}
    if reported_by not in people:
        raise UserError(
            f"--by: {reported_by!r} is not a parent of this plan or "
            f"'coordinator'; expected one of {', '.join(sorted(people))}"
        )
    agreed = list(agreed_by)
    for person in agreed:
        if person not in people:
            raise UserError(
                f"--agreed-by: {person!r} is not a parent of this plan or "
                f"'coordinator'; expected one of {', '.join(sorted(people))}"
            )
    if outcome is Status.late:
        if minutes_late is None:
            raise UserError("--minutes-late: required with --status late")
        if minutes_late < 0:
            raise UserError(f"--minutes-late: must be 0 or more, got {minutes_late}")
        if minutes_late > MAX_MINUTES_LATE:
            raise UserError(
                f"--minutes-late: must be at most {MAX_MINUTES_LATE} (a week), got {minutes_late}",
                hint="an exchange that did not happen within a week is --status missed",
            )
    elif minutes_late is not None:
        raise UserError(f"--minutes-late: only allowed with --status late, not {outcome}")
    if outcome is Status.cancelled and not agreed:
        raise UserError("--agreed-by: a cancelled exchange needs who agreed to cancel it")
    if outcome is not Status.cancelled and agreed:
        raise UserError(f"--agreed-by: only allowed with --status cancelled, not {outcome}")
    if outcome not in (Status.cancelled, Status.interference):
        happened = exchange.at + timedelta(minutes=minutes_late or 0)
        if happened > now:
            what = f"late by {minutes_late} minutes" if outcome is Status.late else str(outcome)
            raise UserError(
                f"exchange {exchange.id} is scheduled for {_local(exchange):%Y-%m-%d %H:%M}, "
                f"so it cannot be recorded as {what} yet (now is {now:%Y-%m-%d %H:%M} UTC)",
                hint="only 'cancelled' and 'interference' can be recorded ahead of time",
            )
    return outcome


def _local(exchange: Exchange) -> datetime:
    return exchange.local_at or exchange.at


def outcome_label(record: Record) -> str:
    """A record's outcome in a few words, for a calendar event title: "on time",
    "late 15 min", "MISSED" (capitals: the one a coordinator must not overlook),
    "cancelled"."""
    status = Status(record.status)
    if status is Status.late:
        label = f"late {record.minutes_late} min" if record.minutes_late is not None else "late"
    else:
        label = {
            Status.on_time: "on time",
            Status.missed: "MISSED",
            Status.cancelled: "cancelled",
            Status.interference: "INTERFERENCE",
        }[status]
    if record.at_fault == RECEIVING and status in ALARMING | {Status.late}:
        label += f" ({record.to_parent})"
    return label


@dataclass(frozen=True)
class ExchangeRow:
    """One line of the ``exchanges`` listing.

    ``state`` is the latest recorded status, or overdue (past time + grace, nothing
    recorded), pending (past, within grace) or upcoming. ``exchange`` is None when the
    records belong to an exchange that is no longer in the plan. ``location`` is the
    plan's location id; ``place`` is what people read (its name, else the id).
    """

    exchange_id: str
    local_at: datetime
    from_parent: str
    to_parent: str
    location: str | None
    rule: str
    exchange: Exchange | None
    latest: Record | None
    record_count: int
    state: str
    place: str | None = None
    agreement: Agreement | None = None  # where both parents stand on ``latest``

    @property
    def in_plan(self) -> bool:
        return self.exchange is not None

    @property
    def agreement_state(self) -> str | None:
        """agreed, disputed or one-sided; None with no outcome recorded."""
        return self.agreement.state if self.agreement is not None else None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def exchange_rows(
    exchanges: list[Exchange],
    records: list[Record],
    *,
    now: datetime,
    grace: timedelta,
    zone: ZoneInfo,
    places: Mapping[str, str] | None = None,
) -> list[ExchangeRow]:
    """Join scheduled exchanges with their records; keep records whose exchange is gone.

    ``places`` maps location ids to names (``plan.locations``).
    """
    by_id: dict[str, list[Record]] = {}
    for record in records:
        by_id.setdefault(record.exchange_id, []).append(record)
    rows = []
    for ex in exchanges:
        found = by_id.pop(ex.id, [])
        latest = _current(found)
        if latest is not None:
            state = latest.status
        elif ex.at + grace <= now:
            state = "overdue"
        elif ex.at <= now:
            state = "pending"
        else:
            state = "upcoming"
        rows.append(
            ExchangeRow(
                ex.id,
                _local(ex).astimezone(zone),
                ex.from_parent,
                ex.to_parent,
                ex.location,
                ex.rule.describe(),
                ex,
                latest,
                len(found),
                state,
                place_name(ex.location, places),
                agreement(found),
            )
        )
    for exchange_id, found in by_id.items():
        latest = _current(found) or found[-1]
        rows.append(
            ExchangeRow(
                exchange_id,
                parse_utc(latest.scheduled_at).astimezone(zone),
                latest.from_parent,
                latest.to_parent,
                latest.location,
                latest.rule,
                None,
                latest,
                len(found),
                latest.status,
                place_name(latest.location, places),
                agreement(found),
            )
        )
    return sorted(rows, key=lambda r: (r.local_at, r.exchange_id))


def _current(records: list[Record]) -> Record | None:
    """The exchange's current outcome: its latest outcome record (answers do not count)."""
    return next((r for r in reversed(records) if r.kind == OUTCOME), None)


def place_name(location: str | None, places: Mapping[str, str] | None) -> str | None:
    """The location's name; an id the plan no longer defines is shown as is."""
    if location is None:
        return None
    return (places or {}).get(location, location)


def local_range_utc(start: date, end: date, zone: ZoneInfo) -> tuple[str, str]:
    """``[start, end)`` local dates as the UTC strings the log is indexed by."""
    first = datetime.combine(start, datetime.min.time(), zone)
    last = datetime.combine(end, datetime.min.time(), zone)
    return utc_text(first), utc_text(last)
