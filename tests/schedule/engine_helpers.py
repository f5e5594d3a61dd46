"""Small plans and lookups for engine tests (invented family, no file I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pc_calendar.plan.model import Plan
from pc_calendar.schedule.timeline import ChildTimeline

CHICAGO = ZoneInfo("America/Chicago")


def make_plan(zone: str = "America/Chicago", **keys: Any) -> Plan:
    """A two-parent, one-child plan; keyword arguments replace or add top-level keys."""
    data: dict[str, Any] = {
        "family": {"id": "test-family", "name": "Test family", "timezone": zone},
        "parents": {"alex": {"name": "Alex"}, "sam": {"name": "Sam"}},
        "children": [{"id": "maya", "name": "Maya", "birth_date": date(2016, 4, 12)}],
        "rotation": {"pattern": "alternating_weeks", "anchor": date(2026, 1, 5)},
        "exchange": {"time": time(18, 0), "location": "curb"},
    }
    data.update(keys)
    return Plan.model_validate(data)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: ZoneInfo = CHICAGO
) -> datetime:
    """A wall time in ``zone`` as a UTC instant (not for DST-ambiguous times)."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def holder(timeline: ChildTimeline, instant: datetime) -> str:
    """Who has the child at ``instant``."""
    for block in timeline.blocks:
        if block.start <= instant < block.end:
            return block.parent
    raise AssertionError(f"{instant} is outside the timeline")


def rule_at(timeline: ChildTimeline, instant: datetime) -> str:
    """The source key of the rule holding at ``instant``."""
    for block in timeline.blocks:
        if block.start <= instant < block.end:
            return block.rule.source
    raise AssertionError(f"{instant} is outside the timeline")


def changes(timeline: ChildTimeline, zone: ZoneInfo = CHICAGO) -> list[tuple[str, str, str]]:
    """Exchanges as ("YYYY-MM-DD HH:MM", from, to) in local time, for hand-written lists."""
    return [
        (f"{ex.at.astimezone(zone):%Y-%m-%d %H:%M}", ex.from_parent, ex.to_parent)
        for ex in timeline.exchanges
    ]


def assert_chained(timeline: ChildTimeline) -> None:
    """The invariants every child's timeline keeps, whatever the plan: blocks abut with
    no gap or overlap, neighbours differ, and the exchanges are exactly the changes of
    parent between them, each from the parent who had the children, in time order."""
    blocks, exchanges = timeline.blocks, timeline.exchanges
    for block in blocks:
        assert block.start < block.end
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert before.end == after.start
        assert (before.parent, before.rule) != (after.parent, after.rule)
    changes = [
        (b.start, a.parent, b.parent) for a, b in zip(blocks, blocks[1:], strict=False)
        if a.parent != b.parent
    ]  # fmt: skip
    assert [(ex.at, ex.from_parent, ex.to_parent) for ex in exchanges] == changes
    for prev, ex in zip(exchanges, exchanges[1:], strict=False):
        assert ex.from_parent == prev.to_parent and prev.at < ex.at
