"""Cold push over a real network's round trip: a latency relay in front of the server.

Run (as root, or wherever ``unshare -n`` works): ``python3 benchmarks/bench_latency.py
[--rtt-ms 40] [--events N] [--servers radicale,xandikos,sabredav,google]
[--in-flight 1,6] [--tls-proxy caddy|nginx|none]``.

The benchmark re-executes itself in a private network namespace (``unshare -n``, only
``lo`` up) and starts there the server, a :class:`~latency_relay.LatencyRelay` adding
half the round trip each way, and every client, so nothing leaves the machine. Into a
fresh calendar each, one parent's default range (alex's 552 events of the example plan
over 2 years, or the first ``--events``) is pushed by:

- the raw baselines: the same ``If-None-Match: *`` PUTs of the same bodies, nothing else,
  over one keep-alive connection, then over 8 keep-alive connections (what the protocol
  allows with HTTP/1.1 and a few requests in flight);
- vdirsyncer (Radicale only: its requests are counted from Radicale's log);
- pc-calendar's sync engine in-process (``sync_calendar``, as ``pc-calendar sync`` runs
  it), then its first no-op after the push, and a no-op once the calendar sat still.

Each is printed with its wall time, its requests and its ratio to the 8-connection PUT
loop (issue 15's target: <= 1.2x). On Xandikos and SabreDAV (PHP's server with 8
workers, see :mod:`sabredav_server`) the bench says whether 8 PUTs at a time into one
collection are really concurrent or serialised by the server. The Google
emulator's cold push (batches of 50) runs under the same relay; its rate pacing is
simulated (sleeping advances a fake clock), so the wall time shown is the network's.

Each CalDAV server is then pushed into again through a TLS reverse proxy that offers
HTTP/2 (``--tls-proxy caddy``, the default, or nginx; see :mod:`latency_tls`), the relay
in front of the proxy: pc-calendar's cold push in both ``connections`` modes (the
default, an HTTP/2 connection per write worker, and ``"one"``, multiplexed on one HTTP/2
connection) against raw PUTs over 8 HTTP/1.1 TLS keep-alive connections through the same
proxy, each with its requests, TLS connections and the protocol the proxy logged.

Radicale's built-in server answers HTTP/1.0 and closes the connection after every
request, so on it every request of every client pays a handshake's round trip too (as
it would over a real network); "keep-alive" is what the clients offer.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench_caldav import SETTLE, CountlessXandikos, LoggedRadicale, sync  # noqa: E402
from bench_google import FakeClock  # noqa: E402
from caldav_clients import Run, have_vdirsyncer, vdirsyncer_in_process, write_vdir  # noqa: E402
from latency_baseline import TARGET, line, raw_puts, rounds_line  # noqa: E402
from latency_relay import LatencyRelay, enter_private_network  # noqa: E402
from latency_tls import bench_caldav_tls  # noqa: E402
from sabredav_server import SabreDAVServer, have_sabredav  # noqa: E402
from servers import CalDAVServer, CalendarRef  # noqa: E402

from pc_calendar.backends.base import DesiredEvent  # noqa: E402

PARENT = "alex"
PLAN = ROOT / "examples" / "rivera-chen.toml"
KINDS = {"radicale": LoggedRadicale, "xandikos": CountlessXandikos, "sabredav": SabreDAVServer}


def behind(server: CalDAVServer, relay: LatencyRelay) -> CalDAVServer:
    """The same server as the clients see it: every URL goes through the relay.

    A shallow copy whose port is the relay's; it shares the log (request counts) and must
    never be stopped itself.
    """
    view = copy.copy(server)
    view.port = relay.port
    return view


def default_range_events() -> tuple[str, date, list[DesiredEvent]]:
    """The family id, the range start, and PARENT's events over ``pc-calendar sync``'s
    default range as of today (552 for alex in December 2026)."""
    from pc_calendar.cli.sync import default_range
    from pc_calendar.plugins import get_plugin_manager
    from pc_calendar.sync.runner import SyncOptions, desired_for, prepare_family

    pm = get_plugin_manager()
    start, end = default_range(date.today())
    options = SyncOptions(start=start, end=end)
    work = prepare_family(PLAN, options, [PARENT], pm)
    return work.plan.family.id, start, desired_for(work, work.targets[0], options, pm)


def pc_calendar_runs(
    calendar: CalendarRef, events: list[DesiredEvent], start: date, state: Path, extra: dict
) -> list[Run]:
    """Cold push, the first no-op right after it, and a no-op after SETTLE seconds."""
    runs = []
    for index in range(3):
        if index == 2:
            time.sleep(SETTLE)
        seconds, summary = sync(calendar, events, state, start, **extra)
        runs.append(Run(seconds, summary.requests, summary.writes))
    if runs[0].writes != len(events) or runs[1].writes or runs[2].writes:
        raise SystemExit(f"pc-calendar did not push exactly once: {runs}")
    return runs


def bench_caldav(
    kind: str, events: list[DesiredEvent], start: date, rtt: float, args, work: Path
) -> None:
    """One CalDAV server behind the relay: baselines, vdirsyncer, pc-calendar."""
    folder = work / kind
    folder.mkdir()
    server = KINDS[kind](folder)
    os.environ[server.password_env] = server.password or ""
    server.start()
    relay = LatencyRelay(server.port, rtt / 2).start()
    try:
        print(f"\n== {kind}, {len(events)} events, {rtt * 1000:.0f} ms round trip")
        view = behind(server, relay)

        def fresh() -> CalendarRef:
            return CalendarRef(view, server.new_calendar().path)

        loopback8 = raw_puts(server, CalendarRef(server, server.new_calendar().path), events, 8)
        loopback1 = raw_puts(server, CalendarRef(server, server.new_calendar().path), events, 1)
        print(
            f"  on loopback (no relay): PUT loop {loopback1.seconds:.2f} s, 8 connections "
            f"{loopback8.seconds:.2f} s -> {loopback1.seconds / loopback8.seconds:.2f}x from "
            "concurrency where the network costs nothing"
        )
        one = raw_puts(view, fresh(), events, 1)
        eight = raw_puts(view, fresh(), events, 8)
        print(line("raw PUT loop, 1 keep-alive connection", one, eight))
        print(line("raw PUTs, 8 keep-alive connections", eight, eight))
        # Whether the server writes concurrently shows where the network costs nothing;
        # behind the relay, more connections also overlap round trips with its work.
        gain = loopback1.seconds / loopback8.seconds
        verdict = "concurrent" if gain >= 1.5 else "serialised by the server"
        print(
            f"  {kind}: on loopback 8 connections are {gain:.2f}x one: writes {verdict}; "
            f"behind the relay {one.seconds / eight.seconds:.2f}x"
        )
        if args.vdirsyncer and kind == "radicale":
            vdir = write_vdir(folder / "vdir", events)
            theirs = vdirsyncer_in_process(view, fresh(), vdir, folder / "vdirsyncer.sqlite", 2)
            print(line("vdirsyncer (in-process), cold push", theirs[0], eight))
            print(line("vdirsyncer, first no-op", theirs[1], None))
        ratios: dict[int, list[float]] = {n: [] for n in args.in_flight}
        for round_ in range(args.repeat):
            if round_:  # the machine's load drifts: each round has its own baseline
                eight = raw_puts(view, fresh(), events, 8)
                print(f"  -- round {round_ + 1}")
                print(line("raw PUTs, 8 keep-alive connections", eight, eight))
            for in_flight in args.in_flight:
                extra = {"max_in_flight": in_flight} if in_flight else {}
                state = folder / f"state-{in_flight}-{round_}.sqlite"
                runs = pc_calendar_runs(fresh(), events, start, state, extra)
                name = f"max_in_flight={in_flight}" if in_flight else "default settings"
                ratios[in_flight].append(runs[0].seconds / eight.seconds)
                mark = "ok" if ratios[in_flight][-1] <= TARGET else "MISSED"
                print(line(f"pc-calendar ({name}), cold push", runs[0], eight) + f"  {mark}")
                print(line("pc-calendar, first no-op after the push", runs[1], None))
                print(line(f"pc-calendar, no-op after {SETTLE:.0f} s still", runs[2], None))
        if args.repeat > 1:
            for in_flight, found in ratios.items():
                label = f"max_in_flight={in_flight or 'default'}: cold push / 8-connection loop"
                print(rounds_line(label, found))
    finally:
        relay.stop()
        server.stop()


def bench_google(events: list[DesiredEvent], family: str, start: date, rtt: float) -> None:
    """The Google emulator behind the relay: the engine's batched cold push."""
    from google_emulator import GoogleEmulator

    from pc_calendar.backends.google import GoogleBackend
    from pc_calendar.backends.google_config import read_settings

    emu = GoogleEmulator().start()
    relay = LatencyRelay(int(emu.root_url.rsplit(":", 1)[1].strip("/")), rtt / 2).start()
    try:
        root = f"http://127.0.0.1:{relay.port}/"
        settings = read_settings(
            {
                "calendar_id": "primary",
                "credentials": "anonymous",
                "api_endpoint": root + "calendar/v3/",
                "batch_uri": root + "batch/calendar/v3",
            },
            {"parent_id": PARENT},
        )
        clock = FakeClock()
        backend = GoogleBackend(settings, family, sleep=clock.sleep, clock=clock)
        with tempfile.TemporaryDirectory() as tmp:
            calls = len(emu.calls)
            began = time.perf_counter()
            summary = google_sync(backend, events, Path(tmp) / "state.sqlite", start)
            seconds = time.perf_counter() - began
        if not summary.ok or summary.created != len(events):
            raise SystemExit(f"google push failed: {summary.error or summary.problems}")
        print(f"\n== google emulator, {len(events)} events, {rtt * 1000:.0f} ms round trip")
        push = Run(seconds, len(emu.calls) - calls)
        print(line("pc-calendar cold push (batches of 50)", push, None))
        print(f"  (pacing at Google's per-user rate would add {clock.now:.1f} s; simulated)")
    finally:
        relay.stop()
        emu.stop()


def google_sync(backend, events: list[DesiredEvent], state: Path, start: date):
    """The engine's sync into Google, as bench_google runs it, from ``start``."""
    from pc_calendar.sync.apply import RetryPolicy
    from pc_calendar.sync.runner import SyncOptions, sync_calendar
    from pc_calendar.sync.state import StateStore

    retry = RetryPolicy(sleep=lambda s: None)
    options = SyncOptions(start=start, end=date(2100, 1, 1), retry=retry, yes=True)
    with StateStore(state) as store:
        return sync_calendar(backend, events, store, f"bench/{PARENT}", options, PARENT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rtt-ms", type=float, default=40.0)
    parser.add_argument("--events", type=int, default=0, help="push only the first N events")
    parser.add_argument("--servers", default="radicale,xandikos,sabredav,google")
    parser.add_argument(
        "--in-flight",
        default="0",
        help="comma-separated max_in_flight values for pc-calendar (0: the target's default)",
    )
    parser.add_argument("--no-vdirsyncer", action="store_true")
    parser.add_argument(
        "--tls-proxy",
        default="caddy",
        choices=["caddy", "nginx", "none"],
        help="also push into each CalDAV server through this TLS proxy offering HTTP/2",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of (8-connection loop, pc-calendar)"
    )
    args = parser.parse_args()
    enter_private_network()
    sys.stdout.reconfigure(line_buffering=True)
    args.in_flight = [int(n) for n in args.in_flight.split(",")]
    args.vdirsyncer = not args.no_vdirsyncer and have_vdirsyncer()
    family, start, every = default_range_events()
    events = every[: args.events or None]
    rtt = args.rtt_ms / 1000
    print(
        f"{PARENT}'s events of {PLAN.name} in sync's default range from {start}: "
        f"{len(every)} (pushing {len(events)})"
    )
    if not args.vdirsyncer:
        print("vdirsyncer: not run (not installed or --no-vdirsyncer)")
    work = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    try:
        for kind in args.servers.split(","):
            if kind == "sabredav" and not have_sabredav():
                print("\nsabredav: not run (apt-get install php-cli php-sqlite3 php-sabre-dav)")
            elif kind == "google":
                bench_google(events, family, start, rtt)
            else:
                bench_caldav(kind, events, start, rtt, args, work)
                if args.tls_proxy == "none":
                    continue
                if not shutil.which(args.tls_proxy, path=f"{os.environ['PATH']}:/usr/sbin"):
                    print(f"\n{kind} behind {args.tls_proxy}: not run ({args.tls_proxy} missing)")
                else:
                    bench_caldav_tls(KINDS[kind], kind, events, start, rtt, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
