"""CLI start-up as a user waits for it: whole processes, pc-calendar beside vdirsyncer.

Times ``--help``, ``check`` of the example and a no-op ``sync`` of the example (ics
target, already synced; the quick no-op, and the full one with the quick entry removed
before each run) as separate processes, each against its nearest vdirsyncer counterpart
measured in the same run (``vdirsyncer --help``; a no-op ``vdirsyncer sync`` of a
filesystem pair holding the same events), plus the interpreter's own start-up as the
floor. Prints medians of wall and CPU time, peak memory (each process's maximum RSS)
and ratios. Installed plugins load as for any user.

Both tools run from the console scripts beside this interpreter (a version manager's
shim on PATH would add its own start-up to both), and as installed: with bytecode
written once and reused (``PYTHONDONTWRITEBYTECODE`` is dropped for the children).

    python3 benchmarks/bench_startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "rivera-chen.toml"


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one run of ``cmd``."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.read()!r}")
    proc.stderr.close()
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def series(
    cmd: list[str], env: dict[str, str], cwd: Path, runs: int, before=None
) -> tuple[float, float, float]:
    """Medians of wall and CPU seconds, and the highest peak RSS, over ``runs`` runs."""
    if before:
        before()
    measure(cmd, env, cwd)  # warm the page cache and bytecode
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(measure(cmd, env, cwd))
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
        max(s[2] for s in samples),
    )


def tool(name: str) -> str:
    """The console script beside this interpreter (not a version manager's shim)."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not on PATH (pip install -e '.[test]')")
    return found


def prepare(work: Path) -> tuple[dict[str, str], Path]:
    """The example synced once into an ics folder, and a vdirsyncer pair of its events."""
    plan = work / "family.toml"
    shutil.copy(EXAMPLE, plan)
    env = dict(os.environ, PC_CALENDAR_DATA_DIR=str(work / "data"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode written, reused
    subprocess.run([tool("pc-calendar"), "sync", str(plan)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    vdir = work / "out" / "alex" / "vdir"
    copy = work / "vdirsyncer-b"
    copy.mkdir()
    config = work / "vdirsyncer.conf"
    config.write_text(
        f'[general]\nstatus_path = "{work / "vdirsyncer-status"}"\n\n'
        '[pair kids]\na = "kids_a"\nb = "kids_b"\ncollections = null\n\n'
        f'[storage kids_a]\ntype = "filesystem"\npath = "{vdir}"\nfileext = ".ics"\n\n'
        f'[storage kids_b]\ntype = "filesystem"\npath = "{copy}"\nfileext = ".ics"\n'
    )
    env["VDIRSYNCER_CONFIG"] = str(config)
    for step in ("discover", "sync"):
        subprocess.run([tool("vdirsyncer"), step], env=env, check=True, capture_output=True,
                       input=b"y\n" * 4)  # fmt: skip
    return env, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    pc, vdirsyncer = tool("pc-calendar"), tool("vdirsyncer")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env, plan = prepare(work)

        def forget() -> None:  # the next sync takes the full path
            with sqlite3.connect(work / "data" / "sync-state.sqlite") as db:
                db.execute("DELETE FROM quick_noop")

        rows = {
            "python -c pass (floor)": ([sys.executable, "-c", "pass"], None),
            "pc-calendar --help": ([pc, "--help"], None),
            "vdirsyncer --help": ([vdirsyncer, "--help"], None),
            "pc-calendar check example": ([pc, "check", str(plan)], None),
            "pc-calendar sync example (no-op)": ([pc, "sync", str(plan)], None),
            "pc-calendar sync example (full no-op)": ([pc, "sync", str(plan)], forget),
            "vdirsyncer sync (no-op, same events)": ([vdirsyncer, "sync"], None),
        }
        results = {
            name: series(cmd, env, work, args.runs, before) for name, (cmd, before) in rows.items()
        }
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print(f"{'command':40} {'wall ms':>8} {'CPU ms':>7} {'peak MiB':>9}")
    for name, (seconds, cpu, mib) in results.items():
        print(f"{name:40} {seconds * 1000:8.0f} {cpu * 1000:7.0f} {mib:9.1f}")
    help_ratio = results["pc-calendar --help"][0] / results["vdirsyncer --help"][0]
    vdir = results["vdirsyncer sync (no-op, same events)"]
    noop = results["pc-calendar sync example (no-op)"]
    print(f"\n--help: pc-calendar / vdirsyncer = {help_ratio:.2f}x")
    print(f"no-op sync: pc-calendar / vdirsyncer = {noop[0] / vdir[0]:.2f}x wall, "
          f"{noop[1] / vdir[1]:.2f}x CPU")  # fmt: skip


if __name__ == "__main__":
    main()
