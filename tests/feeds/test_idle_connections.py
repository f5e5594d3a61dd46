"""Idle connections from one client must not starve other requests.

waitress used to stop accepting at 100 open connections, so a hundred idle keep-alive
sockets made every feed request wait until they timed out. Loopback only; bounded.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from feed_helpers import Served

IDLE = 500


def open_idle(url: str, count: int) -> list[socket.socket]:
    parts = urlsplit(url)
    return [socket.create_connection((parts.hostname, parts.port), timeout=5) for _ in range(count)]


def test_feed_answers_quickly_with_500_idle_connections(served: Served) -> None:
    idle = open_idle(served.url, IDLE)
    try:
        time.sleep(0.2)  # let the server accept them all
        started = time.monotonic()
        r = served.get("alex")
        assert r.status == 200
        assert time.monotonic() - started < 3
        idle[0].sendall(b"GET " + served.path("sam").encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle[0].recv(12) == b"HTTP/1.1 200"  # an idle one still works too
    finally:
        for sock in idle:
            sock.close()
