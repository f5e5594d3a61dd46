"""bench_latency's baseline: the same conditional PUTs of the same bodies, nothing else,
over N keep-alive connections; and how a run is printed against it."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from caldav_clients import Run
from servers import CalDAVServer, CalendarRef

from pc_calendar.backends.base import DesiredEvent
from pc_calendar.backends.caldav import safe_name

TARGET = 1.2  # issue 15: cold push within 1.2x of the 8-connection PUT loop


def raw_puts(
    server: CalDAVServer,
    calendar: CalendarRef,
    events: list[DesiredEvent],
    connections: int,
    *,
    url: str | None = None,
    verify: bool | str = True,
    new_session: Callable[[], Any] | None = None,
    shared: bool = False,
) -> Run:
    """The baseline: the same conditional PUTs over ``connections`` keep-alive sessions
    (``shared``: one session, ``new_session()``, that every thread sends on), to ``url``
    (the server's own by default)."""
    import niquests

    local = threading.local()
    sessions: list[niquests.Session] = []
    lock = threading.Lock()
    headers = {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}
    base = (url or server.base_url).rstrip("/") + calendar.path

    def session_of_this_thread() -> niquests.Session:
        session = getattr(local, "session", None)
        if session is None:
            with lock:
                if shared and sessions:
                    session = sessions[0]
                else:
                    session = (new_session or niquests.Session)()
                    sessions.append(session)
                    if server.username:
                        session.auth = (server.username, server.password)
            local.session = session
        return session

    def put(event: DesiredEvent) -> int:
        session = session_of_this_thread()
        target = base + safe_name(event.uid)
        response = session.put(target, data=event.ical, headers=headers, verify=verify)
        return response.status_code

    if shared:  # its one connection opened first, so the threads share it from the start
        session_of_this_thread().request("OPTIONS", base, verify=verify)
    began = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        statuses = list(pool.map(put, events))
    seconds = time.perf_counter() - began
    for session in sessions:
        session.close()
    failed = [s for s in statuses if s not in (200, 201, 204)]
    if failed:
        raise SystemExit(f"raw PUTs: {len(failed)} failed, e.g. HTTP {failed[0]}")
    return Run(seconds, len(events), len(events))


def line(label: str, run: Run, base: Run | None) -> str:
    requests = f"{run.requests:6d} requests" if run.requests is not None else "   (not counted)"
    text = f"  {label:44s} {run.seconds:8.2f} s {requests}"
    if base is not None:
        text += f"   {run.seconds / base.seconds:5.2f}x the 8-connection loop"
    return text


def rounds_line(label: str, ratios: list[float]) -> str:
    """Every round's ratio to the 8-connection baseline, their median and the target."""
    each = ", ".join(f"{r:.2f}" for r in ratios)
    median = statistics.median(ratios)
    return f"  {label}: per round {each}; median {median:.2f}x (target <= {TARGET}x)"
