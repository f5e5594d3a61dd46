"""A no-op ``pc-calendar sync`` as a whole process, through a real network's round trip.

Run (as root, or wherever ``unshare -n`` works): ``python3 benchmarks/bench_noop.py
[--rtt-ms 40] [--runs 9]``.

Inside a private network namespace (see :mod:`latency_relay`) a logged Radicale sits
behind a relay adding the round trip. Alex's calendar of the example plan is pushed
there once; then, each as its own process and timed from spawn to exit:

- ``curl``: the one request a steady no-op sends (the calendar's last-modified
  PROPFIND), the baseline of issue 15 (target: the quick no-op within 2x of it);
- a one-request Python process (``http.client``): the interpreter's start-up plus the
  same request, the floor any Python tool pays;
- ``pc-calendar sync PLAN --parent alex``: the quick no-op (no plan loaded, no caldav
  imported; see ``pc_calendar.sync.quick``);
- the same with the quick entry removed before each run: the full no-op, as before.

Requests are counted from Radicale's log. Radicale's built-in server closes the
connection after each reply, so every process also pays a connection's round trip.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench_caldav import LoggedRadicale  # noqa: E402
from bench_startup import tool  # noqa: E402
from latency_relay import LatencyRelay, enter_private_network  # noqa: E402

from pc_calendar.backends.dav_bodies import LAST_MODIFIED_BODY  # noqa: E402

PLAN = ROOT / "examples" / "rivera-chen.toml"
TARGET = 2.0  # issue 15: a no-op within 2x of a one-request curl through the same link
SETTLE = 3.0  # seconds for Radicale's last-modified to become a trusted stamp

ONE_REQUEST = """
import base64, http.client, sys
url, path, user, password, body = sys.argv[1:]
host, port = url.split("//")[1].strip("/").split(":")
conn = http.client.HTTPConnection(host, int(port), timeout=30)
auth = base64.b64encode(f"{user}:{password}".encode()).decode()
conn.request("PROPFIND", path, body.encode(), {"Depth": "0", "Authorization": "Basic " + auth,
             "Content-Type": "application/xml; charset=utf-8"})
response = conn.getresponse()
response.read()
sys.exit(0 if response.status == 207 else 1)
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``cmd``, as its own process."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read() if proc.stderr else b""
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {errors[-400:]!r}")
    return seconds, usage.ru_utime + usage.ru_stime


def series(
    cmd: list[str], env: dict[str, str], runs: int, server: LoggedRadicale, before=None
) -> tuple[float, float, float, float]:
    """Median and fastest wall seconds, median CPU seconds of ``runs`` runs (after a
    warm-up), and requests per run."""
    if before:
        before()
    timed(cmd, env)
    samples, requests = [], []
    for _ in range(runs):
        if before:
            before()
        count = server.requests_logged()
        samples.append(timed(cmd, env))
        time.sleep(0.2)  # the log line may follow the reply
        requests.append(server.requests_logged() - count)
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    return wall, min(s[0] for s in samples), cpu, statistics.median(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rtt-ms", type=float, default=40.0)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    enter_private_network()
    sys.stdout.reconfigure(line_buffering=True)
    work = Path(tempfile.mkdtemp(prefix="bench-noop-"))
    (work / "radicale").mkdir()
    server = LoggedRadicale(work / "radicale")
    os.environ[server.password_env] = server.password or ""
    server.start()
    relay = LatencyRelay(server.port, args.rtt_ms / 2000).start()
    try:
        run(args, work, server, relay)
    finally:
        relay.stop()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, server: LoggedRadicale, relay) -> None:
    calendar = server.new_calendar()
    url = f"http://127.0.0.1:{relay.port}/"
    plan = work / "family.toml"
    shutil.copy(PLAN, plan)
    target = {"type": "caldav", "url": url, "calendar": calendar.path}
    target |= {"username": server.username, "password_env": server.password_env}
    items = ", ".join(f"{k} = {json.dumps(v)}" for k, v in target.items())
    (work / "calendars.toml").write_text(f"alex = {{ {items} }}\n")
    env = dict(os.environ, PC_CALENDAR_DATA_DIR=str(work / "data"))
    # as installed: bytecode is written once and reused (pip compiles it at install)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    sync = [tool("pc-calendar"), "sync", str(plan), "--parent", "alex"]
    began = time.perf_counter()
    count = server.requests_logged()
    timed(sync, env)
    print(
        f"alex's calendar of {PLAN.name} pushed through a {args.rtt_ms:.0f} ms round trip "
        f"in {time.perf_counter() - began:.1f} s ({server.requests_logged() - count} requests)"
    )
    print(f"load average: {os.getloadavg()[0]:.2f} (wall times are medians of {args.runs})")
    time.sleep(SETTLE)
    timed(sync, env)  # the first no-op after the push settles the stamp
    time.sleep(SETTLE)
    state = work / "data" / "sync-state.sqlite"

    def forget() -> None:
        with sqlite3.connect(state) as db:
            db.execute("DELETE FROM quick_noop")

    curl = shutil.which("curl")
    rows: dict[str, tuple[float, float, float, float]] = {}
    if curl:
        rows["curl, one PROPFIND (baseline)"] = series(
            [curl, "-sf", "-o", "/dev/null", "-X", "PROPFIND", "-H", "Depth: 0",
             "-H", "Content-Type: application/xml; charset=utf-8", "--data", LAST_MODIFIED_BODY,
             "-u", f"{server.username}:{server.password}", url + calendar.path.lstrip("/")],
            env, args.runs, server,
        )  # fmt: skip
    rows["python http.client, one PROPFIND"] = series(
        [sys.executable, "-c", ONE_REQUEST, url, calendar.path, server.username or "",
         server.password or "", LAST_MODIFIED_BODY],
        env, args.runs, server,
    )  # fmt: skip
    rows["pc-calendar sync, quick no-op"] = series(sync, env, args.runs, server)
    rows["pc-calendar sync, full no-op (no entry)"] = series(sync, env, args.runs, server, forget)
    print(f"\n{'whole process':42} {'wall ms':>8} {'fastest':>8} {'CPU ms':>7} {'requests':>9}")
    for name, (seconds, fastest, cpu, requests) in rows.items():
        print(
            f"{name:42} {seconds * 1000:8.0f} {fastest * 1000:8.0f} {cpu * 1000:7.0f} "
            f"{requests:9.0f}"
        )
    base_name = next(iter(rows))
    base = rows[base_name]
    for name in ("pc-calendar sync, quick no-op", "pc-calendar sync, full no-op (no entry)"):
        ratio, best = rows[name][0] / base[0], rows[name][1] / base[1]
        mark = ("ok" if ratio <= TARGET else "MISSED") if "quick" in name else ""
        print(
            f"{name} / {base_name.split(',')[0]}: {ratio:.2f}x wall (medians) {mark}, "
            f"{best:.2f}x fastest runs"
        )
    if not curl:
        print("curl is not installed: the baseline is the one-request python process")


if __name__ == "__main__":
    main()
