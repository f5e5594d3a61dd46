"""Feeds are rendered once per change of their inputs, never per request."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from feed_helpers import Served

from pc_calendar.errors import UserError
from pc_calendar.feeds.cache import FeedCache, feed_range


def test_feed_range_is_whole_months_3_back_18_ahead() -> None:
    assert feed_range(date(2026, 11, 15)) == (date(2026, 8, 1), date(2028, 6, 1))
    assert feed_range(date(2026, 1, 31)) == (date(2025, 10, 1), date(2027, 8, 1))
    assert feed_range(date(2026, 12, 1)) == (date(2026, 9, 1), date(2028, 7, 1))
    assert feed_range(date(2026, 11, 15), 1, 2) == (date(2026, 10, 1), date(2027, 2, 1))


def test_repeated_requests_render_once(served: Served) -> None:
    cache = served.app.cache
    first = served.get("alex")
    assert cache.renders == 1
    for _ in range(5):
        assert served.get("alex").headers["etag"] == first.headers["etag"]
    served.get("alex", Accept_Encoding="gzip")
    served.request(served.path("alex"), "HEAD")
    assert cache.renders == 1
    served.get("sam")
    assert cache.renders == 2


def test_plan_edit_rerenders_and_changes_the_feed(served: Served, plans: list[Path]) -> None:
    cache = served.app.cache
    before = served.get("alex")
    assert b"Exchange 17:30" not in before.body
    text = plans[0].read_text(encoding="utf-8")
    plans[0].write_text(
        text.replace("[exchange]\ntime = 18:00:00", "[exchange]\ntime = 17:30:00"),
        encoding="utf-8",
    )
    after = served.get("alex", If_None_Match=before.headers["etag"])
    assert after.status == 200
    assert cache.renders == 2
    assert after.headers["etag"] != before.headers["etag"]
    assert b"Exchange 17:30" in after.body
    assert after.body.count(b"Exchange 18:00") < before.body.count(b"Exchange 18:00")
    assert served.get("alex", If_None_Match=after.headers["etag"]).status == 304
    assert cache.renders == 2
    # The other family's plan did not change: its feed is not rendered again.
    served.get("other-alex")
    served.get("other-alex")
    assert cache.renders == 3


def test_touching_the_plan_without_changing_it_does_not_rerender(
    served: Served, plans: list[Path]
) -> None:
    first = served.get("alex")
    future = datetime.now().timestamp() + 3600
    os.utime(plans[0], (future, future))
    assert served.get("alex", If_None_Match=first.headers["etag"]).status == 304
    assert served.app.cache.renders == 1


def test_exchange_log_change_reloads_but_keeps_validators_when_events_are_equal(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = served.get("alex")
    log_path = tmp_path / "exchanges" / "rivera-chen.sqlite3"
    log_path.parent.mkdir()
    conn = sqlite3.connect(log_path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    again = served.get("alex", If_None_Match=first.headers["etag"])
    assert served.app.cache.renders == 2  # the log changed: rendered again...
    assert again.status == 304  # ...but the events did not: same ETag, nothing to fetch
    assert served.get("alex").headers["last-modified"] == first.headers["last-modified"]


def test_new_month_moves_the_range(served: Served, clock: list[datetime]) -> None:
    first = served.get("alex")
    clock[0] += timedelta(days=1)  # same month: same range, no render
    assert served.get("alex", If_None_Match=first.headers["etag"]).status == 304
    assert served.app.cache.renders == 1
    clock[0] += timedelta(days=20)  # December: range moves a month
    moved = served.get("alex", If_None_Match=first.headers["etag"])
    assert moved.status == 200 and served.app.cache.renders == 2
    october = b"DTSTART;TZID=America/Chicago:202610"
    # October has gone, but for the block crossing into November (whole, as sync pushes it)
    assert first.body.count(october) > 2 and moved.body.count(october) <= 1
    assert b"DTSTART;TZID=America/Chicago:202702" in moved.body


def test_broken_plan_keeps_serving_the_last_good_feed(
    served: Served, plans: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    first = served.get("alex")
    plans[0].write_text("[family\nthis is not toml", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="pc_calendar.feeds"):
        again = served.get("alex")
        served.get("alex")
    assert again.status == 200 and again.body == first.body
    assert "no longer loads" in caplog.text
    assert caplog.text.count("no longer loads") == 1  # not retried until it changes


def test_duplicate_family_ids_are_refused(plans: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_bytes(plans[0].read_bytes())
    with pytest.raises(UserError, match="family id 'rivera-chen'"):
        FeedCache([plans[0], copy], exchange_db=lambda f: tmp_path / f"{f}.db")


def test_feed_and_export_agree_on_the_blocks_at_its_edges(
    served: Served, plans: list[Path], tmp_path: Path
) -> None:
    """A parent's feed holds what export (and sync) give for the same dates: the same
    UIDs with the same times, the blocks crossing the range's first and last midnights
    whole."""
    import icalendar

    from pc_calendar.cli import main

    def events(body: bytes) -> dict[str, tuple]:
        cal = icalendar.Calendar.from_ical(body)
        return {
            str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in cal.walk("VEVENT")
        }

    first, last = feed_range(date(2026, 11, 15), 1, 2)  # the test cache's months (conftest)
    exported = tmp_path / "sam.ics"  # Sam's calendar shows both parents' custody
    args = ["export", str(plans[0]), "--parent", "sam", "-o", str(exported)]
    main([*args, "--from", first.isoformat(), "--to", last.isoformat()])
    feed = events(served.get("sam").body)
    assert feed == events(exported.read_bytes())
    timed = [t for t in feed.values() if isinstance(t[0], datetime)]
    at_midnight = [t for t in timed if any((x.hour, x.minute) == (0, 0) for x in t)]
    assert at_midnight == []  # nothing cut at the range's midnights
