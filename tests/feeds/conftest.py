"""Fixtures for the feed server: two invented families, a token store, a running server.

The clock is pinned and the feed range shortened to four months (October 2026 to
January 2027, which holds Thanksgiving, Christmas and the plan's work-trip swap with its
coordinator note) so each render takes a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feed_helpers import Served

from pc_calendar.feeds.app import FeedApp
from pc_calendar.feeds.cache import FeedCache
from pc_calendar.feeds.ratelimit import RateLimiter
from pc_calendar.feeds.server import Running
from pc_calendar.feeds.tokens import ALL_FAMILIES, COORDINATOR, TokenStore

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rivera-chen.toml"
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
MONTHS = (1, 2)


def _plans(folder: Path) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8")
    first = folder / "rivera-chen.toml"
    first.write_text(text, encoding="utf-8")
    second = folder / "okafor-lind.toml"
    second.write_text(
        text.replace('id = "rivera-chen"', 'id = "okafor-lind"').replace(
            "Rivera-Chen family", "Okafor-Lind family"
        ),
        encoding="utf-8",
    )
    return [first, second]


def _cache(plans: list[Path], folder: Path, clock: list[datetime]) -> FeedCache:
    return FeedCache(
        plans,
        clock=lambda: clock[0],
        exchange_db=lambda family: folder / "exchanges" / f"{family}.sqlite3",
        months=MONTHS,
    )


@pytest.fixture
def plans(tmp_path: Path) -> list[Path]:
    """The example plan, and a second family made from it (same parent ids)."""
    return _plans(tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TokenStore]:
    tokens = TokenStore(tmp_path / "data" / "feeds.sqlite3")
    yield tokens
    tokens.close()


@pytest.fixture
def clock() -> list[datetime]:
    """A settable clock: tests replace ``clock[0]``."""
    return [NOW]


@pytest.fixture
def cache(plans: list[Path], tmp_path: Path, clock: list[datetime]) -> FeedCache:
    return _cache(plans, tmp_path, clock)


def _serve(cache: FeedCache, store: TokenStore, limiter: RateLimiter | None) -> Iterator[Served]:
    tokens = {
        "alex": store.issue("rivera-chen", "alex"),
        "sam": store.issue("rivera-chen", "sam"),
        "other-alex": store.issue("okafor-lind", "alex"),
        "coordinator": store.issue(ALL_FAMILIES, COORDINATOR),
    }
    app = FeedApp(cache, store, limiter=limiter)
    with Running(app, threads=4) as url:
        yield Served(url, app, tokens)


@pytest.fixture
def served(cache: FeedCache, store: TokenStore) -> Iterator[Served]:
    """A waitress server on a free 127.0.0.1 port, without rate limiting."""
    yield from _serve(cache, store, None)


@pytest.fixture(scope="module")
def shared_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for a module's read-only tests (they must not revoke or edit plans)."""
    folder = tmp_path_factory.mktemp("shared")
    tokens = TokenStore(folder / "data" / "feeds.sqlite3")
    yield from _serve(_cache(_plans(folder), folder, [NOW]), tokens, None)
    tokens.close()


@pytest.fixture
def limited(cache: FeedCache, store: TokenStore) -> Iterator[tuple[Served, list[float]]]:
    """A server whose limiter allows a burst of 3, then 1 per second of a fake clock."""
    now = [1000.0]
    limiter = RateLimiter(1.0, 3, clock=lambda: now[0])
    for served in _serve(cache, store, limiter):
        yield served, now
