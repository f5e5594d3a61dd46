"""Exchange-log speed: recording 100,000 outcomes, verifying them, and a year's report
for 100 families.

Run: ``python3 benchmarks/bench_exchanges.py [--records N] [--families N]``. Prints
wall-clock figures, ratios against the targets of issue 5 (recording < 5 ms per record;
a year's report < 1 s), and baselines measured in the same run: a bare SQLite INSERT per
transaction (what the hash chain and supersedes lookup add on top), reading the rows
and hashing their canonical bytes alone (the floor under ``exchange verify``), and the
engine's Timeline for the year alone (what the report adds on top).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time as clock
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pc_calendar.exchanges import service
from pc_calendar.exchanges.chain import Record, compute_hash
from pc_calendar.exchanges.receipts import receipt_json
from pc_calendar.exchanges.service import draft_record
from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.exchanges.verification import verify_log
from pc_calendar.plan.load import load_plan
from pc_calendar.schedule.engine import compute_timeline

EXAMPLE = Path(__file__).parents[1] / "examples" / "rivera-chen.toml"
RECORD_TARGET_MS = 5.0
REPORT_TARGET_S = 1.0
STATUSES = ("on-time", "on-time", "on-time", "late", "missed", "cancelled")


def draft_for(exchange, zone, i: int) -> Record:
    status = STATUSES[i % len(STATUSES)]
    return draft_record(
        exchange,
        zone,
        family="",
        status=status,
        minutes_late=(i % 45) if status == "late" else None,
        reported_by="coordinator",
        agreed_by=["alex", "sam"] if status == "cancelled" else [],
        recorded_at=datetime(2027, 6, 1, tzinfo=UTC) + timedelta(seconds=i),
        note=f"benchmark record {i}",
    )


def bench_recording(folder: Path, count: int) -> None:
    plan = load_plan(EXAMPLE)
    timeline = compute_timeline(plan, date(2026, 1, 1), date(2027, 1, 1))
    exchanges = timeline.merged_exchanges()
    drafts = [draft_for(exchanges[i % len(exchanges)], timeline.zone, i) for i in range(count)]

    baseline_db = folder / "baseline.sqlite3"
    conn = sqlite3.connect(baseline_db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, body TEXT)")
    baseline_n = min(count, 20_000)
    start = clock.perf_counter()
    for i in range(baseline_n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (drafts[i].note,))
        conn.execute("COMMIT")
    baseline_ms = (clock.perf_counter() - start) / baseline_n * 1000
    conn.close()

    path = folder / "rivera-chen.sqlite3"
    per_batch = []
    batch = max(count // 10, 1)
    with ExchangeStore.open(path, plan.family.id) as store:
        start = clock.perf_counter()
        for i, draft in enumerate(drafts):
            store.append(draft)
            if (i + 1) % batch == 0:
                now = clock.perf_counter()
                per_batch.append((now - start) / batch * 1000)
                start = now
    mean_ms = statistics.mean(per_batch)
    print(f"recording: {count:,} records appended, one transaction each (WAL, synchronous=FULL)")
    print(
        f"  mean {mean_ms:.3f} ms/record; first tenth {per_batch[0]:.3f}, last tenth "
        f"{per_batch[-1]:.3f} ms/record (growth x{per_batch[-1] / per_batch[0]:.2f})"
    )
    print(
        f"  target {RECORD_TARGET_MS} ms: ratio {mean_ms / RECORD_TARGET_MS:.3f} "
        f"({'OK' if max(per_batch) < RECORD_TARGET_MS else 'TOO SLOW'})"
    )
    print(
        f"  baseline bare INSERT+COMMIT: {baseline_ms:.3f} ms/record; chained append is "
        f"x{mean_ms / baseline_ms:.2f} of it"
    )
    bench_verify(path, plan.family.id, drafts)


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    """The fastest of ``runs`` timings (the first run also warms the page cache)."""
    timings = []
    for _ in range(runs):
        start = clock.perf_counter()
        result = work()
        timings.append(clock.perf_counter() - start)
    return min(timings), result


def bench_verify(path: Path, family: str, drafts: list[Record]) -> None:
    """``exchange verify`` of the whole log: the chain alone, then with a parent's
    receipts for every record, against the floor of reading the rows verify reads and
    hashing them (each the best of two runs, same warm cache)."""

    def read() -> list[dict]:
        with ExchangeStore.open(path, family, create=False) as store:
            return list(store.iter_exported())

    def hash_all() -> None:
        for row in rows:
            compute_hash({k: v for k, v in row.items() if k != "hash"})

    verify_s, result = best_of(2, lambda: verify_log(path, family))
    read_s, rows = best_of(2, read)
    hash_s, _ = best_of(2, hash_all)
    with ExchangeStore.open(path, family, create=False) as store:
        receipts = path.with_name("alex-receipts.json")
        receipts.write_text(json.dumps([receipt_json(r, "alex") for r in store.records()]))
    receipts_s, with_receipts = best_of(2, lambda: verify_log(path, family, receipts=[receipts]))
    n = result.chain.count
    assert result.ok and with_receipts.ok and n == len(drafts)
    print(f"verify: {n:,} records; database {path.stat().st_size / 1e6:.1f} MB")
    print(
        f"  exchange verify (chain): {verify_s:.2f} s, {n / verify_s:,.0f} records/s; "
        f"with {with_receipts.receipts_checked:,} receipts: {receipts_s:.2f} s"
    )
    print(
        f"  floor: reading the rows {read_s:.2f} s + hashing them {hash_s:.2f} s = "
        f"{read_s + hash_s:.2f} s; verify is x{verify_s / (read_s + hash_s):.2f} of it"
    )


def bench_reports(folder: Path, families: int) -> None:
    base = load_plan(EXAMPLE)
    start_day, end_day = date(2026, 1, 1), date(2027, 1, 1)
    now = datetime(2027, 1, 15, tzinfo=UTC)
    plans = []
    for n in range(families):
        plan = base.model_copy(
            update={"family": base.family.model_copy(update={"id": f"family-{n:03d}"})}
        )
        timeline = compute_timeline(plan, start_day, end_day)
        db = folder / f"family-{n:03d}.sqlite3"
        with ExchangeStore.open(db, plan.family.id) as store:
            for i, ex in enumerate(timeline.merged_exchanges()):
                if (i + n) % 7:  # leave some unrecorded
                    store.append(
                        replace(draft_for(ex, timeline.zone, i + n), family=plan.family.id)
                    )
        plans.append((plan, db))

    engine_times, report_times = [], []
    for plan, db in plans:
        t0 = clock.perf_counter()
        compute_timeline(plan, start_day - timedelta(1), end_day + timedelta(1))
        engine_times.append(clock.perf_counter() - t0)
        t0 = clock.perf_counter()
        report = service.make_report(
            plan,
            db,
            start_day,
            end_day,
            now=now,
            grace=timedelta(minutes=30),
            compute=compute_timeline,
        )
        report_times.append(clock.perf_counter() - t0)
        assert sum(p.scheduled for p in report.parents) > 0
    total = sum(report_times)
    worst = max(report_times)
    print(f"reports: a year ({start_day} to {end_day}) for {families} families, engine included")
    print(
        f"  total {total:.2f} s; mean {statistics.mean(report_times) * 1000:.1f} ms, "
        f"max {worst * 1000:.1f} ms per family"
    )
    verdict = "OK" if worst < REPORT_TARGET_S else "TOO SLOW"
    print(
        f"  target: a report under {REPORT_TARGET_S} s (issue 5): worst ratio "
        f"{worst / REPORT_TARGET_S:.3f} ({verdict}); all {families} reports together take "
        f"x{total / REPORT_TARGET_S:.2f} of one second"
    )
    print(
        f"  baseline engine Timeline alone: mean "
        f"{statistics.mean(engine_times) * 1000:.1f} ms; report is "
        f"x{statistics.mean(report_times) / statistics.mean(engine_times):.2f} of it"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--families", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-exchanges-") as tmp:
        bench_recording(Path(tmp), args.records)
        bench_reports(Path(tmp), args.families)


if __name__ == "__main__":
    main()
