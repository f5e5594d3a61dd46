"""WHEN resolution: ids, dates, date+time; refusals name the nearest exchanges."""

from __future__ import annotations

from datetime import date, time

import pytest
from exchange_fixtures import ZONE, make_plan, make_timeline

from pc_calendar.errors import UserError
from pc_calendar.exchanges.lookup import parse_when, resolve


@pytest.fixture(scope="module")
def exchanges():
    return make_timeline(make_plan(), date(2026, 10, 15), date(2026, 12, 15)).merged_exchanges()


def test_parse_forms():
    assert parse_when("2026-12-04").day == date(2026, 12, 4)
    assert parse_when("2026-12-04T18:00").at == time(18, 0)
    assert parse_when("2026-12-04 1730").at == time(17, 30)
    parsed = parse_when("2026-12-04T1800-alex-sam")
    assert parsed.exchange_id == "2026-12-04T1800-alex-sam" and parsed.day == date(2026, 12, 4)


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01", "2026-12-04T25:00", "12/04/2026", ""])
def test_parse_refuses_other_forms(bad):
    with pytest.raises(UserError, match="WHEN: expected an exchange id"):
        parse_when(bad)


def test_resolve_by_id(exchanges):
    ex = resolve("2026-11-13T1800-sam-alex", exchanges, ZONE)
    assert (ex.from_parent, ex.to_parent) == ("sam", "alex")
    assert ex.local_at.astimezone(ZONE).hour == 18


def test_resolve_by_date(exchanges):
    assert resolve("2026-11-20", exchanges, ZONE).id == "2026-11-20T1800-alex-sam"


def test_day_with_two_exchanges_needs_the_time(exchanges):
    with pytest.raises(UserError, match="matches 2 exchanges") as err:
        resolve("2026-11-18", exchanges, ZONE)
    assert "2026-11-18T1700-alex-sam" in err.value.message
    assert "2026-11-18T1930-sam-alex" in err.value.message
    assert resolve("2026-11-18T19:30", exchanges, ZONE).id == "2026-11-18T1930-sam-alex"


def test_date_without_exchange_names_the_nearest(exchanges):
    with pytest.raises(UserError, match="no exchange is scheduled at '2026-11-10'") as err:
        resolve("2026-11-10", exchanges, ZONE)
    message = err.value.message
    assert "2026-11-13T1800-sam-alex" in message and "2026-11-06T1800-alex-sam" in message
    assert err.value.exit_code == 2


def test_wrong_time_names_the_nearest(exchanges):
    with pytest.raises(UserError) as err:
        resolve("2026-11-20T17:00", exchanges, ZONE)
    listed = [line.split()[0] for line in err.value.message.splitlines()[1:]]
    assert listed == [
        "2026-11-18T1700-alex-sam",
        "2026-11-18T1930-sam-alex",
        "2026-11-20T1800-alex-sam",
    ]


def test_unknown_id_is_refused(exchanges):
    with pytest.raises(UserError, match="nearest"):
        resolve("2026-11-20T1800-sam-alex", exchanges, ZONE)


def test_nothing_in_window(exchanges):
    with pytest.raises(UserError, match="nor within"):
        resolve("2026-11-20", [], ZONE)
