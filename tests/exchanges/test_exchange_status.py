"""Outcome rules, injectable now, and the joined listing (overdue, no longer in plan)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from exchange_fixtures import ZONE, draft, make_plan, make_timeline, utc

from pc_calendar.errors import UserError
from pc_calendar.exchanges.status import (
    current_time,
    exchange_rows,
    outcome_label,
    validate_outcome,
)

PARENTS = ["alex", "sam"]


@pytest.fixture(scope="module")
def friday():
    timeline = make_timeline(make_plan(), date(2026, 11, 1), date(2026, 12, 1))
    return next(e for e in timeline.merged_exchanges() if e.id == "2026-11-20T1800-alex-sam")


AFTER = utc(2026, 11, 21, 12)  # the day after the Friday exchange


def check(exchange, status, now=AFTER, **kw):
    kw.setdefault("minutes_late", None)
    kw.setdefault("reported_by", "coordinator")
    kw.setdefault("agreed_by", [])
    return validate_outcome(exchange, status, parents=PARENTS, now=now, **kw)


def test_valid_outcomes(friday):
    assert check(friday, "on-time") == "on-time"
    assert check(friday, "late", minutes_late=0) == "late"
    assert check(friday, "late", minutes_late=25, reported_by="sam") == "late"
    assert check(friday, "missed", reported_by="alex") == "missed"
    assert check(friday, "cancelled", agreed_by=["alex", "sam"]) == "cancelled"


@pytest.mark.parametrize(
    ("status", "kw", "message"),
    [
        ("lost", {}, "unknown status 'lost'"),
        ("late", {}, "required with --status late"),
        ("late", {"minutes_late": -5}, "must be 0 or more"),
        ("on-time", {"minutes_late": 5}, "only allowed with --status late"),
        ("cancelled", {}, "needs who agreed"),
        ("missed", {"agreed_by": ["alex"]}, "only allowed with --status cancelled"),
        ("missed", {"reported_by": "grandma"}, "--by: 'grandma' is not a parent"),
        ("cancelled", {"agreed_by": ["alex", "bob"]}, "--agreed-by: 'bob'"),
    ],
)
def test_refused_outcomes(friday, status, kw, message):
    with pytest.raises(UserError, match=message) as err:
        check(friday, status, **kw)
    assert err.value.exit_code == 2


@pytest.mark.parametrize("status", ["on-time", "missed", "late"])
def test_future_exchange_cannot_have_happened(friday, status):
    before = friday.at - timedelta(minutes=1)
    kw = {"minutes_late": 0} if status == "late" else {}
    with pytest.raises(UserError, match="cannot be recorded as .* yet"):
        check(friday, status, now=before, **kw)


def test_late_beyond_now_is_refused_but_cancel_ahead_is_fine(friday):
    with pytest.raises(UserError, match="late by 30 minutes"):
        check(friday, "late", now=friday.at + timedelta(minutes=10), minutes_late=30)
    assert check(friday, "late", now=friday.at + timedelta(minutes=30), minutes_late=30)
    assert check(friday, "cancelled", now=friday.at - timedelta(days=3), agreed_by=["sam"])


def test_current_time_from_env(monkeypatch):
    monkeypatch.setenv("PC_CALENDAR_NOW", "2026-12-04T18:30:00-06:00")
    assert current_time() == datetime(2026, 12, 5, 0, 30, tzinfo=UTC)
    monkeypatch.setenv("PC_CALENDAR_NOW", "2026-12-04T18:30")
    assert current_time() == datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
    monkeypatch.setenv("PC_CALENDAR_NOW", "soon")
    with pytest.raises(UserError, match="PC_CALENDAR_NOW"):
        current_time()
    explicit = datetime(2027, 1, 1, tzinfo=UTC)
    assert current_time(explicit) == explicit


def test_rows_flag_overdue_pending_upcoming_and_recorded():
    timeline = make_timeline(make_plan(), date(2026, 11, 1), date(2026, 12, 1))
    exchanges = timeline.merged_exchanges()
    friday = next(e for e in exchanges if e.id == "2026-11-20T1800-alex-sam")
    now = friday.at + timedelta(minutes=10)
    records = [
        draft("2026-11-06T1800-alex-sam", "late", minutes_late=5),
        draft("2026-11-06T1800-alex-sam", "on-time"),  # supersedes
        draft(
            "2026-11-13T1700-sam-alex",
            "missed",
            scheduled_at="2026-11-13T23:00:00Z",
            scheduled_local="2026-11-13T17:00:00-06:00",
            from_parent="sam",
            to_parent="alex",
        ),
    ]
    rows = {
        r.exchange_id: r
        for r in exchange_rows(exchanges, records, now=now, grace=timedelta(minutes=30), zone=ZONE)
    }
    assert rows["2026-11-06T1800-alex-sam"].state == "on-time"
    assert rows["2026-11-06T1800-alex-sam"].record_count == 2
    assert rows["2026-11-13T1800-sam-alex"].state == "overdue"
    assert rows["2026-11-13T1800-sam-alex"].overdue
    assert rows["2026-11-20T1800-alex-sam"].state == "pending"  # within grace
    assert rows["2026-11-27T1800-sam-alex"].state == "upcoming"
    gone = rows["2026-11-13T1700-sam-alex"]
    assert not gone.in_plan and gone.state == "missed" and gone.exchange is None
    assert gone.local_at == datetime(2026, 11, 13, 17, tzinfo=ZONE)
    ordered = exchange_rows(exchanges, records, now=now, grace=timedelta(0), zone=ZONE)
    assert [r.local_at for r in ordered] == sorted(r.local_at for r in ordered)


def test_rows_show_location_names_and_keep_unknown_ids(friday):
    timeline = make_timeline(make_plan(), date(2026, 11, 1), date(2026, 12, 1))
    exchanges = timeline.merged_exchanges()
    gone = draft(
        "2026-11-13T1700-sam-alex",
        "missed",
        scheduled_at="2026-11-13T23:00:00Z",
        scheduled_local="2026-11-13T17:00:00-06:00",
        location="old-park",  # no longer among the plan's locations
    )
    rows = exchange_rows(
        exchanges,
        [gone],
        now=AFTER,
        grace=timedelta(0),
        zone=ZONE,
        places={"school": "Lincoln Elementary"},
    )
    by_id = {r.exchange_id: r for r in rows}
    row = by_id[friday.id]
    assert (row.location, row.place) == ("school", "Lincoln Elementary")
    orphan = by_id["2026-11-13T1700-sam-alex"]
    assert (orphan.location, orphan.place) == ("old-park", "old-park")
    plain = exchange_rows(exchanges, [], now=AFTER, grace=timedelta(0), zone=ZONE)
    assert all(r.place == r.location == "school" for r in plain)


@pytest.mark.parametrize(
    ("status", "minutes", "label"),
    [
        ("on-time", None, "on time"),
        ("late", 15, "late 15 min"),
        ("late", 0, "late 0 min"),
        ("missed", None, "MISSED"),
        ("cancelled", None, "cancelled"),
    ],
)
def test_outcome_label(status, minutes, label):
    assert outcome_label(draft(status=status, minutes_late=minutes)) == label
