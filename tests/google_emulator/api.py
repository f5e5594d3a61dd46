"""Routing of Calendar v3 REST paths to the store; every answer is a :class:`Response`.

Covers what the backend uses: calendars insert/get/patch/update/delete, calendarList
list/get, events list/get/insert/import/update/patch/delete. Paths are the ones in the
discovery document shipped with google-api-python-client (``calendar/v3/...``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from . import events as ev
from . import partial
from .errors import ApiError, bad_request, not_found
from .listing import list_events
from .store import PRIMARY_ID, Store, new_id
from .timefmt import zone

PREFIX = "/calendar/v3/"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, payload: dict, status: int = 200) -> Response:
        headers = [("Content-Type", "application/json; charset=UTF-8")]
        if isinstance(payload.get("etag"), str):
            headers.append(("ETag", payload["etag"]))
        return cls(status, json.dumps(payload, indent=1).encode(), headers)

    @classmethod
    def error(cls, exc: ApiError) -> Response:
        return cls(exc.code, exc.to_bytes(), [("Content-Type", "application/json; charset=UTF-8")])


def _body(raw: bytes) -> dict:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise bad_request("Parse Error", reason="parseError") from None
    if not isinstance(data, dict):
        raise bad_request("Parse Error", reason="parseError")
    return data


class Api:
    """Stateless request handling over a :class:`Store` (callers hold the lock)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Response:
        """Answer one request (``target`` is path plus query string)."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        if not parts.path.startswith(PREFIX):
            return Response.error(not_found())
        segments = [unquote(s) for s in parts.path[len(PREFIX) :].strip("/").split("/")]
        try:
            response = self._route(method.upper(), segments, query, headers, raw)
            if "fields" in query and response.status == 200:
                selection = partial.parse(query["fields"][-1])
                payload = partial.apply(json.loads(response.body), selection)
                response = Response.json(payload)
            return response
        except ApiError as exc:
            return Response.error(exc)

    def _route(self, method, segs, query, headers, raw) -> Response:
        store = self.store
        if segs[:3] == ["users", "me", "calendarList"]:
            if len(segs) == 3 and method == "GET":
                items = [self._list_entry(c.id) for c in store.calendars.values()]
                return Response.json({"kind": "calendar#calendarList", "items": items})
            if len(segs) == 4 and method == "GET":
                return Response.json(self._list_entry(store.resolve(segs[3]).id))
            raise not_found()
        if segs[0] != "calendars":
            raise not_found()
        if len(segs) == 1 and method == "POST":
            return Response.json(self._insert_calendar(_body(raw)))
        if len(segs) < 2:
            raise not_found()
        cal = store.resolve(segs[1])
        if len(segs) == 2:
            if method == "GET":
                return Response.json(cal.resource())
            if method in ("PUT", "PATCH"):
                return Response.json(self._edit_calendar(cal, _body(raw), method))
            if method == "DELETE":
                if cal.id == PRIMARY_ID:
                    raise bad_request(
                        "Cannot delete primary calendar.", reason="cannotDeletePrimaryCalendar"
                    )
                del store.calendars[cal.id]
                return Response(204)
            raise not_found()
        if segs[2] != "events":
            raise not_found()
        tz_name = query.get("timeZone", [None])[-1]
        if len(segs) == 3:
            if method == "GET":
                return Response.json(list_events(store, cal, query))
            if method == "POST":
                return Response.json(ev.present(cal, ev.insert(store, cal, _body(raw)), tz_name))
            raise not_found()
        if len(segs) == 4 and segs[3] == "import" and method == "POST":
            return Response.json(ev.present(cal, ev.import_(store, cal, _body(raw)), tz_name))
        if len(segs) != 4:
            raise not_found()
        event_id = segs[3]
        if method == "GET":
            data = store.event(cal, event_id).data
            if headers.get("if-none-match") == data["etag"]:
                return Response(304, b"", [("ETag", data["etag"])])
            return Response.json(ev.present(cal, data, tz_name))
        if method == "PUT":
            data = ev.update(store, cal, event_id, _body(raw), headers)
            return Response.json(ev.present(cal, data, tz_name))
        if method == "PATCH":
            data = ev.patch(store, cal, event_id, _body(raw), headers)
            return Response.json(ev.present(cal, data, tz_name))
        if method == "DELETE":
            ev.delete(store, cal, event_id, headers)
            return Response(204)
        raise not_found()

    def _insert_calendar(self, body: dict) -> dict:
        if not body.get("summary"):
            raise ApiError(400, "required", "Missing title.")
        tz_name = body.get("timeZone")
        if tz_name is not None:
            try:
                zone(tz_name)
            except ValueError:
                raise bad_request("Invalid time zone definition.") from None
        cal_id = f"{new_id()}@group.calendar.google.com"
        cal = self.store.add_calendar(cal_id, body["summary"], tz_name)
        cal.description = body.get("description", "")
        return cal.resource()

    def _edit_calendar(self, cal, body: dict, method: str) -> dict:
        if method == "PUT" and not body.get("summary"):
            raise ApiError(400, "required", "Missing title.")
        if "timeZone" in body:
            try:
                zone(body["timeZone"])
            except ValueError:
                raise bad_request("Invalid time zone definition.") from None
            cal.time_zone = body["timeZone"]
        cal.summary = body.get("summary", cal.summary)
        cal.description = body.get("description", cal.description)
        _, cal.etag, _ = self.store.tick()
        return cal.resource()

    def _list_entry(self, cal_id: str) -> dict:
        entry = self.store.calendars[cal_id].resource()
        entry["kind"] = "calendar#calendarListEntry"
        entry["accessRole"] = "owner"
        entry["defaultReminders"] = []
        if cal_id == PRIMARY_ID:
            entry["primary"] = True
        return entry


def split_target(target: str) -> str:
    """The path of a request target, without the query string."""
    return target.split("?", 1)[0]
