"""CLI start-up as a user waits for it: whole processes, pc-calendar beside vdirsyncer.

Times ``--help``, ``check`` of the example and a no-op ``sync`` of the example (ics
target, already synced) as separate processes, each against its nearest vdirsyncer
counterpart measured in the same run (``vdirsyncer --help``; a no-op ``vdirsyncer sync``
of a filesystem pair holding the same events), plus the interpreter's own start-up as the
floor. Prints medians of wall and CPU time (user + system: the steadier figure on a busy
machine), peak memory (each process's own maximum RSS) and ratios.

    python3 benchmarks/bench_startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "rivera-chen.toml"


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one run of ``cmd``."""
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


def series(cmd: list[str], env: dict[str, str], cwd: Path, runs: int) -> tuple[float, float, float]:
    measure(cmd, env, cwd)  # warm the page cache and bytecode
    samples = [measure(cmd, env, cwd) for _ in range(runs)]
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
        max(s[2] for s in samples),
    )


def prepare(work: Path) -> tuple[dict[str, str], Path]:
    """The example synced once into an ics folder, and a vdirsyncer pair of its events."""
    plan = work / "family.toml"
    shutil.copy(EXAMPLE, plan)
    env = dict(os.environ, PC_CALENDAR_DATA_DIR=str(work / "data"))
    # An installed tool has its bytecode (pip compiles it); with PYTHONDONTWRITEBYTECODE
    # inherited, the warm-up run could not write it and every run would compile ~90
    # modules from source (~0.1 s that no user waits for).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(["pc-calendar", "sync", str(plan)], env=env, check=True,
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
        subprocess.run(["vdirsyncer", step], env=env, check=True, capture_output=True,
                       input=b"y\n" * 4)  # fmt: skip
    return env, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    for tool in ("pc-calendar", "vdirsyncer"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not on PATH (pip install -e '.[test]')")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env, plan = prepare(work)
        rows = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "pc-calendar --help": ["pc-calendar", "--help"],
            "vdirsyncer --help": ["vdirsyncer", "--help"],
            "pc-calendar check example": ["pc-calendar", "check", str(plan)],
            "pc-calendar sync example (no-op)": ["pc-calendar", "sync", str(plan)],
            "vdirsyncer sync (no-op, same events)": ["vdirsyncer", "sync"],
        }
        results = {name: series(cmd, env, work, args.runs) for name, cmd in rows.items()}
    print(f"{'command':40} {'median ms':>10} {'cpu ms':>7} {'peak MiB':>9}")
    for name, (seconds, cpu, mib) in results.items():
        print(f"{name:40} {seconds * 1000:10.0f} {cpu * 1000:7.0f} {mib:9.1f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    help_ratio = results["pc-calendar --help"][0] / results["vdirsyncer --help"][0]
    sync_ratio = (
        results["pc-calendar sync example (no-op)"][0]
        / results["vdirsyncer sync (no-op, same events)"][0]
    )
    print(f"\n--help: pc-calendar / vdirsyncer = {help_ratio:.2f}x")
    print(f"no-op sync: pc-calendar / vdirsyncer = {sync_ratio:.2f}x")


if __name__ == "__main__":
    main()
