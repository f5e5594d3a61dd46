"""``show --explain``: every custody block and exchange with the rule that produced it.

Coordinators must justify dates to parents and courts, so each line names the rule
(``Rule.describe()``: layer, name, plan key, citation). Blocks are clipped to the range
asked for and say when they continue beyond it; the same records serve ``--json``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text

from ..schedule.stats import MIDNIGHT, local_instant
from ..schedule.timeline import CustodyBlock, Rule, Timeline
from .days import ViewContext, local_time


def rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "layer": rule.layer,
        "name": rule.name,
        "source": rule.source,
        "citation": rule.citation,
        "describe": rule.describe(),
    }


def _merged_blocks(timeline: Timeline, children: list[str]) -> list[CustodyBlock]:
    """Blocks of the chosen children; identical (start, end, parent) ones merged."""
    return sorted(timeline.merged_blocks(children), key=lambda b: (b.start, b.children))


def _local(instant: datetime, timeline: Timeline) -> str:
    return instant.astimezone(timeline.zone).isoformat(timespec="minutes")


def explain_records(
    timeline: Timeline,
    start: date,
    end: date,
    ctx: ViewContext,
    children: list[str] | None = None,
) -> dict[str, Any]:
    """JSON-ready blocks and exchanges overlapping local dates ``[start, end)``."""
    zone = timeline.zone
    wanted = list(timeline.children) if children is None else children
    lo, hi = local_instant(start, MIDNIGHT, zone), local_instant(end, MIDNIGHT, zone)
    blocks = []
    for block in _merged_blocks(timeline, wanted):
        if block.end <= lo or block.start >= hi:
            continue
        blocks.append(
            {
                "start": _local(max(block.start, lo), timeline),
                "end": _local(min(block.end, hi), timeline),
                "continues_before": block.start < lo,
                "continues_after": block.end > hi,
                "parent": block.parent,
                "children": list(block.children),
                "rule": rule_record(block.rule),
                "amendment": block.amendment,
            }
        )
    exchanges = []
    for ex in timeline.merged_exchanges(wanted):
        if not lo <= ex.at < hi:
            continue
        exchanges.append(
            {
                "id": ex.id,
                "local_at": local_time(ex, timeline).isoformat(timespec="minutes"),
                "utc": ex.at.isoformat(timespec="minutes"),
                "from": ex.from_parent,
                "to": ex.to_parent,
                "location": ex.location,
                "location_name": ctx.location_name(ex.location),
                "children": list(ex.children),
                "begins": rule_record(ex.rule),
                "ends": rule_record(ex.ending_rule),
                "amendment": ex.amendment,
            }
        )
    return {
        "family": ctx.family_name,
        "timezone": zone.key,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "end_is_exclusive": True,
        "children": wanted,
        "blocks": blocks,
        "exchanges": exchanges,
        "switchovers": switchover_records(timeline, lo, hi, wanted),
        "warnings": list(timeline.warnings),
    }


def switchover_records(
    timeline: Timeline, lo: datetime, hi: datetime, children: list[str]
) -> list[dict[str, Any]]:
    """Amendments taking effect in the range, with the reading of their switch-over."""
    return [
        {
            "amendment": s.title,
            "kind": s.kind,
            "effective": _local(s.effective, timeline),
            "in_force_from": _local(s.at, timeline),
            "reading": s.reading,
            "reading_chosen_by_plan": s.chosen,
            "children": list(s.children),
            "describe": s.describe(timeline.zone),
        }
        for s in timeline.switchovers
        if lo <= s.effective < hi and set(s.children) & set(children)
    ]


def _when(iso: str, zone: ZoneInfo) -> str:
    """'2026-12-04T15:00-06:00' -> '2026-12-04 15:00 CST' (the abbreviation shows DST)."""
    return f"{datetime.fromisoformat(iso).astimezone(zone):%Y-%m-%d %H:%M %Z}"


def _inclusive(start: str, end: str) -> str:
    """'2027-01-01 to 2027-12-31 (365 days)': the last day shown, as ``stats`` does.

    The JSON keeps the exclusive end (``end_is_exclusive``) for scripts; people read
    the last day included.
    """
    first, after = date.fromisoformat(start), date.fromisoformat(end)
    days = (after - first).days
    last = after - timedelta(days=1)
    return f"{first} to {last} ({days} day{'s' if days != 1 else ''})"


def print_explain(console: Console, records: dict[str, Any], ctx: ViewContext) -> None:
    """Plain lines (no table), so long rule descriptions never depend on terminal width."""
    out = console.print
    zone = ZoneInfo(records["timezone"])
    out(
        Text(
            f"{records['family']}: {_inclusive(records['start'], records['end'])}, "
            f"times in {records['timezone']}",
            style="bold",
        ),
        soft_wrap=True,
    )
    out(Text(f"Custody blocks ({len(records['blocks'])})", style="bold"))
    for b in records["blocks"]:
        before = "... " if b["continues_before"] else ""
        after = " ..." if b["continues_after"] else ""
        kids = ", ".join(ctx.children.get(c, c) for c in b["children"])
        line = Text(f"  {before}{_when(b['start'], zone)} -> {_when(b['end'], zone)}{after}  ")
        line.append(f" {b['parent']} ", style=ctx.colour(b["parent"])[0])
        line.append(f"  {kids}  {b['rule']['describe']}")
        if b["amendment"]:
            made = b["rule"]["source"].startswith("amendments[")
            line.append(f" ({'from' if made else 'plan as amended by'} {b['amendment']})")
        out(line, soft_wrap=True)
    out(Text(f"Exchanges ({len(records['exchanges'])})", style="bold"))
    for e in records["exchanges"]:
        kids = ", ".join(ctx.children.get(c, c) for c in e["children"])
        where = f" at {e['location_name']}" if e["location_name"] else ""
        out(
            Text(f"  {_when(e['local_at'], zone)}  {e['from']} -> {e['to']}{where}  ({kids})"),
            soft_wrap=True,
        )
        out(
            Text(f"      begins: {e['begins']['describe']}; ends: {e['ends']['describe']}"),
            soft_wrap=True,
        )
        if e["amendment"]:
            out(Text(f"      plan as amended by {e['amendment']}"), soft_wrap=True)
    if records["switchovers"]:
        out(Text(f"Amendments taking effect ({len(records['switchovers'])})", style="bold"))
        for s in records["switchovers"]:
            out(Text(f"  {s['describe']}"), soft_wrap=True)
    if records["blocks"] and (
        records["blocks"][0]["continues_before"] or records["blocks"][-1]["continues_after"]
    ):
        out(Text("  ... = the block continues beyond the range shown", style="dim"))
    # Warnings go to stderr from the command (cli.timeline_args.print_warnings).
