"""The engine's output is pinned: speed work changed no timeline of the benchmark.

``data/engine_digests.json`` holds the digest of every timeline the engine benchmark
computes (1,000 varied family-years, the 18-year plan with and without amendments, a
50-year range), recorded with the engine before the issue-15 speed work. Each must come
out identical: blocks, exchanges (with their local times and places), holiday labels,
warnings and switch-overs.

A deliberate change of engine behaviour re-records the file with
``PYTHONPATH=src python3 tests/schedule/test_engine_output_pinned.py`` and says why in
its commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pc_calendar.schedule.context import leave_date
from pc_calendar.schedule.engine import compute_timeline

sys.path.insert(0, str(Path(__file__).parent))
from timeline_digest import benchmark_cases, digests  # noqa: E402

DIGESTS = Path(__file__).parent / "data" / "engine_digests.json"


def current() -> dict[str, dict[str, str]]:
    return {
        name: digests(compute_timeline(plan, start, end), max(map(leave_date, plan.children)))
        for name, plan, start, end in benchmark_cases()
    }


# Ranges running past the day the last child leaves: the engine no longer paints those
# years, so the warnings about them (a school calendar ending in 2045, say) are gone.
# test_after_children_leave.py shows such a range equals the range up to the leave.
PAST_THE_LAST_LEAVE = {"50 years", "50 years, amended"}


def test_benchmark_timelines_are_unchanged() -> None:
    recorded = json.loads(DIGESTS.read_text())
    now = current()
    assert now.keys() == recorded.keys()
    for name in PAST_THE_LAST_LEAVE:
        del now[name]["warnings"], recorded[name]["warnings"]
    changed = [name for name in recorded if now[name] != recorded[name]]
    assert not changed, f"{len(changed)} timelines differ, first: {changed[:5]}"


if __name__ == "__main__":
    DIGESTS.write_text(json.dumps(current(), indent=0, sort_keys=True) + "\n")
    print(f"recorded {DIGESTS}")
