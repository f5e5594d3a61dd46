"""The events the sync benchmarks push: the shipped example plan over N years, optionally
with one swap, rendered per parent. One place, so CalDAV and Google push the same."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pc_calendar.backends.base import DesiredEvent
from pc_calendar.plan.load import load_plan
from pc_calendar.plan.model import Override
from pc_calendar.render import render_parent
from pc_calendar.schedule.engine import compute_timeline

PLAN = Path(__file__).resolve().parent.parent / "examples" / "rivera-chen.toml"
FIRST = date(2027, 1, 1)


def desired_events(years: int, swap: bool = False) -> tuple[str, dict[str, list[DesiredEvent]]]:
    """The family id, and each parent's events from FIRST for ``years`` years."""
    plan = load_plan(PLAN)
    end = date(FIRST.year + years, 1, 1)
    if swap:
        timeline = compute_timeline(plan, FIRST, end)
        plan = plan.model_copy(update={"overrides": [*plan.overrides, swap_override(timeline)]})
    timeline = compute_timeline(plan, FIRST, end)
    return plan.family.id, {pid: render_parent(plan, timeline, pid) for pid in plan.parents}


def swap_override(timeline) -> Override:
    """Sam takes the day after the start of Alex's first 3+ day block in March."""
    zone = timeline.zone
    for child in timeline.children.values():
        for block in child.blocks:
            start = block.start.astimezone(zone)
            if (
                block.parent == "alex"
                and start.month == 3
                and block.end - block.start >= timedelta(days=3)
            ):
                local = start.replace(tzinfo=None, hour=18, minute=0) + timedelta(days=1)
                return Override(
                    name="benchmark swap",
                    kind="swap",
                    start=local,
                    end=local + timedelta(days=1),
                    parent="sam",
                    agreed_by=["alex", "sam"],
                    decided_on=FIRST,
                )
    raise SystemExit("no block to swap in March")
