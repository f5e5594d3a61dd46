"""Which connection carries a CalDAV request: one per write worker (the default), or
one multiplexed HTTP/2 connection for every worker (the target's ``connections = "one"``).

A push keeps up to ``max_in_flight`` writes in flight (see
:mod:`pc_calendar.sync.concurrent`). How they travel:

- **per worker** (default, ``connections = "per-worker"``): each worker thread gets its
  own client and keep-alive connection, in HTTP/2 where the server (or its TLS proxy)
  offers it by ALPN ``h2``, else HTTP/1.1. Measured by benchmarks/bench_latency.py behind
  a 40 ms round trip: as fast as 8 HTTP/1.1 connections, and it never meets the
  shared-connection failures below.
- **one** (``connections = "one"``, for servers that limit connections per client):
  once the first answer (the listing, sent before any write) comes in HTTP/2, every
  worker sends on one shared client whose niquests session is switched to multiplexed
  mode with a pool of one connection, so the writes in flight are concurrent streams of
  one TLS connection (RFC 9113 9.1). Each worker still waits for its own answer, so every
  write stays one conditional request booked on its own. The price, measured on a quiet
  machine: niquests reads a connection that threads share one thread at a time, so a
  cold push takes 1.6-1.8x as long as over 8 connections (a no-op sync is one request
  either way). A server answering in HTTP/1.1 gets a connection per worker regardless.

HTTP/1.1 pipelining (several requests written before the first answer) is never used:
servers and proxies commonly mishandle it (browsers and curl dropped it for that
reason), answers come strictly in order so one slow write holds up every answer queued
behind it, Radicale's own server closes the connection after each answer anyway, and
niquests does not offer it. Several connections overlap requests safely.

niquests' multiplexing does not survive the server closing the shared connection while
streams are in flight (a GOAWAY: nginx after ``keepalive_requests``, Apache after
``MaxKeepAliveRequests``, a reload): the threads waiting on it get one of many errors
(niquests' ConnectionError and MultiplexingError, urllib3-future's ResponseNotReady and
its pool's UnavailableTraffic were all seen), some with no relation to the request. In
"one" mode any failure of a multiplexed request other than an answer caldav classified
is therefore sent again once, on a connection of its own, and the rest of the run keeps
one connection per worker, where niquests reconnects by itself and real errors show as
over HTTP/1.1. Re-sending is safe because every write is conditional: one the server did
apply meets its own precondition (412 on our own bytes, or 404 for a delete) and the
engine books it from there, as after a crash; reads can always be re-sent.

HTTP/3 is switched off. niquests would move to it on the server's ``Alt-Svc`` (Caddy
advertises it by default), and its QUIC stack verifies certificates differently from
OpenSSL: it refuses a self-signed server certificate given as ``verify`` (accepted over
TLS/TCP), so a push that began fine failed from its second request. It also needs UDP out,
where HTTP/2 already multiplexes over the TCP connection that worked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from caldav import DAVClient
from caldav.lib.error import DAVError
from caldav.lib.http_sync import requests as http

#: niquests' ``Response.http_version`` for HTTP/2 (11 is HTTP/1.1, 10 HTTP/1.0)
HTTP2 = 20


def http_session(*, shared: bool) -> Any:
    """A niquests session over TCP only (h2 or HTTP/1.x); ``shared``: a pool of one
    connection, so threads that share it multiplex on it instead of opening more."""
    if shared:
        return http.Session(disable_http3=True, pool_maxsize=1)
    return http.Session(disable_http3=True)


class DavClients:
    """The DAVClient each thread sends with, and the protocol the server answered in.

    ``on_request`` is called once per request sent (the session's request count);
    ``share``: multiplex every thread on one client once the server answers in HTTP/2
    (the target's ``connections = "one"``), else a client per thread.
    """

    def __init__(
        self, options: dict[str, Any], on_request: Callable[[], None], *, share: bool = False
    ) -> None:
        self._options = options
        self._share = share
        self._on_request = on_request
        self._local = threading.local()
        self._lock = threading.Lock()
        self._clients: list[DAVClient] = []
        #: ``Response.http_version`` of the latest answer on the first client (None: none yet)
        self.http_version: int | None = None
        #: True once the server answered in HTTP/2 and ``share``: every thread shares
        #: ``_first``
        self.multiplexed = False
        #: the shared connection lost a stream: one connection per worker from then on
        self.lost_stream = False
        self._first = self._local.client = self._new_client(first=True)

    @property
    def client(self) -> DAVClient:
        """The client for this thread: the shared one when multiplexed, else its own."""
        if self.multiplexed:
            return self._first
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._new_client(first=False)
        return client

    def send(self, url: str, method: str, body: Any, headers: dict[str, str]) -> Any:
        """One request on this thread's client; re-sent on a connection of its own if it
        was multiplexed and the shared connection went away under it."""
        if not self.multiplexed:
            return self.client.request(url, method, body, headers)
        try:
            return self._first.request(url, method, body, headers)
        except DAVError:
            raise  # an answer: 401/403 with its preconditions, 429/503 with Retry-After
        except Exception as exc:
            if exc.__class__.__module__.startswith("lxml"):
                raise  # an answer too: a body the server called XML, malformed
            with self._lock:
                self.lost_stream = True
                self.multiplexed = self._first.session.multiplexed = False
            return self.client.request(url, method, body, headers)

    @property
    def protocol(self) -> str | None:
        """The HTTP version the server answered in, as people write it (``HTTP/2``)."""
        if self.http_version is None:
            return None
        major, minor = divmod(self.http_version, 10)
        return f"HTTP/{major}" if major >= 2 else f"HTTP/{major}.{minor}"

    def _new_client(self, *, first: bool) -> DAVClient:
        """A client on a session of its own; the ``first`` learns the server's protocol."""
        client = DAVClient(**self._options)
        client.session.close()  # caldav's own, never used: ours replaces it
        session = client.session = http_session(shared=first and self._share)
        send = session.request

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._on_request()
            response = send(*args, **kwargs)
            if first:
                self._learn(session, response)
            return response

        session.request = counted
        with self._lock:
            self._clients.append(client)
        return client

    def _learn(self, session: Any, response: Any) -> None:
        """Note the protocol of an answer; with ``share``, HTTP/2 multiplexes every thread
        on this client."""
        response.status_code  # noqa: B018 - a multiplexed (lazy) response is read here
        version = response.http_version
        with self._lock:
            self.http_version = version
            # Back to a connection per thread if a reconnect ever lands on HTTP/1.1.
            h2 = version is not None and version >= HTTP2
            if self._share:
                session.multiplexed = self.multiplexed = h2 and not self.lost_stream

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()
