"""A fingerprint of everything a Timeline says, to pin the engine's output.

Speed work on the engine must not change one block, exchange, label, warning or
switch-over. ``digests`` hashes a canonical text of all of them (including the fields
that dataclass equality ignores: local exchange times and amendment titles), so a
fixture of digests recorded with the code before a change proves the code after it
computes the same timelines. ``benchmark_cases`` are the plans and ranges of
``benchmarks/bench_engine.py``: its 1,000 varied family-years, its 18-year plan with and
without amendments, and a 50-year range that runs past the children leaving.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType

from pc_calendar.plan.model import Plan
from pc_calendar.schedule.timeline import Timeline

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine.py"


def digests(timeline: Timeline, schedule_ends: date | None = None) -> dict[str, str]:
    """Digests of the custody (blocks, exchanges, switch-overs), labels and warnings.

    With ``schedule_ends`` (the day the last child leaves), only the holiday labels
    beginning before it count: past it the plan has ended and lists none.
    """
    custody = [f"timeline {timeline.family_id} {timeline.zone.key} {timeline.start} {timeline.end}"]
    for child, each in timeline.children.items():
        custody.append(f"child {child}")
        custody += [
            f"block {b.start.isoformat()} {b.end.isoformat()} {b.parent} {b.rule!r} "
            f"{b.children} {b.amendment}"
            for b in each.blocks
        ]
        custody += [
            f"exchange {e.at.isoformat()} {e.local_at.isoformat()} {e.from_parent} "
            f"{e.to_parent} {e.location} {e.rule!r} {e.ending_rule!r} {e.children} {e.amendment}"
            for e in each.exchanges
        ]
    custody += [f"switch {s!r}" for s in timeline.switchovers]
    labels = [
        f"label {h!r}"
        for h in timeline.holidays
        if schedule_ends is None or h.first < schedule_ends
    ]
    warnings = [f"warning {w}" for w in timeline.warnings]
    return {"custody": _hash(custody), "labels": _hash(labels), "warnings": _hash(warnings)}


def _hash(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:24]


def benchmark_module() -> ModuleType:
    """``benchmarks/bench_engine.py`` imported by path (benchmarks/ is not a package)."""
    name = "bench_engine_for_tests"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARK)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def benchmark_cases() -> Iterator[tuple[str, Plan, date, date]]:
    """(case name, plan, start, end) for every timeline the engine benchmark computes."""
    bench = benchmark_module()
    first, years = bench.FIRST_YEAR, bench.YEARS
    start, end = date(first, 1, 1), date(first + years, 1, 1)
    plan = bench.family(0)
    yield "18 years", plan, start, end
    yield "18 years, rotation only", bench.bare_plan(plan), start, end
    yield "18 years, amended", bench.amended_family(), start, end
    yield "18 years, Leo alone stepping up", bench.amended_family(only_leo=True), start, end
    yield "50 years", plan, start, date(first + 50, 1, 1)
    yield "50 years, amended", bench.amended_family(), start, date(first + 50, 1, 1)
    for index, each in enumerate(bench.varied_families()):
        yield f"family-year {index}", each, *bench.BATCH_RANGE
