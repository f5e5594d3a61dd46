"""The Google Calendar backend class (Calendar API v3 through google-api-python-client).

Registered by :mod:`.google`, which imports this module only when a target is built.

- Ours: deterministic ids and private extended properties (see :mod:`.google_events`);
  nothing without our family's marker is listed, updated or deleted.
- Listing: the first (or a recovery) listing is filtered server-side with
  ``privateExtendedProperty=pcCalendarFamily=<family>``. Later ones pass the stored
  ``syncToken``; Google forbids combining it with that filter, so the changes come back
  unfiltered and ours are picked client-side; cancelled ids become ``removed``. 410 Gone
  (token expired or invalidated) means list everything again.
- Writes: ``apply_batch`` sends up to 50 per HTTP request and settles every part on its
  own; ``create``/``update``/``delete`` are batches of one. Updates and deletes carry
  ``If-Match``; 412 is :class:`PreconditionFailed`. An insert answered 409 (the id
  exists) looks at the event: one a parent deleted in the Google UI is kept by Google
  as ``cancelled`` under the same id, and is restored by an update with
  ``status = confirmed``; a live one is :class:`PreconditionFailed` ("already exists").
- Errors: 401 and other 403s are :class:`BackendError` telling the user to log in; 404 on
  the calendar is a BackendError naming it; rate limits, 5xx and dropped connections are
  retried (see :mod:`.google_batch`) and end as :class:`TransientBackendError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import BackendError
from .base import (
    Backend,
    DesiredEvent,
    Listing,
    RemoteEvent,
    WriteOp,
    WriteResult,
    remote_from_desired,
)
from .google_batch import BATCH_LIMIT, Backoff, Executor, Pacer, Task, error_reason, status_of
from .google_config import GoogleSettings
from .google_events import (
    FAMILY_KEY,
    event_body,
    event_id,
    is_ours,
    private_props,
    remote_event,
    to_ical,
)
from .google_tasks import Delete, Insert, Update

PAGE_SIZE = 2500  # the largest page events.list allows


class _Gone(Exception):
    """The sync token is no longer valid (HTTP 410)."""


def build_service(settings: GoogleSettings, credentials: Any) -> tuple[Any, Any]:
    """The Calendar v3 client from the bundled discovery document (no network) and its http."""
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build

    http = google_auth_httplib2.AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=settings.timeout)
    )
    options = {"api_endpoint": settings.api_endpoint} if settings.api_endpoint else None
    service = build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        client_options=options,
        cache_discovery=False,
    )
    return service, http


class GoogleBackend(Backend):
    """One Google calendar of one account."""

    batch_size = BATCH_LIMIT
    #: events per listing page (Google's maximum; tests lower it to exercise paging)
    page_size = PAGE_SIZE

    def __init__(
        self,
        settings: GoogleSettings,
        family_id: str,
        credentials: Any = None,
        *,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        rand: Callable[[], float] | None = None,
        attempts: int = 6,
    ) -> None:
        from .google_auth import TokenStore, credentials_for

        self.settings = settings
        self.family_id = family_id
        self.calendar_id = settings.calendar_id
        self.label = f"google {settings.calendar_id} ({settings.account})"
        self._store = None
        if credentials is None:
            if not (settings.anonymous or settings.service_account_file):
                self._store = TokenStore(settings.account)
            credentials = credentials_for(settings, self._store)
        self.credentials = credentials
        self._token_before = getattr(credentials, "token", None)
        self.service, self.http = build_service(settings, credentials)
        #: the events resource, built once (googleapiclient builds it anew on every call)
        self.events_api = self.service.events()
        backoff = Backoff(attempts=attempts)
        pacer = Pacer(settings.requests_per_minute)
        for part in (backoff, pacer):
            if sleep is not None:
                part.sleep = sleep
        if clock is not None:
            pacer.clock = clock
        if rand is not None:
            backoff.rand = rand
        self.executor = Executor(
            self.label,
            settings.account,
            pacer,
            backoff,
            batch_uri=settings.batch_uri,
            http=self.http,
            new_batch=self.service.new_batch_http_request,
        )

    # -- listing ----------------------------------------------------------------------

    def list(self, since_token: str | None = None) -> Listing:
        if since_token:
            try:
                return self._pages(since_token)
            except _Gone:
                pass  # token expired or invalidated: list everything again
        return self._pages(None)

    def _pages(self, token: str | None) -> Listing:
        events: list[RemoteEvent] = []
        removed: list[str] = []
        page: str | None = None
        calls = 0
        while True:
            params: dict[str, Any] = {"calendarId": self.calendar_id, "maxResults": self.page_size}
            if token:
                params["syncToken"] = token
            else:
                params["privateExtendedProperty"] = f"{FAMILY_KEY}={self.family_id}"
            if page:
                params["pageToken"] = page
            answer = self._list_call(params)
            calls += 1
            for item in answer.get("items", []):
                if item.get("status") == "cancelled":
                    if token and self._maybe_ours(item):
                        removed.append(str(item["id"]))
                elif mine := remote_event(item, self.family_id):
                    events.append(mine)
            page = answer.get("nextPageToken")
            if not page:
                return Listing(
                    events=events,
                    full=token is None,
                    token=answer.get("nextSyncToken"),
                    removed=removed,
                    requests=calls,
                )

    def _list_call(self, params: dict[str, Any]) -> dict[str, Any]:
        from googleapiclient.errors import HttpError

        try:
            return self.executor.one(lambda: self.events_api.list(**params), "listing events")
        except HttpError as exc:
            if status_of(exc) == 410 and "syncToken" in params:
                raise _Gone() from exc
            raise self._calendar_error(exc) from exc

    def _maybe_ours(self, item: dict[str, Any]) -> bool:
        """A cancelled item: Google may strip it to id and status, so keep those unless
        it carries another family's marker."""
        family = private_props(item).get(FAMILY_KEY)
        return family is None or family == self.family_id

    def _calendar_error(self, exc: Any) -> BackendError:
        if status_of(exc) == 404:
            return BackendError(
                f"calendar {self.calendar_id!r} not found for {self.settings.account}",
                target=self.label,
                hint="check calendar_id, or create one with: pc-calendar google setup "
                f"{self.settings.account}",
            )
        return BackendError(
            f"Google answered HTTP {status_of(exc)} ({error_reason(exc) or 'no reason'})",
            target=self.label,
        )

    # -- writes -----------------------------------------------------------------------

    def create(self, event: DesiredEvent) -> RemoteEvent:
        return self._single(WriteOp("create", event=event))

    def update(self, remote: RemoteEvent, event: DesiredEvent) -> RemoteEvent:
        return self._single(WriteOp("update", event=event, remote=remote))

    def delete(self, remote: RemoteEvent) -> None:
        self._single(WriteOp("delete", remote=remote))

    def _single(self, op: WriteOp) -> Any:
        (result,) = self.apply_batch([op])
        if isinstance(result, Exception):
            raise result
        return result

    def apply_batch(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        tasks = [self._task(op) for op in ops]
        self.executor.run(tasks)
        return [t.result for t in tasks]

    def _task(self, op: WriteOp) -> Task:
        try:
            return self._new_task(op)
        except BackendError as exc:  # this event cannot be expressed; the others go on
            failed = Task()
            failed.finish(exc)
            return failed

    def _new_task(self, op: WriteOp) -> Task:
        if op.op == "create" and op.event is not None:
            return Insert(self, op.event)
        if op.op == "update" and op.event is not None and op.remote is not None:
            return Update(self, op.remote, op.event)
        if op.op == "delete" and op.remote is not None:
            return Delete(self, op.remote)
        raise ValueError(f"malformed write op: {op!r}")

    def body_of(self, event: DesiredEvent) -> dict[str, Any]:
        try:
            return event_body(event, self.family_id)
        except (ValueError, KeyError) as exc:
            raise BackendError(
                f"cannot express {event.uid} for Google: {exc}", target=self.label
            ) from None

    def remote_from(self, answer: Any, event: DesiredEvent) -> RemoteEvent:
        """What Google answered a write with (read back, so edits are judged the same)."""
        mine = remote_event(answer, self.family_id) if isinstance(answer, dict) else None
        if mine is not None:
            return mine
        etag = answer.get("etag") if isinstance(answer, dict) else None
        return remote_from_desired(event, event_id(event.uid), etag)

    def fetch(self, remote: RemoteEvent) -> bytes | None:
        from googleapiclient.errors import HttpError

        try:
            item = self.executor.one(
                lambda: self.events_api.get(calendarId=self.calendar_id, eventId=remote.href),
                "reading an event",
            )
        except HttpError as exc:
            if status_of(exc) in (404, 410):
                return None
            raise self._calendar_error(exc) from exc
        if item.get("status") == "cancelled" or not is_ours(item, self.family_id):
            return None
        return to_ical(item)

    def create_calendar(self, summary: str, time_zone: str) -> str:
        """A new secondary calendar of this account (``google setup``); returns its id."""
        from googleapiclient.errors import HttpError

        body = {"summary": summary, "timeZone": time_zone}
        try:
            made = self.executor.one(
                lambda: self.service.calendars().insert(body=body), "creating a calendar"
            )
        except HttpError as exc:
            raise self._calendar_error(exc) from exc
        return str(made["id"])

    @property
    def request_count(self) -> int:
        return self.executor.requests

    def close(self) -> None:
        """Keep a token the HTTP layer refreshed during the run."""
        if self._store is not None:
            from .google_auth import save_if_changed

            save_if_changed(self.credentials, self._store, self._token_before)
            self._token_before = getattr(self.credentials, "token", None)
