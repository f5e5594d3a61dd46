"""The per-event steps of a Google write, run by :class:`.google_batch.Executor`.

Each task builds its next request and reads its own part of a batch's answer, so one
event's 409 or 412 is settled without disturbing the others. ``backend`` is the
:class:`~.google.GoogleBackend` (its ``events_api``, ``calendar_id``, ``body_of`` and
``remote_from``). Results mirror single calls: a RemoteEvent, None for a delete, or the
error for that event alone (``PreconditionFailed`` when the event moved under us).
"""

from __future__ import annotations

from typing import Any

from ..errors import BackendError, PreconditionFailed
from .base import DesiredEvent, RemoteEvent
from .google_batch import Task, error_reason, status_of
from .google_events import FAMILY_KEY, private_props


def _if_match(request: Any, etag: str | None) -> Any:
    if etag:
        request.headers["If-Match"] = etag
    return request


def _lost(status: int) -> bool:
    """Gone or changed under us: the sync engine re-lists and decides again."""
    return status in (404, 410, 412)


class Insert(Task):
    """insert -> (409) get -> (cancelled and ours) restore with If-Match."""

    def __init__(self, backend: Any, event: DesiredEvent) -> None:
        self.b, self.event = backend, event
        self.body = backend.body_of(event)
        self.step, self.etag = "insert", None

    def request(self) -> Any:
        events = self.b.events_api
        cal, eid = self.b.calendar_id, self.body["id"]
        if self.step == "insert":
            return events.insert(calendarId=cal, body=self.body)
        if self.step == "get":
            return events.get(calendarId=cal, eventId=eid)
        return _if_match(events.update(calendarId=cal, eventId=eid, body=self.body), self.etag)

    def answer(self, response: Any, error: Any) -> None:
        status = status_of(error) if error is not None else 200
        href = self.body["id"]
        if self.step == "insert" and status == 409:
            self.step = "get"
        elif self.step == "get" and error is None:
            if response.get("status") == "cancelled" and self._was_ours(response):
                self.step, self.etag = "restore", response.get("etag")
            else:
                self.finish(PreconditionFailed(href, "already exists"))
        elif error is None:
            self.finish(self.b.remote_from(response, self.event))
        elif self.step == "get" and _lost(status):
            # 409 yet no event under our id: the iCalUID is taken by one that is not ours
            self.finish(PreconditionFailed(href, "our iCalUID is taken by another event"))
        elif self.step == "restore" and _lost(status):
            self.finish(PreconditionFailed(href, f"changed while restoring (HTTP {status})"))
        else:
            self.finish(_refused(self.b, error, f"creating {self.event.uid}"))

    def _was_ours(self, item: dict[str, Any]) -> bool:
        """A cancelled event with our id: ours unless another family's marker is on it."""
        family = private_props(item).get(FAMILY_KEY)
        return item.get("id") == self.body["id"] and family in (None, self.b.family_id)


class Update(Task):
    def __init__(self, backend: Any, remote: RemoteEvent, event: DesiredEvent) -> None:
        self.b, self.remote, self.event = backend, remote, event
        self.body = backend.body_of(event)

    def request(self) -> Any:
        request = self.b.events_api.update(
            calendarId=self.b.calendar_id, eventId=self.remote.href, body=self.body
        )
        return _if_match(request, self.remote.etag)

    def answer(self, response: Any, error: Any) -> None:
        if error is None:
            self.finish(self.b.remote_from(response, self.event))
        elif _lost(status_of(error)):
            self.finish(PreconditionFailed(self.remote.href, f"HTTP {status_of(error)}"))
        else:
            self.finish(_refused(self.b, error, f"updating {self.event.uid}"))


class Delete(Task):
    def __init__(self, backend: Any, remote: RemoteEvent) -> None:
        self.b, self.remote = backend, remote

    def request(self) -> Any:
        request = self.b.events_api.delete(calendarId=self.b.calendar_id, eventId=self.remote.href)
        return _if_match(request, self.remote.etag)

    def answer(self, response: Any, error: Any) -> None:
        if error is None:
            self.finish(None)
        elif _lost(status_of(error)):
            self.finish(PreconditionFailed(self.remote.href, f"HTTP {status_of(error)}"))
        else:
            self.finish(_refused(self.b, error, f"deleting {self.remote.uid}"))


def _refused(backend: Any, error: Any, what: str) -> BackendError:
    return BackendError(
        f"{what}: Google answered HTTP {status_of(error)} ({error_reason(error) or 'no reason'})",
        target=backend.label,
    )
