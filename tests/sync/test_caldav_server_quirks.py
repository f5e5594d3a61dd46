"""Servers that answer differently: a UID unique per account (Cyrus, iCloud, Fastmail),
Retry-After on 429/503, 423 Locked. A real Radicale behind the proxy of
``tests/servers_uid_rules.py``, which answers exactly as those servers do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest
from servers import CalDAVServer, CalendarRef
from servers_uid_rules import Fault, UidRulesProxy, uid_rules
from sync_helpers import ZONE, make_event

from pc_calendar.backends.caldav import CalDAVBackend, safe_name
from pc_calendar.retry import RetryPolicy
from pc_calendar.sync.runner import SyncOptions, sync_calendar
from pc_calendar.sync.state import StateStore

DAYS = [1, 3, 8, 10, 15, 17, 22, 24]


@pytest.fixture
def proxy(radicale_server) -> Iterator[UidRulesProxy]:
    if radicale_server.process is None or radicale_server.process.poll() is not None:
        radicale_server.start()
    with uid_rules(radicale_server) as running:
        yield running


class Run:
    """sync_calendar through the proxy, one state file, a fresh backend per run."""

    def __init__(self, tmp_path, proxy: CalDAVServer) -> None:
        self.proxy = proxy
        self.state = tmp_path / "state.sqlite"
        self.slept: list[float] = []
        # the proxy keeps UIDs unique across every calendar of the shared test server's
        # user, so each test has a family (and UIDs) of its own
        self.family = f"uid-rules-{uuid.uuid4().hex[:8]}"

    def exchanges(self, days: list[int], summary: str = "Exchange", marker: bool = True):
        return [
            make_event(
                f"2026-12-{d:02d}",
                datetime(2026, 12, d, 18, tzinfo=ZONE),
                f"{summary} 12/{d}",
                family=self.family,
                marker=marker,
            )
            for d in days
        ]

    def __call__(self, path: str, desired, **changes):
        retry = RetryPolicy(attempts=3, base=0.01, sleep=self.slept.append, rand=lambda: 1.0)
        values = dict(start=date(2026, 1, 1), end=date(2028, 1, 1), retry=retry)
        values.update(changes)
        config = CalendarRef(self.proxy, path).config(timeout=30)
        backend = CalDAVBackend(config, {"family_id": self.family})
        try:
            with StateStore(self.state) as store:
                key = f"{self.family}/alex/caldav:{path}"
                return sync_calendar(backend, desired, store, key, SyncOptions(**values), "alex")
        finally:
            backend.close()


@pytest.fixture
def run(tmp_path, proxy) -> Run:
    return Run(tmp_path, proxy)


def test_parents_own_copy_in_another_calendar_is_one_events_problem(
    run: Run, proxy: UidRulesProxy, radicale_server
) -> None:
    kids, personal = radicale_server.new_calendar(), radicale_server.new_calendar()
    desired = run.exchanges(DAYS)
    copied = desired[2]
    (copy,) = run.exchanges([DAYS[2]], "Exchange (my copy)", marker=False)
    assert personal.put("my-copy.ics", copy.ical) in (200, 201)
    theirs = personal.get("my-copy.ics")

    first = run(kids.path, desired)
    assert first.error is None, first.error
    assert first.created == 7 and len(first.problems) == 1
    (problem,) = first.problems
    assert copied.uid in problem
    assert "another calendar of this account already holds its UID" in problem
    assert personal.path + "my-copy.ics" in problem and "authentication" not in problem
    assert proxy.refused == [kids.path + safe_name(copied.uid)]
    assert personal.get("my-copy.ics") == theirs  # the parent's copy untouched

    again = run(kids.path, desired)
    assert again.error is None and again.writes == 0 and again.unchanged == 7
    assert [p.split(":")[0] for p in again.problems] == [copied.uid]
    # the parent deletes their copy: the next run completes the calendar
    assert personal.delete("my-copy.ics") in (200, 204)
    done = run(kids.path, desired)
    assert done.ok and done.created == 1


def test_target_moved_while_the_old_calendar_holds_ours(
    run: Run, proxy: UidRulesProxy, radicale_server
) -> None:
    old, new = radicale_server.new_calendar(), radicale_server.new_calendar()
    desired = run.exchanges(DAYS)
    assert run(old.path, desired).created == 8
    moved = run(new.path, desired)
    assert moved.error is None, "one event's refusal must never fail the whole calendar"
    assert moved.created == 0 and len(moved.problems) == 8
    assert all(old.path in p and "point the target back" in p for p in moved.problems)
    rerun = run(new.path, desired)
    assert rerun.error is None and len(rerun.problems) == 8
    # emptying the old calendar (the plan no longer wants anything there) frees the UIDs
    assert run(old.path, [], yes=True).deleted == 8
    assert run(new.path, desired).created == 8
    assert run(new.path, desired).ok


def test_retry_after_seconds_and_http_date_are_honoured(run: Run, proxy, radicale_server) -> None:
    kids = radicale_server.new_calendar()
    desired = run.exchanges(DAYS[:2])
    proxy.inject(Fault(429, headers={"Retry-After": "3"}, method="REPORT"))
    first = run(kids.path, desired)
    assert first.ok, first.error
    assert run.slept == [3.0]
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    proxy.inject(Fault(503, headers={"Retry-After": when}, method="PUT"))
    second = run(kids.path, run.exchanges(DAYS[:3]))
    assert second.ok and second.created == 1
    assert 15 <= run.slept[-1] <= 21


def test_retry_after_beyond_the_budget_fails_at_once_saying_so(
    run: Run, proxy, radicale_server
) -> None:
    kids = radicale_server.new_calendar()
    proxy.inject(Fault(503, count=5, headers={"Retry-After": "3600"}))
    summary = run(kids.path, run.exchanges(DAYS[:2]))
    assert run.slept == []
    assert "asks to wait 3600 s" in (summary.error or "")
    assert "re-run later" in (summary.error or "")


def test_locked_calendar_says_so_with_a_hint(run: Run, proxy, radicale_server) -> None:
    kids = radicale_server.new_calendar()
    proxy.inject(Fault(423, count=10))
    summary = run(kids.path, run.exchanges(DAYS[:2]))
    assert "locked (HTTP 423" in (summary.error or "")
    assert ".git/index.lock" in (summary.error or "")
    assert len(run.slept) == 2  # retried like any transient fault first


def test_xandikos_left_locked_by_a_crash(tmp_path, xandikos_server) -> None:
    """A Xandikos killed mid-write leaves git's index.lock behind and answers every
    write with 423 from then on: the calendar fails saying so and how to fix it; once
    the lock is gone a re-run converges."""
    if xandikos_server.process is None or xandikos_server.process.poll() is not None:
        xandikos_server.start()
    calendar = xandikos_server.new_calendar()
    folder = xandikos_server.root / "data" / calendar.path.strip("/")
    lock = folder / ".git" / "index.lock"
    run = Run(tmp_path, xandikos_server)
    desired = run.exchanges(DAYS[:3])
    lock.write_bytes(b"")
    try:
        locked = run(calendar.path, desired)
    finally:
        lock.unlink()
    assert "locked (HTTP 423" in (locked.error or "")
    assert "index.lock" in (locked.error or "") and "failed with HTTP 423" not in locked.error
    fixed = run(calendar.path, desired)
    assert fixed.ok and fixed.created == 3


@pytest.mark.parametrize(
    ("precondition", "expected"),
    [
        ("C:unique-scheduling-object-resource", "already holds its UID"),
        ("C:max-resource-size", "refused by the server (HTTP 403 max-resource-size)"),
    ],
)
def test_other_403_preconditions_are_one_events_problem(
    run: Run, proxy, radicale_server, precondition: str, expected: str
) -> None:
    """RFC 6638's twin of no-uid-conflict, and any precondition on a write: never an
    authentication failure, never the whole calendar."""
    kids = radicale_server.new_calendar()
    body = (
        '<?xml version="1.0" encoding="utf-8"?><D:error xmlns:D="DAV:" '
        f'xmlns:C="urn:ietf:params:xml:ns:caldav"><{precondition}/></D:error>'
    ).encode()
    proxy.inject(Fault(403, method="PUT", body=body, headers={"Content-Type": "application/xml"}))
    summary = run(kids.path, run.exchanges(DAYS[:3]))
    assert summary.error is None and summary.created == 2
    (problem,) = summary.problems
    assert expected in problem and "authentication" not in problem
