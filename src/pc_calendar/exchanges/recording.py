"""Writing to the exchange log: outcomes from the coordinator's CLI or a parent's
check-in, the other parent's confirmation or dispute, and notifying plugins at once.

Everything that can refuse (WHEN, status, minutes, fault, who) is checked before the log
is opened for writing, so a refused report writes nothing, not even an empty database.
The time of every record is stamped here, never taken from the reporter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..plan.model import Plan
from ..schedule.timeline import Exchange
from .chain import CONFIRM, DISPUTE, OUTCOME, Record
from .lookup import local_of, parse_when, resolve
from .planview import (
    Compute,
    db_path_for,
    engine_timeline,
    exchanges_in,
    location_names,
    timeline_around,
    zone_of,
)
from .receipts import receipt_text
from .status import (
    ALARMING,
    CHANNELS,
    COORDINATOR,
    ExchangeRow,
    Status,
    current_time,
    fault_side,
    utc_text,
    validate_outcome,
)
from .store import ExchangeStore


@dataclass
class Recorded:
    """A committed record, the exchange it is about, and warnings from plugins that
    failed to hear of it."""

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
    reported_by: str = COORDINATOR,
    agreed_by: list[str] | None = None,
    note: str | None = None,
    at_fault: str | None = None,
    channel: str = "cli",
    now: datetime,
    compute: Compute,
    pm: Any = None,
) -> Recorded:
    """Validate, then append one outcome stamped ``now`` (the server's or CLI's clock,
    never the reporter's). A missed exchange or interference notifies plugins right
    after the commit, before this returns."""
    if channel not in CHANNELS:
        raise UserError(f"channel: unknown {channel!r}; expected one of {', '.join(CHANNELS)}")
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
    if channel == "checkin" and reported_by not in (exchange.from_parent, exchange.to_parent):
        raise UserError(
            f"{reported_by!r} is not a parent of exchange {exchange.id}; a check-in can only "
            f"report an exchange the parent takes part in"
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
        at_fault=fault_side(at_fault, exchange, outcome),
        channel=channel,
    )
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id) as store:
        stored = store.append(draft)
    warnings = notify_recorded(pm, plan.family, stored)
    if outcome in ALARMING:
        warnings += notify_missed(pm, plan.family, exchange, stored)
    return Recorded(stored, exchange, warnings)


def record_checkin(
    plan: Plan,
    db: Path | None,
    exchange_id: str,
    parent: str,
    status: str,
    *,
    minutes_late: int | None = None,
    at_fault: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
    compute: Compute = engine_timeline,
    pm: Any = None,
) -> Recorded:
    """A parent's own report through their check-in link: the web side calls this.

    ``parent`` comes from the link (never from the form); the time is stamped here.
    Lateness, absence and interference must say who (``handing_over``, ``receiving``
    or a parent id): a parent's report never defaults the fault to the other side.
    A cancellation is recorded as agreed by the reporting parent only; the other
    parent's confirmation makes it agreed by both.
    """
    if at_fault is None and status in ("late", "missed", "interference"):
        raise UserError(f"at_fault: say who was {status}: handing_over or receiving")
    return record_outcome(
        plan,
        db,
        exchange_id,
        status,
        minutes_late=minutes_late,
        reported_by=parent,
        agreed_by=[parent] if status == Status.cancelled else None,
        note=note,
        at_fault=at_fault,
        channel="checkin",
        now=current_time(now),
        compute=compute,
        pm=pm,
    )


def respond(
    plan: Plan,
    db: Path | None,
    seq: int,
    parent: str,
    response: str,
    *,
    note: str | None = None,
    expected_hash: str | None = None,
    channel: str = "checkin",
    now: datetime | None = None,
    pm: Any = None,
    on_warning: Callable[[str], None] | None = None,
) -> Record:
    """Append ``parent``'s confirmation or dispute of outcome record ``seq``.

    The response is a new record naming the record it answers by seq and hash, and it
    copies that record's account (status, minutes, fault) so it reads on its own; it never
    edits anything. ``expected_hash`` (what the page showed) refuses a response to a
    record that is not the one the parent saw. Only the other parent of the exchange can
    answer: the reporter has said their piece and the coordinator records a new outcome.
    """
    if response not in (CONFIRM, DISPUTE):
        raise UserError(f"response: expected {CONFIRM!r} or {DISPUTE!r}, got {response!r}")
    if channel not in CHANNELS:
        raise UserError(f"channel: unknown {channel!r}; expected one of {', '.join(CHANNELS)}")
    stamp = current_time(now)
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        target = store.get(seq)
    _check_response(target, seq, parent, expected_hash)
    assert target is not None
    draft = replace(
        target,
        seq=0,
        kind=response,
        responds_to=target.seq,
        responds_to_hash=target.hash,
        reported_by=parent,
        agreed_by=[],
        recorded_at=utc_text(stamp),
        note=note or None,
        channel=channel,
        supersedes=None,
        prev_hash="",
        hash="",
    )
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id) as store:
        stored = store.append(draft)
    for warning in notify_recorded(pm, plan.family, stored):
        if on_warning is not None:
            on_warning(warning)
    return stored


def _check_response(target: Record | None, seq: int, parent: str, expected: str | None) -> None:
    if target is None:
        raise UserError(f"record {seq}: no such record in the exchange log")
    if target.kind != OUTCOME:
        raise UserError(f"record {seq} is a {target.kind}; only an outcome can be answered")
    if expected is not None and expected != target.hash:
        raise UserError(f"record {seq}: its hash is not the one shown; nothing was recorded")
    if parent not in (target.from_parent, target.to_parent):
        raise UserError(f"{parent!r} is not a parent of exchange {target.exchange_id}")
    if parent == target.reported_by:
        raise UserError(
            f"record {seq} is {parent}'s own report; the other parent confirms or disputes it"
        )


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
    at_fault: str | None = None,
    channel: str = "cli",
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
        channel=channel,
        at_fault=at_fault,
    )


def notify_missed(pm: Any, family: Any, exchange: Exchange, record: Record | None) -> list[str]:
    """Call every ``pc_calendar_exchange_missed`` implementation; a failing plugin is
    reported by name and never undoes the record or stops the others."""
    args = {"family": family, "exchange": exchange, "record": record}
    return _call_each(pm, "pc_calendar_exchange_missed", args)


def notify_recorded(pm: Any, family: Any, record: Record) -> list[str]:
    """Hand the new record's receipt to ``pc_calendar_exchange_recorded`` plugins (a
    notifier sends it to both parents), after the commit."""
    args = {"family": family, "record": record, "receipt": receipt_text(record)}
    return _call_each(pm, "pc_calendar_exchange_recorded", args)


def _call_each(pm: Any, hook: str, args: dict[str, Any]) -> list[str]:
    """Call each implementation of ``hook`` alone, so one failing plugin is named in a
    warning and neither stops the others nor undoes the record."""
    if pm is None:
        from ..plugins import get_plugin_manager

        pm = get_plugin_manager()
    warnings = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        if getattr(impl, "hookwrapper", False) or getattr(impl, "wrapper", False):
            continue
        name = _plugin_name(pm, impl.plugin)
        try:
            impl.function(*[args[a] for a in impl.argnames])
        except Exception as exc:
            warnings.append(
                f"plugin {name!r}: {hook} failed "
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
