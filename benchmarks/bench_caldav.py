"""CalDAV sync cost against a local Radicale (or Xandikos): wall time and HTTP requests.

Run: ``python3 benchmarks/bench_caldav.py [--years 1,18] [--no-vdirsyncer]
[--server radicale|xandikos] [--cli | --no-cli]``.

For the shipped example plan (both parents) and each range it measures, in one run:

- (a) cold push: pc-calendar's sync vs a raw baseline (a plain keep-alive HTTP PUT loop
  of the same .ics bodies), and vdirsyncer syncing the same events from a vdir;
- (b) no-op re-sync: pc-calendar in-process per calendar, then like with like (see
  caldav_clients): in-process, pc-calendar's ``sync_calendar`` vs vdirsyncer's
  ``vdirsyncer.sync.sync``; as commands (process start included), ``pc-calendar sync``
  of a copy of the plan whose calendars.toml names the bench's calendars vs
  ``vdirsyncer sync`` with one pair per parent (both calendars in one process each);
- (c) one swap (an override giving Sam one of Alex's days): the changed events plus
  how many more requests.

Every tool syncs into calendars of its own: a cold push, then NOOPS no-op syncs. The
steady no-op compared is the median of those after the first, run once the calendar
has sat still for SETTLE seconds, as it has between real runs. The first no-op, right
after the push, may still be settling state: it is printed separately, not compared.

The commands sync ``--from FIRST --to FIRST + years``, the range the in-process events
cover. They are timed for ranges up to CLI_YEARS unless ``--cli`` (every range; at 18
years each command's cold push takes minutes) or ``--no-cli``.

Targets of issue 3: cold push within 1.5x of the raw PUT loop; no-op re-sync at most 2
requests per calendar and at least 10x faster than vdirsyncer's (in-process); a swap
costs the changed events plus at most 2 requests. Requests are counted by pc-calendar
itself and the raw loop's session, vdirsyncer's from Radicale's request log; Xandikos
runs without auth and keeps no log, so vdirsyncer's counts are shown only for Radicale.
vdirsyncer is optional (``pip install vdirsyncer``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import example_events  # noqa: E402
from caldav_clients import (  # noqa: E402
    Run,
    Summary,
    have_vdirsyncer,
    pc_calendar_cli,
    settle,
    steady,
    summarize,
    vdirsyncer_cli,
    vdirsyncer_in_process,
    write_vdir,
)
from servers import CalendarRef, RadicaleServer, XandikosServer  # noqa: E402

from pc_calendar.backends.base import DesiredEvent  # noqa: E402
from pc_calendar.backends.caldav import CalDAVBackend, safe_name  # noqa: E402
from pc_calendar.sync.apply import RetryPolicy  # noqa: E402
from pc_calendar.sync.runner import SyncOptions, sync_calendar  # noqa: E402
from pc_calendar.sync.state import StateStore  # noqa: E402

PLAN, FIRST = example_events.PLAN, example_events.FIRST
NOOPS = 4  # no-op syncs after each cold push: the 1st, then the steady ones compared
COUNTED = f"counted: median of no-ops 2-{NOOPS} after the push"
#: seconds every tool's calendar sits still before its steady no-ops, as between real runs:
#: pc-calendar trusts Radicale's whole-second last-modified only once it is 2 s old
SETTLE = 3.0
CLI_YEARS = 1  # without --cli/--no-cli, the commands are timed for ranges up to this


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

    def requests_logged(self) -> int | None:
        return None


def desired_events(years: int, swap: bool = False) -> dict[str, list[DesiredEvent]]:
    return example_events.desired_events(years, swap)[1]


def sync(
    calendar: CalendarRef,
    desired: list[DesiredEvent],
    state: Path,
    start: date = FIRST,
    **target: object,
) -> tuple[float, object]:
    """One ``sync_calendar`` as ``pc-calendar sync`` runs it, fingerprint included: the
    command derives it from the plan's inputs; here the same events give the same one.
    ``start``: the range's first day; ``target``: extra target keys (``max_in_flight``)."""
    fingerprint = hashlib.sha256("".join(d.content_hash for d in desired).encode()).hexdigest()
    retry = RetryPolicy(attempts=2, base=0.1)
    options = SyncOptions(start=start, end=date(2100, 1, 1), retry=retry, yes=True)
    began = time.perf_counter()  # building the client is part of a sync, as for vdirsyncer
    backend = CalDAVBackend(calendar.config(**target), {"family_id": "rivera-chen"})
    try:
        with StateStore(state) as store:
            summary = sync_calendar(
                backend, desired, store, calendar.path, options, "bench", fingerprint=fingerprint
            )
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


def ms(run: Run) -> str:
    """Milliseconds, plus the request count where one is known."""
    counted = f" {run.requests:4d} requests" if run.requests is not None else ""
    return f"{run.seconds * 1000:8.1f} ms{counted}"


def ratio(ours: Run, theirs: Run) -> str:
    return f"{theirs.seconds / ours.seconds:.1f}x"


def bench(server: LoggedRadicale, years: int, with_vdirsyncer: bool, cli: bool, work: Path) -> None:
    print(f"\n== {years} year(s) from {FIRST}, both parents of {PLAN.name}")
    before = desired_events(years)
    after = desired_events(years, swap=True)
    total_events = sum(len(v) for v in before.values())
    print(f"events: {total_events} ({', '.join(f'{p} {len(v)}' for p, v in before.items())})")

    raw_time = raw_requests = 0.0
    ours: dict[str, list[Run]] = {}
    swap_changes = swap_requests = 0
    for pid, desired in before.items():
        calendar = server.new_calendar()
        seconds, count = raw_put_loop(server, calendar, desired)
        raw_time += seconds
        raw_requests += count

        calendar = server.new_calendar()
        state = work / f"state-{years}-{pid}.sqlite"
        ours[pid] = []
        for run in range(1 + NOOPS):
            settle(run, SETTLE)
            seconds, summary = sync(calendar, desired, state)
            ours[pid].append(Run(seconds, summary.requests, summary.writes))
        assert all(r.writes == 0 for r in ours[pid][1:]), ours[pid]
        seconds, summary = sync(calendar, after[pid], state)
        swap_changes += summary.writes
        swap_requests += summary.requests
    ours_total = summarize(ours.values())

    print(f"(a) cold push   raw PUT loop {raw_time:7.2f} s {int(raw_requests):6d} requests")
    print(
        f"                pc-calendar  {ours_total.cold.seconds:7.2f} s"
        f" {ours_total.cold.requests:6d} requests"
        f"   ratio {ours_total.cold.seconds / raw_time:.2f}x (target <= 1.5x)"
    )
    print(f"(b) no-op sync  pc-calendar in-process, per calendar ({COUNTED}; target <= 2 requests)")
    for pid, runs in ours.items():
        print(f"                {pid:6s} counted {ms(steady(runs))}   1st no-op {ms(runs[1])}")
    print(
        f"(c) swap        {swap_changes} changed events, {swap_requests} requests"
        f" = changed + {swap_requests - swap_changes} (target <= 2 per calendar)"
    )

    pairs = rivals(server, years, before, ours_total, with_vdirsyncer, cli, work)
    print_pairs(pairs)


Pair = tuple[str, Summary, Summary | None]  # label, pc-calendar's, vdirsyncer's


def rivals(
    server: LoggedRadicale,
    years: int,
    before: dict[str, list[DesiredEvent]],
    ours_total: Summary,
    with_vdirsyncer: bool,
    cli: bool,
    work: Path,
) -> list[Pair]:
    """vdirsyncer in-process, then both commands, each into fresh calendars of its own."""
    pairs: list[Pair] = []
    if with_vdirsyncer:
        theirs = {}
        for pid, desired in before.items():
            folder = work / f"vdirsyncer-{years}-{pid}"
            vdir = write_vdir(folder / "vdir", desired)
            theirs[pid] = vdirsyncer_in_process(
                server, server.new_calendar(), vdir, folder / "status.sqlite", 1 + NOOPS, SETTLE
            )
        print(f"(b) no-op sync  vdirsyncer in-process, per calendar ({COUNTED})")
        for pid, runs in theirs.items():
            print(f"                {pid:6s} counted {ms(steady(runs))}   1st no-op {ms(runs[1])}")
        pairs.append(("in-process", ours_total, summarize(theirs.values())))
    if cli:
        span = (FIRST, date(FIRST.year + years, 1, 1))
        calendars = {pid: server.new_calendar() for pid in before}
        ours_cli = pc_calendar_cli(
            server, calendars, PLAN, work / f"cli-{years}", span, 1 + NOOPS, SETTLE
        )
        assert all(r.writes == 0 for r in ours_cli[1:]), ours_cli
        print(
            f"    pc-calendar sync --from {span[0]} --to {span[1]} pushed"
            f" {ours_cli[0].writes} events (in-process: {sum(len(v) for v in before.values())})"
        )
        theirs_cli = None
        if with_vdirsyncer:
            vdirs = {
                pid: (server.new_calendar(), write_vdir(work / f"vdir-cli-{years}-{pid}", desired))
                for pid, desired in before.items()
            }
            theirs_cli = vdirsyncer_cli(
                server, vdirs, work / f"vdirsyncer-cli-{years}", 1 + NOOPS, SETTLE
            )
        theirs_sum = summarize([theirs_cli]) if theirs_cli else None
        pairs.append(("CLI (process start included)", summarize([ours_cli]), theirs_sum))
    return pairs


def print_pairs(pairs: list[Pair]) -> None:
    """Cold push and no-op, like with like; ratio = vdirsyncer's time / pc-calendar's."""
    for label, mine, other in pairs:
        cold = f"(a) cold push   {label}: pc-calendar {mine.cold.seconds:.2f} s"
        if other is not None:
            cold += f" vs vdirsyncer {other.cold.seconds:.2f} s -> {ratio(mine.cold, other.cold)}"
        print(cold)
    if pairs:
        print(f"(b) no-op summary, both calendars summed ({COUNTED})")
        print("    ratio = vdirsyncer's time / pc-calendar's")
    for label, mine, other in pairs:
        line = f"    {label}: pc-calendar {ms(mine.steady)}"
        if other is not None:
            line += f" vs vdirsyncer {ms(other.steady)} -> {ratio(mine.steady, other.steady)}"
            line += " (target >= 10x)" if label == "in-process" else ""
        print(line)
    for label, mine, other in pairs:
        line = f"    1st no-op after the push, {label}: pc-calendar {ms(mine.first)}"
        print(line + (f" vs vdirsyncer {ms(other.first)}" if other is not None else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", default="1,18", help="comma-separated ranges, e.g. 1,18")
    parser.add_argument("--no-vdirsyncer", action="store_true")
    parser.add_argument("--server", choices=("radicale", "xandikos"), default="radicale")
    parser.add_argument(
        "--cli",
        action=argparse.BooleanOptionalAction,
        help=f"time both commands at every range (default: ranges up to {CLI_YEARS} year)",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures as they come, even through tee
    with_vdirsyncer = not args.no_vdirsyncer and have_vdirsyncer()
    if not with_vdirsyncer:
        print("vdirsyncer: not run (not installed or --no-vdirsyncer)")
    work = Path(tempfile.mkdtemp(prefix="bench-caldav-"))
    server = LoggedRadicale(work) if args.server == "radicale" else CountlessXandikos(work)
    os.environ[server.password_env] = server.password or ""
    server.start()
    try:
        print(f"{args.server} on {server.base_url}; started {datetime.now():%H:%M:%S}")
        for years in (int(y) for y in args.years.split(",")):
            cli = args.cli if args.cli is not None else years <= CLI_YEARS
            bench(server, years, with_vdirsyncer, cli, work)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
