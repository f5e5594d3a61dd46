"""A push through a TLS reverse proxy that offers HTTP/2 (Caddy, nginx) in front of real
Radicale and Xandikos: by default each write worker has its own HTTP/2 connection; with
the target's ``connections = "one"`` the writes in flight are multiplexed on one
connection. Either way the proxy's access log says HTTP/2, and everything else holds as
over HTTP/1.1 (every write conditional and booked, a re-run a no-op, a crash mid-push
converging, nothing twice). Through the same proxy speaking HTTP/1.1 only, each worker
keeps its own connection in both modes.

Caddy advertises HTTP/3 by default; the push stays on HTTP/2 over TCP with the
self-signed certificate given as ``verify`` (niquests' QUIC stack would refuse it).
Skipped outside CI when a proxy or openssl is missing; failing in CI.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Iterator

import pytest
from servers import CalDAVServer, CalendarRef
from test_caldav_concurrent import Watched, WatchedSyncer, crash_then_converge, events
from tls_proxy import Logged, TLSProxy, need_tools

from pc_calendar.sync.state import StateStore

IN_FLIGHT = 6
#: how the proxies' logs write each protocol
LOGGED_AS = {"HTTP/2": "HTTP/2.0", "HTTP/1.1": "HTTP/1.1"}


class ProxiedSyncer(WatchedSyncer):
    """The engine's runs against ``calendar``, reached through ``proxy`` over TLS."""

    def __init__(
        self, tmp_path, calendar: CalendarRef, proxy: TLSProxy, connections: str | None = None
    ) -> None:
        super().__init__(tmp_path, calendar, in_flight=IN_FLIGHT)
        self.proxy = proxy
        #: the target's ``connections`` key (None: left out, the default)
        self.connections = connections

    def backend(self) -> Watched:
        config = self.calendar.config(
            url=self.proxy.base_url,
            verify=str(self.proxy.cert),
            timeout=10,
            max_in_flight=self.in_flight,
            **({"connections": self.connections} if self.connections else {}),
        )
        self.last = Watched(config, {"family_id": "test-family"}, crash_after=self.crash_after)
        self.crash_after = None
        return self.last

    def logged_during(self, run) -> tuple[object, list[Logged]]:
        """``run()``'s result and the requests the proxy logged meanwhile."""
        before = len(self.proxy.requests())
        result = run()
        return result, self.proxy.requests()[before:]


def overlap(requests: list[Logged]) -> int:
    """How many of ``requests`` were in the proxy at once, at most."""
    edges = sorted([(r.end - r.seconds, 1) for r in requests] + [(r.end, -1) for r in requests])
    peak = active = 0
    for _, step in edges:
        active += step
        peak = max(peak, active)
    return peak


def _proxy(request, tmp_path_factory, *, http2: bool) -> Iterator[tuple[TLSProxy, CalDAVServer]]:
    kind, server_name = request.param
    need_tools(kind)
    server = request.getfixturevalue(f"{server_name}_server")
    if server.process is None or server.process.poll() is not None:
        server.start()
    folder = tmp_path_factory.mktemp(f"{kind}-{server_name}")
    proxy = TLSProxy(kind, folder, server.port, http2=http2).start()
    try:
        yield proxy, server
    finally:
        proxy.stop()


PAIRS = [("caddy", "radicale"), ("caddy", "xandikos"), ("nginx", "radicale")]


@pytest.fixture(scope="module", params=PAIRS, ids=["-".join(p) for p in PAIRS])
def h2_proxy(request, tmp_path_factory) -> Iterator[tuple[TLSProxy, CalDAVServer]]:
    yield from _proxy(request, tmp_path_factory, http2=True)


@pytest.fixture(scope="module", params=[("caddy", "radicale")], ids=["caddy-radicale"])
def h1_proxy(request, tmp_path_factory) -> Iterator[tuple[TLSProxy, CalDAVServer]]:
    yield from _proxy(request, tmp_path_factory, http2=False)


def cold_push(syncer: ProxiedSyncer, desired, protocol: str) -> tuple[Watched, list[Logged]]:
    """Push ``desired`` into the empty calendar, spoken in ``protocol`` ("HTTP/2");
    the backend and what the proxy logged."""
    summary, logged = syncer.logged_during(lambda: syncer.run(desired))
    assert summary.ok and summary.created == len(desired), (summary.error, summary.problems)
    backend = syncer.last
    assert backend is not None and backend.session.clients.protocol == protocol
    assert {r.protocol for r in logged} == {LOGGED_AS[protocol]}
    return backend, logged


def converged(syncer: ProxiedSyncer, desired, protocol: str) -> None:
    """Every write booked; the re-run a no-op in ``protocol`` ("HTTP/2.0" as logged); each
    event in the calendar once."""
    with StateStore(syncer.state_path) as store:
        assert sorted(store.load(syncer.key).entries) == sorted(d.uid for d in desired)
    again, logged = syncer.logged_during(lambda: syncer.run(desired))
    assert again.ok and again.writes == 0 and again.requests <= 2
    assert {r.protocol for r in logged} == {protocol} and len(logged) == again.requests
    assert syncer.ours() == {d.uid: d.content_hash for d in desired}  # nothing twice


def test_a_push_through_an_h2_proxy_uses_http2_on_a_connection_per_worker(
    tmp_path, h2_proxy
) -> None:
    proxy, server = h2_proxy
    syncer = ProxiedSyncer(tmp_path, server.new_calendar(), proxy)
    desired = events(30)
    backend, logged = cold_push(syncer, desired, "HTTP/2")
    assert not backend.session.clients.multiplexed
    puts = [r for r in logged if r.method == "PUT"]
    assert len(puts) == 30 and {r.status for r in puts} == {201}
    # the listing's connection, plus one per worker (no more than max_in_flight), each h2
    assert 2 < len({r.connection for r in logged}) <= IN_FLIGHT + 1
    assert 2 <= backend.peak <= IN_FLIGHT
    converged(syncer, desired, "HTTP/2.0")


def test_connections_one_multiplexes_the_push_on_one_connection(tmp_path, h2_proxy) -> None:
    proxy, server = h2_proxy
    syncer = ProxiedSyncer(tmp_path, server.new_calendar(), proxy, connections="one")
    desired = events(30)
    backend, logged = cold_push(syncer, desired, "HTTP/2")
    puts = [r for r in logged if r.method == "PUT"]
    assert len(puts) == 30 and {r.status for r in puts} == {201}
    assert len({r.connection for r in logged}) == 1  # every request, one TLS connection
    assert 2 <= backend.peak <= IN_FLIGHT
    assert overlap(puts) >= 2  # the proxy had several of them at once: multiplexed
    converged(syncer, desired, "HTTP/2.0")


def test_the_push_stays_on_http2_where_http3_is_advertised(tmp_path, h2_proxy) -> None:
    proxy, server = h2_proxy
    context = ssl.create_default_context(cafile=str(proxy.cert))
    conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, timeout=10, context=context)
    try:
        conn.request("OPTIONS", "/")
        alt_svc = conn.getresponse().getheader("Alt-Svc") or ""
    finally:
        conn.close()
    # what makes niquests try QUIC, unless we turn it off: Caddy's default (nginx offers
    # HTTP/3 only when built and configured for QUIC)
    assert ("h3=" in alt_svc) == (proxy.kind == "caddy")
    cold_push(ProxiedSyncer(tmp_path, server.new_calendar(), proxy), events(12), "HTTP/2")


@pytest.mark.parametrize("connections", [None, "one"], ids=["per-worker", "one"])
def test_a_crash_mid_h2_push_converges_without_duplicates(tmp_path, h2_proxy, connections) -> None:
    """Killed right after the server took the 9th write, with several more in flight (on
    their own connections, or on the one): the re-run finds the unbooked ones
    (If-None-Match: * fails on our own bytes), books them, creates the rest, and nothing
    is there twice."""
    proxy, server = h2_proxy
    syncer = ProxiedSyncer(tmp_path, server.new_calendar(), proxy, connections=connections)
    crash_then_converge(syncer)
    assert syncer.last is not None and syncer.last.session.clients.protocol == "HTTP/2"
    assert syncer.last.session.clients.multiplexed == (connections == "one")


@pytest.mark.parametrize("connections", [None, "one"], ids=["per-worker", "one"])
def test_an_http1_proxy_keeps_one_connection_per_worker(tmp_path, h1_proxy, connections) -> None:
    proxy, server = h1_proxy
    syncer = ProxiedSyncer(tmp_path, server.new_calendar(), proxy, connections=connections)
    desired = events(30)
    backend, logged = cold_push(syncer, desired, "HTTP/1.1")
    assert not backend.session.clients.multiplexed
    # the listing's connection, plus one per worker (no more than max_in_flight)
    assert 2 < len({r.connection for r in logged}) <= IN_FLIGHT + 1
    assert syncer.run(desired).writes == 0
    assert syncer.ours() == {d.uid: d.content_hash for d in desired}


@pytest.fixture(scope="module")
def closing_proxy(radicale_server, tmp_path_factory) -> Iterator[TLSProxy]:
    """nginx closing each HTTP/2 connection after 7 requests, with streams in flight."""
    need_tools("nginx")
    folder = tmp_path_factory.mktemp("nginx-goaway")
    proxy = TLSProxy("nginx", folder, radicale_server.port, per_connection=7).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def test_a_server_closing_the_h2_connection_mid_push_loses_nothing(
    tmp_path, closing_proxy, radicale_server
) -> None:
    """With ``connections = "one"``, the streams in flight when the server closes the
    shared connection are sent again on connections of their own (safe: every write is
    conditional), and the rest of the push keeps a connection per worker, which niquests
    reconnects by itself."""
    syncer = ProxiedSyncer(
        tmp_path, radicale_server.new_calendar(), closing_proxy, connections="one"
    )
    desired = events(40)
    summary, logged = syncer.logged_during(lambda: syncer.run(desired))
    assert summary.ok and not summary.problems, (summary.error, summary.problems)
    # a write whose answer was lost, applied all the same, is found and booked on re-send
    assert summary.created + summary.unchanged == 40
    backend = syncer.last
    assert backend is not None and backend.session.clients.lost_stream
    assert {r.protocol for r in logged} == {"HTTP/2.0"}
    assert len({r.connection for r in logged}) > 1
    again = syncer.run(desired)
    assert again.ok and again.writes == 0
    assert syncer.ours() == {d.uid: d.content_hash for d in desired}
