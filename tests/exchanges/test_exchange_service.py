"""The operations behind the CLI, over a hand-built Timeline: record (and refuse without
writing), notify plugins of missed exchanges, history, listing after a plan change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from exchange_fixtures import compute, make_plan, moved_compute, utc

from pc_calendar import hookimpl
from pc_calendar.errors import UserError
from pc_calendar.exchanges import service
from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.plugins import build_plugin_manager

NOW = utc(2026, 11, 25, 12)


def record(db, when, status, **kw):
    kw.setdefault("now", NOW)
    kw.setdefault("compute", compute)
    kw.setdefault("pm", build_plugin_manager())
    return service.record_outcome(make_plan(), db, when, status, **kw)


def test_record_stores_the_exchange_snapshot(db_path):
    done = record(db_path, "2026-11-20", "late", minutes_late=12, reported_by="sam", note="traffic")
    rec = done.record
    assert rec.exchange_id == "2026-11-20T1800-alex-sam" == done.exchange.id
    assert (rec.scheduled_at, rec.scheduled_local) == (
        "2026-11-21T00:00:00Z",
        "2026-11-20T18:00:00-06:00",
    )
    assert (rec.from_parent, rec.to_parent, rec.location) == ("alex", "sam", "school")
    assert rec.children == ["leo", "maya"] and rec.rule == "rotation 'alternating weeks' (rotation)"
    assert (rec.status, rec.minutes_late, rec.reported_by, rec.note) == (
        "late",
        12,
        "sam",
        "traffic",
    )
    assert rec.recorded_at == "2026-11-25T12:00:00Z" and rec.family == "test-family"
    again = record(db_path, "2026-11-20T1800-alex-sam", "on-time", reported_by="alex").record
    assert again.supersedes == rec.seq and again.prev_hash == rec.hash


@pytest.mark.parametrize(
    ("when", "status", "kw", "message"),
    [
        ("2026-11-10", "on-time", {}, "nearest"),
        ("2026-11-20", "sideways", {}, "unknown status"),
        ("2026-11-20", "late", {"minutes_late": -1}, "0 or more"),
        ("2026-11-27", "missed", {}, "cannot be recorded as missed yet"),
        ("2026-11-20", "cancelled", {}, "needs who agreed"),
        ("2026-11-18", "on-time", {}, "matches 2 exchanges"),
    ],
)
def test_refusals_write_nothing(db_path, when, status, kw, message):
    with pytest.raises(UserError, match=message):
        record(db_path, when, status, **kw)
    assert not db_path.exists()
    record(db_path, "2026-11-20", "on-time")
    with pytest.raises(UserError, match=message):
        record(db_path, when, status, **kw)
    with ExchangeStore.open(db_path, "test-family") as store:
        assert len(store.records()) == 1


class Notifier:
    def __init__(self):
        self.calls = []

    @hookimpl
    def pc_calendar_exchange_missed(self, family, exchange, record):
        self.calls.append((family.id, exchange.id, record.status, record.seq))


class BrokenNotifier:
    @hookimpl
    def pc_calendar_exchange_missed(self, exchange):
        raise ConnectionError("smtp down")


def test_missed_notifies_plugins_and_survives_a_broken_one(db_path):
    notifier = Notifier()
    pm = build_plugin_manager(extra=[notifier, BrokenNotifier()])
    done = record(db_path, "2026-11-20", "missed", reported_by="sam", pm=pm)
    assert notifier.calls == [("test-family", "2026-11-20T1800-alex-sam", "missed", 1)]
    assert len(done.warnings) == 1
    assert "'BrokenNotifier'" in done.warnings[0] and "smtp down" in done.warnings[0]
    with ExchangeStore.open(db_path, "test-family") as store:
        assert [r.status for r in store.records()] == ["missed"]


def test_other_outcomes_do_not_notify(db_path):
    notifier = Notifier()
    pm = build_plugin_manager(extra=[notifier])
    record(db_path, "2026-11-20", "on-time", pm=pm)
    record(db_path, "2026-11-27", "cancelled", agreed_by=["alex", "sam"], pm=pm)
    assert notifier.calls == []


def test_history_lists_superseded_records(db_path):
    record(db_path, "2026-11-13", "missed")
    record(db_path, "2026-11-13T18:00", "late", minutes_late=45, reported_by="alex")
    found = service.history(make_plan(), db_path, "2026-11-13", compute=compute)
    assert found.exchange.id == found.exchange_id == "2026-11-13T1800-sam-alex"
    assert [(r.seq, r.status, r.supersedes) for r in found.records] == [
        (1, "missed", None),
        (2, "late", 1),
    ]
    empty = service.history(make_plan(), db_path, "2026-11-20", compute=compute)
    assert empty.records == [] and empty.exchange is not None


def test_plan_change_keeps_records_attached(db_path):
    record(db_path, "2026-11-13", "missed", reported_by="alex")
    plan = make_plan()
    # the plan changes: Friday exchanges now at 17:00
    rows = service.list_exchanges(
        plan,
        db_path,
        date(2026, 11, 1),
        date(2026, 12, 1),
        now=NOW,
        grace=timedelta(minutes=30),
        compute=moved_compute,
    )
    by_id = {r.exchange_id: r for r in rows}
    gone = by_id["2026-11-13T1800-sam-alex"]
    assert not gone.in_plan and gone.state == "missed"
    assert by_id["2026-11-13T1700-sam-alex"].overdue
    found = service.history(plan, db_path, "2026-11-13T1800-sam-alex", compute=moved_compute)
    assert found.exchange is None and [r.status for r in found.records] == ["missed"]
    # a date now matches the new exchange, which has no records
    assert service.history(plan, db_path, "2026-11-13", compute=moved_compute).records == []
    report = service.make_report(
        plan,
        db_path,
        date(2026, 11, 1),
        date(2026, 12, 1),
        now=NOW,
        grace=timedelta(minutes=30),
        compute=moved_compute,
    )
    assert [r.exchange_id for r in report.no_longer_in_plan] == ["2026-11-13T1800-sam-alex"]


def test_reads_do_not_create_the_log(db_path):
    plan = make_plan()
    rows = service.list_exchanges(
        plan,
        db_path,
        date(2026, 11, 1),
        date(2026, 12, 1),
        now=NOW,
        grace=timedelta(0),
        compute=compute,
    )
    assert len(rows) == 8 and not db_path.exists()
    service.make_report(
        plan,
        db_path,
        date(2026, 11, 1),
        date(2026, 12, 1),
        now=NOW,
        grace=timedelta(0),
        compute=compute,
    )
    assert not db_path.exists()


class OverdueNotifier:
    def __init__(self):
        self.calls = []

    @hookimpl
    def pc_calendar_exchange_missed(self, family, exchange, record):
        self.calls.append((exchange.id, record))


def test_overdue_exchanges_are_notified_once(db_path):
    plan = make_plan()
    record(db_path, "2026-11-06", "on-time")
    notifier = OverdueNotifier()
    pm = build_plugin_manager(extra=[notifier, BrokenNotifier()])

    def rows():
        return service.list_exchanges(
            plan,
            db_path,
            date(2026, 11, 1),
            date(2026, 12, 1),
            now=NOW,
            grace=timedelta(minutes=30),
            compute=compute,
        )

    overdue = [r.exchange_id for r in rows() if r.overdue]
    assert "2026-11-06T1800-alex-sam" not in overdue and len(overdue) == 6
    sent, warnings = service.notify_overdue(plan, db_path, rows(), now=NOW, pm=pm)
    assert sent == overdue and [c[0] for c in notifier.calls] == overdue
    assert all(rec is None for _, rec in notifier.calls)
    assert len(warnings) == 6 and "BrokenNotifier" in warnings[0]
    assert service.notify_overdue(plan, db_path, rows(), now=NOW, pm=pm) == ([], [])
    assert len(notifier.calls) == 6
    with ExchangeStore.open(db_path, "test-family") as store:
        assert store.verify().ok and len(store.records()) == 1  # notices are not records


def test_nothing_overdue_writes_nothing(db_path):
    plan = make_plan()
    rows = service.list_exchanges(
        plan,
        db_path,
        date(2026, 12, 1),
        date(2026, 12, 20),
        now=NOW,
        grace=timedelta(0),
        compute=compute,
    )
    assert service.notify_overdue(plan, db_path, rows, now=NOW) == ([], [])
    assert not db_path.exists()


def test_latest_outcomes_for_calendars(db_path):
    plan = make_plan()
    assert service.latest_outcomes(plan, db_path, date(2026, 11, 1), date(2026, 12, 1)) == {}
    record(db_path, "2026-11-06", "late", minutes_late=5)
    record(db_path, "2026-11-06", "missed")
    record(db_path, "2026-11-13", "on-time")
    found = service.latest_outcomes(plan, db_path, date(2026, 11, 1), date(2026, 11, 10))
    assert {k: v.status for k, v in found.items()} == {"2026-11-06T1800-alex-sam": "missed"}


def test_outcome_labels_for_the_coordinators_calendar(db_path):
    plan = make_plan()
    nov = (date(2026, 11, 1), date(2026, 12, 1))
    assert service.outcome_labels(plan, db_path, *nov) == {}
    assert not db_path.exists()  # reading never creates the log
    record(db_path, "2026-11-06", "on-time")
    record(db_path, "2026-11-06", "late", minutes_late=20)  # supersedes: the label follows
    record(db_path, "2026-11-13", "missed")
    record(db_path, "2026-11-18T17:00", "on-time")
    record(db_path, "2026-11-27", "cancelled", agreed_by=["alex", "sam"])
    labels = service.outcome_labels(plan, db_path, *nov)
    assert labels == {
        "2026-11-06T1800-alex-sam": "late 20 min",
        "2026-11-13T1800-sam-alex": "MISSED",
        "2026-11-18T1700-alex-sam": "on time",
        "2026-11-27T1800-sam-alex": "cancelled",
    }
    timeline = compute(plan, *nov)  # the ids are those a renderer sees on the Timeline
    assert set(labels) <= {ex.id for ex in timeline.merged_exchanges()}
    assert service.outcome_labels(plan, db_path, date(2026, 11, 7), date(2026, 11, 14)) == {
        "2026-11-13T1800-sam-alex": "MISSED"
    }
