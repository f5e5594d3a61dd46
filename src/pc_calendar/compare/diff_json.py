"""``diff --json``: the comparison as one JSON document for scripts.

Shares use the records ``stats --json`` writes (exact fractions beside the decimals),
once for the old plan and once for the new, with the differences as integers and
exact hours. Parents, children and places carry both their ids and their names.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..cli.stats import decimal, exact, share_record
from ..plan.model import Plan
from ..render import text
from ..schedule.stats import hours
from ..schedule.timeline import Exchange, HolidayLabel
from .calendars import CalendarChanges
from .handovers import ExchangeChange, HolidayChange
from .plan_diff import PlanDiff
from .shares import GroupShares, PeriodShares


def signed_hours(delta: timedelta) -> str:
    """A duration as hours with a sign and up to 2 decimals (+48, -2.5)."""
    value = decimal(hours(delta), 2).rstrip("0").rstrip(".")
    return value if value.startswith("-") or value == "0" else f"+{value}"


def period_record(diff: PlanDiff, period: PeriodShares) -> dict[str, Any]:
    parents = []
    for parent in diff.parents:
        parents.append(
            {
                "parent": parent,
                "name": diff.parent_name(parent),
                "before": _share(period.before, parent, diff.old),
                "after": _share(period.after, parent, diff.new),
                "overnights_change": period.delta_nights(parent),
                "hours_change": signed_hours(period.delta_time(parent)),
                "hours_change_exact": exact(hours(period.delta_time(parent))),
            }
        )
    return {
        "period": period.period.label,
        "start": period.period.start.isoformat(),
        "end": period.period.end.isoformat(),
        "nights": period.after.nights,
        "changed": period.changed,
        "parents": parents,
    }


def _share(stats: Any, parent: str, plan: Plan) -> dict[str, Any] | None:
    if parent not in stats.shares:
        return None
    record = share_record(stats, parent, plan)
    return {k: v for k, v in record.items() if k not in ("parent", "name")}


def group_record(diff: PlanDiff, group: GroupShares) -> dict[str, Any]:
    return {
        "children": list(group.children),
        "names": diff.child_names(group.children),
        "changed": any(p.changed for p in group.periods),
        "months": [period_record(diff, p) for p in group.periods[:-1]],
        "total": period_record(diff, group.total),
    }


def exchange_record(diff: PlanDiff, ex: Exchange | None, plan: Plan) -> dict[str, Any] | None:
    if ex is None:
        return None
    local = ex.at.astimezone(diff.zone)
    return {
        "id": ex.id,
        "at": local.isoformat(),
        "from": ex.from_parent,
        "from_name": diff.parent_name(ex.from_parent),
        "to": ex.to_parent,
        "to_name": diff.parent_name(ex.to_parent),
        "location": ex.location,
        "location_name": text.location_name(plan, ex.location),
        "children": list(ex.children),
        "rule": ex.rule.describe(),
    }


def change_record(diff: PlanDiff, change: ExchangeChange) -> dict[str, Any]:
    before, after = change.before, change.after
    record: dict[str, Any] = {
        "change": change.change,
        "before": exchange_record(diff, before, diff.old),
        "after": exchange_record(diff, after, diff.new),
    }
    if before is not None and after is not None:
        record["time_changed"] = before.at != after.at
        record["place_changed"] = before.location != after.location
    return record


def owner_text(diff: PlanDiff, labels: tuple[HolidayLabel, ...]) -> str | None:
    """Who has the holiday, in words (None: not in that plan or a label only)."""
    owners = []
    for label in labels:
        if label.split_at is not None and label.parent and label.second_parent:
            cut = text.when(label.split_at.astimezone(diff.zone))
            owners.append(
                f"{diff.parent_name(label.parent)} until {cut}, then "
                f"{diff.parent_name(label.second_parent)}"
            )
        elif label.parent:
            owners.append(diff.parent_name(label.parent))
        elif label.not_in_possession:
            owners.append("the parent not in possession")
    return "; ".join(dict.fromkeys(owners)) or None


def holiday_record(diff: PlanDiff, change: HolidayChange) -> dict[str, Any]:
    def side(labels: tuple[HolidayLabel, ...]) -> dict[str, Any]:
        return {
            "parent": next((lb.parent for lb in labels if lb.parent), None),
            "second_parent": next((lb.second_parent for lb in labels if lb.second_parent), None),
            "split_at": next(
                (lb.split_at.astimezone(diff.zone).isoformat() for lb in labels if lb.split_at),
                None,
            ),
            "owner": owner_text(diff, labels),
        }

    return {
        "name": change.name,
        "first": change.first.isoformat(),
        "last": change.last.isoformat(),
        "before": side(change.before),
        "after": side(change.after),
    }


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def calendar_record(diff: PlanDiff, calendar: CalendarChanges) -> dict[str, Any]:
    return {
        "parent": calendar.parent,
        "name": diff.parent_name(calendar.parent),
        "target": calendar.target,
        "create": calendar.count("create"),
        "update": calendar.count("update"),
        "delete": calendar.count("delete"),
        "events": [
            {
                "change": e.change,
                "uid": e.uid,
                "kind": e.kind,
                "summary": e.summary,
                "summary_before": e.summary_before,
                "start": _iso(e.start),
            }
            for e in calendar.events
        ],
    }


def diff_json(diff: PlanDiff) -> dict[str, Any]:
    """The whole comparison; ``same`` is what the exit status says (0 same, 1 different)."""
    return {
        "family": diff.new.family.name,
        "old": diff.old_label,
        "new": diff.new_label,
        "same": diff.same,
        "timelines_same": diff.timelines_same,
        "timezone": diff.zone.key,
        "start": diff.start.isoformat(),
        "end": diff.end.isoformat(),
        "end_is_exclusive": True,
        "convention": {
            "check_time": diff.convention.at.strftime("%H:%M"),
            "description": diff.convention.describe(),
        },
        "parents": [{"parent": p, "name": diff.parent_name(p)} for p in diff.parents],
        "children_only_in_old": diff.children_only_old,
        "children_only_in_new": diff.children_only_new,
        "shares": [group_record(diff, g) for g in diff.shares],
        "exchanges": [change_record(diff, c) for c in diff.exchanges],
        "holidays": [holiday_record(diff, h) for h in diff.holidays],
        "calendars": [calendar_record(diff, c) for c in diff.calendars],
        "warnings": diff.warnings,
    }
