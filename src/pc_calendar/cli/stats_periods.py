"""``stats --split-at-amendments``: the range cut at each day an amendment takes effect.

A coordinator monitoring a decision compares the figures before and after it, so
each period names the amendments in force from its first day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..schedule.timeline import Timeline


@dataclass(frozen=True)
class Period:
    """Local dates ``[start, end)`` and the amendments that take effect on ``start``."""

    start: date
    end: date
    amendments: tuple[str, ...] = field(default_factory=tuple)

    def heading(self) -> str:
        last = self.end - timedelta(days=1)
        why = f"from {', '.join(self.amendments)}" if self.amendments else "the plan before them"
        return f"{self.start} to {last}: {why}"

    def record(self) -> dict[str, Any]:
        return {
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
            "amendments": list(self.amendments),
        }


def amendment_periods(
    timeline: Timeline, start: date, end: date, children: list[str] | None
) -> list[Period]:
    """``[start, end)`` split at the local day each amendment takes effect for ``children``."""
    cuts: dict[date, list[str]] = {}
    for switch in timeline.switchovers:
        if children is not None and not set(switch.children) & set(children):
            continue
        day = switch.effective.astimezone(timeline.zone).date()
        if start < day < end or day == start:
            cuts.setdefault(day, []).append(switch.title)
    bounds = sorted({start, *cuts, end})
    return [
        Period(a, b, tuple(dict.fromkeys(cuts.get(a, []))))
        for a, b in zip(bounds, bounds[1:], strict=False)
    ]
