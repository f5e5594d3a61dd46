"""Carry out a SyncPlan against one backend: retries, precondition recovery, state.

Transient faults are retried by the shared policy (:mod:`pc_calendar.retry`: capped
exponential backoff, jitter, the server's Retry-After); when the retries run out the
calendar fails with a clear error. A write the server refuses for a reason of its own
(:class:`WriteRefused`, e.g. a UID another calendar holds) is that event's problem: it
is reported and the other events go on. A failed precondition means the
server's copy moved under us: re-list, decide again for that one event with the same
rules (see :mod:`.diff`), and try once more. The state is written after every action
that succeeded, so a crash at any point leaves a state a re-run converges from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..backends.base import Backend, DesiredEvent, RemoteEvent, WriteOp, WriteResult
from ..errors import PreconditionFailed, TransientBackendError, WriteRefused
from ..retry import RetryPolicy, with_retries
from .diff import Action, Conflict, Policy, _for_desired, _for_unwanted, edited
from .state import CalendarState, Entry, StateStore

__all__ = ["Applier", "Outcome", "RetryPolicy", "entry_for", "with_retries"]

T = TypeVar("T")
WRITES = ("create", "update", "delete")


@dataclass
class Outcome:
    """What the actions did."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def entry_for(remote: RemoteEvent, accepted: str | None = None) -> Entry:
    return Entry(
        remote.uid,
        remote.href,
        remote.etag,
        remote.content_hash,
        remote.actual_hash,
        remote.start,
        accepted,
        end=remote.end,
    )


class Applier:
    """Runs actions in order, keeping ``state`` (and the store) in step with the server."""

    def __init__(
        self,
        backend: Backend,
        store: StateStore,
        state: CalendarState,
        policy: Policy,
        retry: RetryPolicy,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.backend = backend
        self.store = store
        self.state = state
        self.policy = policy
        self.retry = retry
        self.progress = progress or (lambda n: None)
        self.outcome = Outcome()
        #: hrefs this run deleted, or found already gone when it meant to delete them
        self.deleted_hrefs: set[str] = set()

    def run(self, actions: list[Action]) -> Outcome:
        size = getattr(self.backend, "batch_size", 1)
        in_flight = getattr(self.backend, "max_in_flight", 1)
        writes = [a for a in actions if a.op in WRITES]
        if size <= 1 and (in_flight <= 1 or len(writes) <= 1):
            for action in actions:
                self._do(action, recovering=False)
            return self.outcome
        for action in actions:
            if action.op not in WRITES:
                self._do(action, recovering=False)
        if size <= 1:  # several writes in flight, each its own request (see .concurrent)
            from .concurrent import write_concurrently

            write_concurrently(self, writes, in_flight)
            return self.outcome
        for start in range(0, len(writes), size):
            self._batch(writes[start : start + size])
        return self.outcome

    def _batch(self, chunk: list[Action]) -> None:
        """Several writes in one request; each result settled like a single call's."""
        ops = [WriteOp(a.op, event=a.desired, remote=a.remote) for a in chunk]
        results = self._call(lambda: self.backend.apply_batch(ops), "writing a batch")
        for action, result in zip(chunk, results, strict=True):
            if isinstance(result, TransientBackendError):
                self._do(action, recovering=False)  # alone, with the usual retries
                continue
            if action.conflict is not None:
                self.outcome.conflicts.append(action.conflict)
            if isinstance(result, PreconditionFailed):
                self._recover(action, result)
            elif isinstance(result, WriteRefused):
                self._refused(action, result)
            elif isinstance(result, Exception):
                raise result
            else:
                self._settle(action, result)

    # -- one action ------------------------------------------------------------------------

    def _do(self, action: Action, recovering: bool) -> None:
        if action.conflict is not None and not recovering:
            self.outcome.conflicts.append(action.conflict)
        try:
            getattr(self, f"_{action.op}")(action)
        except PreconditionFailed as exc:
            if recovering:
                self.outcome.problems.append(
                    f"{action.uid}: changed again while we recovered ({exc}); re-run sync"
                )
                return
            self._recover(action, exc)
        except WriteRefused as exc:
            self._refused(action, exc)

    def _refused(self, action: Action, exc: WriteRefused) -> None:
        """The server will not take this write: report it, leave the state as it was."""
        hint = f"; {exc.hint}" if exc.hint else ""
        self.outcome.problems.append(f"{action.uid}: {action.op} refused: {exc.message}{hint}")
        self.progress(1)

    def _create(self, action: Action) -> None:
        d = action.desired
        assert d is not None
        self._settle(action, self._call(lambda: self.backend.create(d), f"creating {d.uid}"))

    def _update(self, action: Action) -> None:
        d, r = action.desired, action.remote
        assert d is not None and r is not None
        self._settle(action, self._call(lambda: self.backend.update(r, d), f"updating {d.uid}"))

    def _delete(self, action: Action) -> None:
        r = action.remote
        assert r is not None
        self._call(lambda: self.backend.delete(r), f"deleting {r.uid}")
        self._settle(action, None)

    def _settle(self, action: Action, result: WriteResult) -> None:
        """Book one write that succeeded: state, counts, progress."""
        if action.op == "delete":
            r = action.remote
            assert r is not None
            self.deleted_hrefs.add(r.href)
            entry = self.state.entries.get(r.uid)
            if entry is None or entry.href in (None, r.href):
                self._forget(action)
            self.outcome.deleted += 1
        else:
            assert isinstance(result, RemoteEvent)
            self._remember(result)
            if action.op == "create":
                self.outcome.created += 1
            else:
                self.outcome.updated += 1
        self.progress(1)

    def _keep(self, action: Action) -> None:
        self.outcome.unchanged += 1
        if action.remote is not None:
            new = entry_for(action.remote, action.accepted)
        else:  # the parent deleted it and keeps it deleted
            new = Entry(action.uid, None, None, None, None, None, action.accepted)
        if self.state.entries.get(action.uid) != new:
            self.state.entries[action.uid] = new
            self.store.put(self.state.key, new)

    def _forget(self, action: Action) -> None:
        if self.state.entries.pop(action.uid, None) is not None:
            self.store.drop(self.state.key, action.uid)

    # -- helpers ---------------------------------------------------------------------------

    def _call(self, fn: Callable[[], T], what: str) -> T:
        return with_retries(fn, self.retry, what, self.backend.label)

    def _remember(self, remote: RemoteEvent) -> None:
        entry = entry_for(remote).with_(pending=True)
        self.state.entries[remote.uid] = entry
        self.store.put(self.state.key, entry)

    def _recover(self, action: Action, exc: PreconditionFailed) -> None:
        """The server's copy moved: look again and decide that one event afresh."""
        listing = self._call(lambda: self.backend.list(), "re-listing after a conflict")
        current = [r for r in listing.events if r.uid == action.uid] or [
            r
            for r in listing.unmarked
            if r.uid == action.uid  # a client stripped our marker
        ]
        remote = next(
            (r for r in current if action.remote and r.href == action.remote.href),
            current[0] if current else None,
        )
        if action.op == "create":
            if remote is None:
                self.outcome.problems.append(
                    f"{action.uid}: cannot create it, an object that is not ours is in the "
                    f"way ({exc}); it was left alone"
                )
                return
            if not edited(remote) and remote.content_hash == _hash(action.desired):
                self.outcome.unchanged += 1  # our own earlier write (a crash lost its state)
                self._remember(remote)
                return
            # an older version of ours is there: settle it like any other event
            retry = _for_desired(
                action.desired, remote, self._state_without(action.uid), self.policy
            )
        elif action.desired is not None:
            retry = _for_desired(action.desired, remote, self.state, self.policy)
        elif remote is None:
            if action.remote is not None:
                self.deleted_hrefs.add(action.remote.href)
            self._forget(action)  # already gone: what we wanted
            return
        else:
            retry = _for_unwanted(remote, self.state, self.policy)
        if retry.conflict is not None and action.conflict is None:
            self.outcome.conflicts.append(retry.conflict)
        self._do(retry, recovering=True)

    def _state_without(self, uid: str) -> CalendarState:
        entries = {k: v for k, v in self.state.entries.items() if k != uid}
        return CalendarState(self.state.key, self.state.token, entries)


def _hash(desired: DesiredEvent | None) -> str | None:
    return desired.content_hash if desired is not None else None
