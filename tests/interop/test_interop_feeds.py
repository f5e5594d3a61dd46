"""The feed server's feeds, fetched over HTTP, read by real clients' parsers.

Two families (Chicago; Sydney, southern hemisphere) served with a twenty-year window:
each parent's feed and the coordinator's feed of both families must place every event
where the Timeline (zoneinfo) does, in ical.js and in libical.
"""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from interop_families import FAMILIES, expected_instants, write_plan
from interop_parsers import Calendar, assert_reads_like_timeline

from pc_calendar.feeds.app import FeedApp
from pc_calendar.feeds.cache import FeedCache, feed_range
from pc_calendar.feeds.server import Running
from pc_calendar.feeds.tokens import ALL_FAMILIES, COORDINATOR, TokenStore

SERVED = [f for f in FAMILIES if f.zone in ("America/Chicago", "Australia/Sydney")]
NOW = datetime(2022, 1, 15, 12, tzinfo=UTC)
MONTHS = (120, 119)  # ten years back, ten ahead: twenty years of whole months


def fetch(url: str, path: Path) -> Path:
    with urllib.request.urlopen(url, timeout=60) as response:  # 127.0.0.1 only
        assert response.status == 200 and "text/calendar" in response.headers["Content-Type"]
        path.write_bytes(response.read())
    return path


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> list[Calendar]:
    root = tmp_path_factory.mktemp("feeds")
    plans = {family: write_plan(root / "plans", family) for family in SERVED}
    cache = FeedCache(
        list(plans.values()),
        clock=lambda: NOW,
        exchange_db=lambda family: root / "exchanges" / f"{family}.sqlite3",
        months=MONTHS,
    )
    store = TokenStore(root / "feeds.sqlite3")
    calendars = []
    coordinator: dict[str, tuple[str, str]] = {}
    try:
        tokens = {}
        for family, plan in plans.items():
            first, last = feed_range(NOW.astimezone(ZoneInfo(family.zone)).date(), *MONTHS)
            readers = expected_instants(plan, first, last)
            coordinator.update(readers.pop(None))
            for parent, expected in readers.items():
                tokens[f"{family.id}-{parent}"] = (store.issue(family.id, parent), expected, family)
        token = store.issue(ALL_FAMILIES, COORDINATOR)
        with Running(FeedApp(cache, store), threads=2) as url:
            for name, (secret, expected, family) in tokens.items():
                path = fetch(f"{url}/feeds/{secret}.ics", root / f"{name}.ics")
                calendars.append(Calendar(name, (path,), expected, (family.zone,)))
            path = fetch(f"{url}/feeds/{token}.ics", root / "coordinator.ics")
            zones = tuple(family.zone for family in SERVED)
            calendars.append(Calendar("coordinator", (path,), coordinator, zones))
    finally:
        store.close()
    return calendars


def test_every_served_instant_reads_as_zoneinfo_says(parser: str, feeds) -> None:
    read = assert_reads_like_timeline(parser, feeds)
    compared = sum(map(len, read.values()))
    assert compared == sum(len(c.expected) for c in feeds) > 2 * 3 * 700
    assert [c.name for c in feeds][-1] == "coordinator" and len(feeds) == 5
