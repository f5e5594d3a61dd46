"""The documented HTTPS recipes, run for real: docs/feeds.md's nginx ``server`` block and
its Caddy site (TLS with a throwaway certificate for 127.0.0.1), each in front of
``pc-calendar serve --trusted-proxy 127.0.0.1``, as docs/unattended.md's unit runs it.

Through the proxy, over HTTPS: a parent's feed is served; the rate limit applies to each
real client (distinct loopback source addresses, 127.0.0.2 and 127.0.0.3, stand for two
clients; the proxy forwards the address it saw, whatever a client claims); a check-in
button press with the public URL's origin is recorded and a cross-site one refused; no
token reaches the proxy's logs. Skipped outside CI when a proxy or openssl is missing.
"""

from __future__ import annotations

import http.client
import ssl
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from https_proxies import (
    DOC_UPSTREAM,
    Proxy,
    documented_block,
    need_tools,
    self_signed,
)
from servers import PORT_ATTEMPTS, PortTaken, free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checkin"))
from checkin_helpers import (  # noqa: E402
    AT,
    EXCHANGE,
    Served,
    Site,
    forms_of,
    issue_links,
    write_plans,
)

from pc_calendar.exchanges.store import ExchangeStore  # noqa: E402

BURST = 8  # per client; refilled at 0.01 a second, so not during the test
UNIT_DOC = Path(__file__).resolve().parents[2] / "docs" / "unattended.md"


def unit_serve_flags() -> dict[str, str]:
    """The ``--flag value`` pairs of docs/unattended.md's ``pc-calendar serve`` unit."""
    [line] = [ln for ln in UNIT_DOC.read_text().splitlines() if "pc-calendar serve" in ln
              and ln.startswith("ExecStart=")]  # fmt: skip
    words = line.split("pc-calendar serve", 1)[1].split()
    return {w: words[i + 1] for i, w in enumerate(words) if w.startswith("--")}


def test_the_units_serve_flags_match_the_documented_proxy() -> None:
    flags = unit_serve_flags()
    assert flags["--host"] == flags["--trusted-proxy"] == "127.0.0.1"
    upstream = f"{flags['--host']}:{flags['--port']}"
    assert upstream == DOC_UPSTREAM
    assert f"proxy_pass http://{upstream};" in documented_block("nginx")
    assert f"reverse_proxy {upstream}" in documented_block("caddyfile")


@dataclass
class HttpsSite(Site):
    """The check-in client of tests/checkin, over HTTPS from a chosen loopback address."""

    context: ssl.SSLContext | None = None
    source: str = "127.0.0.1"

    def connection(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.url)
        return http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=30, context=self.context,
            source_address=(self.source, 0),
        )  # fmt: skip

    def client(self, source: str) -> HttpsSite:
        return HttpsSite(self.url, self.tokens, self.context, source)


@dataclass
class Proxied:
    site: HttpsSite  # https://127.0.0.1:<proxy's port>, the plan's public [checkin] url
    proxy: Proxy
    served: Served
    data: Path


@pytest.fixture(scope="module", params=["nginx", "caddy"])
def proxied(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Proxied]:
    kind = request.param
    need_tools(kind)  # before starting anything
    folder = tmp_path_factory.mktemp(f"behind-{kind}")
    written = {plan: plan.read_text() for plan in write_plans(folder)}
    plans = sorted(folder.glob("*.toml"))
    data = folder / "data"
    tokens = issue_links(data)
    cert, _ = self_signed(folder)
    env = {
        "PC_CALENDAR_PLUGINS": "none",
        "PC_CALENDAR_NOW": (AT + timedelta(minutes=5)).isoformat(),
    }
    limits = ("--rate", "0.01", "--burst", str(BURST))
    trusted = ("--trusted-proxy", unit_serve_flags()["--trusted-proxy"])
    for attempt in range(PORT_ATTEMPTS):
        # the public URL names the proxy's port, which the proxy cannot choose itself:
        # when another process takes it first, the plans, serve and the proxy start over
        port = free_port()
        public = f"https://127.0.0.1:{port}"
        for plan, text in written.items():
            plan.write_text(text.replace("https://cal.example.org", public))
        served = Served(plans, data, env, *limits, *trusted)
        try:
            upstream = urlsplit(served.url).port
            assert upstream is not None
            proxy = Proxy(kind, folder / f"try-{attempt}" / kind, port, upstream, cert)
            break
        except PortTaken:
            served.stop()
        except BaseException:
            served.stop()
            raise
    else:
        raise AssertionError(f"{kind}: every port tried was taken")
    try:
        context = ssl.create_default_context(cafile=str(cert))
        yield Proxied(HttpsSite(public, tokens, context), proxy, served, data)
    finally:
        proxy.stop()
        served.stop()


def test_a_parents_feed_is_served_over_https(proxied: Proxied) -> None:
    site = proxied.site.client("127.0.0.5")
    reply = site.request("GET", f"/feeds/{site.tokens['feed-alex']}.ics")
    assert reply.status == 200, reply.text[:300]
    assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
    assert reply.text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in reply.text
    assert site.request("GET", "/feeds/" + "x" * 43 + ".ics").status == 404


def test_the_rate_limit_is_per_real_client(proxied: Proxied) -> None:
    feed = f"/feeds/{proxied.site.tokens['feed-alex']}.ics"
    first, second = proxied.site.client("127.0.0.2"), proxied.site.client("127.0.0.3")
    assert [first.request("HEAD", feed).status for _ in range(BURST)] == [200] * BURST
    limited = first.request("HEAD", feed)
    assert limited.status == 429 and int(limited.headers["retry-after"]) >= 1
    # nginx replaces a forwarded address the client made up with the one it saw
    spoofed = first.request("HEAD", feed, headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status == 429
    assert second.request("HEAD", feed).status == 200  # its own bucket, not the proxy's
    # the server saw each client's own address (its log is read on another thread)
    deadline = time.monotonic() + 10
    while "INFO 127.0.0.3 HEAD" not in (logged := "".join(proxied.served.log)):
        assert time.monotonic() < deadline, logged
        time.sleep(0.05)
    assert "INFO 127.0.0.2 HEAD 429" in logged and "203.0.113.9" not in logged


def _records(data: Path) -> list:
    path = data / "exchanges" / "rivera-chen.sqlite3"
    if not path.exists():
        return []
    with ExchangeStore.open(path, "rivera-chen", create=False) as store:
        assert store.verify().ok
        return store.records()


def test_a_checkin_press_is_recorded_and_a_cross_site_one_refused(proxied: Proxied) -> None:
    site = proxied.site.client("127.0.0.4")
    public = site.url
    page = site.page("sam")
    assert page.status == 200, page.text[:300]
    [form] = [f for f in forms_of(page.text) if f.hidden.get("exchange") == EXCHANGE]
    fields = {**form.hidden, "action": "handed"}
    before = len(_records(proxied.data))

    assert site.post("sam", fields, Origin="https://evil.example").status == 403
    assert site.post("sam", fields, Sec_Fetch_Site="cross-site", Origin=public).status == 403
    assert len(_records(proxied.data)) == before

    # the same (still unused) form, from the public https origin, as a phone sends it
    done = site.post("sam", fields, Origin=public, Sec_Fetch_Site="same-origin")
    assert done.status == 303, done.text[:300]
    assert done.headers["location"].startswith(site.path("sam") + "?done=")
    records = _records(proxied.data)
    assert len(records) == before + 1
    record = records[-1]
    assert (record.reported_by, record.channel, record.status) == ("sam", "checkin", "on-time")
    shown = site.request("GET", done.headers["location"])
    assert f"Recorded. Receipt #{record.seq}: {record.hash}" in shown.text


def test_no_token_reaches_the_proxys_logs(proxied: Proxied) -> None:
    site = proxied.site.client("127.0.0.6")
    tokens = site.tokens
    assert site.request("GET", f"/feeds/{tokens['feed-alex']}.ics").status == 200
    assert site.page("alex").status == 200
    nginx = proxied.proxy.folder.name == "nginx"
    if nginx:  # outside the doc's location, so logged: the access log does work
        assert site.request("GET", "/not-proxied.txt").status == 404
    proxied.proxy.stop()  # flushes and closes its logs
    logged = proxied.proxy.log()
    for token in tokens.values():
        assert token not in logged
    assert "/feeds/" not in logged and "/checkin/" not in logged
    if nginx:
        assert "GET /not-proxied.txt" in proxied.proxy.file("access.log")
