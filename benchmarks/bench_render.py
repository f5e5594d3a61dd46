"""Rendering speed and export memory: 18 years of the example family (issue 15).

Run: ``python3 benchmarks/bench_render.py``. Every figure is measured in this run:

- the engine (18-year timeline), the baseline the issue compares rendering with;
- rendering per event, the plain-data writer against the icalendar path (what every
  event took before; still taken when a ``pc_calendar_decorate_event`` plugin is
  registered, so a plugin that changes nothing measures it), for the coordinator's
  calendar (``render_calendar``) and a parent's sync events (``render_parent``);
- ``pc-calendar export`` of 18 years in a fresh process: wall time and peak RSS of
  the whole process (``os.wait4`` ru_maxrss), against baselines measured the same way:
  a process that imports what export imports, loads the plan, computes the timeline
  and stops (what export costs before rendering), and just writing the exported bytes
  to a file (fsync included);
- the same export through the icalendar path, in a fresh process.

Targets: rendering under 40 us per event and at least 10x faster than before; an
18-year export's peak RSS under 60 MiB. Prints "targets met" or "TARGETS MISSED".
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pc_calendar import hookimpl
from pc_calendar.plan.load import load_plan
from pc_calendar.plugins import build_plugin_manager
from pc_calendar.render import render_calendar, render_parent
from pc_calendar.schedule.window import compute_window

PLAN = Path(__file__).resolve().parent.parent / "examples" / "rivera-chen.toml"
FIRST, END = "2026-01-01", "2044-01-01"
TARGET_US, TARGET_SPEEDUP, TARGET_MIB = 40.0, 10.0, 60.0

# A child process: ``export`` as the CLI runs it; ``icalendar`` the same with a plugin
# that changes nothing registered (the old path); ``timeline`` imports what export
# imports, loads the plan and computes the timeline, and stops before rendering.
CHILD = f"""
import sys
from pathlib import Path
mode, plan_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "export":
    from pc_calendar.cli import main
    sys.argv = ["pc-calendar", "export", plan_path, "-o", out, "--from", "{FIRST}", "--to", "{END}"]
    main()
from datetime import date
import pc_calendar.cli.export, pc_calendar.exchanges.service, pc_calendar.render  # as export
from pc_calendar.cli import main as _cli
from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.window import compute_window
plan = load_plan(Path(plan_path))
window = (date.fromisoformat("{FIRST}"), date.fromisoformat("{END}"))
timeline = compute_window(plan, *window)
if mode == "icalendar":
    from pc_calendar import hookimpl
    from pc_calendar.cli.export import Output, write_outputs
    from pc_calendar.plugins import build_plugin_manager
    class Unchanged:
        @hookimpl
        def pc_calendar_decorate_event(self, event, info):
            pass
    pm = build_plugin_manager([Unchanged()])
    write_outputs(plan, timeline, [Output(Path(out), None)], pm, window=window)
"""


class Unchanged:
    @hookimpl
    def pc_calendar_decorate_event(self, event, info):
        pass


def best_of(runs: int, fn):
    """Best CPU time of ``runs`` calls (on a shared machine wall time includes waiting
    for a core; the rendering is single-threaded, so CPU time is its cost)."""
    best, result = float("inf"), None
    for _ in range(runs):
        t0 = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t0)
    return best, result


# Forks the measured process from a small Python (a fork from this large process would
# count this process's pages in the child's peak RSS) and reports wall, CPU and peak RSS.
LAUNCH = """
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.execv(sys.executable, [sys.executable, "-c", *sys.argv[1:]])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t0
print(os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def child(mode: str, out: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak RSS (MiB) of one fresh process running ``mode``."""
    report = subprocess.run(
        [sys.executable, "-c", LAUNCH, CHILD, mode, str(PLAN), str(out)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    code, wall, cpu, rss = int(report[0]), float(report[1]), float(report[2]), int(report[3])
    if code != 0:
        raise SystemExit(f"{mode} child failed with exit code {code}")
    return wall, cpu, rss / 1024


def best_child(runs: int, mode: str, out: Path) -> tuple[float, float, float]:
    results = [child(mode, out) for _ in range(runs)]
    return tuple(min(r[i] for r in results) for i in range(3))  # type: ignore[return-value]


def wall_of(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def write_bytes(path: Path, body: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())


def main() -> int:
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"  # one DTSTAMP, so both paths compare
    plan = load_plan(PLAN)
    start, end = date.fromisoformat(FIRST), date.fromisoformat(END)
    window = (start, end)  # as export computes and renders: edge runs whole
    engine, timeline = best_of(3, lambda: compute_window(plan, start, end))
    old_pm = build_plugin_manager(extra=[Unchanged()])
    new_pm = build_plugin_manager()
    render_calendar(plan, timeline, None, new_pm, window=window)  # warm caches (VTIMEZONE, TZIDs)

    new_cal, body = best_of(5, lambda: render_calendar(plan, timeline, None, new_pm, window=window))
    old_cal, old_body = best_of(
        2, lambda: render_calendar(plan, timeline, None, old_pm, window=window)
    )
    assert body == old_body, "the two paths differ: run tests/test_render_equivalence.py"
    events = body.count(b"BEGIN:VEVENT\r\n")

    def sync_events(pm):
        return [(e.uid, e.content_hash) for e in render_parent(plan, timeline, "sam", pm, window)]

    new_sync, desired = best_of(5, lambda: sync_events(new_pm))
    old_sync, _ = best_of(2, lambda: sync_events(old_pm))
    per = {name: t / n * 1e6 for name, t, n in [
        ("new_cal", new_cal, events), ("old_cal", old_cal, events),
        ("new_sync", new_sync, len(desired)), ("old_sync", old_sync, len(desired)),
    ]}  # fmt: skip

    print(f"18 years of {PLAN.name} ({events} events in the coordinator's calendar):")
    print(f"  engine (timeline):                 {engine * 1000:8.1f} ms")
    print(
        f"  render_calendar, icalendar path:   {old_cal * 1000:8.1f} ms "
        f"({per['old_cal']:6.1f} us/event, {old_cal / engine:5.1f}x the engine)"
    )
    print(
        f"  render_calendar, plain writer:     {new_cal * 1000:8.1f} ms "
        f"({per['new_cal']:6.1f} us/event, {new_cal / engine:5.1f}x the engine; "
        f"{old_cal / new_cal:.1f}x faster)"
    )
    print(
        f"  render_parent (sync), icalendar:   {old_sync * 1000:8.1f} ms "
        f"({per['old_sync']:6.1f} us/event)"
    )
    print(
        f"  render_parent (sync), plain:       {new_sync * 1000:8.1f} ms "
        f"({per['new_sync']:6.1f} us/event; {old_sync / new_sync:.1f}x faster)"
    )

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "family.ics"
        written = min(wall_of(lambda: write_bytes(out, body)) for _ in range(5))
        base_wall, base_cpu, base_rss = best_child(3, "timeline", out)
        wall, cpu, rss = best_child(3, "export", out)
        assert out.stat().st_size == len(body)  # the same calendar (DTSTAMP aside)
        old_wall, old_cpu, old_rss = best_child(1, "icalendar", out)
    print(f"pc-calendar export of 18 years ({len(body) / 2**20:.1f} MiB), fresh processes:")
    print(f"  writing the bytes alone (fsync):   {written * 1000:8.1f} ms wall")
    print(
        f"  same imports, plan, timeline only: {base_wall * 1000:8.1f} ms wall, "
        f"{base_cpu * 1000:6.0f} ms CPU, peak RSS {base_rss:5.1f} MiB"
    )
    print(
        f"  export (plain writer, streamed):   {wall * 1000:8.1f} ms wall, "
        f"{cpu * 1000:6.0f} ms CPU, peak RSS {rss:5.1f} MiB (+{rss - base_rss:.1f} MiB)"
    )
    print(
        f"  export through icalendar:          {old_wall * 1000:8.1f} ms wall, "
        f"{old_cpu * 1000:6.0f} ms CPU, peak RSS {old_rss:5.1f} MiB (+{old_rss - base_rss:.1f} MiB)"
    )
    print(
        f"  rendering + writing (export minus the no-render process): "
        f"{(cpu - base_cpu) * 1000:.0f} ms CPU "
        f"({(cpu - base_cpu) / written:.0f}x writing the bytes alone); through icalendar "
        f"{(old_cpu - base_cpu) * 1000:.0f} ms ({(old_cpu - base_cpu) / (cpu - base_cpu):.1f}x)"
    )
    ok = (
        per["new_cal"] < TARGET_US
        and per["new_sync"] < TARGET_US
        and old_cal / new_cal >= TARGET_SPEEDUP
        and rss < TARGET_MIB
    )
    print(
        f"targets: < {TARGET_US:.0f} us/event, >= {TARGET_SPEEDUP:.0f}x faster, "
        f"export peak < {TARGET_MIB:.0f} MiB"
    )
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
