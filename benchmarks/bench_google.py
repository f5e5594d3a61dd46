"""Google backend cost against the local Calendar v3 emulator: HTTP calls and quota units.

Run: ``python3 benchmarks/bench_google.py [--years 18]``.

For one parent (alex) of the shipped example plan it measures, in one run:

- cold push of the whole range: (1) through the sync engine, (2) batched
  (one listing, then ``apply_batch`` 50 writes per HTTP call: what the engine costs once
  it sends writes through ``Backend.apply_batch``), and (3) the naive baseline, one
  ``events.insert`` per event with the plain client;
- no-op re-sync through the sync engine;
- one swap (an override giving Sam a day of Alex's): through the engine, and batched.

Targets (issue 4): cold push <= ceil(events/50) calls + a constant; no-op <= 1 call per
calendar; one swap <= 2 calls. Quota units are Google's (one per request or batch part,
so batching saves calls, not quota). Pacing is simulated (a fake clock): the report says
how long the push would take at the default rate instead of sleeping.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import example_events  # noqa: E402
from google_emulator import GoogleEmulator  # noqa: E402

from pc_calendar.backends.base import DesiredEvent, WriteOp  # noqa: E402
from pc_calendar.backends.google import GoogleBackend  # noqa: E402
from pc_calendar.backends.google_config import read_settings  # noqa: E402
from pc_calendar.backends.google_events import event_body  # noqa: E402
from pc_calendar.sync.apply import RetryPolicy  # noqa: E402
from pc_calendar.sync.runner import SyncOptions, sync_calendar  # noqa: E402
from pc_calendar.sync.state import StateStore  # noqa: E402

FIRST = example_events.FIRST
PARENT = "alex"


class FakeClock:
    """Pacing without waiting: sleeping advances the clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def desired(years: int, swap: bool = False) -> tuple[str, list[DesiredEvent]]:
    family, events = example_events.desired_events(years, swap)
    return family, events[PARENT]


def backend(emu: GoogleEmulator, family: str, clock: FakeClock, calendar: str) -> GoogleBackend:
    settings = read_settings(
        {
            "calendar_id": calendar,
            "credentials": "anonymous",
            "api_endpoint": emu.api_endpoint,
            "batch_uri": emu.batch_uri,
        },
        {"parent_id": PARENT},
    )
    return GoogleBackend(settings, family, sleep=clock.sleep, clock=clock)


class Meter:
    """Calls and quota units the emulator saw between start() and stop()."""

    def __init__(self, emu: GoogleEmulator) -> None:
        self.emu = emu

    def __enter__(self) -> Meter:
        self.calls0, self.units0, self.t0 = len(self.emu.calls), self.emu.quota_units, time.time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls = len(self.emu.calls) - self.calls0
        self.units = self.emu.quota_units - self.units0
        self.seconds = time.time() - self.t0


def engine_sync(b: GoogleBackend, events: list[DesiredEvent], state: Path, years: int):
    options = SyncOptions(
        start=FIRST,
        end=date(FIRST.year + years, 1, 1),
        retry=RetryPolicy(sleep=lambda s: None),
        yes=True,
    )
    with StateStore(state) as store:
        return sync_calendar(b, events, store, f"bench/{PARENT}", options, PARENT)


def batched_push(b: GoogleBackend, events: list[DesiredEvent]):
    listing = b.list()
    assert listing.events == [], "the batched push starts from an empty calendar"
    results = b.apply_batch([WriteOp("create", event=e) for e in events])
    failed = [r for r in results if isinstance(r, Exception)]
    assert not failed, failed[:3]
    return b.list()


def batched_swap(b: GoogleBackend, token: str | None, known: dict, after: list[DesiredEvent]):
    """What a batching engine does: one delta listing, one batch of the changes."""
    delta = b.list(token)
    assert not delta.full and not delta.events, "nothing changed since the push"
    wanted = {d.uid: d for d in after}
    ops = [
        WriteOp("update", event=d, remote=known[d.uid])
        if d.uid in known
        else WriteOp("create", event=d)
        for d in after
        if d.uid not in known or known[d.uid].content_hash != d.content_hash
    ]
    ops += [WriteOp("delete", remote=r) for uid, r in known.items() if uid not in wanted]
    results = b.apply_batch(ops)
    assert not [r for r in results if isinstance(r, Exception)]
    return len(ops)


def naive_push(emu: GoogleEmulator, family: str, events: list[DesiredEvent], calendar: str):
    service = emu.service()
    api = service.events()
    for event in events:
        api.insert(calendarId=calendar, body=event_body(event, family)).execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=18)
    args = parser.parse_args()
    family, before = desired(args.years)
    _, after = desired(args.years, swap=True)
    n = len(before)
    print(f"{args.years} years from {FIRST}, parent {PARENT}: {n} events")
    emu = GoogleEmulator().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = []
            clock = FakeClock()
            engine = backend(emu, family, clock, "primary")
            state = Path(tmp) / "state.sqlite"
            with Meter(emu) as cold:
                summary = engine_sync(engine, before, state, args.years)
            assert summary.ok and summary.created == n, summary.error
            rows.append(("cold push, sync engine", cold, clock.now))
            with Meter(emu) as readback:
                summary = engine_sync(engine, before, state, args.years)
            assert summary.writes == 0
            rows.append(("first re-sync (reads back push)", readback, 0.0))
            with Meter(emu) as noop:
                summary = engine_sync(engine, before, state, args.years)
            assert summary.writes == 0
            rows.append(("no-op re-sync, engine", noop, 0.0))
            with Meter(emu) as swap:
                summary = engine_sync(engine, after, state, args.years)
            rows.append((f"swap, engine ({summary.writes} writes)", swap, 0.0))

            batch_clock = FakeClock()
            cal = emu.add_calendar(calendar_id=None, summary="Kids (batched)")
            batched = backend(emu, family, batch_clock, cal)
            with Meter(emu) as push:
                listing = batched_push(batched, before)
            rows.append(("cold push, batched", push, batch_clock.now))
            known = {r.uid: r for r in listing.events}
            with Meter(emu) as bswap:
                writes = batched_swap(batched, listing.token, known, after)
            rows.append((f"swap, batched ({writes} writes)", bswap, 0.0))

            naive_cal = emu.add_calendar(calendar_id=None, summary="Kids (naive)")
            with Meter(emu) as naive:
                naive_push(emu, family, before, naive_cal)
            rows.append(("cold push, naive inserts", naive, 0.0))
    finally:
        emu.stop()

    print(f"{'':34} {'calls':>7} {'quota':>7} {'wall s':>8} {'paced s':>8}")
    for name, meter, paced in rows:
        print(f"{name:34} {meter.calls:7d} {meter.units:7d} {meter.seconds:8.2f} {paced:8.1f}")
    limit = math.ceil(n / 50)
    print()
    print(f"targets ({n} events):")
    print(
        f"  cold push batched: {push.calls} calls = ceil({n}/50) + {push.calls - limit} "
        f"(target: ceil(events/50) + a constant) -> {naive.calls / push.calls:.1f}x fewer "
        "calls than naive"
    )
    print(
        f"  no-op re-sync: {noop.calls} call(s) (target <= 1); the first run after the push "
        f"costs {readback.calls}: its delta holds the push's own {n} writes, 2500 a page"
    )
    note = "" if swap.calls <= 2 else " (one call per write: the engine does not batch yet)"
    print(
        f"  swap: {swap.calls} calls through the engine{note}, {bswap.calls} batched (target <= 2)"
    )
    print(f"  cold push through the engine: {cold.calls} calls{note}")
    print(
        f"  pacing at 570 requests/min: cold push would take {push_minutes(batch_clock):.1f} min "
        "(Google counts each batch part)"
    )


def push_minutes(clock: FakeClock) -> float:
    return clock.now / 60


if __name__ == "__main__":
    main()
