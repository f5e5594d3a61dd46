"""More pinned engine output: the shipped plans and invented families over odd ranges.

``test_engine_output_pinned.py`` pins the benchmark's timelines (whole years). These
are the ones the speed work of issue 15 could get wrong elsewhere: every template and
example plan over a whole childhood, DST weekends, a few days, and ranges starting
and ending on any day; invented families of every pattern and zone over random
ranges; and the amended family over random ranges (switch-overs near the range ends).
``data/engine_digests_ranges.json`` was recorded with the engine before that work.

A deliberate change of engine behaviour re-records the file with
``PYTHONPATH=src python3 tests/schedule/test_engine_output_pinned_ranges.py`` and says
why in its commit.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from pc_calendar.plan.load import load_plan
from pc_calendar.plan.model import Plan
from pc_calendar.schedule.engine import compute_timeline

sys.path.insert(0, str(Path(__file__).parent))
from timeline_digest import benchmark_module, digests  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DIGESTS = Path(__file__).parent / "data" / "engine_digests_ranges.json"
PLANS = ["src/pc_calendar/templates", "examples", "tests/data"]
FIXED_RANGES = [
    (date(2024, 1, 1), date(2044, 1, 1)),  # a childhood
    (date(2026, 3, 8), date(2026, 3, 9)),  # spring forward (America)
    (date(2026, 11, 1), date(2026, 11, 15)),  # fall back (America)
    (date(2027, 3, 28), date(2027, 4, 2)),  # spring forward (Europe)
    (date(2026, 10, 4), date(2026, 10, 5)),  # spring forward (Australia)
]
LENGTHS = [1, 2, 3, 7, 13, 31, 90, 365, 400, 1000, 2000]


def _random_ranges(rng: random.Random, count: int) -> list[tuple[date, date]]:
    out = []
    for _ in range(count):
        first = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 9000))
        out.append((first, first + timedelta(days=rng.choice(LENGTHS))))
    return out


def cases() -> Iterator[tuple[str, Plan, date, date]]:
    """(case name, plan, start, end): the same cases on every run."""
    rng = random.Random(7)
    paths = sorted(p for folder in PLANS for p in (ROOT / folder).glob("*.toml"))
    for path in paths:
        plan = load_plan(path)
        for first, end in FIXED_RANGES + _random_ranges(rng, 10):
            yield f"{path.relative_to(ROOT)} {first} {end}", plan, first, end
    bench = benchmark_module()
    families = random.Random(99)
    for index in range(120):
        plan = bench.family(index, families)
        for first, end in [*_random_ranges(rng, 2), rng.choice(FIXED_RANGES)]:
            yield f"family {index} {first} {end}", plan, first, end
    for only_leo in (False, True):
        plan = bench.amended_family(only_leo)
        for first, end in FIXED_RANGES + _random_ranges(rng, 25):
            yield f"amended (Leo alone: {only_leo}) {first} {end}", plan, first, end


def current() -> dict[str, dict[str, str]]:
    return {name: digests(compute_timeline(plan, s, e)) for name, plan, s, e in cases()}


def test_timelines_over_odd_ranges_are_unchanged() -> None:
    recorded = json.loads(DIGESTS.read_text())
    now = current()
    assert now.keys() == recorded.keys()
    changed = [name for name in recorded if now[name] != recorded[name]]
    assert not changed, f"{len(changed)} timelines differ, first: {changed[:5]}"


if __name__ == "__main__":
    DIGESTS.write_text(json.dumps(current(), indent=0, sort_keys=True) + "\n")
    print(f"recorded {DIGESTS}")
