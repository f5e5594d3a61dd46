"""The exchange-log operations the CLI and the check-in pages call, over a plan and a log.

Reading lives here; writing (outcomes, check-ins, confirmations and disputes, plugin
notices) lives in :mod:`.recording` and is re-exported so callers need one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ..plan.model import Plan
from ..schedule.timeline import Exchange
from .agreement import Agreement, agreements
from .chain import Record
from .evidence import verify_plan_log
from .lookup import matches, parse_when, resolve
from .planview import (  # noqa: F401  (re-exported)
    Compute,
    db_path_for,
    engine_timeline,
    exchanges_in,
    location_names,
    timeline_around,
    zone_of,
)
from .receipts import receipt_text
from .recording import (  # noqa: F401  (re-exported)
    Recorded,
    draft_record,
    notify_missed,
    notify_overdue,
    record_checkin,
    record_outcome,
    respond,
)
from .report import Report, build_report
from .status import ExchangeRow, exchange_rows, local_range_utc, outcome_label
from .store import ExchangeStore
from .verification import Verification


def awaiting(plan: Plan, db: Path | None, parent: str, start: date, end: date) -> list[Agreement]:
    """Current outcomes in ``[start, end)`` that ``parent`` takes part in and has not yet
    confirmed or disputed (oldest first): what their check-in page asks them about."""
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        records = store.between(*local_range_utc(start, end, zone_of(plan)))
    return [a for a in agreements(records).values() if parent in a.waiting_for]


@dataclass
class History:
    exchange_id: str
    exchange: Exchange | None  # None: no longer in the plan
    records: list[Record]
    verification: Verification | None = None


def history(
    plan: Plan, db: Path | None, when: str, *, compute: Compute, plan_path: Path | None = None
) -> History:
    """Every record for the exchange WHEN names, including one no longer in the plan,
    with the log's verification (chain and anchors) it stands on."""
    found = _history(plan, db, when, compute=compute)
    found.verification = verify_plan_log(plan, plan_path, db, every_token=False)
    return found


def _history(plan: Plan, db: Path | None, when: str, *, compute: Compute) -> History:
    parsed = parse_when(when)
    start, end = parsed.window()
    zone = zone_of(plan)
    exchanges = exchanges_in(timeline_around(plan, start, end, compute), start, end)
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        found = matches(parsed, exchanges, zone)
        if len(found) == 1:
            return History(found[0].id, found[0], store.records(found[0].id))
        if parsed.exchange_id is not None:
            records = store.records(parsed.exchange_id)
        else:
            records = [
                r
                for r in store.on_local_date(parsed.day.isoformat())
                if parsed.at is None or r.scheduled_local[11:16] == f"{parsed.at:%H:%M}"
            ]
        ids = list(dict.fromkeys(r.exchange_id for r in records))
        if len(found) == 0 and len(ids) == 1:
            return History(ids[0], None, records)
    resolve(parsed, exchanges, zone, location_names(plan))  # raises: ambiguous or nearest
    raise AssertionError("unreachable")


def list_exchanges(
    plan: Plan,
    db: Path | None,
    start: date,
    end: date,
    *,
    now: datetime,
    grace: timedelta,
    compute: Compute,
) -> list[ExchangeRow]:
    """Scheduled exchanges in ``[start, end)`` with outcomes, plus orphaned records."""
    zone = zone_of(plan)
    exchanges = exchanges_in(timeline_around(plan, start, end, compute), start, end)
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        records = store.between(*local_range_utc(start, end, zone))
    return exchange_rows(
        exchanges, records, now=now, grace=grace, zone=zone, places=location_names(plan)
    )


def make_report(
    plan: Plan,
    db: Path | None,
    start: date,
    end: date,
    *,
    now: datetime,
    grace: timedelta,
    compute: Compute,
    plan_path: Path | None = None,
) -> Report:
    """The summary of ``[start, end)``, with the verification of the log it counts
    (chain, the anchors beside it, signatures against the plan's TSA CA)."""
    zone = zone_of(plan)
    timeline = timeline_around(plan, start, end, compute)
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        records = store.between(*local_range_utc(start, end, zone))
    report = build_report(
        timeline,
        records,
        start=start,
        end=end,
        now=now,
        grace=grace,
        parents=plan.parent_ids,
        family_name=plan.family.name,
        places=location_names(plan),
    )
    report.verification = verify_plan_log(plan, plan_path, db, every_token=False)
    return report


def latest_outcomes(plan: Plan, db: Path | None, start: date, end: date) -> dict[str, Record]:
    """The current record of each exchange in ``[start, end)``, by exchange id.

    For rendering outcomes into the coordinator's calendar (e.g. "MISSED" in a title):
    read-only, and an absent log simply means no outcomes.
    """
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        return store.latest_between(*local_range_utc(start, end, zone_of(plan)))


def outcome_labels(plan: Plan, db: Path | None, start: date, end: date) -> dict[str, str]:
    """Exchange id -> its current outcome as a short label ("on time", "late 15 min",
    "MISSED", "cancelled") for exchanges scheduled on local dates ``[start, end)``.

    For the coordinator's calendar: the ids are ``Exchange.id`` of the Timeline's merged
    exchanges, so a renderer can look each exchange up. Exchanges without a record are
    absent. Read-only; no log file means an empty dict; a damaged or foreign log raises
    UserError (as every exchange command does).
    """
    return {
        exchange_id: outcome_label(record)
        for exchange_id, record in latest_outcomes(plan, db, start, end).items()
    }


def receipt_texts(plan: Plan, db: Path | None, start: date, end: date) -> dict[str, str]:
    """Exchange id -> the receipts of all its records, for the description of that
    exchange's event in both parents' calendars (so each parent holds every receipt).

    Read-only like :func:`outcome_labels`: no log file means an empty dict. Deterministic
    for a given log, so a re-sync changes an event only when a record was added.
    """
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        records = store.between(*local_range_utc(start, end, zone_of(plan)))
    found: dict[str, list[str]] = {}
    for record in records:
        found.setdefault(record.exchange_id, []).append(receipt_text(record))
    return {key: "\n\n".join(texts) for key, texts in found.items()}
