"""Check-ins per second the server sustains on loopback, with the chain verified after.

Run: ``python3 benchmarks/bench_checkin.py [--checkins N] [--seconds S] [--clients C]``.

The server (waitress, 4 threads, rate limits off) runs in its own process with its clock
pinned ten minutes before an exchange, serving two families; the clients run here, one
thread per connection, spread over the four parents' links. A check-in is what a phone
does: GET the page (for a fresh form token), then POST "I'm here" (answered 303 once the
record is committed). Scenarios, each bounded by count and time:

- baseline: the page GET alone (token lookup, plan view, log read, HTML);
- check-in: GET + POST, a record appended (``BEGIN IMMEDIATE``, WAL, synchronous=FULL);
- floor: ``ExchangeStore.append`` in one process without HTTP, the log's own cost.

At the end every family's chain is verified (and must hold exactly the acknowledged
records). Prints check-ins/s, p50/p90/p99 of a whole check-in, and the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import re
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rivera-chen.toml"
EXCHANGE = "2026-11-13T1500-sam-alex"
NOW = datetime(2026, 11, 13, 20, 50, tzinfo=UTC)
FORM = re.compile(r'name=csrf value="([^"]+)"><input type=hidden name=exchange value="([^"]+)"')


def _plans(folder: Path) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8") + '\n[checkin]\nurl = "https://cal.example.org"\n'
    paths = []
    for family in ("rivera-chen", "okafor-lind"):
        path = folder / f"{family}.toml"
        path.write_text(text.replace('id = "rivera-chen"', f'id = "{family}"'), encoding="utf-8")
        paths.append(path)
    return paths


def _serve(folder: str, ports: mp.Queue) -> None:
    """Child process: the feed and check-in server, port reported, serving until killed."""
    import logging

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    from pc_calendar.feeds.server import build_app, create

    data = Path(folder) / "data"
    app = build_app(
        _plans(Path(folder)),
        data / "feeds.sqlite3",
        rate=None,
        clock=lambda: NOW,
        exchange_db=lambda family: data / "exchanges" / f"{family}.sqlite3",
        months=(1, 2),
    )
    server = create(app, "127.0.0.1", 0, threads=4)
    ports.put(int(server.effective_port))
    server.run()


def _client(port: int, link: str, count: int, deadline: float, post: bool, out: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(count):
        started = time.perf_counter()
        if started > deadline:
            break
        conn.request("GET", link)
        page = conn.getresponse().read().decode()
        if post:
            csrf, exchange = FORM.search(page).groups()
            body = urlencode({"csrf": csrf, "exchange": exchange, "action": "here"}).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            conn.request("POST", link, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 303:
                raise SystemExit(f"check-in refused: {resp.status}")
        out.append(time.perf_counter() - started)
    conn.close()


def _load(port: int, links: list[str], clients: int, count: int, seconds: float, post: bool):
    results: list[list[float]] = [[] for _ in range(clients)]
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(port, links[i % len(links)], count // clients, deadline, post, results[i]),
        )
        for i in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = sorted(x for xs in results for x in xs)
    return len(flat) / elapsed, flat, elapsed


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def _floor(folder: Path, count: int) -> float:
    """Appends per second straight into a log, no HTTP: the store's own cost."""
    from pc_calendar.exchanges.recording import draft_record
    from pc_calendar.exchanges.store import ExchangeStore
    from pc_calendar.plan.load import load_plan
    from pc_calendar.schedule.engine import compute_timeline

    plan = load_plan(_plans(folder)[0])
    timeline = compute_timeline(
        plan, NOW.date() - timedelta(days=1), NOW.date() + timedelta(days=1)
    )
    [exchange] = [e for e in timeline.merged_exchanges() if e.id == EXCHANGE]
    draft = draft_record(
        exchange,
        timeline.zone,
        family=plan.family.id,
        status="on-time",
        minutes_late=None,
        reported_by="alex",
        agreed_by=[],
        recorded_at=NOW,
        note=None,
        channel="checkin",
    )
    with ExchangeStore.open(folder / "floor.sqlite3", plan.family.id) as store:
        started = time.perf_counter()
        for _ in range(count):
            store.append(draft)
        return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=2000, help="per scenario")
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario, at most")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "data"
        os.environ["PC_CALENDAR_DATA_DIR"] = str(data)
        from pc_calendar.exchanges.store import ExchangeStore
        from pc_calendar.feeds.checkin_tokens import CheckinTokens

        links_db = CheckinTokens(data)
        links = [
            f"/checkin/{links_db.issue(family, parent)}"
            for family in ("rivera-chen", "okafor-lind")
            for parent in ("alex", "sam")
        ]
        links_db.close()
        ctx = mp.get_context("spawn")
        ports = ctx.Queue()
        process = ctx.Process(target=_serve, args=(str(folder), ports), daemon=True)
        started = time.perf_counter()
        process.start()
        try:
            port = ports.get(timeout=300)
            print(f"server ready in {time.perf_counter() - started:.1f} s; {args.clients} clients")
            n, secs, c = args.checkins, args.seconds, args.clients
            _load(port, links, c, 40, secs, False)  # warm up
            page = _load(port, links, c, n, secs, False)
            checkin = _load(port, links, c, n, secs, True)
        finally:
            process.terminate()
            process.join(10)
        floor = _floor(folder, min(n, 500))

        total, verify_s = 0, 0.0
        for family in ("rivera-chen", "okafor-lind"):
            path = data / "exchanges" / f"{family}.sqlite3"
            with ExchangeStore.open(path, family, create=False) as store:
                t0 = time.perf_counter()
                result = store.verify()
                verify_s += time.perf_counter() - t0
            if not result.ok:
                raise SystemExit(f"{family}: chain broken: {result.problem}")
            total += result.count
        acknowledged = len(checkin[1])
        if total != acknowledged:
            raise SystemExit(f"{acknowledged} check-ins acknowledged but {total} records")

    rate, lat, elapsed = checkin
    print(
        f"page GET (baseline)   {page[0]:7.0f} pages/s    p50 {_pct(page[1], 50):6.1f} ms  "
        f"p99 {_pct(page[1], 99):6.1f} ms  ({len(page[1])} in {page[2]:.1f} s)"
    )
    print(
        f"check-in (GET+POST)   {rate:7.0f} check-ins/s p50 {_pct(lat, 50):6.1f} ms  "
        f"p90 {_pct(lat, 90):6.1f} ms  p99 {_pct(lat, 99):6.1f} ms  "
        f"mean {statistics.fmean(lat) * 1000:5.1f} ms  ({acknowledged} in {elapsed:.1f} s)"
    )
    print(f"log floor (append)    {floor:7.0f} appends/s, one process, no HTTP")
    print(
        f"ratios: check-in / page GET {rate / page[0]:.2f}x, check-in / log floor "
        f"{rate / floor:.2f}x"
    )
    print(f"chains verified: {total} records in 2 logs, all acknowledged, in {verify_s:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
