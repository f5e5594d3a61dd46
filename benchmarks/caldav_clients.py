"""The syncs bench_caldav times besides its own in-process one, each run like with like.

An in-process sync (interpreter up, imports warm) is only compared with an in-process
sync, and a command with a command: vdirsyncer through its Python API and as
``vdirsyncer sync``; pc-calendar as ``pc-calendar sync`` of a copy of the example plan
whose targets are the bench's calendars. Commands are the entry-point scripts beside
this interpreter (not a pyenv-style shim found first on PATH), so neither tool pays a
wrapper's start on top of its own. vdirsyncer gets a fresh connection pool per sync, as
each ``vdirsyncer sync`` has and as pc-calendar's backend has (one session per sync).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import subprocess
import sysconfig
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from servers import CalendarRef

from pc_calendar.backends.base import DesiredEvent
from pc_calendar.backends.caldav import safe_name


class LoggedServer(Protocol):
    """A bench server: where it is, how to log in, and its request count if it logs."""

    base_url: str
    username: str | None
    password: str | None

    @property
    def password_env(self) -> str: ...

    def requests_logged(self) -> int | None: ...


@dataclass(frozen=True)
class Run:
    """One sync: wall time, HTTP requests (None where nobody counted), events written."""

    seconds: float
    requests: int | None
    writes: int | None = None


def steady(runs: list[Run]) -> Run:
    """The median (by time) of the no-ops after the first; runs[0] is the cold push."""
    later = sorted(runs[2:], key=lambda r: r.seconds)
    return later[len(later) // 2]


@dataclass(frozen=True)
class Summary:
    """Cold push, first no-op and steady no-op, each summed over calendars."""

    cold: Run
    first: Run
    steady: Run


def summarize(per_calendar: Iterable[list[Run]]) -> Summary:
    """Sum each calendar's push, first no-op and own steady no-op (not a median of sums)."""
    picked = [(runs[0], runs[1], steady(runs)) for runs in per_calendar]
    return Summary(*(_sum(column) for column in zip(*picked, strict=True)))


def _sum(runs: Iterable[Run]) -> Run:
    runs = list(runs)
    requests = [r.requests for r in runs]
    writes = [r.writes for r in runs]
    return Run(
        sum(r.seconds for r in runs),
        None if None in requests else sum(requests),
        None if None in writes else sum(writes),
    )


def settle(run: int, seconds: float) -> None:
    """Before the steady no-ops (run 2 on: 0 is the push, 1 the first no-op), let the
    calendar sit still, as it does between real runs (see bench_caldav's SETTLE)."""
    if run == 2:
        time.sleep(seconds)


def command(name: str) -> str | None:
    """The entry-point script installed with this interpreter, else the one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / name
    return str(beside) if beside.exists() else shutil.which(name)


def have_vdirsyncer() -> bool:
    return importlib.util.find_spec("vdirsyncer") is not None and command("vdirsyncer") is not None


def write_vdir(folder: Path, desired: list[DesiredEvent]) -> Path:
    """A vdir holding the same .ics bodies pc-calendar pushes, for vdirsyncer to sync."""
    folder.mkdir(parents=True)
    for event in desired:
        (folder / safe_name(event.uid)).write_bytes(event.ical)
    return folder


def _since(server: LoggedServer, before: int | None) -> int | None:
    after = server.requests_logged()
    return None if before is None or after is None else after - before


def vdirsyncer_in_process(
    server: LoggedServer,
    calendar: CalendarRef,
    vdir: Path,
    status: Path,
    runs: int,
    quiet: float = 0.0,
) -> list[Run]:
    """``runs`` syncs of ``vdir`` into ``calendar`` through vdirsyncer's API (cold first)."""
    import aiohttp
    from vdirsyncer.storage.dav import CalDAVStorage
    from vdirsyncer.storage.filesystem import FilesystemStorage
    from vdirsyncer.sync import sync
    from vdirsyncer.sync.status import SqliteStatus

    url = server.base_url.rstrip("/") + calendar.path
    auth = {"username": server.username, "password": server.password} if server.username else {}

    async def once() -> float:
        began = time.perf_counter()
        async with aiohttp.TCPConnector(limit_per_host=16) as connector:  # as its CLI does
            local = FilesystemStorage(str(vdir), ".ics")
            remote = CalDAVStorage(url=url, connector=connector, **auth)
            state = SqliteStatus(str(status))
            try:
                await sync(local, remote, state, conflict_resolution="a wins")
            finally:
                state.close()
        return time.perf_counter() - began

    results = []
    for run in range(runs):
        settle(run, quiet)
        before = server.requests_logged()
        seconds = asyncio.run(once())
        results.append(Run(seconds, _since(server, before)))
    return results


def vdirsyncer_cli(
    server: LoggedServer,
    pairs: dict[str, tuple[CalendarRef, Path]],
    work: Path,
    runs: int,
    quiet: float = 0.0,
) -> list[Run]:
    """``runs`` × ``vdirsyncer sync`` of one pair per parent, all in one process per run."""
    work.mkdir(parents=True)
    text = f'[general]\nstatus_path = "{work / "status"}"\n'
    for name, (calendar, vdir) in pairs.items():
        text += (
            f'\n[pair {name}]\na = "{name}_local"\nb = "{name}_remote"\ncollections = null\n'
            'conflict_resolution = "a wins"\n\n'
            f'[storage {name}_local]\ntype = "filesystem"\npath = "{vdir}"\nfileext = ".ics"\n\n'
            f'[storage {name}_remote]\ntype = "caldav"\n'
            f'url = "{server.base_url.rstrip("/")}{calendar.path}"\n'
        )
        if server.username:
            text += (
                f'username = "{server.username}"\n'
                f'password.fetch = ["command", "printenv", "{server.password_env}"]\n'
            )
    config = work / "config"
    config.write_text(text)
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config)}
    vdirsyncer = command("vdirsyncer") or "vdirsyncer"
    subprocess.run(
        [vdirsyncer, "discover"], env=env, check=True, capture_output=True, input=b"y\n" * 8
    )
    results = []
    for run in range(runs):
        settle(run, quiet)
        before = server.requests_logged()
        began = time.perf_counter()
        subprocess.run([vdirsyncer, "sync"], env=env, check=True, capture_output=True)
        results.append(Run(time.perf_counter() - began, _since(server, before)))
    return results


def _target(server: LoggedServer, calendar: CalendarRef) -> str:
    lines = ['type = "caldav"', f'url = "{server.base_url}"', f'calendar = "{calendar.path}"']
    if server.username:
        lines += [f'username = "{server.username}"', f'password_env = "{server.password_env}"']
    return "\n".join(lines)


def pc_calendar_cli(
    server: LoggedServer,
    calendars: dict[str, CalendarRef],
    plan: Path,
    work: Path,
    span: tuple[date, date],
    runs: int,
    quiet: float = 0.0,
) -> list[Run]:
    """``runs`` × ``pc-calendar sync`` of a copy of ``plan`` into ``calendars`` (one per
    parent, given in a calendars.toml beside the copy); requests as the CLI counts them."""
    work.mkdir(parents=True)
    copy = work / plan.name
    shutil.copyfile(plan, copy)
    (work / "calendars.toml").write_text(
        "\n\n".join(f"[{pid}]\n{_target(server, cal)}" for pid, cal in calendars.items()) + "\n"
    )
    cmd = [
        command("pc-calendar") or "pc-calendar",
        "sync",
        str(copy),
        "--state",
        str(work / "state.sqlite"),
        "--from",
        span[0].isoformat(),
        "--to",
        span[1].isoformat(),
        "--json",
    ]
    results = []
    for run in range(runs):
        settle(run, quiet)
        began = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"pc-calendar sync failed ({done.returncode}): {done.stderr[-2000:]}")
        synced = json.loads(done.stdout)["calendars"]
        if sorted(c["parent"] for c in synced) != sorted(calendars):
            raise SystemExit(f"pc-calendar sync did not sync every calendar: {done.stdout}")
        results.append(
            Run(
                seconds,
                sum(c["requests"] for c in synced),
                sum(c["created"] + c["updated"] + c["deleted"] for c in synced),
            )
        )
    return results
