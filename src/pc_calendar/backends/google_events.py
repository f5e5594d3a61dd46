"""Our VEVENTs <-> Google Calendar v3 event JSON, event ids, and edit detection.

Identity: an event's Google ``id`` is the base32hex (lowercase ``a-v0-9``) of the
SHA-256 of our UID, so it is the same on every run and every machine, and its
``iCalUID`` is our UID. Ownership: the private extended properties
``pcCalendarFamily`` (family id) and ``pcCalendarKind``; an event is ours only when it
has our family there, an iCalUID in our UID domain, and the id derived from that UID
(a parent's copy of one of our events has another id, so it is never adopted).

Edit detection (how ``actual_hash`` works): Google cannot hold every property of a
VEVENT (categories, plugin decorations), so the VEVENT cannot be rebuilt from Google's
copy byte for byte. We therefore store two hashes in private properties:

- ``pcCalendarHash``: the VEVENT content hash (:func:`pc_calendar.identity.content_hash`)
  the sync engine compares with the plan's, and
- ``pcCalendarFields``: :func:`fields_hash` of the Google fields we wrote, in a
  normalised form (UTC instants, defaults filled in, reminders sorted).

When listing, :func:`fields_hash` of the event as Google holds it now is compared with
``pcCalendarFields``: equal means untouched and ``actual_hash`` is ``pcCalendarHash``;
different means a parent edited it in the Google UI and ``actual_hash`` becomes
``"edited-" + fields hash``, which never equals a content hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ..identity import HASH_PROP, KIND_PROP, OWNER_PROP, UID_DOMAIN
from .base import DesiredEvent, RemoteEvent

FAMILY_KEY = "pcCalendarFamily"
HASH_KEY = "pcCalendarHash"
KIND_KEY = "pcCalendarKind"
FIELDS_KEY = "pcCalendarFields"
EDITED_PREFIX = "edited-"
#: Google allows at most five reminder overrides, each 0..40320 minutes (four weeks).
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 40320


def event_id(uid: str) -> str:
    """The Google event id of our UID: base32hex of its SHA-256, 52 chars of a-v0-9.

    >>> event_id("custody-x@f.pc-calendar.invalid") == event_id("custody-x@f.pc-calendar.invalid")
    True
    >>> set(event_id("a")) <= set("0123456789abcdefghijklmnopqrstuv"), len(event_id("a"))
    (True, 52)
    """
    digest = hashlib.sha256(uid.encode("utf-8")).digest()
    return base64.b32hexencode(digest).decode("ascii").rstrip("=").lower()


def zone_name(tz: tzinfo | None, when: datetime) -> str:
    """An IANA zone name Google accepts for ``tz``; ValueError for floating times."""
    if tz is None:
        raise ValueError("floating (zone-less) times cannot go to Google Calendar")
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    if when.utcoffset() == timedelta(0):
        return "UTC"
    name = getattr(tz, "zone", None) or tz.tzname(when)
    if isinstance(name, str) and name:
        try:
            ZoneInfo(name)
            return name
        except (KeyError, ValueError):
            pass
    raise ValueError(f"time zone {tz!r} has no IANA name Google would accept")


def _time_field(value: date | datetime) -> dict[str, str]:
    if isinstance(value, datetime):
        return {"dateTime": value.isoformat(), "timeZone": zone_name(value.tzinfo, value)}
    return {"date": value.isoformat()}


def _end_of(vevent: Any, start: date | datetime) -> date | datetime:
    if (end := vevent.get("DTEND")) is not None:
        return end.dt
    if (duration := vevent.get("DURATION")) is not None:
        return start + duration.dt
    return start + timedelta(days=1) if not isinstance(start, datetime) else start


def _reminders(vevent: Any) -> dict[str, Any]:
    """VALARMs with a trigger before the start -> reminder overrides (never defaults)."""
    overrides = []
    for alarm in vevent.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        if trigger is None or not isinstance(trigger.dt, timedelta):
            continue  # absolute triggers have no Google equivalent
        if str(trigger.params.get("RELATED", "START")).upper() != "START":
            continue
        minutes = int(-trigger.dt.total_seconds() // 60)
        if 0 <= minutes <= MAX_REMINDER_MINUTES:
            method = "email" if str(alarm.get("ACTION", "")).upper() == "EMAIL" else "popup"
            overrides.append({"method": method, "minutes": minutes})
    overrides = sorted(overrides, key=lambda o: (o["method"], o["minutes"]))[:MAX_REMINDERS]
    return {"useDefault": False, "overrides": overrides}


def event_body(desired: DesiredEvent, family_id: str) -> dict[str, Any]:
    """The events.insert / events.update body for one of our events."""
    vevent = desired.event
    start = vevent["DTSTART"].dt
    transp = str(vevent.get("TRANSP", "OPAQUE")).upper()
    body: dict[str, Any] = {
        "id": event_id(desired.uid),
        "iCalUID": desired.uid,
        "status": "confirmed",
        "summary": str(vevent.get("SUMMARY", "")),
        "description": str(vevent.get("DESCRIPTION", "")),
        "location": str(vevent.get("LOCATION", "")),
        "start": _time_field(start),
        "end": _time_field(_end_of(vevent, start)),
        "transparency": "transparent" if transp == "TRANSPARENT" else "opaque",
        "reminders": _reminders(vevent),
    }
    body["extendedProperties"] = {
        "private": {
            FAMILY_KEY: family_id,
            HASH_KEY: desired.content_hash,
            KIND_KEY: desired.kind,
            FIELDS_KEY: fields_hash(body),
        }
    }
    return body


# -- normalised form and the hash of what Google holds ------------------------------------


def _instant(value: str) -> str:
    """An RFC 3339 date-time as a UTC instant string (offsets and ``Z`` alike)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"date-time without offset: {value!r}")
    return moment.astimezone(UTC).isoformat()


def _norm_time(field: dict[str, Any] | None) -> list[str]:
    field = field or {}
    if field.get("date"):
        return ["date", str(field["date"])]
    if field.get("dateTime"):
        return ["dateTime", _instant(str(field["dateTime"])), str(field.get("timeZone", ""))]
    return ["none"]


def normalised(event: dict[str, Any]) -> dict[str, Any]:
    """The fields we own, as comparable values: what a parent's edit would change."""
    reminders = event.get("reminders") or {}
    overrides = sorted(
        (str(o.get("method", "popup")), int(o.get("minutes", 0)))
        for o in reminders.get("overrides") or []
    )
    return {
        "summary": event.get("summary") or "",
        "description": event.get("description") or "",
        "location": event.get("location") or "",
        "start": _norm_time(event.get("start")),
        "end": _norm_time(event.get("end")),
        "transparency": event.get("transparency") or "opaque",
        "reminders": [bool(reminders.get("useDefault", True)), overrides],
    }


def fields_hash(event: dict[str, Any]) -> str:
    """Hash of :func:`normalised` (stable under Google's re-serialisation)."""
    text = json.dumps(normalised(event), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def private_props(event: dict[str, Any]) -> dict[str, str]:
    return ((event.get("extendedProperties") or {}).get("private")) or {}


def is_ours(event: dict[str, Any], family_id: str) -> bool:
    """Our family's marker, our UID domain, and the id our UID derives."""
    uid = str(event.get("iCalUID") or "")
    return (
        private_props(event).get(FAMILY_KEY) == family_id
        and uid.endswith(f"@{family_id}.{UID_DOMAIN}")
        and event.get("id") == event_id(uid)
    )


def end_day(event: dict[str, Any]) -> date | None:
    """The last day, as :func:`pc_calendar.backends.base.event_days` counts it."""
    day = start_day(event, "end")
    if day is not None and (event.get("end") or {}).get("date"):
        first = start_day(event)
        day = max(first or day, day - timedelta(days=1))  # an all-day end is exclusive
    return day


def start_day(event: dict[str, Any], which: str = "start") -> date | None:
    """The start's own date: ``date``, or the local date of ``dateTime`` in its zone."""
    start = event.get(which) or {}
    if start.get("date"):
        return date.fromisoformat(start["date"])
    if not start.get("dateTime"):
        return None
    moment = datetime.fromisoformat(str(start["dateTime"]).replace("Z", "+00:00"))
    try:
        zone = ZoneInfo(start["timeZone"]) if start.get("timeZone") else None
    except (KeyError, ValueError):
        zone = None
    return (moment.astimezone(zone) if zone else moment).date()


def remote_event(event: dict[str, Any], family_id: str) -> RemoteEvent | None:
    """A RemoteEvent if ``event`` is one of ours and not cancelled, else None."""
    if event.get("status") == "cancelled" or not is_ours(event, family_id):
        return None
    props = private_props(event)
    stored = props.get(HASH_KEY)
    current = fields_hash(event)
    actual = stored if props.get(FIELDS_KEY) == current else EDITED_PREFIX + current
    return RemoteEvent(
        uid=str(event["iCalUID"]),
        href=str(event["id"]),
        etag=event.get("etag"),
        content_hash=stored,
        actual_hash=actual,
        start=start_day(event),
        end=end_day(event),
    )


# -- back to iCalendar (for fetch and conflict reports) -----------------------------------


def _ical_time(field: dict[str, Any]) -> date | datetime:
    if field.get("date"):
        return date.fromisoformat(field["date"])
    moment = datetime.fromisoformat(str(field["dateTime"]).replace("Z", "+00:00"))
    name = field.get("timeZone")
    return moment.astimezone(ZoneInfo(name)) if name else moment.astimezone(UTC)


def to_ical(event: dict[str, Any]) -> bytes:
    """A VCALENDAR holding Google's copy of an event (what the parent sees now)."""
    import icalendar

    vevent = icalendar.Event()
    vevent.add("UID", str(event.get("iCalUID") or event.get("id")))
    vevent.add("DTSTAMP", datetime(2000, 1, 1, tzinfo=UTC))
    vevent.add("DTSTART", _ical_time(event.get("start") or {}))
    vevent.add("DTEND", _ical_time(event.get("end") or {}))
    for prop, key in (
        ("SUMMARY", "summary"),
        ("DESCRIPTION", "description"),
        ("LOCATION", "location"),
    ):
        if event.get(key):
            vevent.add(prop, event[key])
    if event.get("transparency") == "transparent":
        vevent.add("TRANSP", "TRANSPARENT")
    for override in (event.get("reminders") or {}).get("overrides") or []:
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "EMAIL" if override.get("method") == "email" else "DISPLAY")
        alarm.add("DESCRIPTION", event.get("summary") or "Reminder")
        alarm.add("TRIGGER", timedelta(minutes=-int(override.get("minutes", 0))))
        vevent.add_component(alarm)
    props = private_props(event)
    for prop, key in ((OWNER_PROP, FAMILY_KEY), (KIND_PROP, KIND_KEY), (HASH_PROP, HASH_KEY)):
        if props.get(key):
            vevent.add(prop, props[key])
    cal = icalendar.Calendar()
    cal.add("PRODID", "-//pc-calendar//google copy//EN")
    cal.add("VERSION", "2.0")
    cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()
