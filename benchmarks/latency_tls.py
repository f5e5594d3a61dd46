"""The cold push through a TLS reverse proxy that offers HTTP/2 (Caddy, as self-hosters
put in front of Radicale and Xandikos), behind the latency relay.

The relay sits between the clients and the proxy (the proxy is "the server over there";
proxy to CalDAV server is loopback). Measured into fresh calendars:

- raw PUTs over 8 HTTP/1.1 TLS keep-alive connections (the baseline, ``disable_http2``);
- raw PUTs from 8 threads multiplexed on one HTTP/2 connection (what HTTP/2 allows);
- pc-calendar's cold push (the engine, default ``max_in_flight``), then its no-op, in
  each ``connections`` mode: the default (an HTTP/2 connection per write worker) and
  ``"one"`` (every write multiplexed on one HTTP/2 connection).

Each with its requests and TLS connections (counted by the relay) and the protocols the
proxy's access log recorded. HTTP/3 is off in every client (the relay carries TCP only;
pc-calendar never uses it, see ``pc_calendar.backends.caldav_connections``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bench_caldav import sync
from caldav_clients import Run
from latency_baseline import TARGET, line, raw_puts, rounds_line
from latency_relay import LatencyRelay
from servers import CalDAVServer, CalendarRef
from tls_proxy import TLSProxy

from pc_calendar.backends.base import DesiredEvent


def h1_session():
    import niquests

    return niquests.Session(disable_http2=True, disable_http3=True)


def h2_shared_session():
    import niquests

    return niquests.Session(multiplexed=True, pool_maxsize=1, disable_http3=True)


class Through:
    """A CalDAV server behind ``proxy`` behind ``relay``: URLs, and what each run cost."""

    def __init__(self, server: CalDAVServer, proxy: TLSProxy, relay: LatencyRelay) -> None:
        self.server, self.proxy, self.relay = server, proxy, relay
        self.url = f"https://127.0.0.1:{relay.port}/"
        self.verify = str(proxy.cert)

    def fresh(self) -> CalendarRef:
        return self.server.new_calendar()

    def target(self, **extra: object) -> dict:
        return {"url": self.url, "verify": self.verify, **extra}

    def measure(self, run: Callable[[], object]) -> tuple[object, int, int, str]:
        """``run()``, the requests the proxy logged and the connections the relay
        accepted meanwhile, and the protocols logged ("HTTP/2.0 x 553")."""
        before, opened = len(self.proxy.requests()), self.relay.connections
        result = run()
        logged = self.proxy.requests()[before:]
        protocols = ", ".join(f"{p} x {n}" for p, n in Counter(r.protocol for r in logged).items())
        return result, len(logged), self.relay.connections - opened, protocols

    def raw_puts(
        self, events: list[DesiredEvent], new_session: Callable[[], object], *, shared: bool
    ) -> tuple[Run, int, str]:
        """The raw PUTs from 8 threads into a fresh calendar: the run (requests as the
        proxy logged them), TLS connections, protocols."""
        calendar = self.fresh()
        run, requests, opened, protocols = self.measure(
            lambda: raw_puts(self.server, calendar, events, 8, url=self.url, verify=self.verify,
                             new_session=new_session, shared=shared)
        )  # fmt: skip
        assert isinstance(run, Run)
        return Run(run.seconds, requests, run.writes), opened, protocols

    def sync(
        self,
        calendar: CalendarRef,
        events: list[DesiredEvent],
        start: date,
        state: Path,
        **extra: object,
    ) -> tuple[Run, int, str]:
        """pc-calendar's sync into ``calendar`` through the proxy, ``extra`` target keys
        (``connections``); its requests checked against the proxy's log."""
        result, requests, opened, protocols = self.measure(
            lambda: sync(calendar, events, state, start, **self.target(**extra))
        )
        seconds, summary = result  # type: ignore[misc]
        if requests != summary.requests:
            raise SystemExit(f"pc-calendar counted {summary.requests}, the proxy {requests}")
        return Run(seconds, summary.requests, summary.writes), opened, protocols


def start_proxy(kind: str, server: CalDAVServer, folder: Path, rtt: float) -> Through:
    """``kind`` (caddy, nginx) with HTTP/2 in front of ``server``, the relay in front of it."""
    proxy = TLSProxy(kind, folder, server.port, http2=True).start()
    try:
        relay = LatencyRelay(proxy.port, rtt / 2).start()
    except BaseException:
        proxy.stop()
        raise
    return Through(server, proxy, relay)


def stop_proxy(through: Through) -> None:
    through.relay.stop()
    through.proxy.stop()


def bench_caldav_tls(
    kinds: type[CalDAVServer],
    kind: str,
    events: list[DesiredEvent],
    start: date,
    rtt: float,
    args,
    work: Path,
) -> None:
    """The server behind a TLS proxy offering HTTP/2, the relay in front of the proxy:
    pc-calendar's cold push in each ``connections`` mode against 8 HTTP/1.1 TLS
    connections (see :mod:`latency_tls`)."""
    folder = work / f"{kind}-{args.tls_proxy}"
    (folder / "server").mkdir(parents=True)
    server = kinds(folder / "server")
    os.environ[server.password_env] = server.password or ""
    server.start()
    try:
        through = start_proxy(args.tls_proxy, server, folder / "proxy", rtt)
    except BaseException:
        server.stop()
        raise
    try:
        print(
            f"\n== {kind} behind {args.tls_proxy} (TLS, HTTP/2 offered), {len(events)} events, "
            f"{rtt * 1000:.0f} ms round trip to the proxy"
        )
        ratios: dict[str, list[float]] = {mode: [] for mode in MODES}
        for round_ in range(args.repeat):
            if round_:
                print(f"  -- round {round_ + 1}")
            found = one_round(through, events, start, folder / f"round-{round_}")
            for mode, ratio in found.items():
                ratios[mode].append(ratio)
        for mode, found in ratios.items():
            label = (
                f"{kind} behind {args.tls_proxy}, connections = {mode!r}: "
                "cold push / 8 HTTP/1.1 TLS connections"
            )
            print(rounds_line(label, found))
    finally:
        stop_proxy(through)
        server.stop()


#: the target's ``connections`` modes measured: the default first
MODES = ("per-worker", "one")


def one_round(
    through: Through, events: list[DesiredEvent], start: date, folder: Path
) -> dict[str, float]:
    """The baseline, HTTP/2's own best, pc-calendar's push and no-op in each
    ``connections`` mode (state files in ``folder``); each push's ratio to the baseline."""
    base = through.raw_puts(events, h1_session, shared=False)
    print(tls_line("raw PUTs, 8 HTTP/1.1 TLS connections", *base, base[0]))
    mux = through.raw_puts(events, h2_shared_session, shared=True)
    print(tls_line("raw PUTs, 8 streams on one HTTP/2 connection", *mux, base[0]))
    folder.mkdir(parents=True, exist_ok=True)
    ratios = {}
    for mode in MODES:
        calendar, state = through.fresh(), folder / f"state-{mode}.sqlite"
        push = through.sync(calendar, events, start, state, connections=mode)
        ratios[mode] = push[0].seconds / base[0].seconds
        mark = "ok" if ratios[mode] <= TARGET else "MISSED"
        print(tls_line(f"pc-calendar ({mode!r}), cold push", *push, base[0]) + f"  {mark}")
        no_op = through.sync(calendar, events, start, state, connections=mode)
        print(tls_line(f"pc-calendar ({mode!r}), first no-op", *no_op, None))
    return ratios


def tls_line(label: str, run: Run, opened: int, protocols: str, base: Run | None) -> str:
    return f"{line(label, run, base)}  [{opened} TLS connection(s); {protocols}]"
