"""500 idle connections from one client: a check-in (page, then button) and a feed still
answer quickly. Loopback only; bounded."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from checkin_helpers import Site


def test_checkin_and_feed_answer_with_500_idle_connections(site: Site) -> None:
    parts = urlsplit(site.url)
    idle = [socket.create_connection((parts.hostname, parts.port), timeout=5) for _ in range(500)]
    try:
        time.sleep(0.2)
        started = time.monotonic()
        assert site.press("alex", "here").status == 303
        assert site.request("GET", f"/feeds/{site.tokens['feed-alex']}.ics").status == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()
