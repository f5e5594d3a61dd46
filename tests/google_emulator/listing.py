"""events.list: filters, pagination, and full vs incremental (syncToken) listings.

Google's rules reproduced here: ``syncToken`` cannot be combined with the filtering
parameters (400); an invalidated token answers 410; an incremental listing returns every
event changed since the token, cancelled ones included, and -- unless ``showDeleted`` is
true -- deleted events carry only ``id``/``status``/``etag``; ``nextSyncToken`` comes only on
the last page and ``maxResults`` is capped at 2500.
"""

from __future__ import annotations

from datetime import datetime

from .errors import ApiError, bad_request
from .events import bounds, present
from .store import Calendar, PageState, Store
from .timefmt import parse_rfc3339, zone

DEFAULT_PAGE = 250
MAX_PAGE = 2500
_NO_SYNC_WITH = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)


def _flag(query: dict[str, list[str]], name: str) -> bool:
    return query.get(name, ["false"])[-1].lower() == "true"


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _props(query: dict[str, list[str]], name: str) -> list[tuple[str, str]]:
    pairs = []
    for raw in query.get(name, []):
        key, sep, value = raw.partition("=")
        if not sep or not key:
            raise bad_request(f"Invalid value for {name}: {raw}", location=name)
        pairs.append((key, value))
    return pairs


def _time(query: dict[str, list[str]], name: str) -> datetime | None:
    raw = _one(query, name)
    if raw is None:
        return None
    try:
        return parse_rfc3339(raw, need_offset=True)
    except ValueError:
        raise bad_request(f"Bad Request: invalid {name}", location=name) from None


def _page_size(query: dict[str, list[str]]) -> int:
    raw = _one(query, "maxResults")
    if raw is None:
        return DEFAULT_PAGE
    try:
        size = int(raw)
    except ValueError:
        raise bad_request(f"Invalid value '{raw}' for maxResults", location="maxResults") from None
    if size < 1:
        raise bad_request(f"Invalid value '{raw}' for maxResults", location="maxResults")
    return min(size, MAX_PAGE)


def _matching_ids(store: Store, cal: Calendar, query: dict[str, list[str]]) -> list[str]:
    """Ids of the events a fresh listing (first page) returns, in Google-like order."""
    tz_name = _one(query, "timeZone")
    token = _one(query, "syncToken")
    since = store.sync_seq(cal, token) if token is not None else None
    show_deleted = _flag(query, "showDeleted")
    updated_min = _time(query, "updatedMin")
    time_min, time_max = _time(query, "timeMin"), _time(query, "timeMax")
    if time_min and time_max and time_min >= time_max:
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")
    private = _props(query, "privateExtendedProperty")
    shared = _props(query, "sharedExtendedProperty")
    ical_uid, text = _one(query, "iCalUID"), (_one(query, "q") or "").lower()

    chosen = []
    for stored in cal.events.values():
        data = stored.data
        if since is not None:
            if stored.seq > since:
                chosen.append(stored)
            continue
        if updated_min is not None:
            if parse_rfc3339(data["updated"], need_offset=True) < updated_min:
                continue
        elif data["status"] == "cancelled" and not show_deleted:
            continue
        props = data.get("extendedProperties", {})
        if any(props.get("private", {}).get(k) != v for k, v in private):
            continue
        if any(props.get("shared", {}).get(k) != v for k, v in shared):
            continue
        if ical_uid is not None and data.get("iCalUID") != ical_uid:
            continue
        if text and not any(
            text in str(data.get(f, "")).lower() for f in ("summary", "description", "location")
        ):
            continue
        if time_min or time_max:
            start, end = bounds(cal, data, tz_name)
            if (time_min and end <= time_min) or (time_max and start >= time_max):
                continue
        chosen.append(stored)

    order_by = _one(query, "orderBy")
    if order_by == "startTime":
        if not _flag(query, "singleEvents"):
            raise bad_request("The requested ordering is not available for the particular query.")
        chosen.sort(key=lambda s: (bounds(cal, s.data, tz_name)[0], s.order))
    elif order_by == "updated":
        chosen.sort(key=lambda s: s.seq)
    elif order_by is not None:
        raise bad_request(f"Invalid value for orderBy: {order_by}", location="orderBy")
    else:
        chosen.sort(key=lambda s: s.order)
    return [s.data["id"] for s in chosen]


def list_events(store: Store, cal: Calendar, query: dict[str, list[str]]) -> dict:
    """One page of events.list for ``query`` (the parsed query string)."""
    if _one(query, "syncToken") is not None:
        clash = [name for name in _NO_SYNC_WITH if name in query]
        if clash:
            raise bad_request(
                f"The parameter syncToken cannot be used together with {clash[0]}.",
                location=clash[0],
            )
    tz_name = _one(query, "timeZone")
    if tz_name is not None:
        try:
            zone(tz_name)
        except ValueError:
            raise bad_request(f"Invalid time zone: {tz_name}", location="timeZone") from None
    size = _page_size(query)
    params = {k: v for k, v in query.items() if k not in ("pageToken", "maxResults")}
    page_token = _one(query, "pageToken")
    if page_token is not None:
        state = store.page(page_token, cal, params)
    else:
        state = PageState(cal.id, _matching_ids(store, cal, query), 0, store.counter, params)

    if store.short_pages:
        size = max(1, size // 2)
        if page_token is None:
            state.primed = False
    ids = [] if not state.primed else state.ids[state.position : state.position + size]
    minimal = (
        _one(query, "syncToken") is not None or _one(query, "updatedMin") is not None
    ) and not _flag(query, "showDeleted")
    items = [present(cal, cal.events[i].data, tz_name, minimal=minimal) for i in ids]
    result = {
        "kind": "calendar#events",
        "etag": f'"p{store.counter:016d}"',
        "summary": cal.summary,
        "updated": max((e.data["updated"] for e in cal.events.values()), default=None),
        "timeZone": tz_name or cal.time_zone,
        "accessRole": "owner",
        "defaultReminders": [],
        "items": items,
    }
    if result["updated"] is None:
        del result["updated"]
    if cal.description:
        result["description"] = cal.description
    end = state.position + len(ids)
    if end < len(state.ids) or not state.primed:
        nxt = PageState(cal.id, state.ids, end, state.sync_seq, params)
        result["nextPageToken"] = store.new_page(nxt)
    else:
        result["nextSyncToken"] = store.sync_token(cal, state.sync_seq)
    return result
