"""A coordinator's caseload against a local Radicale: throughput and pool scaling.

Run: ``python3 benchmarks/bench_caseload.py [--families 200] [--months 3]
[--pools 1,2,4,8] [--slice 20] [--time-limit 600]``.

Each family is a copy of the shipped example plan (its own family id) whose two parents
sync into two fresh CalDAV calendars on a Radicale the script starts on 127.0.0.1 (temp
storage, removed afterwards). The range is kept small (``--months``) so the whole run
takes a few minutes. Measured in one run, through the same code ``pc-calendar sync
FOLDER`` uses (:func:`pc_calendar.sync.caseload.run_caseload`):

1. cold push of the whole caseload at the default pool size;
2. no-op re-sync of the whole caseload at each pool size (1, 2, 4, 8);
3. cold push of a fresh slice of ``--slice`` families at each pool size.

For each: wall time, calendars/s, events/s, HTTP requests (our requests per calendar;
the no-op target is at most 2), and the speed-up against pool size 1 measured in the
same run. Stops starting new phases once ``--time-limit`` seconds have passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from servers import RadicaleServer  # noqa: E402

from pc_calendar.sync.apply import RetryPolicy  # noqa: E402
from pc_calendar.sync.caseload import Caseload, default_jobs, run_caseload  # noqa: E402
from pc_calendar.sync.locking import lock_dir_for  # noqa: E402
from pc_calendar.sync.runner import SyncOptions  # noqa: E402

PLAN = ROOT / "examples" / "rivera-chen.toml"
START = date(2027, 1, 1)


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def write_caseload(
    server: RadicaleServer, folder: Path, names: list[str], exchanges_only: bool
) -> list[Path]:
    """One plan per family, each parent's calendar a fresh collection on the server."""
    text = PLAN.read_text()
    folder.mkdir(parents=True)
    paths = []
    for name in names:
        plan = text.replace('id = "rivera-chen"', f'id = "{name}"', 1)
        if exchanges_only:
            plan = re.sub(r"(?m)^events = \[.*\]$", 'events = ["exchanges"]', plan)
        for parent in ("alex", "sam"):
            ref = server.new_calendar()
            config = ref.config(timeout=30)
            table = "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in config.items()) + " }"
            old = f'calendar = {{ type = "ics", folder = "out/{parent}" }}'
            assert old in plan, "the example plan changed its calendar lines"
            plan = plan.replace(old, f"calendar = {table}")
        path = folder / f"{name}.toml"
        path.write_text(plan)
        paths.append(path)
    return paths


def run(plans: list[Path], jobs: int, state: Path, end: date) -> dict:
    retry = RetryPolicy(attempts=3, base=0.2)
    caseload = Caseload(
        options_for=lambda plan: SyncOptions(start=START, end=end, retry=retry, yes=True),
        state=state,
        jobs=jobs,
        lock_dir=lock_dir_for,
    )
    began = time.perf_counter()
    results = run_caseload(plans, caseload)
    seconds = time.perf_counter() - began
    calendars = [c for r in results for c in r.calendars]
    failed = [r for r in results if not r.ok]
    if failed:
        first = failed[0]
        why = first.error or next(c.error or c.problems for c in first.calendars if not c.ok)
        raise SystemExit(f"{len(failed)} families failed, e.g. {first.name}: {why}")
    return {
        "seconds": seconds,
        "calendars": len(calendars),
        "writes": sum(c.writes for c in calendars),
        "events": sum(c.writes + c.unchanged for c in calendars),
        "requests": sum(c.requests for c in calendars),
        "max_requests": max((c.requests for c in calendars), default=0),
    }


def line(label: str, m: dict, base: dict | None = None) -> str:
    rate = m["calendars"] / m["seconds"]
    text = (
        f"  {label:<10} {m['seconds']:7.2f} s  {rate:7.1f} calendars/s  "
        f"{m['events'] / m['seconds']:8.0f} events/s  {m['writes']:6d} writes  "
        f"{m['requests']:6d} requests ({m['requests'] / m['calendars']:.2f}/calendar, "
        f"max {m['max_requests']})"
    )
    if base is not None:
        text += f"  speed-up x{base['seconds'] / m['seconds']:.2f} vs pool 1"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", type=int, default=200)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--pools", default="1,2,4,8")
    parser.add_argument("--slice", type=int, default=20, help="families per cold-scaling run")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument(
        "--all-events",
        action="store_true",
        help="each parent's events as in the example plan (default: exchanges only)",
    )
    args = parser.parse_args()
    if not 1 <= args.families <= 1000 or not 1 <= args.months <= 24:
        raise SystemExit("--families 1..1000 and --months 1..24, please")
    pools = [int(p) for p in args.pools.split(",")]
    end = add_months(START, args.months)
    began = time.monotonic()
    # tmpfs when there is one: Radicale's fsyncs would otherwise measure the disk
    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="bench-caseload-", dir=shm if shm.is_dir() else None))
    os.environ["PC_CALENDAR_LOCK_DIR"] = str(work / "locks")
    server = RadicaleServer(work)
    os.environ[server.password_env] = server.password or ""
    server.start()

    def time_left(phase: str) -> bool:
        if time.monotonic() - began < args.time_limit:
            return True
        print(f"time limit of {args.time_limit:.0f} s reached: skipping {phase}")
        return False

    try:
        print(
            f"Radicale on {server.base_url}; {args.families} families x 2 calendars, "
            f"{START} .. {end} ({args.months} months, "
            f"{'all kinds of events' if args.all_events else 'exchanges only'}), "
            f"{os.cpu_count()} CPUs, storage in {work.parent}"
        )
        plans = write_caseload(
            server,
            work / "caseload",
            [f"fam-{i:04d}" for i in range(args.families)],
            not args.all_events,
        )
        state = work / "state.sqlite"
        print(f"1. cold push of the caseload (pool {default_jobs()}):")
        cold = run(plans, default_jobs(), state, end)
        print(line(f"pool {default_jobs()}", cold))
        print("2. no-op re-sync of the caseload:")
        run(plans, default_jobs(), state, end)  # settles the tokens after our own writes
        base = None
        for jobs in pools:
            if not time_left(f"no-op pool {jobs}"):
                break
            noop = run(plans, jobs, state, end)
            base = base or (noop if jobs == 1 else None)
            print(line(f"pool {jobs}", noop, base if jobs != 1 else None))
            if noop["writes"]:
                print(f"  ! the no-op wrote {noop['writes']} events")
        print(f"3. cold push of {args.slice} fresh families per pool size:")
        base = None
        for jobs in pools:
            if not time_left(f"cold pool {jobs}"):
                break
            names = [f"slice{jobs}-{i:03d}" for i in range(args.slice)]
            fresh = write_caseload(server, work / f"slice-{jobs}", names, not args.all_events)
            m = run(fresh, jobs, work / f"slice-{jobs}.sqlite", end)
            base = base or (m if jobs == 1 else None)
            print(line(f"pool {jobs}", m, base if jobs != 1 else None))
        print(f"total {time.monotonic() - began:.0f} s")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
