"""The exchange-log operations the CLI calls: plain functions over a plan and a log.

Everything that can refuse (WHEN, status, minutes, time) is checked before the log is
opened, so a refused command writes nothing, not even an empty database. The Timeline
comes from ``compute`` (the engine by default) so tests can pass hand-built ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..plan.model import Plan
from ..schedule.timeline import Exchange, Timeline
from .chain import Record
from .lookup import local_of, matches, parse_when, resolve
from .report import Report, build_report
from .status import (
    ExchangeRow,
    Status,
    exchange_rows,
    local_range_utc,
    outcome_label,
    utc_text,
    validate_outcome,
)
from .store import ExchangeStore, default_db_path

Compute = Callable[[Plan, date, date], Timeline]


def engine_timeline(plan: Plan, start: date, end: date, pm: Any = None) -> Timeline:
    """The schedule engine's Timeline for ``[start, end)``."""
    from ..schedule.engine import compute_timeline

    return compute_timeline(plan, start, end, pm=pm)


def db_path_for(plan: Plan, db: Path | None) -> Path:
    return db if db is not None else default_db_path(plan.family.id)


def zone_of(plan: Plan) -> ZoneInfo:
    return ZoneInfo(plan.family.timezone)


def location_names(plan: Plan) -> dict[str, str]:
    """Location id -> the name people read (``[locations.ID] name = ...``)."""
    return {key: loc.name for key, loc in plan.locations.items()}


def timeline_around(plan: Plan, start: date, end: date, compute: Compute) -> Timeline:
    """A Timeline one day wider than ``[start, end)`` so boundary exchanges are seen."""
    return compute(plan, start - timedelta(days=1), end + timedelta(days=1))


def exchanges_in(timeline: Timeline, start: date, end: date) -> list[Exchange]:
    """Merged exchanges whose local date is in ``[start, end)``."""
    return [
        ex
        for ex in timeline.merged_exchanges()
        if start <= local_of(ex, timeline.zone).date() < end
    ]


@dataclass
class Recorded:
    record: Record
    exchange: Exchange
    warnings: list[str] = field(default_factory=list)


def record_outcome(
    plan: Plan,
    db: Path | None,
    when: str,
    status: str,
    *,
    minutes_late: int | None = None,
    reported_by: str = "coordinator",
    agreed_by: list[str] | None = None,
    note: str | None = None,
    now: datetime,
    compute: Compute,
    pm: Any = None,
) -> Recorded:
    """Validate, then append one outcome; a missed exchange notifies plugins after commit."""
    parsed = parse_when(when)
    start, end = parsed.window()
    zone = zone_of(plan)
    exchange = resolve(
        parsed,
        exchanges_in(timeline_around(plan, start, end, compute), start, end),
        zone,
        location_names(plan),
    )
    agreed = list(dict.fromkeys(agreed_by or []))
    outcome = validate_outcome(
        exchange,
        status,
        minutes_late=minutes_late,
        reported_by=reported_by,
        agreed_by=agreed,
        parents=plan.parent_ids,
        now=now,
    )
    draft = draft_record(
        exchange,
        zone,
        family=plan.family.id,
        status=str(outcome),
        minutes_late=minutes_late,
        reported_by=reported_by,
        agreed_by=agreed,
        recorded_at=now,
        note=note or None,
    )
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id) as store:
        stored = store.append(draft)
    warnings = []
    if outcome is Status.missed:
        warnings = notify_missed(pm, plan.family, exchange, stored)
    return Recorded(stored, exchange, warnings)


def draft_record(
    exchange: Exchange,
    zone: Any,
    *,
    family: str,
    status: str,
    minutes_late: int | None,
    reported_by: str,
    agreed_by: list[str],
    recorded_at: datetime,
    note: str | None,
) -> Record:
    """An outcome of ``exchange`` as the store appends it (it numbers and chains it)."""
    return Record(
        seq=0,
        family=family,
        exchange_id=exchange.id,
        scheduled_at=utc_text(exchange.at),
        scheduled_local=local_of(exchange, zone).isoformat(timespec="seconds"),
        from_parent=exchange.from_parent,
        to_parent=exchange.to_parent,
        location=exchange.location,
        children=list(exchange.children),
        rule=exchange.rule.describe(),
        status=status,
        minutes_late=minutes_late,
        reported_by=reported_by,
        agreed_by=agreed_by,
        recorded_at=utc_text(recorded_at),
        note=note,
        supersedes=None,
        prev_hash="",
    )


def notify_missed(pm: Any, family: Any, exchange: Exchange, record: Record | None) -> list[str]:
    """Call every ``pc_calendar_exchange_missed`` implementation; a failing plugin is
    reported by name and never undoes the record or stops the others."""
    if pm is None:
        from ..plugins import get_plugin_manager

        pm = get_plugin_manager()
    args = {"family": family, "exchange": exchange, "record": record}
    warnings = []
    for impl in reversed(pm.hook.pc_calendar_exchange_missed.get_hookimpls()):
        if getattr(impl, "hookwrapper", False) or getattr(impl, "wrapper", False):
            continue
        name = _plugin_name(pm, impl.plugin)
        try:
            impl.function(*[args[a] for a in impl.argnames])
        except Exception as exc:
            warnings.append(
                f"plugin {name!r}: pc_calendar_exchange_missed failed "
                f"({exc.__class__.__name__}: {exc}); the record was kept"
            )
    return warnings


def notify_overdue(
    plan: Plan, db: Path | None, rows: list[ExchangeRow], *, now: datetime, pm: Any = None
) -> tuple[list[str], list[str]]:
    """Report overdue exchanges to notifier plugins once each (``record`` is None).

    Returns the ids notified now and any plugin warnings. A notice is remembered before
    plugins run, so a crashing notifier cannot cause a flood of repeats.
    """
    overdue = [r for r in rows if r.overdue and r.exchange is not None]
    if not overdue:
        return [], []
    sent, warnings = [], []
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id) as store:
        already = store.notified()
        for row in overdue:
            if row.exchange_id in already or not store.add_notice(row.exchange_id, utc_text(now)):
                continue
            sent.append(row.exchange_id)
            warnings += notify_missed(pm, plan.family, row.exchange, None)
    return sent, warnings


def _plugin_name(pm: Any, plugin: Any) -> str:
    """The registered name, or for objects registered without one, their class/module."""
    name = pm.get_name(plugin)
    if name and name != str(id(plugin)):
        return name
    return getattr(plugin, "__name__", None) or type(plugin).__name__


@dataclass
class History:
    exchange_id: str
    exchange: Exchange | None  # None: no longer in the plan
    records: list[Record]


def history(plan: Plan, db: Path | None, when: str, *, compute: Compute) -> History:
    """Every record for the exchange WHEN names, including one no longer in the plan."""
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
) -> Report:
    zone = zone_of(plan)
    timeline = timeline_around(plan, start, end, compute)
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        records = store.between(*local_range_utc(start, end, zone))
    return build_report(
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
