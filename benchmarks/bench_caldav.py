"""CalDAV sync cost against a local Radicale (or Xandikos): wall time and HTTP requests.

Run: ``python3 benchmarks/bench_caldav.py [--years 1,18] [--no-vdirsyncer]
[--server radicale|xandikos]``. Xandikos runs without auth and keeps no request log,
so vdirsyncer's request counts are shown only for Radicale.

For the shipped example plan (both parents) and each range it measures, in one run:

- (a) cold push: pc-calendar's sync vs a raw baseline (a plain keep-alive HTTP PUT loop
  of the same .ics bodies) vs vdirsyncer syncing the same events from a vdir;
- (b) no-op re-sync: pc-calendar (the run right after the push, and the one after that)
  vs vdirsyncer's no-op sync;
- (c) one swap (an override giving Sam one of Alex's days): the changed events plus
  how many more requests.

and prints ratios against the targets of issue 3: cold push within 1.5x of the raw PUT
loop; no-op re-sync at most 2 requests per calendar and at least 10x faster than
vdirsyncer's; a swap costs the changed events plus at most 2 requests. Requests are
counted by our session (pc-calendar, raw loop) and from Radicale's request log
(vdirsyncer). vdirsyncer is optional (``pip install vdirsyncer``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from servers import CalendarRef, RadicaleServer, XandikosServer  # noqa: E402

from pc_calendar.backends.base import DesiredEvent  # noqa: E402
from pc_calendar.backends.caldav import CalDAVBackend, safe_name  # noqa: E402
from pc_calendar.plan.load import load_plan  # noqa: E402
from pc_calendar.plan.model import Override  # noqa: E402
from pc_calendar.render import render_parent  # noqa: E402
from pc_calendar.schedule.engine import compute_timeline  # noqa: E402
from pc_calendar.sync.apply import RetryPolicy  # noqa: E402
from pc_calendar.sync.runner import SyncOptions, sync_calendar  # noqa: E402
from pc_calendar.sync.state import StateStore  # noqa: E402

PLAN = ROOT / "examples" / "rivera-chen.toml"
FIRST = date(2027, 1, 1)


class LoggedRadicale(RadicaleServer):
    """Radicale logging every request, so a third-party client's requests can be counted."""

    def command(self) -> list[str]:
        cmd = super().command()
        cmd[cmd.index("--logging-level") + 1] = "info"
        return cmd

    def requests_logged(self) -> int:
        text = (self.root / f"{self.name}.log").read_text(errors="replace")
        return len(re.findall(r"\] \w+ request for ", text))


class CountlessXandikos(XandikosServer):
    """Xandikos as the tests run it; it logs no per-request lines to count."""

    def requests_logged(self) -> int:
        return 0


def desired_events(years: int, swap: bool = False) -> dict[str, list[DesiredEvent]]:
    plan = load_plan(PLAN)
    end = date(FIRST.year + years, 1, 1)
    if swap:
        timeline = compute_timeline(plan, FIRST, end)
        plan = plan.model_copy(update={"overrides": [*plan.overrides, _swap(plan, timeline)]})
    timeline = compute_timeline(plan, FIRST, end)
    return {pid: render_parent(plan, timeline, pid) for pid in plan.parents}


def _swap(plan, timeline) -> Override:
    """Sam takes the middle day of Alex's first block of three or more days in March."""
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


def sync(calendar: CalendarRef, desired: list[DesiredEvent], state: Path) -> tuple[float, object]:
    retry = RetryPolicy(attempts=2, base=0.1)
    options = SyncOptions(start=FIRST, end=date(2100, 1, 1), retry=retry, yes=True)
    backend = CalDAVBackend(calendar.config(), {"family_id": "rivera-chen"})
    began = time.perf_counter()
    try:
        with StateStore(state) as store:
            summary = sync_calendar(backend, desired, store, calendar.path, options, "bench")
    finally:
        backend.close()
    elapsed = time.perf_counter() - began
    if summary.error or summary.problems:
        raise SystemExit(f"sync failed: {summary.error or summary.problems}")
    return elapsed, summary


def raw_put_loop(
    server: RadicaleServer, calendar: CalendarRef, desired: list[DesiredEvent]
) -> tuple[float, int]:
    """The baseline: one keep-alive session PUTting the same bodies, nothing else."""
    import niquests

    session = niquests.Session()
    if server.username:
        session.auth = (server.username, server.password)
    headers = {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}
    began = time.perf_counter()
    for event in desired:
        url = server.base_url.rstrip("/") + calendar.path + safe_name(event.uid)
        response = session.put(url, data=event.ical, headers=headers)
        if response.status_code not in (200, 201, 204):
            raise SystemExit(f"raw PUT failed: {response.status_code}")
    elapsed = time.perf_counter() - began
    session.close()
    return elapsed, len(desired)


def vdirsyncer_run(
    server: LoggedRadicale, calendar: CalendarRef, desired: list[DesiredEvent], work: Path
) -> tuple[float, int, float, int]:
    """Cold sync and no-op sync of a vdir holding the same events into ``calendar``."""
    vdir = work / "vdir"
    vdir.mkdir()
    for event in desired:
        (vdir / safe_name(event.uid)).write_bytes(event.ical)
    config = work / "config"
    config.write_text(
        f'[general]\nstatus_path = "{work / "status"}"\n\n'
        '[pair bench]\na = "local"\nb = "remote"\ncollections = null\n'
        'conflict_resolution = "a wins"\n\n'
        f'[storage local]\ntype = "filesystem"\npath = "{vdir}"\nfileext = ".ics"\n\n'
        f'[storage remote]\ntype = "caldav"\nurl = "{server.base_url.rstrip("/")}'
        f'{calendar.path}"\n'
        + (
            f'username = "{server.username}"\n'
            f'password.fetch = ["command", "printenv", "{server.password_env}"]\n'
            if server.username
            else ""
        )
    )
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config)}
    subprocess.run(
        ["vdirsyncer", "discover"], env=env, check=True, capture_output=True, input=b"y\n" * 4
    )
    results = []
    for _ in range(2):
        before = server.requests_logged()
        began = time.perf_counter()
        subprocess.run(["vdirsyncer", "sync"], env=env, check=True, capture_output=True)
        results += [time.perf_counter() - began, server.requests_logged() - before]
    return results[0], results[1], results[2], results[3]


def bench(server: LoggedRadicale, years: int, with_vdirsyncer: bool, work: Path) -> None:
    print(f"\n== {years} year(s) from {FIRST}, both parents of {PLAN.name}")
    before = desired_events(years)
    after = desired_events(years, swap=True)
    total = sum(len(v) for v in before.values())
    print(f"events: {total} ({', '.join(f'{p} {len(v)}' for p, v in before.items())})")

    raw_time = raw_requests = 0.0
    ours_time = ours_requests = 0.0
    noop = []
    swap_changes = swap_requests = 0
    for pid, desired in before.items():
        calendar = server.new_calendar()
        seconds, count = raw_put_loop(server, calendar, desired)
        raw_time += seconds
        raw_requests += count

        calendar = server.new_calendar()
        state = work / f"state-{years}-{pid}.sqlite"
        seconds, summary = sync(calendar, desired, state)
        ours_time += seconds
        ours_requests += summary.requests
        for _ in range(2):
            seconds, summary = sync(calendar, desired, state)
            assert summary.writes == 0, summary.line()
            noop.append((pid, seconds, summary.requests))
        seconds, summary = sync(calendar, after[pid], state)
        swap_changes += summary.writes
        swap_requests += summary.requests

    print(f"(a) cold push   raw PUT loop {raw_time:7.2f} s {int(raw_requests):6d} requests")
    print(
        f"                pc-calendar  {ours_time:7.2f} s {int(ours_requests):6d} requests"
        f"   ratio {ours_time / raw_time:.2f}x (target <= 1.5x)"
    )
    for pid, seconds, count in noop:
        print(
            f"(b) no-op sync  pc-calendar  {seconds * 1000:7.1f} ms {count:3d} requests ({pid})"
            "  (target <= 2 per calendar)"
        )
    print(
        f"(c) swap        {swap_changes} changed events, {swap_requests} requests"
        f" = changed + {swap_requests - swap_changes} (target <= 2 per calendar)"
    )

    if with_vdirsyncer:
        v_cold = v_cold_req = v_noop = v_noop_req = 0.0
        for pid, desired in before.items():
            calendar = server.new_calendar()
            folder = work / f"vdirsyncer-{years}-{pid}"
            folder.mkdir()
            cold, cold_req, noop_s, noop_req = vdirsyncer_run(server, calendar, desired, folder)
            v_cold += cold
            v_cold_req += cold_req
            v_noop += noop_s
            v_noop_req += noop_req
        ours_noop = sum(s for _, s, _ in noop[1::2])
        print(
            f"(a) cold push   vdirsyncer   {v_cold:7.2f} s {int(v_cold_req):6d} requests"
            f"   pc-calendar is {v_cold / ours_time:.1f}x faster"
        )
        print(
            f"(b) no-op sync  vdirsyncer   {v_noop * 1000:7.1f} ms {int(v_noop_req):3d} requests"
            f" (both calendars)   pc-calendar is {v_noop / ours_noop:.0f}x faster"
            " (target >= 10x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", default="1,18", help="comma-separated ranges, e.g. 1,18")
    parser.add_argument("--no-vdirsyncer", action="store_true")
    parser.add_argument("--server", choices=("radicale", "xandikos"), default="radicale")
    args = parser.parse_args()
    with_vdirsyncer = not args.no_vdirsyncer and shutil.which("vdirsyncer") is not None
    if not with_vdirsyncer:
        print("vdirsyncer: not run (not installed or --no-vdirsyncer)")
    work = Path(tempfile.mkdtemp(prefix="bench-caldav-"))
    server = LoggedRadicale(work) if args.server == "radicale" else CountlessXandikos(work)
    os.environ[server.password_env] = server.password or ""
    server.start()
    try:
        print(f"{args.server} on {server.base_url}; started {datetime.now():%H:%M:%S}")
        for years in (int(y) for y in args.years.split(",")):
            bench(server, years, with_vdirsyncer, work)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
