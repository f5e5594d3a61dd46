"""Both sides are heard: who reported and how, who was at fault, confirmations and
disputes as new records, agreement states, and the hook firing at once."""

from __future__ import annotations

import pytest
from exchange_fixtures import compute, make_plan, utc

from pc_calendar import hookimpl
from pc_calendar.errors import UserError
from pc_calendar.exchanges import service
from pc_calendar.exchanges.agreement import agreements
from pc_calendar.exchanges.receipts import receipt_line, receipt_text
from pc_calendar.exchanges.status import outcome_label
from pc_calendar.exchanges.store import ExchangeStore
from pc_calendar.plugins import build_plugin_manager

NOW = utc(2026, 11, 25, 12)
FRIDAY = "2026-11-20T1800-alex-sam"  # alex hands over to sam


class Notifier:
    def __init__(self, db):
        self.db, self.calls = db, []

    @hookimpl
    def pc_calendar_exchange_missed(self, family, exchange, record):
        # The record is committed (durable) before plugins hear of it.
        with ExchangeStore.open(self.db, family.id, create=False) as store:
            stored = store.get(record.seq)
        self.calls.append((record.status, record.reported_by, record.at_fault, stored == record))


def pm_with(notifier=None):
    pm = build_plugin_manager()
    if notifier is not None:
        pm.register(notifier, "test-notifier")
    return pm


def checkin(db, parent, status, pm=None, **kw):
    return service.record_checkin(
        make_plan(), db, FRIDAY, parent, status, now=NOW, compute=compute, pm=pm or pm_with(), **kw
    )


def respond(db, seq, parent, response, **kw):
    return service.respond(make_plan(), db, seq, parent, response, now=NOW, **kw)


def states(db):
    with ExchangeStore.open(db, "test-family", create=False) as store:
        return {k: (a.state, a.agree, a.disagree) for k, a in agreements(store.records()).items()}


def test_checkin_names_reporter_channel_fault_and_server_time(db_path):
    notifier = Notifier(db_path)
    rec = checkin(db_path, "alex", "missed", at_fault="receiving", pm=pm_with(notifier)).record
    assert (rec.reported_by, rec.channel, rec.at_fault) == ("alex", "checkin", "receiving")
    assert rec.recorded_at == "2026-11-25T12:00:00Z" and rec.hash_version == 2
    assert rec.at_fault_parent == "sam", "the receiving parent was absent"
    assert notifier.calls == [("missed", "alex", "receiving", True)], "fired at once"
    assert outcome_label(rec) == "MISSED (sam)"


def test_interference_fires_the_hook_and_needs_who(db_path):
    notifier = Notifier(db_path)
    with pytest.raises(UserError, match="who was interference|who interfered"):
        checkin(db_path, "sam", "interference", pm=pm_with(notifier))
    assert not db_path.exists()
    rec = checkin(db_path, "sam", "interference", at_fault="alex", pm=pm_with(notifier)).record
    assert rec.at_fault == "handing_over" and rec.at_fault_parent == "alex"
    assert notifier.calls == [("interference", "sam", "handing_over", True)]


@pytest.mark.parametrize(
    ("parent", "status", "kw", "message"),
    [
        ("sam", "late", {"minutes_late": 10}, "say who was late"),
        ("sam", "late", {"minutes_late": 10, "at_fault": "lee"}, "neither side"),
        ("sam", "on-time", {"at_fault": "receiving"}, "only for late"),
        ("coordinator", "on-time", {}, "not a parent of exchange"),
    ],
)
def test_checkin_refusals_write_nothing(db_path, parent, status, kw, message):
    with pytest.raises(UserError, match=message):
        checkin(db_path, parent, status, **kw)
    assert not db_path.exists()


def test_cli_default_fault_is_the_handing_over_parent(db_path):
    rec = service.record_outcome(
        make_plan(),
        db_path,
        FRIDAY,
        "late",
        minutes_late=5,
        now=NOW,
        compute=compute,
        pm=pm_with(),
    ).record
    assert (rec.channel, rec.reported_by, rec.at_fault, rec.at_fault_parent) == (
        "cli",
        "coordinator",
        "handing_over",
        "alex",
    )


def test_confirmation_makes_it_agreed_and_is_a_new_record(db_path):
    first = checkin(db_path, "sam", "late", minutes_late=20, at_fault="handing_over").record
    assert states(db_path) == {FRIDAY: ("one-sided", ("sam",), ())}
    answer = respond(db_path, first.seq, "alex", "confirm", expected_hash=first.hash)
    assert (answer.kind, answer.responds_to, answer.responds_to_hash) == (
        "confirm",
        first.seq,
        first.hash,
    )
    assert (answer.status, answer.minutes_late, answer.supersedes) == ("late", 20, None)
    assert states(db_path) == {FRIDAY: ("agreed", ("alex", "sam"), ())}
    with ExchangeStore.open(db_path, "test-family") as store:
        assert store.records()[0] == first, "the original is untouched"
        assert store.latest_between("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z") == {
            FRIDAY: first
        }
        assert store.verify().ok


def test_dispute_and_a_conflicting_report_are_disputed(db_path):
    first = checkin(db_path, "alex", "missed", at_fault="receiving").record
    respond(db_path, first.seq, "sam", "dispute", note="I was there at 18:05")
    assert states(db_path) == {FRIDAY: ("disputed", ("alex",), ("sam",))}
    # sam files their own account: it becomes current and alex's earlier one disagrees
    mine = checkin(db_path, "sam", "late", minutes_late=5, at_fault="receiving").record
    assert mine.supersedes == first.seq
    assert states(db_path) == {FRIDAY: ("disputed", ("sam",), ("alex",))}
    respond(db_path, mine.seq, "alex", "confirm")
    assert states(db_path) == {FRIDAY: ("agreed", ("alex", "sam"), ())}


def test_coordinator_finding_is_one_sided_until_both_confirm(db_path):
    rec = service.record_outcome(
        make_plan(), db_path, FRIDAY, "on-time", now=NOW, compute=compute, pm=pm_with()
    ).record
    assert states(db_path)[FRIDAY][0] == "one-sided"
    respond(db_path, rec.seq, "alex", "confirm", channel="cli")
    assert states(db_path)[FRIDAY][0] == "one-sided"
    respond(db_path, rec.seq, "sam", "confirm")
    assert states(db_path)[FRIDAY][0] == "agreed"


def test_awaiting_lists_what_a_parent_has_not_answered(db_path):
    from datetime import date

    first = checkin(db_path, "sam", "late", minutes_late=20, at_fault="handing_over").record
    plan = make_plan()
    waiting = service.awaiting(plan, db_path, "alex", date(2026, 11, 1), date(2026, 12, 1))
    assert [a.current.seq for a in waiting] == [first.seq]
    assert service.awaiting(plan, db_path, "sam", date(2026, 11, 1), date(2026, 12, 1)) == []
    respond(db_path, first.seq, "alex", "dispute")
    assert service.awaiting(plan, db_path, "alex", date(2026, 11, 1), date(2026, 12, 1)) == []


@pytest.mark.parametrize(
    ("who", "kw", "message"),
    [
        ("sam", {}, "own report"),
        ("lee", {}, "not a parent of exchange"),
        ("alex", {"expected_hash": "0" * 64}, "not the one shown"),
    ],
)
def test_response_refusals(db_path, who, kw, message):
    first = checkin(db_path, "sam", "on-time").record
    with pytest.raises(UserError, match=message):
        respond(db_path, first.seq, who, "confirm", **kw)
    with pytest.raises(UserError, match="no such record"):
        respond(db_path, 99, "alex", "confirm")
    answer = respond(db_path, first.seq, "alex", "confirm")
    with pytest.raises(UserError, match="only an outcome can be answered"):
        respond(db_path, answer.seq, "sam", "dispute")


def test_receipt_names_the_record_and_its_hash(db_path):
    rec = checkin(db_path, "sam", "on-time").record
    assert receipt_line(rec) == f"pc-calendar-receipt test-family 1 sha256:{rec.hash}"
    assert receipt_line(rec) in receipt_text(rec) and "#1" in receipt_text(rec)


class ReceiptNotifier:
    def __init__(self):
        self.sent = []

    @hookimpl
    def pc_calendar_exchange_recorded(self, family, record, receipt):
        self.sent.append((family.id, record.seq, record.kind, receipt))


class BrokenReceiptNotifier:
    @hookimpl
    def pc_calendar_exchange_recorded(self, record):
        raise ConnectionError("mail server down")


def test_every_record_hands_its_receipt_to_notifiers(db_path):
    notifier = ReceiptNotifier()
    pm = build_plugin_manager(extra=[notifier, BrokenReceiptNotifier()])
    done = checkin(db_path, "sam", "late", pm=pm, minutes_late=5, at_fault="handing_over")
    assert [w for w in done.warnings if "mail server down" in w] == [
        "plugin 'BrokenReceiptNotifier': pc_calendar_exchange_recorded failed "
        "(ConnectionError: mail server down); the record was kept"
    ]
    warned = []
    answer = respond(db_path, done.record.seq, "alex", "confirm", pm=pm, on_warning=warned.append)
    assert len(warned) == 1 and "mail server down" in warned[0]
    assert [(f, s, k) for f, s, k, _ in notifier.sent] == [
        ("test-family", 1, "outcome"),
        ("test-family", 2, "confirm"),
    ]
    assert receipt_line(answer) in notifier.sent[1][3]
    with ExchangeStore.open(db_path, "test-family") as store:
        assert len(store.records()) == 2, "a failing notifier undoes nothing"


def test_receipt_texts_for_the_exchange_events(db_path):
    from datetime import date

    first = checkin(db_path, "sam", "on-time").record
    answer = respond(db_path, first.seq, "alex", "confirm")
    plan = make_plan()
    texts = service.receipt_texts(plan, db_path, date(2026, 11, 1), date(2026, 12, 1))
    assert list(texts) == [FRIDAY]
    assert receipt_line(first) in texts[FRIDAY] and receipt_line(answer) in texts[FRIDAY]
    missing = db_path.with_name("none.sqlite3")
    assert service.receipt_texts(plan, missing, date(2026, 11, 1), date(2026, 12, 1)) == {}
    assert not missing.exists()
