"""``pc-calendar check`` on a plan with many overrides: time, and time per override.

Run: ``python3 benchmarks/bench_check.py [--overrides 10000] [--profile]``.

Builds a plan (the shipped example's family) with N one-evening overrides, three a week
from 2026 on, alternating parents, none overlapping, and times ``run_check`` (load,
validate, cross-references, lint, one timeline over the linted years) on it, next to
the same plan with no overrides as the baseline measured in the same run. Issue 13's
target: under 2 s for 10,000 overrides (it took 31 s: the override conflict check
compared every pair). ``--profile`` prints the top of a cProfile of the big run.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pc_calendar.cli.check import run_check  # noqa: E402

EXAMPLE = ROOT / "examples" / "rivera-chen.toml"


def plan_with_overrides(count: int) -> str:
    """The example plan plus ``count`` evening overrides (Mon, Wed, Fri, from 2026)."""
    lines = [EXAMPLE.read_text(encoding="utf-8")]
    day, made = date(2026, 1, 5), 0
    while made < count:
        for offset in (0, 2, 4):
            if made == count:
                break
            when = day + timedelta(days=offset)
            parent = ("alex", "sam")[made % 2]
            lines.append(
                f'\n[[overrides]]\nname = "Evening {made}"\nkind = "decision"\n'
                f'decided_by = "coordinator"\ndecided_on = 2025-12-01\nparent = "{parent}"\n'
                f"start = {when}T17:00:00\nend = {when}T20:00:00\n"
            )
            made += 1
        day += timedelta(days=7)
    return "".join(lines)


def timed(path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a busy machine the CPU time is
    the steadier figure, the wall time what a coordinator waits."""
    wall, cpu = time.perf_counter(), time.process_time()
    run_check(path)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overrides", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base, big = Path(folder) / "base.toml", Path(folder) / "big.toml"
        base.write_text(plan_with_overrides(0), encoding="utf-8")
        big.write_text(plan_with_overrides(args.overrides), encoding="utf-8")
        timed(base)  # warm imports and plugin loading
        baseline = min(timed(base) for _ in range(3))[0]
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        elapsed, cpu = timed(big)
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    per = (elapsed - baseline) / max(args.overrides, 1) * 1e6
    print(f"check, example plan without overrides: {baseline:.2f} s (baseline)")
    print(
        f"check, {args.overrides} overrides: {elapsed:.2f} s wall, {cpu:.2f} s CPU "
        f"({elapsed / baseline:.1f}x the baseline, {per:.0f} us per override); target < 2 s"
    )


if __name__ == "__main__":
    main()
