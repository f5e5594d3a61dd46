"""A calendar's writes with a few in flight, each still conditional and booked on its own.

Over a real network every write costs a round trip (30-150 ms) before the server even
starts on it; one at a time, a push of hundreds of events spends most of its time
waiting. A backend that can send from several threads at once (``Backend.max_in_flight``
> 1: CalDAV keeps a keep-alive connection per worker, HTTP/2 where offered, or on
request multiplexes them on one HTTP/2 connection) gets its writes sent up to that many
at a time. What does not change:

- every write is the same conditional request (``If-None-Match: *`` / ``If-Match``);
- every acknowledged write is booked in the sync state by the calling thread, one by one,
  as it comes back, before anything that depends on it is decided: a failed
  precondition is recovered (re-list, decide that event again) right there, and two
  writes for one event are never in flight together;
- a crash leaves at most ``max_in_flight`` writes done but unbooked; they are our own
  bytes at our own names, so the re-run's ``If-None-Match: *`` finds them and books them
  (no duplicates), exactly as after a crash with one write in flight;
- a server that answers "busy" (429/503, Retry-After) backs off the whole calendar: every
  worker waits out the pause, and the rest of the run sends one write at a time;
- the first error that stops the calendar stops sending; the writes already in flight
  are waited for and booked, then the error is raised as the sequential path would.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ..errors import PreconditionFailed, TransientBackendError, WriteRefused
from ..retry import with_retries

if TYPE_CHECKING:
    from .apply import Applier
    from .diff import Action


class Gate:
    """What every worker of one calendar passes through before each request.

    Until a "busy" answer, requests go straight out. After one (429, 503, 423: the
    server is overloaded, rate limiting, or serialises writes and refused one that
    overlapped another), every worker waits out the server's Retry-After, and from then
    on requests go one at a time with nothing else in flight.
    """

    def __init__(
        self, sleep: Callable[[float], None], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._idle = threading.Condition()
        self._active = 0
        self._until = 0.0
        #: a worker met a "busy" answer: the rest of the run sends one at a time
        self.tripped = False

    def hold(self, seconds: float) -> None:
        with self._idle:
            self._until = max(self._until, self._clock() + seconds)
            self.tripped = True

    def through(self, call: Callable[[], Any]) -> Any:
        """``call()`` once any pause is over; a transient failure pauses everyone."""
        delay = self._until - self._clock()
        if delay > 0:
            self._sleep(delay)
        with self._idle:
            if self.tripped:  # alone from now on: wait for what is in flight to land
                self._idle.wait_for(lambda: self._active == 0)
            self._active += 1
        try:
            return call()
        except TransientBackendError as exc:
            self.hold(exc.retry_after or 0.0)
            raise
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()


def write_concurrently(applier: Applier, writes: list[Action], limit: int) -> None:
    """Send ``writes`` through ``applier``'s backend, at most ``limit`` at a time."""
    gate = Gate(applier.retry.sleep)
    backend, retry, label = applier.backend, applier.retry, applier.backend.label

    def send(action: Action) -> Any:
        call = _backend_call(backend, action)
        return with_retries(lambda: gate.through(call), retry, _what(action), label)

    waiting: deque[Action] = deque(writes)
    running: dict[Future[Any], Action] = {}
    busy: set[str] = set()  # events with a write in flight
    failure: BaseException | None = None
    with ThreadPoolExecutor(limit, thread_name_prefix="pc-calendar-write") as pool:
        while running or (waiting and failure is None):
            window = 1 if gate.tripped else limit
            deferred: list[Action] = []
            while waiting and failure is None and len(running) < window:
                action = waiting.popleft()
                if action.uid in busy:
                    deferred.append(action)  # after the write in flight for that event
                    continue
                busy.add(action.uid)
                running[pool.submit(send, action)] = action
            waiting.extendleft(reversed(deferred))
            if not running:
                break  # only writes waiting for an event in flight: cannot happen
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                action = running.pop(future)
                busy.discard(action.uid)
                try:
                    _book(applier, action, future)
                except BaseException as exc:  # noqa: BLE001 - re-raised once in flight is booked
                    failure = failure or exc
    if failure is not None:
        raise failure


def _book(applier: Applier, action: Action, future: Future[Any]) -> None:
    """Settle one write's answer in the calling thread, as the sequential path does."""
    if action.conflict is not None:
        applier.outcome.conflicts.append(action.conflict)
    try:
        result = future.result()
    except PreconditionFailed as exc:
        applier._recover(action, exc)
    except WriteRefused as exc:
        applier._refused(action, exc)
    else:
        applier._settle(action, result)


def _backend_call(backend: Any, action: Action) -> Callable[[], Any]:
    d, r = action.desired, action.remote
    if action.op == "create":
        assert d is not None
        return lambda: backend.create(d)
    if action.op == "update":
        assert d is not None and r is not None
        return lambda: backend.update(r, d)
    assert action.op == "delete" and r is not None
    return lambda: backend.delete(r)


def _what(action: Action) -> str:
    verb = {"create": "creating", "update": "updating", "delete": "deleting"}[action.op]
    return f"{verb} {action.uid}"
