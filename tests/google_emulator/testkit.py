"""Small helpers for tests that drive the emulator through the real client."""

from __future__ import annotations

import json

from googleapiclient.errors import HttpError


def error_of(exc: HttpError) -> tuple[int, str]:
    """(HTTP status, Google reason) of a client error, read from the JSON body."""
    body = json.loads(exc.content)
    return exc.resp.status, body["error"]["errors"][0]["reason"]


def timed(event_id: str | None, start: str, end: str, tz: str = "America/Chicago", **extra):
    """An event body with dateTime start/end in ``tz``."""
    body = {
        "summary": "With Alex",
        "start": {"dateTime": start, "timeZone": tz},
        "end": {"dateTime": end, "timeZone": tz},
        **extra,
    }
    if event_id is not None:
        body["id"] = event_id
    return body


def all_day(event_id: str | None, start: str, end: str, **extra):
    """An all-day event body (``end`` exclusive, as Google wants)."""
    body = {"summary": "Holiday", "start": {"date": start}, "end": {"date": end}, **extra}
    if event_id is not None:
        body["id"] = event_id
    return body


def ours(**props: str) -> dict:
    return {"extendedProperties": {"private": dict(props)}}
