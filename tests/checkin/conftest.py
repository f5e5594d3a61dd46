"""A served family with check-in links: the example plan (and a second family made from
it), a pinned clock ten minutes before the 13 Nov 2026 15:00 school exchange (Sam hands
over to Alex), and a waitress server on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from checkin_helpers import BEFORE, Site, issue_links, make_app, write_plans  # noqa: E402

from pc_calendar.feeds.server import Running  # noqa: E402


@pytest.fixture
def clock() -> list[datetime]:
    return [BEFORE]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def site(tmp_path: Path, data: Path, clock: list[datetime]) -> Iterator[Site]:
    app = make_app(write_plans(tmp_path), data, clock)
    tokens = issue_links(data)
    with Running(app, threads=4) as url:
        yield Site(url, tokens)
