"""A served family with check-in links: the example plan (and a second family made from
it), a pinned clock ten minutes before the 13 Nov 2026 15:00 school exchange (Sam hands
over to Alex), and a waitress server on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from checkin_helpers import Site  # noqa: E402

from pc_calendar.feeds.checkin_tokens import CheckinTokens  # noqa: E402
from pc_calendar.feeds.server import Running, build_app  # noqa: E402
from pc_calendar.feeds.tokens import TokenStore  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rivera-chen.toml"
EXCHANGE = "2026-11-13T1500-sam-alex"
AT = datetime(2026, 11, 13, 21, 0, tzinfo=UTC)
BEFORE = datetime(2026, 11, 13, 20, 50, tzinfo=UTC)
CHECKIN = '\n[checkin]\nurl = "https://cal.example.org"\n'


def write_plans(folder: Path) -> list[Path]:
    text = EXAMPLE.read_text(encoding="utf-8") + CHECKIN
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


@pytest.fixture
def clock() -> list[datetime]:
    return [BEFORE]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def make_app(plans: list[Path], data: Path, clock: list[datetime], **options):
    return build_app(
        plans,
        data / "feeds.sqlite3",
        warm=False,
        clock=lambda: clock[0],
        exchange_db=lambda family: data / "exchanges" / f"{family}.sqlite3",
        months=(1, 2),
        **({"rate": None} | options),
    )


def issue_links(data: Path) -> dict[str, str]:
    links = CheckinTokens(data)
    tokens = {
        "alex": links.issue("rivera-chen", "alex"),
        "sam": links.issue("rivera-chen", "sam"),
        "other-alex": links.issue("okafor-lind", "alex"),
    }
    links.close()
    feeds = TokenStore(data / "feeds.sqlite3")
    tokens["feed-alex"] = feeds.issue("rivera-chen", "alex")
    feeds.close()
    return tokens


@pytest.fixture
def site(tmp_path: Path, data: Path, clock: list[datetime]) -> Iterator[Site]:
    app = make_app(write_plans(tmp_path), data, clock)
    tokens = issue_links(data)
    with Running(app, threads=4) as url:
        yield Site(url, tokens)
