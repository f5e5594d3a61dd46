"""Several writes in flight per calendar (``max_in_flight``) against real servers: every
write still conditional and booked, a crash mid-push converging without duplicates, and
a "busy" answer backing the whole calendar off to one write at a time."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from servers import CalendarRef
from sync_helpers import FAMILY, ZONE, Syncer, make_event
from test_caldav_sync import CalDAVSyncer

from pc_calendar.backends.caldav import CalDAVBackend
from pc_calendar.backends.memory import MemoryBackend, transient_faults
from pc_calendar.errors import TransientBackendError
from pc_calendar.sync.concurrent import Gate
from pc_calendar.sync.state import StateStore


def events(count: int, summary: str = "Exchange"):
    return [
        make_event(
            f"2027-{1 + i // 28:02d}-{1 + i % 28:02d}",
            datetime(2027, 1 + i // 28, 1 + i % 28, 18, tzinfo=ZONE),
            f"{summary} {i}",
        )
        for i in range(count)
    ]


class Crash(BaseException):
    """The process dying between the server's answer and our booking of it."""


class Watched(CalDAVBackend):
    """A real CalDAV backend noting how many of its writes were in flight at once, and
    able to die right after the server has taken its ``crash_after``-th write."""

    def __init__(self, *args, crash_after: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.crash_after = crash_after
        self.lock = threading.Lock()
        self.active = self.peak = self.done = 0

    def _put(self, *args, **kwargs):
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            result = super()._put(*args, **kwargs)
        finally:
            with self.lock:
                self.active -= 1
        with self.lock:
            self.done += 1
            crash = self.crash_after is not None and self.done >= self.crash_after
        if crash:
            raise Crash(f"killed after {self.done} writes reached the server")
        return result


class WatchedSyncer(CalDAVSyncer):
    def __init__(self, tmp_path, calendar: CalendarRef, in_flight: int) -> None:
        super().__init__(tmp_path, calendar)
        self.in_flight = in_flight
        self.crash_after: int | None = None
        self.last: Watched | None = None

    def backend(self) -> Watched:
        config = self.calendar.config(timeout=30, max_in_flight=self.in_flight)
        self.last = Watched(config, {"family_id": "test-family"}, crash_after=self.crash_after)
        self.crash_after = None
        return self.last


def test_a_push_keeps_several_writes_in_flight_and_converges(tmp_path, caldav_calendar) -> None:
    syncer = WatchedSyncer(tmp_path, caldav_calendar, in_flight=4)
    desired = events(24)
    summary = syncer.run(desired)
    assert summary.ok and summary.created == 24, (summary.error, summary.problems)
    assert syncer.last is not None and 2 <= syncer.last.peak <= 4
    assert syncer.ours() == {d.uid: d.content_hash for d in desired}
    with StateStore(syncer.state_path) as store:
        state = store.load(syncer.key)
    assert sorted(state.entries) == sorted(d.uid for d in desired)  # every write booked
    again = syncer.run(desired)
    assert again.writes == 0 and again.requests <= 2


def test_one_at_a_time_when_asked(tmp_path, radicale_server) -> None:
    syncer = WatchedSyncer(tmp_path, radicale_server.new_calendar(), in_flight=1)
    assert syncer.run(events(6)).created == 6
    assert syncer.last is not None and syncer.last.peak == 1


def test_crash_mid_concurrent_push_converges_without_duplicates(tmp_path, caldav_calendar) -> None:
    """Killed right after the server took the 9th write: up to 4 writes reached the
    server without being booked. The re-run finds them (If-None-Match: * fails on our
    own bytes), books them, creates the rest, and nothing is there twice."""
    crash_then_converge(WatchedSyncer(tmp_path, caldav_calendar, in_flight=4))


def crash_then_converge(syncer: WatchedSyncer) -> None:
    """Push 30 events, dying after the server took the 9th write; then run again."""
    desired = events(30)
    syncer.crash_after = 9
    with pytest.raises(Crash):
        syncer.run(desired)
    with StateStore(syncer.state_path) as store:
        booked = len(store.load(syncer.key).entries)
    assert 1 <= booked < 30
    summary = syncer.run(desired)
    assert summary.ok, (summary.error, summary.problems)
    assert summary.created + summary.unchanged == 30
    assert summary.created <= 30 - booked
    assert syncer.ours() == {d.uid: d.content_hash for d in desired}
    assert syncer.run(desired).writes == 0


def test_overlapping_updates_on_xandikos_are_absorbed(tmp_path, xandikos_server) -> None:
    """Xandikos writes one item at a time (a git index lock) and answers 423 to a write
    that overlaps another: the run backs off to one at a time and still converges."""
    syncer = WatchedSyncer(tmp_path, xandikos_server.new_calendar(), in_flight=6)
    before = events(12)
    assert syncer.run(before).created == 12
    after = events(12, summary="Swapped")
    summary = syncer.run(after)
    assert summary.ok and summary.updated == 12, (summary.error, summary.problems)
    assert syncer.ours() == {d.uid: d.content_hash for d in after}


def test_a_busy_answer_pauses_every_worker_then_one_at_a_time() -> None:
    """The gate: one worker's 429 with Retry-After makes the others wait it out, and no
    two requests overlap from then on."""
    slept: list[float] = []
    gate = Gate(lambda s: (slept.append(s), time.sleep(min(s, 0.01))))
    active, peak_after = [0], [0]
    lock = threading.Lock()

    def call(fail: bool):
        def run():
            with lock:
                active[0] += 1
                if gate.tripped:
                    peak_after[0] = max(peak_after[0], active[0])
            time.sleep(0.02)
            with lock:
                active[0] -= 1
            if fail:
                raise TransientBackendError("busy (HTTP 429)", retry_after=5.0)
            return "ok"

        return run

    with pytest.raises(TransientBackendError):
        gate.through(call(True))
    assert gate.tripped
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(gate.through(call(False)))) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok"] * 6
    assert peak_after[0] == 1
    assert slept and all(4.0 <= s <= 5.0 for s in slept)


def test_busy_answers_mid_push_back_off_and_converge(tmp_path) -> None:
    """Through the engine with the memory calendar: two 503s among writes in flight are
    retried after the policy's pause, and the push still lands every event once."""
    backend = MemoryBackend(FAMILY)
    backend.max_in_flight = 4
    backend.fault = transient_faults(2)
    syncer = Syncer(tmp_path, backend)
    desired = events(20)
    summary = syncer.run(desired)
    assert summary.ok and summary.created == 20, (summary.error, summary.problems)
    assert len(syncer.sleeps) >= 2
    assert syncer.uids() == sorted(d.uid for d in desired)


def test_mass_delete_guard_is_unchanged(tmp_path) -> None:
    backend = MemoryBackend(FAMILY)
    backend.max_in_flight = 4
    syncer = Syncer(tmp_path, backend)
    desired = events(20)
    assert syncer.run(desired).created == 20
    refused = syncer.run(desired[:5])
    assert refused.error and "--yes" in refused.error
    assert len(syncer.uids()) == 20  # nothing deleted
    assert syncer.run(desired[:5], yes=True).deleted == 15
