"""Plain-text and JSON views of the exchange listing and of one exchange's history.

Kept out of the CLI so the wording coordinators read is tested as plain functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from .lookup import describe
from .service import History
from .status import ExchangeRow, place_name
from .verification import verified_before  # noqa: F401  (re-exported)


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
    }


def row_text(row: ExchangeRow) -> str:
    state = row.state.upper() if row.overdue else row.state
    if row.latest and row.latest.minutes_late is not None:
        state += f" ({row.latest.minutes_late} min)"
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
    }


def history_text(found: History, zone: ZoneInfo, places: Mapping[str, str] | None = None) -> str:
    """The exchange, then every record oldest first, marking which one is current."""
    if found.exchange is not None:
        lines = [describe(found.exchange, zone, places)]
    else:
        lines = [f"{found.exchange_id} (no longer in plan)"]
    if not found.records:
        lines.append("  no outcome recorded")
    latest = found.records[-1].seq if found.records else None
    for r in found.records:
        parts = [f"  #{r.seq} {r.recorded_at} by {r.reported_by}: {r.status}"]
        if r.minutes_late is not None:
            parts.append(f"{r.minutes_late} min")
        if r.agreed_by:
            parts.append(f"agreed by {', '.join(r.agreed_by)}")
        if r.note:
            parts.append(f"note: {r.note}")
        parts.append("(current)" if r.seq == latest else "(superseded)")
        lines.append("  ".join(parts))
    return "\n".join(lines) + "\n"
