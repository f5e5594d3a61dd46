"""The Timeline a window of dates needs: every custody run touching it, whole.

``sync`` and ``export`` take ``--from``/``--to``, but a window must never change an
event's content or identity: the custody block that crosses ``--from`` keeps its real
start (its UID is made from it), the one that crosses ``--to`` its real end. The engine
clips blocks to the range it computes, so the range is padded on both sides, and padded
further while a run touching the window still reaches the padded edge (a long summer
stretch, sole custody), up to the children's own first and last days on the schedule.
Which events then belong to the window is decided by :func:`~pc_calendar.backends.base.
overlaps`, the same test the sync engine applies to what the calendar holds.
"""

from __future__ import annotations

from datetime import date, timedelta

import pluggy

from ..plan.model import Plan
from .context import family_zone, leave_date
from .engine import compute_timeline
from .timeline import ChildTimeline, CustodyBlock, Timeline
from .timeutil import local_midnight

#: padding on each side to begin with: longer than most custody runs
PAD = timedelta(days=62)
#: how much the padding grows while a run touching the window is still cut
GROWTH = 4


def compute_window(
    plan: Plan, start: date, end: date, pm: pluggy.PluginManager | None = None
) -> Timeline:
    """The Timeline around local dates ``[start, end)``, with its edge runs complete."""
    zone = family_zone(plan)
    births = [c.birth_date for c in plan.children]
    first_day = min(births, default=start)
    last_day = max((leave_date(c) for c in plan.children), default=end)
    before = after = PAD
    while True:
        lo, hi = start - before, end + after
        timeline = compute_timeline(plan, lo, hi, pm, watch=(start, end))
        window = (local_midnight(start, zone), local_midnight(end, zone))
        edges = (local_midnight(lo, zone), local_midnight(hi, zone))
        cut_before, cut_after = False, False
        for child in timeline.children.values():
            early, late = _cut(child, window, edges)
            cut_before, cut_after = cut_before or early, cut_after or late
        cut_before = cut_before and lo > first_day
        cut_after = cut_after and hi < last_day
        if not (cut_before or cut_after):
            return timeline
        before = before * GROWTH if cut_before else before
        after = after * GROWTH if cut_after else after


def _cut(child: ChildTimeline, window: tuple, edges: tuple) -> tuple[bool, bool]:
    """Whether the run touching the window's start (end) was clipped at the range edge."""
    runs = _runs(child.blocks)
    if not runs:
        return False, False
    first_start, first_end = runs[0]
    last_start, last_end = runs[-1]
    # a run ending exactly at the window's first midnight still touches it (its last day
    # is the window's first); one starting at the window's end midnight does not
    early = first_start == edges[0] and first_end >= window[0]
    late = last_end == edges[1] and last_start < window[1]
    return early, late


def _runs(blocks: list[CustodyBlock]) -> list[tuple]:
    """(start, end) of each run of one parent's contiguous blocks."""
    runs: list[list] = []
    parent = None
    for block in sorted(blocks, key=lambda b: b.start):
        if block.end <= block.start:
            continue
        if runs and block.parent == parent and block.start == runs[-1][1]:
            runs[-1][1] = block.end
        else:
            runs.append([block.start, block.end])
            parent = block.parent
    return [(s, e) for s, e in runs]
