"""RFC 3339 parsing and Google's rendering of event times.

Google validates ``start``/``end`` strictly (both ``date`` or both ``dateTime``; a
``dateTime`` without an offset needs a ``timeZone``) and renders ``dateTime`` in the time
zone of the response: the ``timeZone`` query parameter, else the calendar's zone. ``date``
values and the event's own ``timeZone`` field come back exactly as given.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ApiError, bad_request

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def zone(name: str) -> ZoneInfo:
    """A zone by IANA name; raises ValueError for unknown names."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(name) from exc


def parse_rfc3339(value: str, *, need_offset: bool) -> datetime:
    """Parse an RFC 3339 timestamp (naive if it has no offset and none is needed)."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError(value)
    parsed = datetime.fromisoformat(value.upper())
    if need_offset and parsed.tzinfo is None:
        raise ValueError(value)
    return parsed


def format_instant(instant: datetime, tz: ZoneInfo) -> str:
    """Google's dateTime rendering: seconds precision, ``Z`` for UTC, else ``+HH:MM``."""
    local = instant.astimezone(tz).replace(microsecond=0)
    if local.utcoffset() == timedelta(0) and tz.key in ("UTC", "Etc/UTC", "GMT"):
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    return local.isoformat()


def format_updated(instant: datetime) -> str:
    """``updated``/``created`` as Google writes them: UTC with milliseconds."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{instant.microsecond // 1000:03d}Z"
    )


def _edge(value: object, which: str) -> tuple[str, date | datetime]:
    """Validate one of start/end; return its kind and value (aware datetime or date)."""
    if not isinstance(value, dict) or not (value.get("date") or value.get("dateTime")):
        raise ApiError(400, "required", f"Missing {which} time.")
    if value.get("date") and value.get("dateTime"):
        raise bad_request(f"Invalid {which} time.")
    if value.get("date"):
        if not isinstance(value["date"], str) or not _DATE.match(value["date"]):
            raise bad_request(f"Invalid {which} time.")
        try:
            return "date", date.fromisoformat(value["date"])
        except ValueError:
            raise bad_request(f"Invalid {which} time.") from None
    try:
        parsed = parse_rfc3339(value["dateTime"], need_offset=False)
    except ValueError:
        raise bad_request(f"Invalid {which} time.") from None
    tz_name = value.get("timeZone")
    if tz_name is not None:
        try:
            tz = zone(tz_name)
        except ValueError:
            raise bad_request(f"Invalid time zone definition for {which} time.") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
    if parsed.tzinfo is None:
        raise ApiError(400, "required", f"Missing time zone definition for {which} time.")
    return "dateTime", parsed


def validate_span(start: object, end: object) -> None:
    """Raise Google's 400 for a missing, malformed, mixed or empty start/end pair."""
    start_kind, start_value = _edge(start, "start")
    end_kind, end_value = _edge(end, "end")
    if start_kind != end_kind:
        raise bad_request("Start and end times must either both be date or both be dateTime.")
    empty = end_value <= start_value if start_kind == "date" else end_value < start_value
    if empty:
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")


def instant(value: dict, tz: ZoneInfo) -> datetime:
    """The UTC instant of a stored start/end (all-day dates start at midnight in ``tz``)."""
    if value.get("date"):
        day = date.fromisoformat(value["date"])
        return datetime.combine(day, time(0), tz).astimezone(UTC)
    parsed = parse_rfc3339(value["dateTime"], need_offset=False)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(value["timeZone"]))
    return parsed.astimezone(UTC)


def render_edge(value: dict, tz: ZoneInfo) -> dict:
    """A stored start/end as Google returns it in response zone ``tz``."""
    if value.get("date"):
        return dict(value)
    out = dict(value)
    out["dateTime"] = format_instant(instant(value, tz), tz)
    return out
