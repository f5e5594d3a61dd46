"""Plain-text and JSON views of the exchange listing and of one exchange's history.

Kept out of the CLI so the wording coordinators read is tested as plain functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from .agreement import agreement
from .lookup import describe
from .service import History
from .status import ExchangeRow, place_name
from .verification import as_json, verified_before  # noqa: F401  (re-exported)
from .verification import describe as describe_log


def count(n: int, noun: str) -> str:
    """``1 record``, ``2 records``: coordinators read these lines in court paperwork."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def row_json(row: ExchangeRow) -> dict[str, Any]:
    latest = row.latest
    return {
        "exchange_id": row.exchange_id,
        "local_time": row.local_at.isoformat(),
        "from": row.from_parent,
        "to": row.to_parent,
        "location": row.place,
        "location_id": row.location,
        "rule": row.rule,
        "state": row.state,
        "overdue": row.overdue,
        "in_plan": row.in_plan,
        "records": row.record_count,
        "minutes_late": latest.minutes_late if latest else None,
        "reported_by": latest.reported_by if latest else None,
        "at_fault": latest.at_fault_parent if latest else None,
        "agreement": row.agreement_state,
        "disputed_by": list(row.agreement.disagree) if row.agreement else [],
    }


def agreement_text(row: ExchangeRow) -> str:
    """``agreed``, ``DISPUTED by sam``, ``one-sided (alex)``: whose word it is."""
    found = row.agreement
    if found is None:
        return ""
    if found.state == "disputed":
        return f"DISPUTED by {', '.join(found.disagree)}"
    if found.state == "one-sided":
        return f"one-sided ({found.current.reported_by})"
    return found.state


def row_text(row: ExchangeRow) -> str:
    state = row.state.upper() if row.overdue else row.state
    if row.latest and row.latest.minutes_late is not None:
        state += f" ({row.latest.minutes_late} min)"
    if row.latest and row.latest.at_fault_parent:
        state += f" by {row.latest.at_fault_parent}"
    if row.agreement is not None:
        state += f"  [{agreement_text(row)}]"
    if not row.in_plan:
        state += "  [no longer in plan]"
    where = f" @ {row.place}" if row.place else ""
    return (
        f"{row.local_at:%a %Y-%m-%d %H:%M}  {row.exchange_id:<28} "
        f"{row.from_parent} -> {row.to_parent}{where}  [{row.rule}]  {state}"
    )


def history_json(found: History, places: Mapping[str, str] | None = None) -> dict[str, Any]:
    location = found.exchange.location if found.exchange is not None else None
    return {
        "exchange_id": found.exchange_id,
        "in_plan": found.exchange is not None,
        "location": place_name(location, places),
        "location_id": location,
        "records": [r.to_json() for r in found.records],
        "verification": as_json(found.verification) if found.verification else None,
    }


def history_text(found: History, zone: ZoneInfo, places: Mapping[str, str] | None = None) -> str:
    """The exchange, then every record oldest first, marking which one is current."""
    if found.exchange is not None:
        lines = [describe(found.exchange, zone, places)]
    else:
        lines = [f"{found.exchange_id} (no longer in plan)"]
    if not found.records:
        lines.append("  no outcome recorded")
    state = agreement(found.records)
    latest = state.current.seq if state is not None else None
    for r in found.records:
        how = f" via {r.channel}" if r.channel else ""
        what = r.status if r.kind == "outcome" else f"{r.kind}s #{r.responds_to} ({r.status})"
        parts = [f"  #{r.seq} {r.recorded_at} by {r.reported_by}{how}: {what}"]
        if r.minutes_late is not None:
            parts.append(f"{r.minutes_late} min")
        if r.at_fault_parent:
            parts.append(f"at fault: {r.at_fault_parent}")
        if r.agreed_by:
            parts.append(f"agreed by {', '.join(r.agreed_by)}")
        if r.note:
            parts.append(f"note: {r.note}")
        if r.kind == "outcome":
            parts.append("(current)" if r.seq == latest else "(superseded)")
        lines.append("  ".join(parts))
    if state is not None:
        said = f"agreement: {state.state}"
        if state.agree:
            said += f"; agrees: {', '.join(state.agree)}"
        if state.disagree:
            said += f"; disputes: {', '.join(state.disagree)}"
        if state.waiting_for:
            said += f"; not yet answered: {', '.join(state.waiting_for)}"
        lines.append(said)
    if found.verification is not None:
        lines += ["", *describe_log(found.verification)]
    return "\n".join(lines) + "\n"
