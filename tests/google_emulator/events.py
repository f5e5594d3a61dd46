"""Event writes with Google's rules: id alphabet, 409 duplicates, If-Match, soft delete.

A deleted event is not removed: it becomes ``status: cancelled`` with a new etag and keeps
its id forever, so inserting that id again answers 409 and an update (or patch) with
``status: confirmed`` restores it -- exactly what a backend must cope with when a parent
deletes one of our events in the Google UI.
"""

from __future__ import annotations

import copy
import re

from .errors import ApiError, bad_request
from .store import PRIMARY_ID, Calendar, Store, new_id
from .timefmt import instant, render_edge, validate_span, zone

_ID = re.compile(r"^[a-v0-9]{5,1024}$")
_READ_ONLY = {"kind", "etag", "htmlLink", "created", "updated", "creator", "organizer", "id"}
_STATUSES = {"confirmed", "tentative", "cancelled"}
_MINIMAL = ("kind", "etag", "id", "status")
# Google's extended-properties guide: longer keys are silently dropped, longer values
# silently truncated -- so a too-long ownership key would quietly lose our mark.
MAX_PROPERTY_KEY = 44
MAX_PROPERTY_VALUE = 1024


def check_id(event_id: str) -> None:
    if not isinstance(event_id, str) or not _ID.match(event_id):
        raise bad_request("Invalid resource id value.")


def check_if_match(headers: dict[str, str], etag: str) -> None:
    """412 conditionNotMet unless If-Match is absent, ``*`` or lists the current etag."""
    wanted = headers.get("if-match")
    if wanted is None:
        return
    tags = [t.strip() for t in wanted.split(",")]
    if "*" in tags or etag in tags:
        return
    raise ApiError(
        412, "conditionNotMet", "Precondition Failed", location="If-Match", location_type="header"
    )


def _check_body(body: dict) -> None:
    """Reject what Google rejects before storing anything."""
    if not isinstance(body, dict):
        raise bad_request("Parse Error", reason="parseError")
    status = body.get("status", "confirmed")
    if status not in _STATUSES:
        raise bad_request(f"Invalid value for: {status!r} is not a valid value")
    props = body.get("extendedProperties")
    if props is not None:
        if not isinstance(props, dict):
            raise bad_request("Invalid extended properties.")
        for scope, values in props.items():
            if scope not in ("private", "shared") or not isinstance(values, dict):
                raise bad_request("Invalid extended properties.")
            if not all(isinstance(v, str | None) for v in values.values()):
                raise bad_request("Invalid extended property value.")
    if "sequence" in body and not isinstance(body["sequence"], int):
        raise bad_request("Invalid sequence value.")
    validate_span(body.get("start"), body.get("end"))


def _fill(cal: Calendar, body: dict, event_id: str) -> dict:
    """A stored event from a client body plus the fields Google adds itself."""
    data = {k: copy.deepcopy(v) for k, v in body.items() if k not in _READ_ONLY}
    data["kind"] = "calendar#event"
    data["id"] = event_id
    if "extendedProperties" in data:
        data["extendedProperties"] = _clip_properties(data["extendedProperties"])
    data.setdefault("status", "confirmed")
    data["htmlLink"] = f"https://www.google.com/calendar/event?eid={event_id}"
    data["creator"] = {"email": PRIMARY_ID, "self": True}
    organizer = {"email": cal.id, "displayName": cal.summary, "self": True}
    if cal.id == PRIMARY_ID:
        organizer = {"email": cal.id, "self": True}
    data["organizer"] = organizer
    data.setdefault("iCalUID", f"{event_id}@google.com")
    data.setdefault("sequence", 0)
    data.setdefault("reminders", {"useDefault": True})
    data.setdefault("eventType", "default")
    return data


def _clip_properties(props: dict) -> dict:
    """Apply Google's silent limits; a null value means "no such property"."""
    return {
        scope: {
            key: value[:MAX_PROPERTY_VALUE]
            for key, value in values.items()
            if value is not None and len(key) <= MAX_PROPERTY_KEY
        }
        for scope, values in props.items()
    }


def insert(store: Store, cal: Calendar, body: dict) -> dict:
    _check_body(body)
    event_id = body.get("id")
    if event_id is None:
        event_id = new_id()
    check_id(event_id)
    if event_id in cal.events:
        raise ApiError(409, "duplicate", "The requested identifier already exists.")
    return store.write(cal, _fill(cal, body, event_id), created=True)


def import_(store: Store, cal: Calendar, body: dict) -> dict:
    """events.import: upsert by iCalUID (a re-import updates the same event)."""
    if not isinstance(body, dict) or not body.get("iCalUID"):
        raise ApiError(400, "required", "Missing iCalUID.")
    for stored in cal.events.values():
        if stored.data.get("iCalUID") == body["iCalUID"]:
            return _replace(store, cal, stored.data, body)
    return insert(store, cal, body)


def _replace(store: Store, cal: Calendar, old: dict, body: dict) -> dict:
    _check_body(body)
    new = _fill(cal, body, old["id"])
    new["created"] = old["created"]
    new["iCalUID"] = old["iCalUID"]
    moved = new["start"] != old.get("start") or new["end"] != old.get("end")
    sequence = max(old.get("sequence", 0), body.get("sequence", 0))
    new["sequence"] = sequence + 1 if moved and sequence == old.get("sequence", 0) else sequence
    return store.write(cal, new, created=False)


def update(store: Store, cal: Calendar, event_id: str, body: dict, headers: dict) -> dict:
    """PUT: full replacement; a missing ``status`` means confirmed (restores a deleted one)."""
    stored = store.event(cal, event_id)
    check_if_match(headers, stored.data["etag"])
    return _replace(store, cal, stored.data, body)


def _merge(base: dict, patch: dict) -> dict:
    """Google's patch semantics: objects merge recursively, null deletes, arrays replace."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def patch(store: Store, cal: Calendar, event_id: str, body: dict, headers: dict) -> dict:
    stored = store.event(cal, event_id)
    check_if_match(headers, stored.data["etag"])
    if not isinstance(body, dict):
        raise bad_request("Parse Error", reason="parseError")
    return _replace(store, cal, stored.data, _merge(stored.data, body))


def delete(store: Store, cal: Calendar, event_id: str, headers: dict) -> None:
    """Soft delete; deleting an already deleted event answers 410 deleted, as Google does."""
    stored = store.event(cal, event_id)
    check_if_match(headers, stored.data["etag"])
    if stored.data["status"] == "cancelled":
        raise ApiError(410, "deleted", "Resource has been deleted")
    data = copy.deepcopy(stored.data)
    data["status"] = "cancelled"
    store.write(cal, data, created=False)


def present(cal: Calendar, data: dict, tz_name: str | None, *, minimal: bool = False) -> dict:
    """An event as Google returns it: times in the response zone; deleted ones maybe bare."""
    if minimal and data["status"] == "cancelled":
        return {k: data[k] for k in _MINIMAL}
    head = {k: data[k] for k in ("kind", "etag", "id", "status") if k in data}
    out = head | copy.deepcopy(data)
    tz = zone(tz_name or cal.time_zone)
    out["start"] = render_edge(data["start"], tz)
    out["end"] = render_edge(data["end"], tz)
    return out


def bounds(cal: Calendar, data: dict, tz_name: str | None) -> tuple:
    """(start, end) UTC instants for timeMin/timeMax filtering and startTime ordering."""
    tz = zone(tz_name or cal.time_zone)
    return instant(data["start"], tz), instant(data["end"], tz)
