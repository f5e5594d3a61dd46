"""A coordinator's daily no-op ``pc-calendar sync FOLDER``, quick path against full path.

Run: ``python3 benchmarks/bench_caseload_noop.py [--families 20,50] [--runs 5]
[--targets ics,caldav] [--months 3]``.

For each target kind and caseload size, a folder of copies of the example plan (each
its own family id), both parents' calendars either ics folders or fresh collections on
a logged Radicale the script starts on 127.0.0.1 (temp storage, removed afterwards). The
caseload is pushed once and settled; then ``pc-calendar sync FOLDER`` runs as its own
process, timed from spawn to exit (wall, and CPU from ``wait4``):

- quick: as a coordinator's cron runs it, every family answered by the quick no-op
  (:mod:`pc_calendar.sync.caseload_quick`);
- full: the same with the quick entries deleted before each run (as ``bench_noop.py``
  and the tests disable the quick path), so every family loads its plan, computes its
  timeline and lists its calendars, as every run did before.

Printed per row: median and fastest wall ms, median CPU ms, the full/quick ratios, and
requests per calendar (the backends' own count from ``--json``; for Radicale also its
log's count). No network latency is added (``bench_noop.py`` does that for one plan).
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_caldav import LoggedRadicale  # noqa: E402

PLAN = ROOT / "examples" / "rivera-chen.toml"
FIRST = "2027-01-01"
SETTLE = 3.0  # seconds for Radicale's last-modified to become a trusted stamp
CLI = "import sys; from pc_calendar.cli import main; sys.argv[0] = 'pc-calendar'; main()"


def write_caseload(folder: Path, count: int, server: LoggedRadicale | None) -> None:
    """``count`` families in ``folder``: ics folders, or calendars on ``server``."""
    text = PLAN.read_text()
    folder.mkdir(parents=True)
    for index in range(count):
        name = f"fam-{index:03d}"
        plan = text.replace('id = "rivera-chen"', f'id = "{name}"', 1)
        for parent in ("alex", "sam"):
            old = f'calendar = {{ type = "ics", folder = "out/{parent}" }}'
            assert old in plan, "the example plan changed its calendar lines"
            if server is None:
                new = f'calendar = {{ type = "ics", folder = "out/{name}/{parent}" }}'
            else:
                config = server.new_calendar().config(timeout=30)
                items = ", ".join(f"{k} = {json.dumps(v)}" for k, v in config.items())
                new = f"calendar = {{ {items} }}"
            plan = plan.replace(old, new)
        (folder / f"{name}.toml").write_text(plan)


def run_process(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU (user + system, from ``wait4``) seconds of ``cmd`` as its own process,
    and its stdout."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
        out.seek(0), err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"sync failed: {err.read()[-600:]!r}")
        return seconds, usage.ru_utime + usage.ru_stime, out.read().decode()


def series(cmd, env, runs, server, before=None) -> dict[str, float]:
    """Medians of ``runs`` runs after a warm-up: wall, fastest wall, CPU, requests."""
    if before:
        before()
    run_process(cmd, env)
    walls, cpus, ours, logged = [], [], [], []
    for _ in range(runs):
        if before:
            before()
        count = server.requests_logged() if server else 0
        wall, cpu, out = run_process(cmd, env)
        data = json.loads(out)
        if not data["ok"] or any(
            c["created"] + c["updated"] + c["deleted"] for c in data["calendars"]
        ):
            raise SystemExit("the no-op failed or wrote")
        walls.append(wall)
        cpus.append(cpu)
        ours.append(sum(c["requests"] for c in data["calendars"]) / len(data["calendars"]))
        if server:
            time.sleep(0.2)  # the log line may follow the reply
            logged.append((server.requests_logged() - count) / len(data["calendars"]))
    return {
        "wall": statistics.median(walls),
        "fastest": min(walls),
        "cpu": statistics.median(cpus),
        "requests": statistics.median(ours),
        "logged": statistics.median(logged) if logged else float("nan"),
    }


def measure(kind: str, count: int, args, work: Path, server) -> None:
    folder = work / f"{kind}-{count}" / "plans"
    state = folder.parent / "state.sqlite"
    write_caseload(folder, count, server if kind == "caldav" else None)
    env = dict(os.environ, PC_CALENDAR_LOCK_DIR=str(folder.parent / "locks"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode written, reused
    end = f"{2027 + (args.months - 1) // 12}-{(args.months - 1) % 12 + 1:02d}-28"
    cmd = [sys.executable, "-c", CLI, "sync", str(folder), "--state", str(state), "--json"]
    cmd += ["--from", FIRST, "--to", end]
    run_process(cmd, env)  # the push
    if kind == "caldav":
        time.sleep(SETTLE)
    run_process(cmd, env)  # the first no-op after the push settles the stamp
    if kind == "caldav":
        time.sleep(SETTLE)

    def forget() -> None:
        with sqlite3.connect(state) as db:
            db.execute("DELETE FROM quick_noop")

    live = server if kind == "caldav" else None
    full = series(cmd, env, args.runs, live, forget)
    run_process(cmd, env)  # leaves the entries again
    quick = series(cmd, env, args.runs, live)
    why = subprocess.run([*cmd, "-vv"], env=env, capture_output=True, text=True).stderr
    answered = why.count("quick no-op: quick no-op")
    if answered != count:  # every family must have been quick: else the row means little
        lines = [line for line in why.splitlines() if "quick no-op:" in line]
        print(f"! only {answered} of {count} families were quick, e.g. {lines[:1]}")
    for name, m in (("quick", quick), ("full", full)):
        logged = f"{m['logged']:6.2f}" if kind == "caldav" else f"{'-':>6}"
        print(
            f"{kind:6} {count:4d} {name:5} {m['wall'] * 1000:8.0f} {m['fastest'] * 1000:8.0f} "
            f"{m['cpu'] * 1000:8.0f} {m['requests']:8.2f} {logged}"
        )
    print(
        f"{kind:6} {count:4d} full/quick: {full['wall'] / quick['wall']:.2f}x wall (medians), "
        f"{full['fastest'] / quick['fastest']:.2f}x fastest, {full['cpu'] / quick['cpu']:.2f}x CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default="20,50")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--targets", default="ics,caldav")
    parser.add_argument("--months", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.families.split(",")]
    kinds = [k for k in args.targets.split(",") if k]
    if not all(1 <= n <= 500 for n in sizes) or not set(kinds) <= {"ics", "caldav"}:
        raise SystemExit("--families 1..500 each, --targets ics and/or caldav")
    if not 1 <= args.months <= 12:
        raise SystemExit("--months 1..12, please")
    sys.stdout.reconfigure(line_buffering=True)
    # the plans not under /dev: files there are never a quick entry's inputs (inputs.py)
    work = Path(tempfile.mkdtemp(prefix="bench-caseload-noop-"))
    shm = Path("/dev/shm")  # tmpfs when there is one: Radicale's fsyncs measure the disk
    storage = Path(tempfile.mkdtemp(prefix="bench-radicale-", dir=shm if shm.is_dir() else None))
    server = None
    if "caldav" in kinds:
        server = LoggedRadicale(storage)
        os.environ[server.password_env] = server.password or ""
        server.start()
    try:
        print(
            f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); wall and CPU are "
            f"medians of {args.runs} runs; requests per calendar"
        )
        print(
            f"{'target':6} {'fams':>4} {'path':5} {'wall ms':>8} {'fastest':>8} {'CPU ms':>8} "
            f"{'ours':>8} {'logged':>6}"
        )
        for kind in kinds:
            for count in sizes:
                measure(kind, count, args, work, server)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(storage, ignore_errors=True)


if __name__ == "__main__":
    main()
