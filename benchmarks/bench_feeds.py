"""Feed server load on loopback: requests per second and latency, against a baseline.

Run: ``python3 benchmarks/bench_feeds.py [--requests N] [--seconds S] [--clients C]``.

Each server runs in its own process (waitress, 4 threads) and the client in this one, so
the client's Python does not share the server's GIL. Scenarios, each bounded by both a
request count and a time limit:

- baseline 304: a trivial waitress WSGI app answering a fixed 304 (what waitress and
  the client cost by themselves);
- feed 304: a conditional GET with the feed's ETag (token lookup, fingerprint check of
  the plan and exchange log, validator comparison);
- feed 200 gzip / feed 200: the cached feed of the example plan over the default range
  (3 months back, 18 ahead), gzipped or not;
- baseline 200 gzip-sized: the trivial app returning a fixed body as large as the
  gzipped feed.

Prints req/s and p50/p90/p99 latency, the ratio to the baseline, and whether the target
of issue 7 (at least 1,000 req/s for 304s on a 2-core machine) is met.

Waitress closes the connection after every 304 (it sends no Content-Length for a
bodiless status, and without one it will not keep an HTTP/1.1 connection alive), so each
304 costs a new TCP connection, in the baseline as in the feed server.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rivera-chen.toml"
TARGET_304 = 1000.0


def _baseline_app(body_size: int):
    body = b"x" * body_size

    def app(environ, start_response):
        if body_size == 0:
            start_response("304 Not Modified", [("ETag", '"fixed"')])
            return [b""]
        start_response(
            "200 OK", [("Content-Type", "text/calendar"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return app


def _serve(kind: str, arg: int, folder: str, ports: mp.Queue) -> None:
    """Child process: build a server, report its port, serve until terminated."""
    os.environ["PC_CALENDAR_DATA_DIR"] = folder
    import logging

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" per request
    from pc_calendar.feeds.server import build_app, create

    if kind == "feeds":
        app = build_app([EXAMPLE], Path(folder) / "feeds.sqlite3", rate=None)
    else:
        app = _baseline_app(arg)
    server = create(app, "127.0.0.1", 0, threads=4)
    ports.put(int(server.effective_port))
    server.run()


class Server:
    def __init__(self, kind: str, folder: str, arg: int = 0) -> None:
        ctx = mp.get_context("spawn")
        ports = ctx.Queue()
        self.process = ctx.Process(target=_serve, args=(kind, arg, folder, ports), daemon=True)
        self.process.start()
        self.port = ports.get(timeout=120)

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def _load(port: int, path: str, headers: dict, clients: int, count: int, seconds: float):
    """``count`` requests over ``clients`` keep-alive connections, or until ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    per_client = max(1, count // clients)

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[i]
        seen: dict[int, int] = {}
        for _ in range(per_client):
            t0 = time.perf_counter()
            if t0 > deadline:
                break
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - t0)
            seen[resp.status] = seen.get(resp.status, 0) + 1
        conn.close()
        with lock:
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = sorted(x for xs in latencies for x in xs)
    return len(flat) / elapsed, flat, statuses, elapsed


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000


def _report(name: str, result, baseline: float | None = None) -> float:
    rps, lat, statuses, elapsed = result
    ratio = f"  {rps / baseline:5.2f}x baseline" if baseline else ""
    print(
        f"{name:<28}{rps:9.0f} req/s  p50 {_pct(lat, 50):6.2f} ms  p90 {_pct(lat, 90):6.2f} ms"
        f"  p99 {_pct(lat, 99):6.2f} ms  mean {statistics.fmean(lat) * 1000:6.2f} ms"
        f"  ({len(lat)} requests in {elapsed:.1f} s, status {statuses}){ratio}"
    )
    return rps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="per scenario")
    parser.add_argument("--seconds", type=float, default=15.0, help="per scenario, at most")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions")
    args = parser.parse_args()
    n, secs, clients = args.requests, args.seconds, args.clients

    with tempfile.TemporaryDirectory() as folder:
        os.environ["PC_CALENDAR_DATA_DIR"] = folder
        from pc_calendar.feeds.tokens import TokenStore, default_db_path

        store = TokenStore(default_db_path())
        token = store.issue("rivera-chen", "alex")
        store.close()
        path = f"/feeds/{token}.ics"

        started = time.perf_counter()
        feeds = Server("feeds", folder)
        print(f"feed server ready in {time.perf_counter() - started:.1f} s (feeds pre-rendered)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", feeds.port, timeout=30)
            conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            resp = conn.getresponse()
            gz_size = len(resp.read())
            etag = resp.getheader("ETag")
            conn.request("GET", path)
            resp = conn.getresponse()
            plain_size = len(resp.read())
            conn.close()
            print(f"alex's feed: {plain_size} bytes, {gz_size} gzipped; {clients} clients")

            base304 = Server("baseline", folder, 0)
            base200 = Server("baseline", folder, gz_size)
            gzip_hdr = {"Accept-Encoding": "gzip"}
            cond = {"If-None-Match": etag, **gzip_hdr}
            scenarios = [
                ("baseline 304 (trivial app)", base304.port, "/", {}, n, None),
                ("feed 304 (If-None-Match)", feeds.port, path, cond, n, 0),
                ("baseline 200 (same size)", base200.port, "/", {}, n // 2, None),
                ("feed 200 gzip (cached)", feeds.port, path, gzip_hdr, n // 2, 2),
                ("feed 200 identity (cached)", feeds.port, path, {}, n // 5, None),
            ]
            # Interleaved rounds: other load on the machine hits every scenario alike.
            results: list[list] = [[] for _ in scenarios]
            try:
                for _ in range(args.rounds):
                    for i, (_, port, p, headers, count, _) in enumerate(scenarios):
                        results[i].append(_load(port, p, headers, clients, count, secs))
            finally:
                base304.stop()
                base200.stop()
            print(f"median of {args.rounds} interleaved rounds:")
            rates = []
            for (name, *_, base_index), runs in zip(scenarios, results, strict=True):
                median = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
                rates.append(
                    _report(name, median, rates[base_index] if base_index is not None else None)
                )
            f304 = rates[1]
        finally:
            feeds.stop()

    verdict = "met" if f304 >= TARGET_304 else "NOT met"
    print(f"target >= {TARGET_304:.0f} req/s for 304s on {os.cpu_count()} cores: {verdict}")
    return 0 if f304 >= TARGET_304 else 1


if __name__ == "__main__":
    sys.exit(main())
